"""Generic readings of a page, used when a profile rule matches nothing: article links outside navigation,
the card around each link (title, snippet, date) and the link to the next page of a listing.

A site's navigation is learnt while crawling it (``Navigation``): links inside ``nav`` (or a page-level
``header``, ``footer``, ``aside``), and article links found on most pages of the site ("most read" boxes).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING
from urllib.parse import parse_qsl, urldefrag, urlencode, urljoin, urlsplit

from crawler.discovery.parsers import Entry

if TYPE_CHECKING:
    from lxml.html import HtmlElement

# A hostile page may hold a million links: only this many anchors are read from one page.
MAX_ANCHORS = 2000
# An article link found on this share of a site's pages (once MIN_PAGES pages are seen) is navigation.
NAVIGATION_SHARE = 0.6
MIN_PAGES = 5
MAX_LEARNT = 100_000  # distinct links counted per site
CARD_DEPTH = 6  # ancestors climbed from a link to find its card (the block holding only this link)
NEXT_WORDS = re.compile(r"^(?:page suivante|suivante?|next(?: page)?|plus d['’]articles|[›»>]+)$", re.IGNORECASE)
PAGE_IN_PATH = re.compile(r"/page/(\d+)/?$")
PAGE_PARAMS = ("page", "paged", "pg")
# Tags that hold the site's chrome when they are not inside the article or the main content.
_CHROME = {"header", "footer", "aside"}
_CHROME_ROLES = {"banner", "contentinfo", "complementary"}
_HEADINGS = ("h1", "h2", "h3", "h4", "h5")

ArticleMatch = Callable[[str], "dict[str, str] | None"]


@dataclass(frozen=True)
class ArticleLink:
    """One article link of a page: its URL (no fragment) and its ``<a>`` element."""

    url: str
    anchor: HtmlElement


def _text(node: HtmlElement) -> str:
    """Return the normalised text of an element."""
    return " ".join(node.text_content().split())


def is_chrome(anchor: HtmlElement) -> bool:
    """Tell whether a link sits in the page's chrome: a ``nav``, or a header/footer/aside outside the content."""
    chrome = False
    for ancestor in anchor.iterancestors():
        tag, role = ancestor.tag, ancestor.get("role", "")
        if tag == "nav" or role == "navigation":
            return True
        if tag in ("article", "main") or role == "main":
            return False
        chrome = chrome or tag in _CHROME or role in _CHROME_ROLES
    return chrome


class Navigation:
    """Learns, page after page, which article links of a site are navigation rather than content."""

    def __init__(self, match_article: ArticleMatch) -> None:
        self.match_article = match_article
        self.pages = 0
        self.seen: Counter[str] = Counter()

    def is_navigation(self, url: str) -> bool:
        """Tell whether an article link was found on most pages of the site seen so far."""
        return self.pages >= MIN_PAGES and self.seen[url] >= NAVIGATION_SHARE * self.pages

    def article_key(self, url: str) -> tuple[str, ...] | None:
        """Return what names an article (its path without the page number), or None for no article URL."""
        groups = self.match_article(url)
        if groups is None:
            return None
        return (urlsplit(url).netloc, groups["id"], groups.get("slug", "")) if "id" in groups else (url,)

    def article_links(self, root: HtmlElement, base_url: str) -> list[ArticleLink]:
        """Observe a page and return its article links outside navigation.

        Args:
            root: the parsed page.
            base_url: its URL (links are resolved against it; the page itself and the other pages of the
                same article are left out).

        Returns:
            One link per URL, in document order (the first ``MAX_ANCHORS`` anchors are read).
        """
        own = self.article_key(urldefrag(base_url)[0])
        found: dict[str, ArticleLink] = {}
        for anchor in root.xpath(f"(//a[@href])[position() <= {MAX_ANCHORS}]"):
            url = urldefrag(urljoin(base_url, anchor.get("href", "").strip()))[0]
            key = self.article_key(url)
            if key is not None and key != own and url not in found and not is_chrome(anchor):
                found[url] = ArticleLink(url, anchor)
        # Chrome is known by its place; what is counted is the rest, to learn the boxes no tag gives away.
        self.pages += 1
        for url in found:
            if url in self.seen or len(self.seen) < MAX_LEARNT:
                self.seen[url] += 1
        return [link for url, link in found.items() if not self.is_navigation(url)]


