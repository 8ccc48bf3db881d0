"""ProfileSpider: a thin spider driven by a site profile and a topic.

Discovery sources (each recorded in the article's ``discovered_via``): robots.txt ``Sitemap:`` lines and
sitemaps, tag archives, the site's own search for each topic query, RSS feeds (site-wide and per tag), and the
related-article links of fetched articles (offered once the article's relevance is known). Every offered URL goes
through the frontier, which builds no request for a URL already seen, outside the article patterns, out of the
date window or without promise. Pages are read with the profile's rules, else generically
(``crawler/discovery/generic.py``); a rule that matched nothing is counted as ``profile/drift/<rule>``.
"""

from __future__ import annotations

from datetime import UTC, datetime
from functools import cached_property
from typing import TYPE_CHECKING, Any, Self
from urllib.parse import quote_plus

import scrapy
from scrapy import signals
from scrapy.http import TextResponse
from scrapy.spidermiddlewares.httperror import HttpError
from scrapy.utils.gz import gunzip
from scrapy.utils.sitemap import sitemap_urls_from_robots

from archive.reasons import Category, Reason
from archive.text.relevance import Topic
from crawler.addon import ADDON
from crawler.discovery.frontier import Context, Frontier
from crawler.discovery.ledger import Ledger
from crawler.discovery.listing import next_article_page, parse_listing, related_links
from crawler.discovery.pagefinds import page_finds
from crawler.discovery.parsers import Entry, parse_feed, parse_sitemap
from crawler.discovery.revisit import GONE, RevisitPolicy, entries_digest
from crawler.discovery.sitemapindex import choose_sitemaps
from crawler.discovery.window import DateWindow
from crawler.extensions.state import StateRecorder
from crawler.failures import announced_reason, redirect_loop_retry, refused
from crawler.items import ArticleItem, PageData
from crawler.middlewares.budget import BudgetSpent
from crawler.profiles import SiteProfile, get_profile
from crawler.runid import run_id
from crawler.topic import TopicDiscovery, topic_path

if TYPE_CHECKING:
    from collections.abc import AsyncIterator, Iterable, Iterator
    from pathlib import Path

    from scrapy.crawler import Crawler
    from scrapy.http import Response
    from twisted.python.failure import Failure

SITEMAP_MAX_SIZE = 50 * 1024 * 1024
DISCOVERY_PRIORITY = 2000  # discovery pages before articles: the frontier learns more before it spends


