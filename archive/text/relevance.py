"""Topic relevance: weighted terms, negative contexts and a threshold, all read from a topic TOML file."""

from __future__ import annotations

import re
import tomllib
import unicodedata
from dataclasses import asdict, dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, Any

from archive.errors import ArchiveError
from archive.patterns import IGNORECASE, Pattern
from archive.reasons import Category, Reason

if TYPE_CHECKING:
    from pathlib import Path

_FOLD = {
    code: unicodedata.normalize("NFD", chr(code))[0]
    for code in range(0xC0, 0x250)
    if unicodedata.normalize("NFD", chr(code))[0] != chr(code)
}
"""Accented Latin letters → base letter, one character for one (match offsets stay valid in the original)."""
_PASSAGE = 200
_SLUG_SEPARATORS = re.compile(r"[-_/.+]+")
_GROUP_REFERENCE = re.compile(r"\\\d|\\g<|\(\?P[=<]|\(\?<(?![=!])|\(\?\(|\(\?[a-zA-Z]*\)")  # refs, names, inline flags


def fold(text: str) -> str:
    """Return `text` without accents on Latin letters, same length (case is handled by the regexes)."""
    return text.translate(_FOLD)


def _compile(regex: str | None, phrase: str | None = None) -> Pattern | None:
    """Compile a regex, or a phrase (whole words joined by any space or hyphen), folded, case-blind, time-bound."""
    if regex:
        return Pattern(fold(regex), IGNORECASE)
    if phrase:
        words = (re.escape(fold(word)) for word in phrase.split())
        return Pattern(r"\b" + r"[\s\-]+".join(words) + r"\b", IGNORECASE)
    return None


@dataclass(frozen=True)
class Term:
    """One weighted pattern; `context` (if any) must occur within `window` characters of a match."""

    name: str
    pattern: Pattern
    weight: float
    strong: bool = False
    context: Pattern | None = None
    window: int = 150

    @classmethod
    def from_dict(cls, spec: dict[str, Any]) -> Term:
        """Build a term from one entry of a topic's `terms` or `negatives` list."""
        pattern = _compile(spec.get("regex"), spec.get("phrase"))
        if pattern is None:
            raise ValueError(f"term without phrase or regex: {spec}")
        return cls(
            name=spec.get("name") or spec.get("phrase") or spec["regex"],
            pattern=pattern,
            weight=float(spec.get("weight", 1.0)),
            strong=bool(spec.get("strong", False)),
            context=_compile(spec.get("context")),
            window=int(spec.get("window", 150)),
        )

    def spans(self, folded: str) -> list[tuple[int, int]]:
        """Return the (start, end) of every match in folded text that has its context, if one is required."""
        if self.context is None:
            return [match.span() for match in self.pattern.finditer(folded)]
        found = []
        for match in self.pattern.finditer(folded):
            start, end = match.span()
            if self.context.search(folded[max(0, start - self.window) : end + self.window]):
                found.append((start, end))
        return found


@dataclass
class Relevance:
    """The verdict of a topic on one article."""

    topic: str
    score: float
    threshold: float
    on_topic: bool
    matched: dict[str, int] = field(default_factory=dict)
    first_match: str | None = None
    negatives: dict[str, int] = field(default_factory=dict)
    reason: str = ""

    def to_dict(self) -> dict[str, Any]:
        """Return the verdict as a JSON-ready dict."""
        return asdict(self)