def cards_of(links: list[ArticleLink]) -> list[HtmlElement]:
    """Return, per link, the largest block around it that holds no other of the links (its card).

    One climb of at most ``CARD_DEPTH`` ancestors per link: a page of 50,000 links costs 50,000 climbs.
    """
    holders: dict[HtmlElement, set[str]] = {}
    for link in links:
        for _, parent in zip(range(CARD_DEPTH), link.anchor.iterancestors(), strict=False):
            held = holders.setdefault(parent, set())
            if len(held) < 2:
                held.add(link.url)
    cards = []
    for link in links:
        card = link.anchor
        for _, parent in zip(range(CARD_DEPTH), link.anchor.iterancestors(), strict=False):
            if parent.tag in ("body", "html") or len(holders[parent]) > 1:
                break
            card = parent
        cards.append(card)
    return cards


def entries_of(links: list[ArticleLink]) -> list[Entry]:
    """Return a listing entry per link: the anchor text, title attribute or card heading as title, the card's
    first paragraph as snippet, its ``time`` as publication date."""
    entries = []
    for link, card in zip(links, cards_of(links), strict=False):
        heading = next((h for h in card.iter(*_HEADINGS)), None)
        # The longest of the anchor text, its title attribute and the card's heading: "Lire la suite" says less.
        title = max((_text(link.anchor), link.anchor.get("title", "").strip(),
                     _text(heading) if heading is not None else ""), key=len)
        snippet = next((_text(p) for p in card.iter("p") if link.anchor not in p.iter("a")), "")
        date = next((t.get("datetime") for t in card.iter("time") if t.get("datetime")), None)
        entries.append(Entry(url=link.url, title=title, summary=snippet, published=date))
    return entries


def page_number(url: str) -> tuple[str, int]:
    """Return a listing URL without its page number (``/page/N/``, ``?page=N``…), and that number (1 if none)."""
    parts = urlsplit(url)
    path, number = parts.path, 1
    if found := PAGE_IN_PATH.search(path):
        path, number = path[:found.start()] + "/", int(found[1])
    query = []
    for key, value in parse_qsl(parts.query, keep_blank_values=True):
        if key in PAGE_PARAMS and value.isdigit():
            number = int(value)
        else:
            query.append((key, value))
    return parts._replace(path=path, query=urlencode(query), fragment="").geturl(), number


def next_page_link(root: HtmlElement, base_url: str) -> str | None:
    """Return the next page of a listing read without profile rules: ``rel=next``, a "Page suivante" /
    "Suivant" link, else a link to the same listing with the next page number (``/page/N/``, ``?page=N``).

    Args:
        root: the parsed page.
        base_url: its URL.

    Returns:
        The absolute URL, or None.
    """
    host = urlsplit(base_url).netloc
    listing, number = page_number(base_url)
    anchors = root.xpath(f"(//a[@href]|//link[@href])[position() <= {MAX_ANCHORS}]")
    ranked: list[tuple[int, str]] = []
    for anchor in anchors:
        url = urldefrag(urljoin(base_url, anchor.get("href", "").strip()))[0]
        if urlsplit(url).netloc != host or url == urldefrag(base_url)[0]:
            continue
        if "next" in anchor.get("rel", "").lower().split():
            ranked.append((0, url))
        elif anchor.tag == "a" and NEXT_WORDS.match(_text(anchor) or anchor.get("aria-label", "").strip()):
            ranked.append((1, url))
        elif page_number(url) == (listing, number + 1):
            ranked.append((2, url))
    return min(ranked, key=lambda r: r[0])[1] if ranked else None
