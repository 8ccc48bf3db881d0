"""Per-site cleanup rules: elements and boilerplate blocks dropped before extraction, lines dropped after it.

A cut marker names a boilerplate block (a promotion box, a share bar, "Commentaires (N)") by its first words:
the block is removed wherever it sits, and the text is cut at a marker line only where the article has ended
(no paragraph follows it), so a Numerama+ box in the middle of the body costs no paragraph.
"""

from __future__ import annotations

import re
from copy import deepcopy
from dataclasses import dataclass, fields
from typing import TYPE_CHECKING, Any

from lxml.html import Element

from archive.patterns import any_of, compiled
from archive.text.metadata import DEFAULT_DATE_SOURCES

if TYPE_CHECKING:
    from lxml.html import HtmlElement

# Whitespace runs, and the control characters lxml refuses in a tree (a page may hold "&#1;"): one space.
_WHITESPACE = re.compile(r"[\s\x00-\x08\x0b\x0c\x0e-\x1f]+")
_KEEP_WHITESPACE = {"pre", "textarea", "script", "style"}
# A boilerplate block is short; an element this long that starts with a marker is a section (comments) whose
# heading is the marker: the heading is left for the text rule, which cuts there if nothing follows.
MAX_BLOCK_CHARS = 3000
_HEAD_CHARS = 300  # text read from an element's start to match the markers
_HEADING_SLACK = 20  # characters beyond the marker's match that still make an element a bare heading
# After a marker line, a line this long is article text again: the marker did not end the article.
RESUME_CHARS = 250


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
        values: dict[str, Any] = {k: tuple(v) if isinstance(v, list) else v for k, v in d.items()}
        return cls(**values)

    def marker_of(self, text: str) -> str | None:
        """Return the cut marker (regex) the text starts with, or None (most elements start with none: all the
        markers joined in one pattern tell it in one match)."""
        if (anyone := any_of(self.cut_markers)) is not None and not anyone.match(text):
            return None
        return next((marker for marker in self.cut_markers if compiled(marker).match(text)), None)

    def clean_text(self, text: str) -> str:
        """Drop marker lines and matching lines; cut the text at a marker line that no paragraph follows.

        Args:
            text: the extracted text, one paragraph a line.

        Returns:
            The cleaned text.
        """
        lines = [raw.strip() for raw in text.splitlines()]
        marked = [self.marker_of(line) is not None for line in lines]
        # resumes[i]: an article-length line that is no marker line comes after line i (one backward pass)
        resumes = [False] * len(lines)
        for number in range(len(lines) - 2, -1, -1):
            after = number + 1
            resumes[number] = resumes[after] or (len(lines[after]) >= RESUME_CHARS and not marked[after])
        kept: list[str] = []
        for number, line in enumerate(lines):
            if marked[number]:
                if not resumes[number]:
                    break
                continue
            if line and not self.dropped(line):
                kept.append(line)
        return "\n".join(kept)

    def dropped(self, line: str) -> bool:
        """Tell whether a line matches one of the ``drop_lines`` patterns."""
        if (anyone := any_of(self.drop_lines)) is not None:
            return anyone.search(line) is not None
        return any(compiled(pattern).search(line) for pattern in self.drop_lines)

    def remove_marked_blocks(self, tree: HtmlElement) -> None:
        """Remove every block whose text starts with a cut marker, wherever it sits (its tail is kept).

        The block is the largest element (below ``MAX_BLOCK_CHARS``) that starts with the same marker as the
        text node found; body and html are never removed.
        """
        blocks: dict[int, HtmlElement] = {}
        for node in tree.iter():
            if not isinstance(node.tag, str) or not (node.text or "").strip():
                continue
            head = _head(node)
            if (marker := self.marker_of(head)) is None:
                continue
            block, capped = node, False
            for parent in node.iterancestors():
                if parent.tag in ("body", "html") or not compiled(marker).match(_head(parent)):
                    break
                if _longer_than(parent, MAX_BLOCK_CHARS):
                    capped = True
                    break
                block = parent
            matched = compiled(marker).match(head)
            if capped and matched and len(_head(block)) <= matched.end() + _HEADING_SLACK:
                continue  # the heading of a long section: the text rule cuts there if the article ended
            blocks.setdefault(id(block), block)
        for block in blocks.values():
            if block.getparent() is not None:
                block.drop_tree()

    def clean_title(self, title: str) -> str:
        """Strip the site's title suffix."""
        return compiled(self.title_suffix).sub("", title).strip() if self.title_suffix else title

    def prune(self, tree: HtmlElement) -> list[HtmlElement]:
        """Return what to extract from, best first: the `body_xpath` elements (if any match), then the page.

        Both are copies with whitespace collapsed, the `drop_xpaths` elements and the blocks that start with a
        cut marker removed (their tail kept).

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
        self.remove_marked_blocks(work)
        if not self.body_xpath or not (bodies := work.xpath(self.body_xpath)):
            return [work]
        root, body, container = Element("html"), Element("body"), Element("article")
        root.append(body)
        body.append(container)
        container.extend(deepcopy(node) for node in bodies)
        return [root, work]


def _head(node: HtmlElement) -> str:
    """Return the first ``_HEAD_CHARS`` characters of an element's text, whitespace collapsed."""
    pieces, size = [], 0
    for piece in node.itertext():
        pieces.append(piece)
        size += len(piece)
        if size >= _HEAD_CHARS:
            break
    return " ".join("".join(pieces).split())


def _longer_than(node: HtmlElement, limit: int) -> bool:
    """Tell whether an element holds more than ``limit`` characters of text (read no further)."""
    size = 0
    for piece in node.itertext():
        size += len(piece)
        if size > limit:
            return True
    return False


def collapse_whitespace(tree: HtmlElement) -> None:
    """Collapse runs of whitespace in text nodes as a browser does (not under `pre`): no line breaks mid-sentence."""
    kept = {node for keeper in tree.iter(*_KEEP_WHITESPACE) for node in keeper.iter()}  # them and what they hold
    for node in tree.iter():
        if node in kept:
            continue
        if node.text:
            node.text = _WHITESPACE.sub(" ", node.text)
        if node.tail:
            node.tail = _WHITESPACE.sub(" ", node.tail)
