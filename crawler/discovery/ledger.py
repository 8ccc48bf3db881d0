"""The discovery ledger: every candidate URL of a site, the sources that found it, and what became of it.

A URL is *skipped* (never requested: unpromising, out of the date window…) or *fetched* (requested), and a
fetched URL ends *kept*, *unchanged* (a re-check found the archived page or text again) or *rejected* with a
reason (off-topic, out of date window, robots.txt, HTTP error…); one the crawl did not finish (interrupted, page
budget spent) stays *pending*. So, per site and per source: discovered = fetched + skipped, and
fetched = kept + unchanged + rejected + pending.

One ledger per crawler (site), a Scrapy extension that every component reaches with
``crawler.get_extension(Ledger)``: the frontier records offers and skips in it, the spider fetches and failed
pages, and the ledger itself the pipelines' verdicts (``item_scraped``, ``item_dropped``, ``item_error``). At
the end it tells which kept articles were found by more sources after they were written (``late_sources``).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from scrapy import signals

from archive.reasons import Category, Reason
from crawler.discovery.candidates import (
    ELSEWHERE,
    FETCHED,
    KEPT,
    REJECTED,
    SKIPPED,
    UNCHANGED,
    Candidate,
    CandidateTable,
)
from crawler.items import dropped_reason, pipeline_error

if TYPE_CHECKING:
    from collections.abc import Iterator

    from scrapy import Request
    from scrapy.crawler import Crawler
    from twisted.python.failure import Failure

__all__ = ["FETCHED", "KEPT", "REJECTED", "SKIPPED", "UNCHANGED", "Candidate", "Ledger"]
SHARED_QUEUE = "shared queue"  # the source of a URL another worker discovered (``souverain crawl --redis``)
OTHER_WORKER = Reason(Category.KNOWN, "requested by another worker")  # the shared dupefilter refused it here


class Ledger:
    """Candidates of one site (in a run-scoped SQLite table), plus the discovery pages (sitemaps, listings,
    feeds) fetched per source."""

    def __init__(self, *, shared_queue: bool = False) -> None:
        """Start an empty ledger.

        Args:
            shared_queue: a worker of a distributed run: it fetches URLs other workers discovered.
        """
        self.candidates = CandidateTable()
        self.pages: Counter[str] = Counter()
        self.duplicates: Counter[str] = Counter()
        self.written: dict[str, set[str]] = {}  # kept URL -> the sources its files name
        self.shared_queue = shared_queue
        self.not_read: dict[str, tuple[str, Reason]] = {}  # discovery URL -> (source, why not read)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Ledger:
        """Build the crawler's ledger; it follows the pipelines' verdicts on articles."""
        ledger = cls(shared_queue=bool(crawler.settings.get("SOUVERAIN_REDIS_URL")))
        crawler.signals.connect(ledger.close, signal=signals.engine_stopped)
        crawler.signals.connect(ledger.item_scraped, signal=signals.item_scraped)
        crawler.signals.connect(ledger.item_dropped, signal=signals.item_dropped)
        crawler.signals.connect(ledger.item_error, signal=signals.item_error)
        if ledger.shared_queue:
            crawler.signals.connect(ledger.request_reached_downloader, signal=signals.request_reached_downloader)
        return ledger

    def request_reached_downloader(self, request: Request) -> None:
        """A distributed run's article request this worker downloads: its candidate is fetched here, with the
        sources and lastmod of the worker that queued it (``request.meta``); a skip of this worker's (another had
        requested it, or found it more promising) gives way."""
        if request.meta.get("kind") != "article" or request.meta.get("redirect_urls"):
            return
        given = request.meta.get("sources")
        sources = [s for s in given if isinstance(s, str)] if isinstance(given, list) else []
        candidate = self.candidates.get(request.url)
        if candidate is None:
            lastmod = request.meta.get("lastmod")
            candidate = Candidate(request.url, sources or [SHARED_QUEUE], 0.0, state=FETCHED,
                                  lastmod=lastmod if isinstance(lastmod, str) else None)
        elif candidate.state == SKIPPED:
            candidate.state, candidate.reason = FETCHED, None
            candidate.sources += [source for source in sources if source not in candidate.sources]
        else:
            return
        self.candidates.put(candidate)

    def close(self) -> None:
        """Let go of the candidates' table (the engine stopped: every report is written)."""
        self.candidates.close()

    def item_scraped(self, item: Any) -> None:
        """An article went through every pipeline: kept, with the sources its files name."""
        if self.fetched_elsewhere(item.url) is not None:  # a spider without a frontier offers nothing
            self.keep(item.url)
            self.written[item.url] = set(item.record.get("discovered_via", []))

    def item_dropped(self, item: Any, exception: Exception) -> None:
        """An article was dropped by a pipeline: unchanged (same text as stored), or rejected with the reason."""
        reason = dropped_reason(exception)
        if reason.category == Category.UNCHANGED:
            self.unchanged(item.url, reason)
        else:
            self.reject(item.url, reason)

    def item_error(self, item: Any, failure: Failure) -> None:
        """A pipeline failed on an article: rejected as a pipeline error."""
        self.reject(item.url, pipeline_error(failure))

    def late_sources(self) -> dict[str, list[str]]:
        """Return, for each kept article found by more sources after its files were written, all its sources.

        The one pass of the end of a crawl that the text store, the run log and the state store take their
        ``discovered_via`` updates from.

        Returns:
            Kept URL -> every source that found it, sorted.
        """
        late = {}
        for url, written in self.written.items():
            candidate = self.candidates.get(url)
            if candidate is not None and not set(candidate.sources) <= written:
                late[url] = sorted(written | set(candidate.sources))
        return late

    def get(self, url: str) -> Candidate | None:
        """Return the candidate for a URL, if known."""
        return self.candidates.get(url)

    def discover(self, url: str, source: str, hint: float, lastmod: str | None = None,
                 promise: str = "") -> tuple[Candidate, bool]:
        """Record that ``source`` offered ``url``.

        Args:
            url: the candidate URL.
            source: the discovery source (``sitemap``, ``search``, ``tag``, ``feed``, ``related``, ``revisit``).
            hint: the pre-fetch promise of this offer.
            lastmod: the site's last-modified date for it, when the source gives one.
            promise: the reason of the hint (kept for the best offer).

        Returns:
            The candidate, and whether the URL was new.
        """
        candidate = self.candidates.get(url)
        if candidate is None:
            candidate = Candidate(url, [source], hint, lastmod=lastmod, promise=promise)
            self.candidates.put(candidate)
            return candidate, True
        candidate.lastmod = lastmod or candidate.lastmod
        self.duplicates[source] += 1
        if source not in candidate.sources:
            candidate.sources.append(source)
        if hint > candidate.hint:
            candidate.hint, candidate.promise = hint, promise
        self.candidates.put(candidate)
        return candidate, False

    def skip(self, url: str, reason: Reason) -> None:
        """Mark a candidate as not requested, with the reason."""
        self._set(url, SKIPPED, reason)

    def fetch(self, url: str) -> None:
        """Mark a candidate as requested."""
        self._set(url, FETCHED, None)

    def keep(self, url: str) -> None:
        """Mark a fetched candidate as kept (written as an article)."""
        self._set(url, KEPT, None)

    def _set(self, url: str, state: str, reason: Reason | None) -> None:
        """Give an offered URL its state and reason."""
        candidate = self.fetched_elsewhere(url)
        if candidate is None:
            raise KeyError(url)
        candidate.state, candidate.reason = state, reason
        self.candidates.put(candidate)

    def reject(self, url: str, reason: Reason) -> None:
        """Mark a fetched candidate as rejected, with the reason (first reason wins)."""
        self._end(url, REJECTED, reason)

    def unchanged(self, url: str, reason: Reason) -> None:
        """Mark a re-checked candidate as unchanged since it was archived (``unchanged: not modified (304)``)."""
        self._end(url, UNCHANGED, reason)

    def unfinished(self, reason: Reason) -> None:
        """Give every candidate still pending the reason the crawl ended before it (it stays pending)."""
        self.candidates.set_pending_reason(reason)

    def handed_off(self) -> None:
        """A distributed run ended with nothing left in its shared queue: the candidates still pending here, and
        those skipped because another worker had requested them, were judged by another worker, whose report
        counts them; this one leaves them out."""
        self.candidates.set_elsewhere(OTHER_WORKER)

    def _end(self, url: str, state: str, reason: Reason) -> None:
        """Move a fetched (or kept) candidate to its end state, unless it has one already."""
        candidate = self.fetched_elsewhere(url)
        if candidate is not None and candidate.state in (FETCHED, KEPT):
            candidate.state, candidate.reason = state, reason
            self.candidates.put(candidate)

    def fetched_elsewhere(self, url: str) -> Candidate | None:
        """Return the candidate of a fetched URL; in a distributed run (``shared_queue``), one this ledger never
        saw offered was discovered by another worker, which put it in the shared queue."""
        if (candidate := self.candidates.get(url)) is None and self.shared_queue:
            candidate = Candidate(url, [SHARED_QUEUE], 0.0, state=FETCHED)
            self.candidates.put(candidate)
        return candidate

    def page(self, source: str) -> None:
        """Count one discovery page (sitemap, listing, feed) fetched for ``source``."""
        self.pages[source] += 1

    def page_not_read(self, url: str, source: str, reason: Reason) -> None:
        """Remember a discovery page this run did not request, and why (not due: unchanged 5 times...)."""
        self.not_read[url] = (source, reason)

    def pages_not_read(self) -> list[dict[str, str]]:
        """Return the discovery pages not requested, in URL order, with their source and reason."""
        return [{"url": url, "source": source, "reason": reason} for url, (source, reason) in sorted(self.not_read.items())]

    def summary(self) -> dict[str, Any]:
        """Return the counts per source and in total, with harvest rates.

        Returns:
            ``{"total": {...}, "sources": {source: {...}}}``; each has discovered, fetched, skipped (by reason),
            kept, unchanged, rejected (by reason), pending, discovery_pages, discovery_pages_not_read (not due),
            found_only_here, duplicates (offers of a URL already known: not fetched again) and harvest_rate (kept ÷
            (fetched + discovery pages)).
        """
        total = _Counts()
        sources: dict[str, _Counts] = {}
        for candidate in self.candidates.values():
            if candidate.state == ELSEWHERE:
                continue
            total.add(candidate)
            for source in candidate.sources:
                sources.setdefault(source, _Counts()).add(candidate, alone=len(candidate.sources) == 1)
        for source, count in self.pages.items():
            sources.setdefault(source, _Counts()).discovery_pages = count
        for source, _ in self.not_read.values():
            sources.setdefault(source, _Counts()).discovery_pages_not_read += 1
        for source, count in self.duplicates.items():
            sources.setdefault(source, _Counts()).duplicates = count
        total.discovery_pages = sum(self.pages.values())
        total.discovery_pages_not_read = len(self.not_read)
        total.duplicates = sum(self.duplicates.values())
        return {"total": total.as_dict(), "sources": {name: sources[name].as_dict() for name in sorted(sources)}}

    def requested(self) -> Iterator[Candidate]:
        """Yield every candidate that was requested (whatever became of it), by URL."""
        return self.candidates.values(requested_only=True)

    def rejected_and_skipped(self) -> Iterator[dict[str, Any]]:
        """Yield, by URL and one at a time, every URL that was not kept, with its sources, state (``pending``
        when the crawl ended before it) and reason."""
        return (
            {"url": c.url, "sources": c.sources, "state": "pending" if c.state == FETCHED else c.state,
             "reason": c.reason or "", "promise": c.promise}
            for c in self.candidates.values()
            if c.state not in (KEPT, ELSEWHERE) and (c.state != FETCHED or c.reason)
        )


