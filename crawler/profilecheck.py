"""``souverain profile check``: a bounded, polite visit of a site that tells which rules of its profile still match.

The visit is a plain HTTP client, not a Scrapy crawl: at most ``MAX_REQUESTS`` requests made one after the
other, each step choosing its next page from the previous one (robots.txt → sitemap index → one sitemap; a tag
page, a search page, a feed; five articles), with the profile's delay between them and robots.txt obeyed
(Protego, Scrapy's own parser). Nothing is archived, so no reactor, WARC writer or scheduler is needed. The
pages are read with the crawl's own functions (``crawler/discovery``, ``archive.text.extract``), so what a rule
matches here is what it matches in a crawl.
"""

from __future__ import annotations

import gzip
import time
import urllib.error
import urllib.request
from collections import Counter
from dataclasses import dataclass, field
from io import BytesIO
from typing import Any
from urllib.parse import quote_plus

from lxml import etree
from parsel import Selector
from protego import Protego

from archive.patterns import compiled
from archive.text.cleanup import SiteCleanup
from archive.text.extract import extract
from archive.text.notarticle import NotAnArticle
from archive.text.relevance import Topic
from crawler.discovery.generic import Navigation, next_page_link
from crawler.discovery.listing import parse_listing, related_links
from crawler.discovery.pagefinds import feed_links, search_template, tag_links
from crawler.discovery.parsers import Entry, Sitemap, parse_feed, parse_sitemap
from crawler.discovery.sitemapindex import choose_sitemaps
from crawler.discovery.window import DateWindow
from crawler.profiles import SiteProfile
from crawler.run import FALLBACKS
from crawler.settings import USER_AGENT
from crawler.topic import TopicDiscovery

MAX_REQUESTS = 30
MAX_BODY = 10 * 1024 * 1024  # the crawl's DOWNLOAD_MAXSIZE; a sitemap's gzip is inflated up to the same
ARTICLES = 5
WORDS = 12  # first and last words shown of each sampled article


@dataclass
class Page:
    """One page of the visit: its final URL, status and body."""

    url: str
    status: int
    body: bytes


@dataclass
class Visit:
    """A polite, bounded HTTP client: robots.txt obeyed, ``delay`` seconds between requests, at most 30."""

    delay: float
    timeout: float = 30.0
    requests: int = 0
    robots: Protego | None = None
    log: list[str] = field(default_factory=list)
    last: float = 0.0

    def get(self, url: str) -> Page | None:
        """Fetch a page (None when robots.txt forbids it, the budget is spent or it cannot be had)."""
        if self.requests >= MAX_REQUESTS:
            self.log.append(f"not fetched (the {MAX_REQUESTS}-request budget is spent): {url}")
            return None
        if self.robots is not None and not self.robots.can_fetch(url, USER_AGENT):
            self.log.append(f"not fetched (robots.txt): {url}")
            return None
        time.sleep(max(0.0, self.last + self.delay - time.monotonic()))
        self.requests += 1
        request = urllib.request.Request(url, headers={"User-Agent": USER_AGENT, "Accept-Encoding": "identity"})
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as reply:
                page = Page(reply.url, reply.status, reply.read(MAX_BODY + 1)[:MAX_BODY])
        except urllib.error.HTTPError as exc:
            page = Page(url, exc.code, b"")
        except (OSError, ValueError) as exc:
            self.log.append(f"fetch error: {url}: {getattr(exc, 'reason', exc)}")
            return None
        finally:
            self.last = time.monotonic()
        self.log.append(f"{page.status} {url}")
        return page


@dataclass
class RuleTally:
    """For each rule, the pages it was tried on and the pages it matched."""

    tried: Counter[str] = field(default_factory=Counter)
    matched: Counter[str] = field(default_factory=Counter)

    def count(self, rule: str, matched: bool) -> None:
        """Count one page a rule was tried on."""
        self.tried[rule] += 1
        self.matched[rule] += bool(matched)