@dataclass(frozen=True)
class Topic:
    """A topic: positive terms, negative contexts, threshold and knobs (see `score` for the formula)."""

    name: str
    terms: tuple[Term, ...]
    negatives: tuple[Term, ...]
    threshold: float
    title_weight: float = 2.0
    max_count: int = 3
    min_strong_terms: int = 1

    @classmethod
    def load(cls, path: Path) -> Topic:
        """Read a topic file.

        Args:
            path: a TOML file with `name`, `threshold`, `terms`, `negatives` and optional knobs.

        Returns:
            The topic.
        """
        return cls.loads(path.read_text(encoding="utf-8"), default_name=path.stem)

    @classmethod
    def loads(cls, text: str, *, default_name: str = "topic") -> Topic:
        """Read a topic from the text of a topic file (as recorded in a WARC's run configuration).

        Args:
            text: the TOML text.
            default_name: the name when the file gives none.

        Returns:
            The topic.
        """
        data = tomllib.loads(text)
        return cls(
            name=data.get("name", default_name),
            terms=tuple(Term.from_dict(spec) for spec in data["terms"]),
            negatives=tuple(Term.from_dict(spec) for spec in data.get("negatives", [])),
            threshold=float(data["threshold"]),
            title_weight=float(data.get("title_weight", 2.0)),
            max_count=int(data.get("max_count", 3)),
            min_strong_terms=int(data.get("min_strong_terms", 1)),
        )

    def score(self, title: str, text: str) -> Relevance:
        """Score an article.

        score = Σ weight × (min(count in text, max_count) + title_weight if in title) over positive terms,
        minus Σ weight × count over negative contexts when no strong term matched. Positive matches inside
        a negative context ("fonds souverain") do not count. On topic when score >= threshold and at least
        `min_strong_terms` distinct strong terms matched.

        Args:
            title: the article title.
            text: the article text.

        Returns:
            The verdict, with matched terms, negatives, the first matching passage and a one-line reason.
        """
        folded_title, folded_text = fold(title), fold(text)
        negatives, blocked = self._negatives(folded_title + "\n" + folded_text)
        offset = len(folded_title) + 1
        matched: dict[str, int] = {}
        contributions: dict[str, float] = {}
        first: int | None = None
        strong = 0
        for term in self.terms:
            in_text = [s for s in term.spans(folded_text) if not _inside((s[0] + offset, s[1] + offset), blocked)]
            in_title = [s for s in term.spans(folded_title) if not _inside(s, blocked)]
            if not in_text and not in_title:
                continue
            matched[term.name] = len(in_text) + len(in_title)
            contributions[term.name] = term.weight * (min(len(in_text), self.max_count) + bool(in_title) * self.title_weight)
            strong += term.strong
            if in_text and (first is None or in_text[0][0] < first):
                first = in_text[0][0]
        penalty = 0.0 if strong else sum(term.weight * negatives.get(term.name, 0) for term in self.negatives)
        total = float(round(sum(contributions.values()) - penalty, 2))
        on_topic = total >= self.threshold and strong >= self.min_strong_terms
        return Relevance(
            topic=self.name,
            score=total,
            threshold=self.threshold,
            on_topic=on_topic,
            matched=matched,
            first_match=_passage(text, first) if first is not None else (title if matched else None),
            negatives=negatives,
            reason=self._reason(total, on_topic, strong, contributions, matched, negatives),
        )

    @cached_property
    def any_term(self) -> Pattern | None:
        """Return one pattern matching wherever a term or a negative does (None when they cannot be joined:
        group references): a slug it misses scores 0 in one search instead of one per term."""
        sources = [term.pattern.pattern for term in (*self.terms, *self.negatives)]
        if not sources or any(_GROUP_REFERENCE.search(source) for source in sources):
            return None
        try:
            return Pattern("|".join(f"(?:{source})" for source in sources), IGNORECASE)
        except ArchiveError:
            return None

    def score_hint(self, text: str) -> float:
        """Return a cheap score for a URL slug or a feed title (sum of the weights of the terms present)."""
        folded = fold(_SLUG_SEPARATORS.sub(" ", text))
        if self.any_term is not None and self.any_term.search(folded) is None:
            return 0.0  # most slugs of a site's sitemaps
        positive = sum(term.weight for term in self.terms if term.spans(folded))
        return float(positive - sum(term.weight for term in self.negatives if term.pattern.search(folded)))

    def _negatives(self, folded: str) -> tuple[dict[str, int], list[tuple[int, int]]]:
        """Return the negative contexts found (name → count) and their spans."""
        counts: dict[str, int] = {}
        spans: list[tuple[int, int]] = []
        for term in self.negatives:
            if found := term.spans(folded):
                counts[term.name] = len(found)
                spans.extend(found)
        return counts, spans

    def _reason(
        self,
        total: float,
        on_topic: bool,
        strong: int,
        contributions: dict[str, float],
        matched: dict[str, int],
        negatives: dict[str, int],
    ) -> str:
        """Return the verdict in one line."""
        best = sorted(contributions, key=lambda name: (-contributions[name], name))[:5]
        terms = ", ".join(f"{name}×{matched[name]}" for name in best)
        if on_topic:
            return f"score {total:.1f} >= {self.threshold:.1f}: {terms}"
        if total >= self.threshold:
            return Reason(Category.OFF_TOPIC,
                          f"{strong} strong terms < {self.min_strong_terms} (score {total:.1f}: {terms})")
        detail = f"score {total:.1f} < {self.threshold:.1f}"
        if negatives:
            detail += " (negatives: " + ", ".join(f"{name}×{count}" for name, count in sorted(negatives.items())) + ")"
        return Reason(Category.OFF_TOPIC, detail)


def _inside(span: tuple[int, int], blocked: list[tuple[int, int]]) -> bool:
    """Tell whether `span` overlaps one of the `blocked` spans."""
    return any(span[0] < end and start < span[1] for start, end in blocked)


def _passage(text: str, position: int) -> str:
    """Return the sentence around `position`, cut to about 200 characters."""
    start = max(text.rfind(mark, 0, position) for mark in (". ", "! ", "? ", "\n")) + 1
    ends = [i for i in (text.find(mark, position) for mark in (". ", "! ", "? ", "\n")) if i != -1]
    end = min(ends) + 1 if ends else len(text)
    start = max(start, position - _PASSAGE // 2)
    return " ".join(text[start : min(end, start + _PASSAGE)].split())
