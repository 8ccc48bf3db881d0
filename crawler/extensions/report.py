"""RunReport: per-site report of a crawl (``OUT/runs/<run-id>/sites/<site>.json``): figures, discovery, reasons;
every URL not kept in ``sites/<site>.not-kept.jsonl`` beside it, written row by row from the ledger (``report.json``
lists the first ``crawler.run.NOT_KEPT_ROWS`` of them, with the total and that file)."""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import TYPE_CHECKING, Any

from scrapy import signals
from scrapy.exceptions import NotConfigured

from archive.fsutil import atomic_write_text
from archive.jsonlines import write_lines
from archive.reasons import Category, Reason
from crawler.discovery.ledger import Ledger
from crawler.diskfull import STOP_REASON, stop_if_disk_full
from crawler.items import dropped_reason, pipeline_error
from crawler.run import not_kept_path
from crawler.runid import run_id
from crawler.signals import attempt_failed

if TYPE_CHECKING:
    from scrapy import Spider
    from scrapy.crawler import Crawler
    from twisted.python.failure import Failure


LOGGER = logging.getLogger(__name__)
DRIFT_PREFIX = "profile/drift/"


# What counts as an error: a page that could not be had after its retries (discovery or article; not a request
# refused by robots.txt, the site's scope or the page budget), a callback or a pipeline that raised.
ERROR_STATS = ("discovery/errors", "articles/fetch_errors", "spider_exceptions/count", "articles/rejected/pipeline_error")


def site_summary(stats: dict[str, Any]) -> dict[str, Any]:
    """Return the figures of one site's crawl from its Scrapy stats.

    Args:
        stats: the crawler's stats dump.

    Returns:
        pages fetched, articles kept, unchanged, rejected by reason, WARC bytes and errors.
    """
    rejected = {k.split("/", 2)[2]: v for k, v in stats.items() if k.startswith("articles/rejected/")}
    return {
        "pages_fetched": stats.get("downloader/response_count", 0) - stats.get("requisites/responses", 0),
        "articles_kept": stats.get("textstore/written", 0),
        "unchanged": stats.get("articles/unchanged", 0),
        "rejected": dict(sorted(rejected.items())),
        "warc_bytes": stats.get("warc/bytes", 0),
        "warc_records": stats.get("warc/records", 0),
        "errors": sum(stats.get(key, 0) for key in ERROR_STATS),
        "discovery_errors": stats.get("discovery/errors", 0),
        "elapsed_seconds": round(stats.get("elapsed_time_seconds", 0.0), 3),
        "requisites": requisite_summary(stats),
    }


def requisite_summary(stats: dict[str, Any]) -> dict[str, Any]:
    """Return the page-requisite figures of one site's crawl (apart from the page and harvest figures).

    Args:
        stats: the crawler's stats dump.

    Returns:
        requested, fetched (of which not modified), responses and bytes as sent, skipped by reason.
    """
    skipped = {k.removeprefix("requisites/skipped/"): v for k, v in stats.items()
               if k.startswith("requisites/skipped/")}
    return {"requested": stats.get("requisites/requested", 0), "fetched": stats.get("requisites/fetched", 0),
            "not_modified": stats.get("requisites/not_modified", 0),
            "responses": stats.get("requisites/responses", 0), "bytes": stats.get("requisites/bytes", 0),
            "skipped": dict(sorted(skipped.items()))}


def profile_drift(stats: dict[str, Any]) -> dict[str, int]:
    """Return, per profile rule, the pages where it matched nothing and the generic reading was used."""
    return {k.removeprefix(DRIFT_PREFIX): v for k, v in sorted(stats.items()) if k.startswith(DRIFT_PREFIX)}