@dataclass
class CheckReport:
    """What ``profile check`` found: per rule tried/matched, the rules not set, the sampled articles."""

    tally: RuleTally
    unset: list[str]
    articles: list[dict[str, Any]]
    log: list[str]
    requests: int

    @property
    def failing(self) -> list[str]:
        """Return the rules tried on some page that matched none (removal rules aside: see ``idle``)."""
        return [rule for rule in self.unmatched if not rule.startswith("cleanup.")]

    @property
    def idle(self) -> list[str]:
        """Return the cleanup rules that removed nothing: five pages may hold none of a site's boilerplate."""
        return [rule for rule in self.unmatched if rule.startswith("cleanup.")]

    @property
    def unmatched(self) -> list[str]:
        """Return the rules tried on some page that matched none."""
        return [rule for rule, tried in sorted(self.tally.tried.items()) if tried and not self.tally.matched[rule]]


def check_profile(profile: SiteProfile, topic: Topic, plan: TopicDiscovery, delay: float) -> CheckReport:
    """Visit a site and try every rule of its profile on the pages of the visit.

    Args:
        profile: the profile, pointed at the root to visit.
        topic: the topic (articles are scored, the most promising candidates sampled).
        plan: the topic's tags and queries (for the tag and search pages).
        delay: seconds between two requests.

    Returns:
        The report.
    """
    visit, tally = Visit(delay), RuleTally()
    candidates: dict[str, Entry] = {}
    navigation = Navigation(profile.match_article)
    robots = visit.get(profile.url("/robots.txt"))
    text = robots.body.decode("utf-8", "replace") if robots and robots.status == 200 else ""
    visit.robots = Protego.parse(text)
    visit.delay = max(delay, float(visit.robots.crawl_delay(USER_AGENT) or 0.0))
    sitemaps = [u for u in visit.robots.sitemaps if profile.is_own(u)] or [profile.url(p) for p in profile.sitemaps]
    if sitemaps and (index := read_sitemap(visit, sitemaps[0])) is not None:
        if index.kind == "sitemapindex":
            choice = choose_sitemaps(index.entries, profile, DateWindow())
            for rule in ("discovery.sitemap_follow", "discovery.sitemap_month"):
                if rule in profile.rules:
                    tally.count(rule, rule not in choice.drift)
            index = read_sitemap(visit, choice.follow[0].url) if choice.follow else None
        if index is not None:
            note_entries(profile, tally, candidates, index.entries, "sitemap")
    home = None if profile.names_entry_points else visit.get(profile.url("/"))
    shown = Selector(text=home.body.decode("utf-8", "replace")) if home and home.body else None
    tag = plan.tags[0] if plan.tags else "x"
    query = plan.queries[0] if plan.queries else "x"
    pages = {
        "discovery.tag_page": profile.url(profile.tag_page.replace("{tag}", tag)) if profile.tag_page else
        next(iter(tag_links(shown.root, home.url, plan.tags, profile.is_own).values()), None) if shown and home
        else None,
        "discovery.search": profile.url(profile.search.replace("{query}", quote_plus(query))) if profile.search else
        (t.replace("{query}", quote_plus(query)) if shown and home and (t := search_template(
            shown.root, home.url, profile.is_own)) else None),
    }
    for rule, url in pages.items():
        page = visit.get(url) if url else None
        if page is None:
            continue
        selector = Selector(text=page.body.decode("utf-8", "replace") or "<html/>")
        listing = parse_listing(selector, page.url, profile.listing, navigation.article_links(selector.root, page.url))
        if rule in profile.rules:
            tally.count(rule, page.status == 200 and bool(listing.entries))
        try_listing_rules(profile, tally, selector, page.url, listing.drift)
        note_entries(profile, tally, candidates, listing.entries, rule.rpartition(".")[2])
        shown = shown or selector
    feed_url = profile.url(profile.feeds[0]) if profile.feeds else (
        next(iter(feed_links(shown.root, profile.root + "/", profile.is_own)), None) if shown else None)
    if feed_url and (page := visit.get(feed_url)) is not None:
        entries = parse_feed(page.body)
        if "discovery.feeds" in profile.rules:
            tally.count("discovery.feeds", page.status == 200 and bool(entries))
        note_entries(profile, tally, candidates, entries, "feed")
    ranked = sorted(candidates.values(), key=lambda e: -topic.score_hint(" ".join((e.url, e.title, e.summary))))
    articles = [a for e in ranked[:ARTICLES] if (a := sample_article(visit, profile, topic, tally, navigation, e))]
    unset = [rule for rule in ("discovery.feeds", "discovery.tag_page", "discovery.search", "listing.entry",
                               "listing.next", "listing.related", "cleanup.drop_xpaths", "cleanup.cut_markers",
                               "cleanup.title_suffix") if rule not in profile.rules]
    return CheckReport(tally, unset, articles, visit.log, visit.requests)


