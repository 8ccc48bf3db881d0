"""Sitemap and feed parsers: lxml without entity expansion, DTD loading or network access."""

from __future__ import annotations

import re
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from io import BytesIO
from itertools import islice
from typing import TYPE_CHECKING

from lxml import etree

if TYPE_CHECKING:
    from collections.abc import Iterator

MAX_ENTRIES = 100_000
_UNFINISHED = re.compile(r"in tag (\S+) line")  # libxml2's "Premature end of data in tag loc line 1"


@dataclass(frozen=True)
class Entry:
    """One URL offered by a sitemap, feed or listing, with what it says about the page."""

    url: str
    title: str = ""
    summary: str = ""
    published: str | None = None
    lastmod: str | None = None


@dataclass(frozen=True)
class Sitemap:
    """A parsed sitemap: ``sitemapindex`` (entries are sitemaps) or ``urlset`` (entries are pages)."""

    kind: str
    entries: list[Entry]


def _local(tag: str) -> str:
    """Return an element's tag without its namespace (``start``/``end`` events give elements only: comments and PIs
    come as events of their own, never asked for, and are removed)."""
    return tag.rpartition("}")[2]


def _events(body: bytes, events: tuple[str, ...]) -> etree.iterparse:
    """Iterate (event, element) over an XML document safely: no entity expansion, no DTD, no network, depth ≤ 256."""
    return etree.iterparse(
        BytesIO(body), events=events, resolve_entities=False, load_dtd=False, no_network=True,
        huge_tree=False, recover=True, remove_comments=True, remove_pis=True,
    )


def _records(body: bytes, containers: tuple[str, ...]) -> Iterator[dict[str, str]]:
    """Yield, for each ``containers`` element, the first non-empty text of each descendant name (any namespace),
    plus ``href`` of its first alternate ``link``.

    Every element is emptied and dropped from its parent once read, so memory stays bounded whatever the size. A
    document cut short (a dropped connection, a size limit) may end inside its last container, which the parser's
    recovery closes with whatever text it had (half a URL): so the last container is held back until the end, and
    dropped when the document ended inside one of its elements (not when it ended between them).
    """
    fields: dict[str, str] | None = None
    names: set[str] = set()  # the names of the elements inside the container being read
    last: tuple[dict[str, str], set[str]] | None = None  # the latest container read (and its names), held back
    events = _events(body, ("start", "end"))
    try:
        for event, element in events:
            name = _local(element.tag)
            if event == "start":
                if name in containers and fields is None:
                    fields, names = {}, set()
                elif fields is not None:
                    names.add(name)
                continue
            if fields is not None:
                if name in containers:
                    if last is not None:
                        yield last[0]
                    last, fields = (fields, names), None
                else:
                    _note(fields, name, element)
            element.clear()
            while element.getprevious() is not None:
                del element.getparent()[0]
    except etree.LxmlError:
        pass
    if last is not None and not _ended_in(events.error_log, last[1]):
        yield last[0]


def _ended_in(errors: etree._ListErrorLog, names: set[str]) -> bool:
    """Tell whether the document was cut inside an element of one of ``names``, whose text may then be cut too
    (libxml2 names the innermost element it had to close at the end by its local name; other messages may quote
    the document, hence the error type first)."""
    for error in errors:
        found = _UNFINISHED.search(error.message) if error.type_name == "ERR_TAG_NOT_FINISHED" else None
        if found and found[1] in names:
            return True
    return False


def _note(fields: dict[str, str], name: str, element: etree._Element) -> None:
    """Record what an element inside a container says, unless an earlier one said it."""
    text = (element.text or "").strip()
    if text and name not in fields:
        fields[name] = text
    if name == "link" and "href" not in fields and element.get("rel", "alternate") == "alternate":
        href = (element.get("href") or "").strip()
        if href:
            fields["href"] = href


def _kind(body: bytes) -> str:
    """Return the local name of a document's root element ('' when there is none)."""
    try:
        for _, element in _events(body, ("start",)):
            return _local(element.tag)
    except etree.LxmlError:
        pass
    return ""


def parse_sitemap(body: bytes, *, max_entries: int = MAX_ENTRIES) -> Sitemap:
    """Parse a sitemap or sitemap index, news-sitemap titles and dates included.

    Args:
        body: the XML (already gunzipped).
        max_entries: entries read at most; the rest is not parsed.

    Returns:
        The sitemap's kind and entries (``published``/``title`` from ``news:news`` when present).
    """
    found = (f for f in _records(body, ("url", "sitemap")) if "loc" in f)
    entries = [Entry(url=f["loc"], title=f.get("title", ""), published=f.get("publication_date"),
                     lastmod=f.get("lastmod")) for f in islice(found, max_entries)]
    return Sitemap(kind=_kind(body), entries=entries)


def parse_feed(body: bytes, *, max_entries: int = MAX_ENTRIES) -> list[Entry]:
    """Parse an RSS 2.0 or Atom feed.

    Args:
        body: the XML.
        max_entries: entries read at most.

    Returns:
        One entry per item: link, title, description and publication date (ISO 8601).
    """
    found = (f for f in _records(body, ("item", "entry")) if "link" in f or "href" in f)
    return [Entry(url=f.get("link") or f["href"], title=f.get("title", ""),
                  summary=f.get("description") or f.get("summary", ""),
                  published=_feed_date(f.get("pubDate") or f.get("published") or f.get("updated", "")))
            for f in islice(found, max_entries)]


def _feed_date(value: str) -> str | None:
    """Return an RSS (RFC 822) or Atom (ISO 8601) date as ISO 8601, or None."""
    if not value:
        return None
    try:
        return parsedate_to_datetime(value).isoformat()
    except (TypeError, ValueError):
        return value if value[:4].isdigit() else None
