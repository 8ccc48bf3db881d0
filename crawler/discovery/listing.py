"""Listing pages (tag, search, author, home) and related-article links: the profile's XPaths, else generic."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING
from urllib.parse import urljoin

from crawler.discovery.generic import entries_of, next_page_link
from crawler.discovery.parsers import Entry

if TYPE_CHECKING:
    from parsel import Selector
    from scrapy.http import TextResponse

    from crawler.discovery.generic import ArticleLink
    from crawler.profiles import SiteProfile

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


@dataclass(frozen=True)
class ListingPage:
    """What a listing page offers, and the profile rules that matched nothing where the generic reading found
    something (``listing.entry``, ``listing.next``: the profile's markup drifted from the site's)."""

    entries: list[Entry]
    next_url: str | None
    drift: tuple[str, ...] = ()


def parse_listing(page: Selector, base_url: str, rules: ListingRules, links: list[ArticleLink]) -> ListingPage:
    """Read the entries of a listing page and the link to its next page: profile XPaths first, generic after.

    Args:
        page: the parsed page (a Scrapy response's ``selector`` is one).
        base_url: the page's URL (links are resolved against it).
        rules: the site's listing XPaths.
        links: the page's article links outside navigation (``Navigation.article_links``), for the fallback.

    Returns:
        The entries (URL, title, snippet, publication date; the first ``MAX_ENTRIES``), the next page's URL
        and the rules that drifted.
    """
    entries, drift = [], []
    for node in page.xpath(capped(rules.entry, MAX_ENTRIES)) if rules.entry else []:
        href = _string(node, rules.link)
        if href:
            entries.append(Entry(url=urljoin(base_url, href), title=_string(node, rules.title),
                                 summary=_string(node, rules.snippet), published=_string(node, rules.date) or None))
    if not entries and (entries := entries_of(links[:MAX_ENTRIES])):
        drift.append("listing.entry")
    next_href = _string(page, rules.next) if rules.next else ""
    next_url = urljoin(base_url, next_href) if next_href else None
    if next_url is None and (next_url := next_page_link(page.root, base_url)):
        drift.append("listing.next")
    return ListingPage(entries, next_url, tuple(drift))


def related_links(page: Selector, base_url: str, rules: ListingRules,
                  links: list[ArticleLink]) -> tuple[list[Entry], tuple[str, ...]]:
    """Return the related-article links of an article page, with their link text (or title attribute).

    Args:
        page: the parsed article page.
        base_url: its URL.
        rules: the site's rules (``related`` selects the ``<a>`` elements).
        links: the page's article links outside navigation, other pages of the same article left out: used
            when ``related`` matches nothing.

    Returns:
        One entry per link (the first ``MAX_RELATED``), and ``("listing.related",)`` when the fallback was used
        (the spider counts it as drift only for a rule the profile sets).
    """
    entries = []
    for anchor in page.xpath(capped(rules.related, MAX_RELATED)) if rules.related else []:
        href = anchor.attrib.get("href")
        if href:
            title = anchor.attrib.get("title") or " ".join(anchor.xpath("string()").get("").split())
            entries.append(Entry(url=urljoin(base_url, href), title=title))
    if entries or not links:
        return entries, ()
    return [Entry(url=e.url, title=e.title) for e in entries_of(links[:MAX_RELATED])], ("listing.related",)


def next_article_page(response: TextResponse, profile: SiteProfile,
                      known: set[str]) -> tuple[str | None, tuple[str, ...]]:
    """Return the next page of a multi-page article, if the profile describes such articles and it is new.

    Args:
        response: the article page.
        profile: the site's profile (``urls.next_page`` XPath, article patterns with ``id``, ``slug``, ``page``).
        known: the URLs of the article's pages read so far.

    Returns:
        The URL (the profile's ``next_page`` XPath, else a generic next link to another page of the same
        article) or None, and ``("urls.next_page",)`` when the generic reading found it (drift).
    """
    groups = profile.match_article(response.url) or {}
    if not profile.next_page or "page" not in groups:
        return None, ()
    if href := response.xpath(profile.next_page).get():
        link = response.urljoin(href)
        return (link if link not in known and profile.match_article(link) else None), ()
    found_link = next_page_link(response.selector.root, response.url)
    found = profile.match_article(found_link) if found_link and found_link not in known else None
    if found and (found.get("id"), found.get("slug")) == (groups.get("id"), groups.get("slug")):
        return found_link, ("urls.next_page",)
    return None, ()