def read_sitemap(visit: Visit, url: str) -> Sitemap | None:
    """Fetch and parse a sitemap (gzip inflated up to ``MAX_BODY``), or None."""
    page = visit.get(url)
    if page is None or page.status != 200:
        return None
    body = page.body
    if body[:2] == b"\x1f\x8b":
        try:
            body = gzip.GzipFile(fileobj=BytesIO(body)).read(MAX_BODY)
        except (OSError, EOFError):
            return None
    return parse_sitemap(body)


def note_entries(profile: SiteProfile, tally: RuleTally, candidates: dict[str, Entry], entries: list[Entry],
                 source: str) -> None:
    """Count ``urls.article`` on a discovery page's entries and keep the article ones as candidates."""
    articles = [e for e in entries if profile.match_article(e.url.split("#", 1)[0])]
    tally.count("urls.article", bool(articles))
    for entry in articles:
        candidates.setdefault(entry.url.split("#", 1)[0], entry)


def try_listing_rules(profile: SiteProfile, tally: RuleTally, selector: Selector, url: str,
                      drift: tuple[str, ...]) -> None:
    """Count ``listing.entry`` on a listing page, and ``listing.next`` where the page has a next page."""
    if "listing.entry" in profile.rules:
        tally.count("listing.entry", "listing.entry" not in drift and bool(selector.xpath(profile.listing.entry)))
    if "listing.next" in profile.rules and (next_page_link(selector.root, url) or selector.xpath(profile.listing.next)):
        tally.count("listing.next", "listing.next" not in drift)


def sample_article(visit: Visit, profile: SiteProfile, topic: Topic, tally: RuleTally, navigation: Navigation,
                   entry: Entry) -> dict[str, Any] | None:
    """Fetch one article, try the article and cleanup rules on it and return what the extraction gives."""
    page = visit.get(entry.url)
    if page is None or page.status != 200 or not page.body:
        return None
    selector = Selector(text=page.body.decode("utf-8", "replace"))
    links = navigation.article_links(selector.root, page.url)
    if "listing.related" in profile.rules and links:
        related, drift = related_links(selector, page.url, profile.listing, links)
        tally.count("listing.related", bool(related) and not drift)
    if profile.next_page and "urls.next_page" in profile.rules and "page" in (profile.match_article(page.url) or {}):
        tally.count("urls.next_page", bool(selector.xpath(profile.next_page)))
    cleanup = SiteCleanup.from_dict(profile.cleanup)
    lines = [" ".join(t.split()) for t in selector.root.itertext() if t.strip()]
    for i, xpath in enumerate(cleanup.drop_xpaths):
        tally.count(f"cleanup.drop_xpaths[{i}]", bool(etree.XPath(xpath)(selector.root)))
    for key in ("cut_markers", "drop_lines"):
        for i, pattern in enumerate(getattr(cleanup, key)):
            tally.count(f"cleanup.{key}[{i}]", any(compiled(pattern).search(line) for line in lines))
    titles = selector.xpath("//title/text() | //meta[@property='og:title']/@content").getall()
    if cleanup.title_suffix:
        tally.count("cleanup.title_suffix", any(compiled(cleanup.title_suffix).search(t) for t in titles))
    try:  # the crawl's own entry point: a cookie wall or a soft 404 is said, not sampled as an article
        article = extract([(page.body, page.url, None)], cleanup)
    except NotAnArticle as refused:
        return {"url": page.url, "error": str(refused.reason)}
    words = article.text.split()
    return {"url": page.url, "title": article.title, "published": article.published,
            "published_source": article.published_source, "authors": article.authors,
            "first_words": " ".join(words[:WORDS]), "last_words": " ".join(words[-WORDS:]),
            "relevance": topic.score(article.title or "", article.text).score}


def fallback_of(rule: str) -> str:
    """Return what a crawl does when a rule matches nothing (its drift fallback)."""
    if rule.startswith("cleanup."):
        return "the text keeps what this rule would remove"
    if rule in ("discovery.feeds", "discovery.tag_page", "discovery.search", "discovery.tag_feed"):
        return "no fallback: without the key they are read from the pages"
    if rule == "urls.article":
        return "no fallback: no article of these pages would be fetched"
    return FALLBACKS.get(rule, "generic reading used")
