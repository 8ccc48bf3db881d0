"""PageRequisites: once an article is kept, fetch what its pages need to render, so that its replay looks like it.

On ``item_scraped`` (an article every pipeline kept) the extension reads each page's requisites
(``crawler/requisites.py``) and schedules them through the engine; a style sheet's own references (its
``@import``s, fonts and images) follow when it arrives, one level of ``@import`` deep. An article a re-check found
unchanged (its page archived as a revisit) has its requisites re-checked too. Each URL is asked for once per
run (the style sheet every page links is fetched once); the WARC extension archives every response and the
``ConditionalRequests`` middleware makes a later run's re-check a conditional GET (304 → revisit record).

Scope: a requisite goes to the site's own hosts or to its CDN hosts (profile ``[requisites] hosts``, or
``--cdn-root``); any other URL (another port of 127.0.0.1, 169.254.169.254, ``file:``) is refused before any
request is built, counted under ``requisites/skipped/out_of_scope`` and listed in the report's failures. Each
requisite has its own size limit (``REQUISITES_MAXSIZE``); each host its downloader slot, robots.txt and delay.

Settings: ``REQUISITES_LEVEL`` (``none``, ``images``, ``all``; ``none`` switches the extension off),
``REQUISITES_MAXSIZE`` (bytes), ``REQUISITES_SCRIPTS`` (False: no scripts, whatever the level). Stats: ``requisites/requested``, ``requisites/fetched``,
``requisites/not_modified``, ``requisites/responses``, ``requisites/bytes``, ``requisites/skipped/<reason>``.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import scrapy
from scrapy import signals
from scrapy.exceptions import NotConfigured
from scrapy.http import TextResponse

from crawler.extensions.state import StateRecorder
from crawler.failures import failure_reason
from crawler.items import ArticleItem
from crawler.middlewares.scope import out_of_scope
from crawler.requisites import LEVELS, SCRIPT, STYLESHEET, Requisite, css_requisites, page_requisites
from crawler.signals import attempt_failed

if TYPE_CHECKING:
    from scrapy.crawler import Crawler
    from scrapy.http import Response
    from twisted.python.failure import Failure

    from crawler.profiles import SiteProfile

LOGGER = logging.getLogger(__name__)
PRIORITY = 1500  # after discovery pages (2000), before the next articles (at most 1000)
MAX_IMPORT_DEPTH = 1  # a page's style sheet is depth 0; what it @imports, depth 1, whose @imports are not followed
ACCEPT = {
    STYLESHEET: "text/css,*/*;q=0.1",
    SCRIPT: "*/*",
    "font": "*/*",
}
ACCEPT_IMAGE = "image/avif,image/webp,image/png,image/svg+xml,image/*;q=0.8,*/*;q=0.5"


class PageRequisites:
    """Extension: schedules the requisites of kept (or re-checked unchanged) articles, once each per run."""

    def __init__(self, crawler: Crawler, kinds: frozenset[str], maxsize: int) -> None:
        self.crawler = crawler
        self.kinds = kinds
        self.maxsize = maxsize
        self.seen: set[str] = set()

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> PageRequisites:
        """Build the extension; ``REQUISITES_LEVEL=none`` or no WARC capture switches it off."""
        settings = crawler.settings
        level = settings.get("REQUISITES_LEVEL")
        if level not in LEVELS:
            raise NotConfigured(f"REQUISITES_LEVEL {level!r} is not one of {', '.join(LEVELS)}")
        if not LEVELS[level] or not settings.getbool("WARC_ENABLED"):
            raise NotConfigured("no requisites asked for")
        kinds = LEVELS[level] if settings.getbool("REQUISITES_SCRIPTS") else LEVELS[level] - {SCRIPT}
        ext = cls(crawler, kinds, settings.getint("REQUISITES_MAXSIZE"))
        crawler.signals.connect(ext.item_scraped, signal=signals.item_scraped)
        crawler.signals.connect(ext.response_received, signal=signals.response_received)
        crawler.signals.connect(ext.response_downloaded, signal=signals.response_downloaded)
        return ext

    @property
    def profile(self) -> SiteProfile:
        """The spider's site profile (its hosts and its requisite hosts)."""
        spider: Any = self.crawler.spider
        return spider.profile  # type: ignore[no-any-return]

    def item_scraped(self, item: Any) -> None:
        """A kept article: schedule the requisites of each of its pages."""
        if isinstance(item, ArticleItem):
            for page in item.pages:
                self.schedule_all(page_requisites(page.body, page.url), page.url, 0)

    def response_received(self, response: Response, request: scrapy.Request) -> None:
        """An article page a re-check found unchanged, kept by an earlier run: re-check its requisites too."""
        capture = request.meta.get("capture")
        if request.meta.get("kind") != "article" or capture is None or not capture.revisit:
            return
        recorder = self.crawler.get_extension(StateRecorder)
        store = recorder.store if recorder is not None else None
        known = store.get(response.url) if store is not None and not request.meta.get("previous_unread") else None
        if known is not None and known.outcome == "kept" and isinstance(response, TextResponse):
            self.schedule_all(page_requisites(response.body, response.url), response.url, 0)

    def response_downloaded(self, response: Response, request: scrapy.Request) -> None:
        """Count a requisite's response and its bytes as sent, and a CDN host's robots.txt (apart from the page
        figures)."""
        profile = self.profile
        netloc = urlsplit(request.url).netloc.lower()
        if request.meta.get("kind") == "requisite" or (netloc in profile.requisite_hosts
                                                        and netloc not in profile.hosts):
            stats = self.crawler.stats
            stats.inc_value("requisites/responses")
            stats.inc_value("requisites/bytes", len(response.body))

    def schedule_all(self, requisites: list[Requisite], referer: str, depth: int) -> None:
        """Schedule every requisite of one document not asked for yet in this run."""
        for requisite in requisites:
            self.schedule(requisite, referer, depth)

    def schedule(self, requisite: Requisite, referer: str, depth: int) -> None:
        """Ask for one requisite, unless its kind is not wanted, it was asked for already, or it is out of scope."""
        stats = self.crawler.stats
        if requisite.kind not in self.kinds:
            stats.inc_value(f"requisites/skipped/not_asked_{requisite.kind}")
            return
        if requisite.url in self.seen:
            return
        self.seen.add(requisite.url)
        profile = self.profile
        reason = out_of_scope(requisite.url, profile.requisite_scope)
        if reason is not None:
            stats.inc_value("requisites/skipped/out_of_scope")
            LOGGER.info("requisite refused: %s (from %s): %s", requisite.url, referer, reason)
            self.crawler.signals.send_catch_log(attempt_failed, request=_Named(requisite.url),
                                                reason=f"requisite out of scope: {reason}", attempt=1, retry=False,
                                                wait=0.0)
            return
        stats.inc_value("requisites/requested")
        self.crawler.engine.crawl(scrapy.Request(
            requisite.url, callback=self.fetched, errback=self.failed, priority=PRIORITY,
            headers={"Referer": referer, "Accept": ACCEPT.get(requisite.kind, ACCEPT_IMAGE)},
            meta={"kind": "requisite", "requisite": requisite.kind, "depth": depth,
                  "download_maxsize": self.maxsize},
        ))

    def fetched(self, response: Response) -> None:
        """A requisite arrived (archived already): count it; follow a style sheet's own references."""
        stats, meta = self.crawler.stats, response.meta
        stats.inc_value("requisites/fetched")
        stats.inc_value(f"requisites/fetched_{meta.get('requisite', 'other')}")
        if "not-modified" in response.flags:
            stats.inc_value("requisites/not_modified")
        depth = meta.get("depth", 0)
        if meta.get("requisite") != STYLESHEET or depth > MAX_IMPORT_DEPTH:
            return
        text = response.text if isinstance(response, TextResponse) else response.body.decode("utf-8", "replace")
        for requisite in css_requisites(text, response.url):
            if requisite.kind == STYLESHEET and depth >= MAX_IMPORT_DEPTH:
                stats.inc_value("requisites/skipped/import_too_deep")
                continue
            self.schedule(requisite, response.url, depth + 1)

    def failed(self, failure: Failure) -> None:
        """A requisite could not be had (HTTP error, too large, robots.txt, network): counted by reason."""
        reason = failure_reason(failure)
        self.crawler.stats.inc_value(f"requisites/skipped/{reason.key}")
        LOGGER.info("requisite not fetched: %s: %s", getattr(failure, "request", None), reason)


class _Named:
    """What the report's failure list needs of a request that was never built: its URL."""

    def __init__(self, url: str) -> None:
        self.url = url
