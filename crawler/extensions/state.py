"""StateRecorder: after each archived response, records what an incremental run needs to know of its URL."""

from __future__ import annotations

import sqlite3
from typing import TYPE_CHECKING, Any

from scrapy import signals
from scrapy.exceptions import NotConfigured

from archive.reasons import Category
from archive.store.state import READ, UNREAD, UrlState
from archive.store.textstore import text_sha256
from crawler.discovery.ledger import Ledger
from crawler.diskfull import stop_if_disk_full
from crawler.items import dropped_reason
from crawler.runid import run_id
from crawler.signals import response_archived
from crawler.state import acquire_state, now_iso, release_state

if TYPE_CHECKING:
    from scrapy import Request
    from scrapy.crawler import Crawler
    from scrapy.http import Response

    from archive.store.state import StateStore
    from archive.warc.writer import Capture


# Writes per commit: a killed run loses at most these (it is resumed from its WARCs, which are the record).
COMMIT_EVERY = 100


class StateRecorder:
    """Keeps ``OUT/state.sqlite`` current: validators (ETag, Last-Modified), digests, record locations."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.store: StateStore | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> StateRecorder:
        """Build the extension; off with ``STATE_ENABLED=False`` or without WARC capture."""
        settings = crawler.settings
        if not (settings.getbool("STATE_ENABLED") and settings.getbool("WARC_ENABLED")):
            raise NotConfigured
        ext = cls(crawler)
        crawler.signals.connect(ext.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(ext.response_archived, signal=response_archived)
        crawler.signals.connect(ext.item_scraped, signal=signals.item_scraped)
        crawler.signals.connect(ext.item_dropped, signal=signals.item_dropped)
        crawler.signals.connect(ext.spider_closed, signal=signals.spider_closed)
        return ext

    def spider_opened(self) -> None:
        """Take the process's state store."""
        self.store = acquire_state(self.crawler.settings)

    def response_archived(self, request: Request, response: Response, capture: Capture) -> None:
        """Record one archived exchange."""
        if self.store is None:
            return
        url = response.url
        state = self.store.get(url) or UrlState(url=url, site=self.site, kind=request.meta.get("kind", "discovery"),
                                                first_seen=now_iso())
        state.run_id, state.last_fetched, state.status = run_id(self.crawler.settings), capture.fetch_time, \
            response.status
        if request.meta.get("lastmod"):
            state.site_lastmod = request.meta["lastmod"]
        if state.kind == "discovery":
            state.outcome = UNREAD  # until the run has dealt with its entries (see spider_closed)
        for header, attribute in ((b"ETag", "etag"), (b"Last-Modified", "last_modified")):
            if value := response.headers.get(header):
                setattr(state, attribute, value.decode("latin-1"))
        if not capture.revisit:  # the last full copy, whatever its status (a 301 is re-checked too)
            state.record(capture)
        self.save(state)

    @property
    def site(self) -> str:
        """The site (spider) this crawler crawls."""
        assert self.crawler.spider is not None
        return self.crawler.spider.name

    def save(self, state: UrlState) -> None:
        """Store and commit a URL's state; a full disk stops the crawl (the state is rebuilt on --resume)."""
        assert self.store is not None
        try:
            self.store.put(state)
            self.store.commit(every=COMMIT_EVERY)
        except sqlite3.OperationalError as exc:
            if not stop_if_disk_full(self.crawler, exc, str(self.store.path)):
                raise

    def item_scraped(self, item: Any) -> None:
        """Record a kept article: text hash, version, stem of its files, publication date."""
        state = self.article_state(item.url)
        if state is None:
            return
        record = item.record
        # This run's, also when --resume read the page back from the WARC (no fetch recorded it, and the killed
        # process may not have committed its own record): else the next resume takes it for an earlier run's.
        state.text_sha256, state.text_run = text_sha256(record["text"]), run_id(self.crawler.settings)
        state.run_id = state.text_run
        state.version, state.path, state.published = record["version"], record["stem"], record.get("published")
        state.outcome, state.sources = "kept", sorted({*state.sources, *record.get("discovered_via", [])})
        self.save(state)

    def item_dropped(self, item: Any, exception: Exception) -> None:
        """Record why an article was not kept (an unchanged text keeps the article's verdict)."""
        category = dropped_reason(exception).category
        state = self.article_state(item.url)
        if state is None or category == Category.UNCHANGED:
            return
        state.outcome = category.value
        self.save(state)

    def article_state(self, url: str) -> UrlState | None:
        """Return the stored state of an article URL, marked as an article."""
        if self.store is None:
            return None
        state = self.store.get(url) or UrlState(url=url, site=self.site, kind="article", first_seen=now_iso())
        state.kind = "article"
        return state

    def spider_closed(self, reason: str) -> None:
        """Remember the sitemap lastmod of every page this run fetched, the sources that found a kept article
        after it was recorded and, when the crawl finished, that its discovery pages were read to the end; then
        let go of the store."""
        if self.store is None:
            return
        current = run_id(self.crawler.settings)
        # An archive-only crawl (EXTRACT_ENABLED off) leaves them unread: the next crawl offers their entries
        # again and extracts the articles it archived.
        if reason == "finished" and self.crawler.settings.getbool("EXTRACT_ENABLED"):
            for state in self.store.discovery_pages(self.site):
                if state.run_id == current and state.outcome != READ:
                    state.outcome = READ
                    self.save(state)
        ledger = self.crawler.get_extension(Ledger)
        for candidate in ledger.requested() if ledger is not None else ():  # what this run may have stored
            known = self.store.get(candidate.url) if candidate.lastmod else None
            if known is not None and known.run_id == current and known.site_lastmod != candidate.lastmod:
                known.site_lastmod = candidate.lastmod
                self.save(known)
        for url, sources in ledger.late_sources().items() if ledger is not None else ():
            if (known := self.store.get(url)) is not None:
                known.sources = sorted({*known.sources, *sources})
                self.save(known)
        release_state(self.crawler.settings)
        self.store = None
