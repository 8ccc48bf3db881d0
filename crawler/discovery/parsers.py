"""Sitemap and feed parsers: lxml without entity expansion, DTD loading or network access."""

from __future__ import annotations

from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from io import BytesIO

from lxml import etree

MAX_ENTRIES = 100_000


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


def _local(tag: object) -> str:
    """Return an element's tag without its namespace ('' for comments and PIs)."""
    return tag.rpartition("}")[2] if isinstance(tag, str) else ""


def _events(body: bytes):
    """Iterate (event, element) over an XML document safely: no entities, no DTD, no network."""
    return etree.iterparse(
        BytesIO(body), events=("start", "end"), resolve_entities=False, load_dtd=False, no_network=True,
        huge_tree=False, recover=True, remove_comments=True, remove_pis=True,
    )


def _text(element: etree._Element, name: str) -> str:
    """Return the stripped text of the first descendant called ``name`` (any namespace), or ''."""
    for child in element.iter():
        if _local(child.tag) == name and child.text:
            return child.text.strip()
    return ""


def parse_sitemap(body: bytes, *, max_entries: int = MAX_ENTRIES) -> Sitemap:
    """Parse a sitemap or sitemap index, news-sitemap titles and dates included.

    Args:
        body: the XML (already gunzipped).
        max_entries: entries read at most; the rest is ignored.

    Returns:
        The sitemap's kind and entries (``published``/``title`` from ``news:news`` when present).
    """
    kind, entries = "", []
    try:
        for event, element in _events(body):
            name = _local(element.tag)
            if event == "start":
                kind = kind or name
                continue
            if name not in ("url", "sitemap"):
                continue
            loc = _text(element, "loc")
            if loc:
                entries.append(Entry(url=loc, title=_text(element, "title"),
                                     published=_text(element, "publication_date") or None,
                                     lastmod=_text(element, "lastmod") or None))
            element.clear()
            if len(entries) >= max_entries:
                break
    except etree.XMLSyntaxError:
        pass
    return Sitemap(kind=kind, entries=entries)


def parse_feed(body: bytes, *, max_entries: int = MAX_ENTRIES) -> list[Entry]:
    """Parse an RSS 2.0 or Atom feed.

    Args:
        body: the XML.
        max_entries: entries read at most.

    Returns:
        One entry per item: link, title, description and publication date (ISO 8601).
    """
    entries = []
    try:
        for event, element in _events(body):
            if event != "end" or _local(element.tag) not in ("item", "entry"):
                continue
            link = _text(element, "link") or _atom_link(element)
            if link:
                entries.append(Entry(url=link, title=_text(element, "title"),
                                     summary=_text(element, "description") or _text(element, "summary"),
                                     published=_feed_date(_text(element, "pubDate") or _text(element, "published")
                                                          or _text(element, "updated"))))
            element.clear()
            if len(entries) >= max_entries:
                break
    except etree.XMLSyntaxError:
        pass
    return entries


def _atom_link(element: etree._Element) -> str:
    """Return an Atom entry's alternate link."""
    for child in element.iter():
        if _local(child.tag) == "link" and child.get("rel", "alternate") == "alternate" and child.get("href"):
            return child.get("href", "")
    return ""


def _feed_date(value: str) -> str | None:
    """Return an RSS (RFC 822) or Atom (ISO 8601) date as ISO 8601, or None."""
    if not value:
        return None
    try:
        return parsedate_to_datetime(value).isoformat()
    except (TypeError, ValueError):
        return value if value[:4].isdigit() else None
