"""Per-site cleanup rules: elements dropped before extraction, lines cut or dropped after it."""

from __future__ import annotations

import re
from copy import deepcopy
from dataclasses import dataclass, fields
from typing import TYPE_CHECKING, Any

from lxml.html import Element

from archive.metadata import DEFAULT_DATE_SOURCES
from archive.patterns import Pattern

if TYPE_CHECKING:
    from lxml.html import HtmlElement

# Whitespace runs, and the control characters lxml refuses in a tree (a page may hold "&#1;"): one space.
_WHITESPACE = re.compile(r"[\s\x00-\x08\x0b\x0c\x0e-\x1f]+")
_KEEP_WHITESPACE = {"pre", "textarea", "script", "style"}


@dataclass(frozen=True)
class SiteCleanup:
    """Per-site extraction rules, read from the `[cleanup]` table of a site profile."""

    drop_xpaths: tuple[str, ...] = ()
    body_xpath: str | None = None
    cut_markers: tuple[str, ...] = ()
    drop_lines: tuple[str, ...] = ()
    title_suffix: str | None = None
    date_sources: tuple[str, ...] = DEFAULT_DATE_SOURCES

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> SiteCleanup:
        """Build the rules from a profile's `[cleanup]` table.

        Args:
            d: the TOML table; lists become tuples, unknown keys and date sources are an error.

        Returns:
            The rules.
        """
        known = {f.name for f in fields(cls)}
        if unknown := set(d) - known:
            raise ValueError(f"unknown cleanup keys: {sorted(unknown)}")
        if bad := set(d.get("date_sources", ())) - set(DEFAULT_DATE_SOURCES):
            raise ValueError(f"unknown date sources: {sorted(bad)} (known: {', '.join(DEFAULT_DATE_SOURCES)})")
        for key in ("drop_xpaths", "cut_markers", "drop_lines", "date_sources"):
            if not isinstance(d.get(key, []), list) or not all(isinstance(v, str) for v in d.get(key, [])):
                raise ValueError(f"cleanup key {key!r} is not a list of strings")
        for key in ("body_xpath", "title_suffix"):
            if not isinstance(d.get(key, ""), (str, type(None))):
                raise ValueError(f"cleanup key {key!r} is not a string")
        return cls(**{k: tuple(v) if isinstance(v, list) else v for k, v in d.items()})

    def clean_text(self, text: str) -> str:
        """Cut the text at the first line a cut marker matches (regex, at line start), drop matching lines."""
        markers, drops = [Pattern(m) for m in self.cut_markers], [Pattern(p) for p in self.drop_lines]
        kept: list[str] = []
        for raw in text.splitlines():
            line = raw.strip()
            if any(marker.match(line) for marker in markers):
                break
            if line and not any(pattern.search(line) for pattern in drops):
                kept.append(line)
        return "\n".join(kept)

    def clean_title(self, title: str) -> str:
        """Strip the site's title suffix."""
        return Pattern(self.title_suffix).sub("", title).strip() if self.title_suffix else title

    def prune(self, tree: HtmlElement) -> list[HtmlElement]:
        """Return what to extract from, best first: the `body_xpath` elements (if any match), then the page.

        Both are copies with whitespace collapsed and the `drop_xpaths` elements removed (their tail kept).

        Args:
            tree: the parsed page (left untouched).

        Returns:
            One or two trees to hand to the extractor.
        """
        work = deepcopy(tree)
        collapse_whitespace(work)
        for xpath in self.drop_xpaths:
            for node in work.xpath(xpath):
                if node.getparent() is not None:
                    node.drop_tree()
        if not self.body_xpath or not (bodies := work.xpath(self.body_xpath)):
            return [work]
        root, body, container = Element("html"), Element("body"), Element("article")
        root.append(body)
        body.append(container)
        container.extend(deepcopy(node) for node in bodies)
        return [root, work]


def collapse_whitespace(tree: HtmlElement) -> None:
    """Collapse runs of whitespace in text nodes as a browser does (not under `pre`): no line breaks mid-sentence."""
    for node in tree.iter():
        if node.tag in _KEEP_WHITESPACE or any(parent.tag in _KEEP_WHITESPACE for parent in node.iterancestors()):
            continue
        if node.text:
            node.text = _WHITESPACE.sub(" ", node.text)
        if node.tail:
            node.tail = _WHITESPACE.sub(" ", node.tail)
