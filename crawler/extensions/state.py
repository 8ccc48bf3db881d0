"""StateRecorder: after each archived response, records what an incremental run needs to know of its URL."""

from __future__ import annotations

import sqlite3
from typing import TYPE_CHECKING, Any

from scrapy import signals
from scrapy.exceptions import NotConfigured

from archive.store.state import READ, UNREAD, UrlState
from crawler.diskfull import stop_if_disk_full
from crawler.pipelines.textstore import text_sha256
from crawler.runid import run_id
from crawler.state import acquire_state, now_iso, release_state

if TYPE_CHECKING:
    from scrapy import Request
    from scrapy.crawler import Crawler
    from scrapy.http import Response

    from archive.store.state import SqliteState


# Writes per commit: a killed run loses at most these (it is resumed from its WARCs, which are the record).
COMMIT_EVERY = 100


class StateRecorder:
    """Keeps ``OUT/state.sqlite`` current: validators (ETag, Last-Modified), digests, record locations."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.store: SqliteState | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> StateRecorder:
        """Build the extension; off with ``STATE_ENABLED=False`` or without WARC capture."""
        settings = crawler.settings
        if not (settings.getbool("STATE_ENABLED", True) and settings.getbool("WARC_ENABLED", True)):
            raise NotConfigured
        ext = cls(crawler)
        crawler.signals.connect(ext.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(ext.response_downloaded, signal=signals.response_downloaded)
        crawler.signals.connect(ext.item_scraped, signal=signals.item_scraped)
        crawler.signals.connect(ext.item_dropped, signal=signals.item_dropped)
        crawler.signals.connect(ext.spider_closed, signal=signals.spider_closed)
        return ext

    def spider_opened(self) -> None:
        """Take the process's state store."""
        self.store = acquire_state(self.crawler.settings)

    def response_downloaded(self, response: Response, request: Request) -> None:
        """Record one archived exchange (connected after the WARC extension, which sets the capture)."""
        capture = request.meta.get("capture")
        if self.store is None or not capture:
            return
        url = response.url
        state = self.store.get(url) or UrlState(url=url, site=self.crawler.spider.name,
                                                kind=request.meta.get("kind", "discovery"), first_seen=now_iso())
        state.run_id, state.last_fetched, state.status = run_id(self.crawler.settings), capture["fetch_time"], \
            response.status
        if request.meta.get("lastmod"):
            state.site_lastmod = request.meta["lastmod"]
        if state.kind == "discovery":
            state.outcome = UNREAD  # until the run has dealt with its entries (see spider_closed)
        for header, attribute in ((b"ETag", "etag"), (b"Last-Modified", "last_modified")):
            if value := response.headers.get(header):
                setattr(state, attribute, value.decode("latin-1"))
        if not capture.get("revisit"):  # the last full copy, whatever its status (a 301 is re-checked too)
            state.payload_digest, state.record_id = capture["payload_digest"], capture["record_id"]
            state.record_date, state.warc_file, state.warc_offset = capture["fetch_time"], capture["warc_file"], \
                capture["offset"]
            state.record_status = response.status
        self.save(state)

    def save(self, state: UrlState) -> None:
        """Store and commit a URL's state; a full disk stops the crawl (the state is rebuilt on --resume)."""
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
        category = str(exception).split(":", 1)[0]
        state = self.article_state(item.url)
        if state is None or category == "unchanged":
            return
        state.outcome = category
        self.save(state)

    def article_state(self, url: str) -> UrlState | None:
        """Return the stored state of an article URL, marked as an article."""
        if self.store is None:
            return None
        state = self.store.get(url) or UrlState(url=url, site=self.crawler.spider.name, kind="article",
                                                first_seen=now_iso())
        state.kind = "article"
        return state

    def spider_closed(self, reason: str) -> None:
        """Remember the sitemap lastmod of every page this run fetched and, when the crawl finished, that its
        discovery pages were read to the end; then let go of the store."""
        frontier = getattr(self.crawler.spider, "frontier", None)
        current = run_id(self.crawler.settings)
        if self.store is not None and reason == "finished":
            for state in self.store.discovery_pages(self.crawler.spider.name):
                if state.run_id == current and state.outcome != READ:
                    state.outcome = READ
                    self.save(state)
        for candidate in frontier.ledger.candidates.values() if frontier is not None and self.store else ():
            state = self.store.get(candidate.url) if candidate.lastmod else None
            if state is not None and state.run_id == current and state.site_lastmod != candidate.lastmod:
                state.site_lastmod = candidate.lastmod
                self.save(state)
        if self.store is not None:
            release_state(self.crawler.settings)
            self.store = None
