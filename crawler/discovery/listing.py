"""Listing pages (tag, search, author, home) and related-article links, read with the profile's XPaths."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING
from urllib.parse import urljoin

from crawler.discovery.parsers import Entry

if TYPE_CHECKING:
    from parsel import Selector

# A hostile page may hold a million links: only this many entries or related links are read from one page.
MAX_ENTRIES = 500
MAX_RELATED = 200


def capped(xpath: str, limit: int) -> str:
    """Return an XPath selecting only the first ``limit`` nodes of ``xpath``."""
    return f"({xpath})[position() <= {limit}]"


@dataclass(frozen=True)
class ListingRules:
    """XPaths of a site's listing pages and of the related links inside its articles."""

    entry: str = ""
    link: str = ".//a/@href"
    title: str = ".//h2|.//h3"
    snippet: str = ".//p"
    date: str = ".//time/@datetime"
    next: str = "//a[@rel='next']/@href"
    related: str = ""

    @classmethod
    def from_dict(cls, data: dict[str, str]) -> ListingRules:
        """Build the rules from a profile's ``[listing]`` table."""
        unknown = set(data) - set(cls.__dataclass_fields__)
        if unknown:
            raise ValueError(f"unknown [listing] keys: {', '.join(sorted(unknown))}")
        return cls(**data)


def _string(node: Selector, xpath: str) -> str:
    """Return the normalised text of the first node an XPath selects, or ''."""
    found = node.xpath(xpath)
    if not found:
        return ""
    first = found[0]
    value = first.get() if isinstance(first.root, str) else first.xpath("string()").get()
    return " ".join((value or "").split())


def parse_listing(page: Selector, base_url: str, rules: ListingRules) -> tuple[list[Entry], str | None]:
    """Read the entries of a listing page and the link to its next page.

    Args:
        page: the parsed page (a Scrapy response's ``selector`` is one).
        base_url: the page's URL (links are resolved against it).
        rules: the site's listing XPaths.

    Returns:
        The entries (URL, title, snippet, publication date; the first ``MAX_ENTRIES``) and the next page's URL.
    """
    entries = []
    for node in page.xpath(capped(rules.entry, MAX_ENTRIES)) if rules.entry else []:
        href = _string(node, rules.link)
        if href:
            entries.append(Entry(url=urljoin(base_url, href), title=_string(node, rules.title),
                                 summary=_string(node, rules.snippet), published=_string(node, rules.date) or None))
    next_href = _string(page, rules.next) if rules.next else ""
    return entries, urljoin(base_url, next_href) if next_href else None


def related_links(page: Selector, base_url: str, rules: ListingRules) -> list[Entry]:
    """Return the related-article links of an article page, with their link text (or title attribute).

    Args:
        page: the parsed article page.
        base_url: its URL.
        rules: the site's rules (``related`` selects the ``<a>`` elements).

    Returns:
        One entry per link (the first ``MAX_RELATED``).
    """
    if not rules.related:
        return []
    entries = []
    for anchor in page.xpath(capped(rules.related, MAX_RELATED)):
        href = anchor.attrib.get("href")
        if href:
            title = anchor.attrib.get("title") or " ".join(anchor.xpath("string()").get("").split())
            entries.append(Entry(url=urljoin(base_url, href), title=title))
    return entries