@dataclass
class _Counts:
    """Counts of one source (or of the whole site)."""

    discovered: int = 0
    fetched: int = 0
    kept: int = 0
    unchanged: int = 0
    pending: int = 0
    found_only_here: int = 0
    discovery_pages: int = 0
    discovery_pages_not_read: int = 0
    duplicates: int = 0
    skipped: Counter[str] = field(default_factory=Counter)
    rejected: Counter[str] = field(default_factory=Counter)

    def add(self, candidate: Candidate, alone: bool = False) -> None:
        """Count one candidate."""
        self.discovered += 1
        self.found_only_here += alone
        if candidate.state == SKIPPED:
            self.skipped[_category(candidate)] += 1
            return
        self.fetched += 1
        if candidate.state == KEPT:
            self.kept += 1
        elif candidate.state == UNCHANGED:
            self.unchanged += 1
        elif candidate.state == REJECTED:
            self.rejected[_category(candidate)] += 1
        else:
            self.pending += 1

    def as_dict(self) -> dict[str, Any]:
        """Return the counts, JSON-ready."""
        pages = self.fetched + self.discovery_pages
        return {
            "discovered": self.discovered,
            "fetched": self.fetched,
            "skipped": dict(sorted(self.skipped.items())),
            "kept": self.kept,
            "unchanged": self.unchanged,
            "rejected": dict(sorted(self.rejected.items())),
            "pending": self.pending,
            "found_only_here": self.found_only_here,
            "duplicates": self.duplicates,
            "discovery_pages": self.discovery_pages,
            "discovery_pages_not_read": self.discovery_pages_not_read,
            "harvest_rate": round(self.kept / pages, 4) if pages else 0.0,
        }


def _category(candidate: Candidate) -> str:
    """Return the category of a candidate's reason (``off-topic``), ``unknown`` when it has none."""
    return candidate.reason.category.value if candidate.reason is not None else "unknown"