class ProfileSpider(scrapy.Spider):
    """Base of every site spider; subclasses only set ``name`` (the profile's name)."""

    custom_settings = {"ADDONS": {ADDON: 0}}  # souverain's defaults, also for a crawler without its settings
    profile: SiteProfile
    plan: TopicDiscovery
    topic_file: Path
    entry_points_found: set[str]  # feeds, tag pages and searches read from pages (page_finds)

    @classmethod
    def from_crawler(cls, crawler: Crawler, *args: Any, **kwargs: Any) -> Self:
        """Build the spider with its profile (``SOUVERAIN_PROFILES`` files first, then the search path; pointed at
        ``SOUVERAIN_SITE_ROOTS[name]``, its requisites at ``SOUVERAIN_CDN_ROOTS[name]``) and topic."""
        spider = super().from_crawler(crawler, *args, **kwargs)
        settings = crawler.settings
        spider.profile = get_profile(cls.name, settings.getdict("SOUVERAIN_SITE_ROOTS"),
                                     settings.getlist("SOUVERAIN_PROFILES"), settings.getdict("SOUVERAIN_CDN_ROOTS"))
        spider.topic_file = topic_path(settings["SOUVERAIN_TOPIC"])
        spider.plan = TopicDiscovery.load(spider.topic_file)
        spider.entry_points_found = set()
        for signal in (signals.item_scraped, signals.item_dropped, signals.item_error):
            crawler.signals.connect(spider.article_judged, signal=signal)
        return spider

    @cached_property
    def frontier(self) -> Frontier:
        """The site's frontier, built on first use (the ledger and the state store exist once the crawl runs)."""
        settings = self.crawler.settings
        recorder = self.crawler.get_extension(StateRecorder)
        revisit = RevisitPolicy.from_dict(self.profile.revisit, everything=settings.getbool("DISCOVERY_REVISIT_ALL"))
        window = DateWindow.from_strings(settings["SOUVERAIN_SINCE"], settings["SOUVERAIN_UNTIL"])
        return Frontier(self.profile, Topic.load(self.topic_file).score_hint, window,
                        settings.getfloat("DISCOVERY_MIN_HINT"), state=recorder.store if recorder else None,
                        run_id=run_id(settings), revisit=revisit, ledger=self.crawler.get_extension(Ledger))

    async def start(self) -> AsyncIterator[scrapy.Request]:
        """Yield the first request of each source: robots/sitemaps, feeds, tag archives, searches, re-checks."""
        for request in self.first_requests():
            yield request

    def first_requests(self) -> Iterator[scrapy.Request]:
        profile = self.profile
        revisits = self.frontier.kept_before()  # taken before this run records anything: re-checked when due
        if profile.robots_sitemaps:  # read every run: the robots.txt middleware fetches it anyway
            yield self.discovery_request(profile.url("/robots.txt"), self.parse_robots, errback=self.on_robots_error)
        else:
            yield from self.sitemap_requests((Entry(profile.url(p)) for p in profile.sitemaps), scheduled=True)
        for path in profile.feeds:
            yield from self.due_request(profile.url(path), self.parse_feed, "feed")
        for tag in self.plan.tags if profile.tag_feed else ():
            yield from self.due_request(profile.url(profile.tag_feed.format(tag=tag)), self.parse_feed, "feed",
                                        topic_listing=f"feed of tag {tag}")
        for tag in self.plan.tags if profile.tag_page else ():
            yield from self.due_request(profile.url(profile.tag_page.format(tag=tag)), self.parse_listing, "tag",
                                        source="tag", topic_listing=f"tag page {tag}")
        for query in self.plan.queries if profile.search else ():
            yield from self.due_request(profile.url(profile.search.format(query=quote_plus(query))),
                                        self.parse_listing, "search", source="search", topic_listing=f"search {query}")
        if not profile.names_entry_points:  # the home page shows the feeds, search and tag pages it lacks
            yield from self.due_request(profile.url("/"), self.parse_listing, "home", source="home")
        yield from self.offer((Entry(url) for url in revisits), "revisit")

    def page_finds(self, response: TextResponse, topic_listing: str = "") -> Iterator[scrapy.Request]:
        """Follow the feeds, topic tag archives and search a page shows, for those the profile does not name."""
        for find in page_finds(response.selector.root, response.url, self.profile, self.plan, topic_listing,
                               self.entry_points_found):
            self.crawler.stats.inc_value("discovery/page_finds")
            if find.kind == "feed":
                yield from self.due_request(find.url, self.parse_feed, "feed", topic_listing=find.topic_listing)
            else:
                yield from self.due_request(find.url, self.parse_listing, find.kind, source=find.kind,
                                            topic_listing=find.topic_listing)

    def discovery_request(self, url: str, callback: Any, *, errback: Any = None, rank: int = 0,
                          **kwargs: Any) -> scrapy.Request:
        """Return a request for a discovery page (robots.txt, sitemap, feed, listing); ``rank`` orders pages of
        one kind (0 first)."""
        return scrapy.Request(url, callback=callback, errback=errback or self.on_discovery_error,
                              priority=DISCOVERY_PRIORITY - rank, cb_kwargs=kwargs)

    def due_request(self, url: str, callback: Any, kind: str, **kwargs: Any) -> Iterator[scrapy.Request]:
        """Yield the request for an entry point (``kind``: feed, tag, search, home) when its change history says
        it is due; else record in the ledger why it is not read."""
        if reason := self.frontier.discovery_skip(url):
            self.not_read(url, kind, reason)
        else:
            yield self.discovery_request(url, callback, **kwargs)

    def not_read(self, url: str, source: str, reason: Reason) -> None:
        """Record a discovery page this run does not request (not due)."""
        self.frontier.ledger.page_not_read(url, source, reason)
        self.crawler.stats.inc_value(f"discovery/{source}/not_due")

    def checked(self, response: Response, lines: Iterable[str] | None) -> bool:
        """Record the check of a discovery page (and of the URL that redirected to it) in its change history.

        Args:
            response: the page (a 304 comes as the archived copy).
            lines: what the page lists that matters (its entries' URLs, with their lastmod for a sitemap); None
                for the archived copy (a revisit: unchanged).

        Returns:
            Whether its entries are to be read: they changed since the previous check, or that run did not deal
            with them all (interrupted), or this is ``--resume`` reading back a page the killed run fetched, or
            nothing records checks (no state store).
        """
        recorder = self.crawler.get_extension(StateRecorder)
        if recorder is None or recorder.store is None:
            return True
        if "archived" in response.flags:  # --resume reads back what the killed run fetched (and checked)
            return True
        store = recorder.store
        known = store.get(response.url)
        if lines is None:  # the archived copy again (a 304 or the same payload): the same entries
            digest, changed = known.entries_digest if known is not None else None, False
        else:
            digest = entries_digest(lines)
            changed = known is None or known.entries_digest != digest
        now = datetime.now(UTC)
        for url in dict.fromkeys([response.url, *response.meta.get("redirect_urls", [])[:1]]):
            if (state := store.get(url)) is not None:
                self.frontier.revisit.checked(state, changed, now)
                state.entries_digest = digest
                recorder.save(state)
        return changed or bool(response.meta.get("previous_unread"))

    def drifted(self, rules: Iterable[str]) -> None:
        """Count profile rules that matched nothing on a page where the generic reading found something (a rule
        the profile does not set is no drift: the generic reading is its only one)."""
        for rule in rules:
            if rule in self.profile.rules:
                self.crawler.stats.inc_value(f"profile/drift/{rule}")

    @staticmethod
    def unchanged(response: Response) -> bool:
        """Tell whether a re-checked page is the archived one (a revisit: 304 or same payload) and was dealt with
        when archived (an interrupted run may have left a sitemap's entries or an article's extraction undone)."""
        capture = response.meta.get("capture")
        return capture is not None and bool(capture.revisit) and not response.meta.get("previous_unread")

    def parse_robots(self, response: Response) -> Iterator[scrapy.Request]:
        """Follow the ``Sitemap:`` lines of robots.txt, or the profile's sitemaps when there are none."""
        urls = [u for u in sitemap_urls_from_robots(response.body, base_url=response.url) if self.profile.is_own(u)]
        self.crawler.stats.inc_value("discovery/robots/sitemaps", len(urls))
        yield from self.sitemap_requests((Entry(u) for u in urls or [self.profile.url(p) for p in self.profile.sitemaps]),
                                         scheduled=True)

    def on_robots_error(self, failure: Failure) -> Iterator[scrapy.Request]:
        """Fall back to the profile's sitemaps when robots.txt cannot be had."""
        self.on_discovery_error(failure)
        yield from self.sitemap_requests((Entry(self.profile.url(p)) for p in self.profile.sitemaps), scheduled=True)

    def sitemap_requests(self, entries: Iterable[Entry], *, scheduled: bool = False) -> Iterator[scrapy.Request]:
        """Return requests for sitemaps (or sitemap indexes) in the order given, with the lastmod the index gave
        each; ``scheduled`` ones (not chosen by an index) only when their change history says they are due."""
        for rank, entry in enumerate(entries):
            if scheduled and (reason := self.frontier.discovery_skip(entry.url)):
                self.not_read(entry.url, "sitemap", reason)
                continue
            request = self.discovery_request(entry.url, self.parse_sitemap, rank=min(rank, 1000))
            request.meta["lastmod"] = entry.lastmod
            request.meta["download_maxsize"] = SITEMAP_MAX_SIZE
            yield request

    def parse_sitemap(self, response: Response) -> Iterator[scrapy.Request]:
        """Read a sitemap index (→ the sitemaps worth reading) or a urlset (→ article candidates)."""
        self.frontier.ledger.page("sitemap")
        if self.unchanged(response):
            self.checked(response, None)
            return  # nothing in it changed since the last run: its entries are known
        try:
            body = gunzip(response.body, max_size=SITEMAP_MAX_SIZE) if response.body[:2] == b"\x1f\x8b" else response.body
        except ValueError as exc:  # a gzip bomb: more than the 50 MB a sitemap may hold
            self.crawler.stats.inc_value("discovery/errors")
            self.crawler.stats.set_value("discovery/last_error", f"{response.url}: too large: {exc}")
            return
        sitemap = parse_sitemap(body)
        changed = self.checked(response, (f"{e.url} {e.lastmod or ''}" for e in sitemap.entries))
        if sitemap.kind == "sitemapindex":  # read even unchanged: a child without lastmod may be due
            choice = choose_sitemaps(sitemap.entries, self.profile, self.frontier.window)
            self.drifted(choice.drift)
            if choice.out_of_window:
                self.crawler.stats.inc_value("discovery/sitemap/skipped_out_of_window", choice.out_of_window)
            children, unchanged = [], 0
            for entry in choice.follow:
                reason = None if entry.lastmod else self.frontier.discovery_skip(entry.url)
                if reason is not None:
                    self.not_read(entry.url, "sitemap", reason)
                elif self.frontier.sitemap_changed(entry):
                    children.append(entry)
                else:
                    unchanged += 1
            if unchanged:
                self.crawler.stats.inc_value("discovery/sitemap/unchanged_by_lastmod", unchanged)
            yield from self.sitemap_requests(children)
        elif changed:
            yield from self.offer(sitemap.entries, "sitemap")

    def parse_feed(self, response: Response, topic_listing: str = "") -> Iterator[scrapy.Request]:
        """Offer a feed's items (a tag feed of the topic makes them promising)."""
        self.frontier.ledger.page("feed")
        if self.unchanged(response):
            self.checked(response, None)
            return
        entries = parse_feed(response.body)
        if self.checked(response, (e.url for e in entries)):
            yield from self.offer(entries, "feed", Context(topic_listing=topic_listing))

    def parse_listing(self, response: Response, source: str, topic_listing: str = "", page: int = 1,
                      idle: int = 0) -> Iterator[Any]:
        """Offer a listing page's entries; follow its next page while the listing stays promising."""
        self.frontier.ledger.page(source)
        if self.unchanged(response):
            self.checked(response, None)
            return  # a newest-first listing whose page is unchanged has nothing new further on
        if not isinstance(response, TextResponse):
            return
        links = self.frontier.navigation.article_links(response.selector.root, response.url)
        listing = parse_listing(response.selector, response.url, self.profile.listing, links)
        self.drifted(listing.drift)
        if not self.checked(response, (e.url for e in listing.entries)):
            return  # the same entries (only the page's boilerplate changed): nothing new further on
        yield from self.offer(listing.entries, source, Context(topic_listing=topic_listing))
        yield from self.page_finds(response, topic_listing)
        if self.frontier.known_before(listing.entries):
            return  # nothing new on this page of a newest-first listing: nothing new further on
        idle = 0 if self.frontier.listing_worth_following(listing.entries) else idle + 1
        if listing.next_url and idle <= self.profile.max_idle_pages and page < self.profile.max_listing_pages:
            yield self.discovery_request(listing.next_url, self.parse_listing, source=source,
                                         topic_listing=topic_listing, page=page + 1, idle=idle)

    def offer(self, entries: Iterable[Entry], source: str, context: Context | None = None) -> Iterator[scrapy.Request]:
        """Yield a request for each entry the frontier wants fetched."""
        stats = self.crawler.stats
        for entry in entries:
            stats.inc_value(f"discovery/{source}/offered")
            priority = self.frontier.offer(entry, source, context)
            if priority is not None:
                url = entry.url.split("#", 1)[0]
                candidate = self.frontier.ledger.get(url)  # its sources go with it (to another worker's ledger)
                yield scrapy.Request(url, callback=self.parse_article, errback=self.on_article_error,
                                     priority=priority, cb_kwargs={"first_url": url, "pages": []},
                                     meta={"kind": "article", "lastmod": entry.lastmod,
                                           "sources": list(candidate.sources) if candidate is not None else []})

    def parse_article(self, response: Response, first_url: str, pages: list[PageData]) -> Iterator[Any]:
        """Collect an article page and offer its related links; follow ``Page suivante``, then yield the item."""
        if self.unchanged(response):
            how = "not modified (304)" if "not-modified" in response.flags else "identical payload"
            self.frontier.ledger.unchanged(first_url, Reason(Category.UNCHANGED, how))
            self.crawler.stats.inc_value("articles/unchanged")
            return
        pages = [*pages, PageData(
            url=response.url,
            body=response.body,
            content_type=(response.headers.get("Content-Type") or b"").decode("latin-1") or None,
            capture=response.meta.get("capture"),
        )]
        if not isinstance(response, TextResponse):  # no links to read: the extraction says why it is no article
            yield self.article_item(first_url, pages)
            return
        links = self.frontier.navigation.article_links(response.selector.root, response.url)
        related, drift = related_links(response.selector, response.url, self.profile.listing, links)
        self.drifted(drift)
        self.frontier.hold(first_url, related)
        yield from self.page_finds(response)
        if next_url := self.next_page_url(response, pages):
            yield response.follow(next_url, callback=self.parse_article, errback=self.on_article_error,
                                  cb_kwargs={"first_url": first_url, "pages": pages}, meta={"kind": "page"})
            return
        if self.archive_only:
            yield from self.archived_only(first_url)
            return
        yield self.article_item(first_url, pages)

    @cached_property
    def archive_only(self) -> bool:
        """``EXTRACT_ENABLED=False`` (``souverain crawl --archive-only``): article pages are archived, not judged."""
        return not self.crawler.settings.getbool("EXTRACT_ENABLED")

    def archived_only(self, first_url: str) -> Iterator[scrapy.Request]:
        """End an article of an archive-only crawl: in the WARC, no dated files; its links judged on their own."""
        reason = Reason(Category.NOT_WRITTEN, "archive-only crawl")
        self.crawler.stats.inc_value(f"articles/rejected/{reason.key}")
        self.frontier.ledger.reject(first_url, reason)
        entries, context = self.frontier.release(first_url, None)
        yield from self.offer(entries, "related", context)

    def article_judged(self, item: Any, **kwargs: Any) -> None:
        """Offer the related links of an article once its relevance is known (kept, dropped or failed)."""
        if not isinstance(item, ArticleItem):
            return
        entries, context = self.frontier.release(item.url, item.record.get("relevance"))
        for request in self.offer(entries, "related", context):
            self.crawler.engine.crawl(request)

    def article_item(self, first_url: str, pages: list[PageData]) -> ArticleItem:
        """Return the item of an article's collected pages, with the sources that found it."""
        candidate = self.frontier.ledger.get(first_url)
        return ArticleItem(site=self.name, url=first_url, pages=pages,
                           discovered_via=sorted(candidate.sources) if candidate else [])

    def next_page_url(self, response: TextResponse, pages: list[PageData]) -> str | None:
        """Return the next page of a multi-page article, if new (counting the drift of ``urls.next_page``)."""
        url, drift = next_article_page(response, self.profile, {p.url for p in pages})
        self.drifted(drift)
        return url

    def on_article_error(self, failure: Failure) -> Iterator[scrapy.Request]:
        """Retry a page caught in a redirect loop; else reject the article, with the reason."""
        if retry := redirect_loop_retry(self, failure):
            yield retry
            return
        request = failure.request  # type: ignore[attr-defined]  # Scrapy sets it on errback failures
        if isinstance(failure.value, BudgetSpent):
            return  # the crawl ends before this article: it stays pending ("not completed")
        first_url = request.cb_kwargs.get("first_url", request.url)
        reason = announced_reason(self.crawler, failure)
        self.frontier.ledger.reject(first_url, reason)
        entries, _ = self.frontier.release(first_url, None)  # a later page failed: judge its links on their own
        yield from self.offer(entries, "related")
        if not refused(reason):
            self.crawler.stats.inc_value("articles/fetch_errors")

    def on_discovery_error(self, failure: Failure) -> Iterator[scrapy.Request]:
        """Retry a redirect loop; else count a failed robots.txt, sitemap, feed or listing fetch."""
        if retry := redirect_loop_retry(self, failure):
            yield retry
            return
        if isinstance(failure.value, HttpError) and failure.value.response.status in GONE:
            self.checked(failure.value.response, [f"HTTP {failure.value.response.status}"])  # checked again weeks later
        reason = announced_reason(self.crawler, failure)
        if refused(reason):
            self.crawler.stats.inc_value("discovery/refused")  # robots.txt, scope or page budget: no error
            return
        self.crawler.stats.inc_value("discovery/errors")
        self.crawler.stats.set_value("discovery/last_error", f"{failure.request.url}: {reason}")  # type: ignore[attr-defined]