class RunReport:
    """Follows each article to its end (kept, or rejected with a reason) and writes the site's report."""

    def __init__(self, crawler: Crawler, folder: Path) -> None:
        self.crawler = crawler
        self.folder = folder
        self.errors: list[dict[str, str]] = []
        self.failures: list[dict[str, Any]] = []

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> RunReport:
        """Build the extension; ``REPORT_ENABLED=False`` switches it off."""
        settings = crawler.settings
        if not settings.getbool("REPORT_ENABLED"):
            raise NotConfigured("REPORT_ENABLED is off")
        folder = Path(settings["SOUVERAIN_OUT_DIR"]) / "runs" / run_id(settings)
        ext = cls(crawler, folder)
        crawler.signals.connect(ext.item_dropped, signal=signals.item_dropped)
        crawler.signals.connect(ext.item_error, signal=signals.item_error)
        crawler.signals.connect(ext.spider_error, signal=signals.spider_error)
        crawler.signals.connect(ext.spider_closed, signal=signals.spider_closed)
        crawler.signals.connect(ext.attempt_failed, signal=attempt_failed)
        return ext

    def attempt_failed(self, request: Any, reason: str, attempt: int, retry: bool, wait: float) -> None:
        """Keep every failed download attempt (retried or given up) for the report."""
        self.failures.append({"url": request.url, "attempt": attempt, "reason": reason, "retried": retry,
                              "wait_seconds": round(wait, 3)})

    def item_dropped(self, item: Any, exception: Exception) -> None:
        """Count an article dropped by a pipeline: unchanged (same text as stored), or rejected by category."""
        reason = dropped_reason(exception)
        if reason.category == Category.UNCHANGED:
            self.crawler.stats.inc_value("articles/unchanged")
        else:
            self.crawler.stats.inc_value(f"articles/rejected/{reason.key}")

    def item_error(self, item: Any, failure: Failure) -> None:
        """Keep a pipeline's failure on an article (rejected as a pipeline error)."""
        reason = pipeline_error(failure)
        self.errors.append({"url": item.url, "error": reason})
        self.crawler.stats.inc_value(f"articles/rejected/{reason.key}")

    def spider_error(self, failure: Failure, response: Any) -> None:
        """Keep a callback that raised."""
        self.errors.append({"url": response.url, "error": failure.getErrorMessage()})

    def spider_closed(self, spider: Spider, reason: str) -> None:
        """Write ``sites/<site>.json``: figures, discovery per source, every URL not kept with its reason."""
        ledger = self.crawler.get_extension(Ledger)
        if ledger is not None and ledger.shared_queue and reason == "finished":
            ledger.handed_off()  # the shared queue is empty: what is still pending here another worker judged
        elif ledger is not None:
            ledger.unfinished(Reason(Category.NOT_COMPLETED, f"crawl ended ({reason})"))
        stats = self.crawler.stats.get_stats()
        summary = site_summary(stats)
        summary["failed_attempts"] = len(self.failures)
        if ledger is not None:
            discovery = ledger.summary()
            totals = discovery["total"]
            summary.update(discovered=totals["discovered"], skipped=totals["skipped"], rejected=totals["rejected"],
                           not_completed=totals["pending"])
        pages = summary["pages_fetched"]
        summary["harvest_rate"] = round(summary["articles_kept"] / pages, 4) if pages else 0.0
        report = {
            "site": spider.name,
            "root": getattr(getattr(spider, "profile", None), "root", None),
            "finish_reason": reason,
            "stop_reason": stats.get(STOP_REASON),
            "summary": summary,
            "discovery": discovery if ledger is not None else None,
            "drift": profile_drift(stats),
            "discovery_not_read": ledger.pages_not_read() if ledger is not None else [],
            "last_discovery_error": stats.get("discovery/last_error"),
            "errors": self.errors,
            "failures": self.failures,
            "stats": {k: v if isinstance(v, (int, float, str)) else str(v) for k, v in sorted(stats.items())},
        }
        try:
            not_kept = not_kept_path(self.folder, spider.name)
            report["not_kept_total"] = write_lines(not_kept, ledger.rejected_and_skipped() if ledger else ())
            report["not_kept_file"] = not_kept.relative_to(self.folder).as_posix()
            text = json.dumps(report, ensure_ascii=False, indent=2, sort_keys=True)
            atomic_write_text(self.folder / "sites" / f"{spider.name}.json", text + "\n")
        except OSError as exc:
            stop_if_disk_full(self.crawler, exc, str(self.folder))
            LOGGER.error("could not write the report of %s: %s", spider.name, exc)
