"""RunReport: per-site report of a crawl (``OUT/runs/<run-id>/sites/<site>.json``) from stats and drops."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

from scrapy import signals
from scrapy.exceptions import NotConfigured

from archive.fsutil import atomic_write_text
from crawler.runid import run_id

if TYPE_CHECKING:
    from scrapy import Spider
    from scrapy.crawler import Crawler
    from scrapy.http import Response
    from twisted.python.failure import Failure


def site_summary(stats: dict[str, Any]) -> dict[str, Any]:
    """Return the figures of one site's crawl from its Scrapy stats.

    Args:
        stats: the crawler's stats dump.

    Returns:
        pages fetched, articles kept, rejected by reason, WARC bytes and errors.
    """
    rejected = {k.split("/", 2)[2]: v for k, v in stats.items() if k.startswith("articles/rejected/")}
    return {
        "pages_fetched": stats.get("downloader/response_count", 0),
        "articles_kept": stats.get("textstore/written", 0),
        "rejected": dict(sorted(rejected.items())),
        "warc_bytes": stats.get("warc/bytes", 0),
        "warc_records": stats.get("warc/records", 0),
        "errors": stats.get("log_count/ERROR", 0) + stats.get("downloader/exception_count", 0),
        "discovery_errors": stats.get("discovery/errors", 0),
    }


class RunReport:
    """Records why each article was dropped and writes the site's report when the spider closes."""

    def __init__(self, crawler: Crawler, folder: Path) -> None:
        self.crawler = crawler
        self.folder = folder
        self.rejected: list[dict[str, str]] = []
        self.errors: list[dict[str, str]] = []

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> RunReport:
        """Build the extension; ``REPORT_ENABLED=False`` switches it off."""
        settings = crawler.settings
        if not settings.getbool("REPORT_ENABLED", True):
            raise NotConfigured("REPORT_ENABLED is off")
        folder = Path(settings.get("SOUVERAIN_OUT_DIR", "out")) / "runs" / run_id(settings)
        ext = cls(crawler, folder)
        crawler.signals.connect(ext.item_dropped, signal=signals.item_dropped)
        crawler.signals.connect(ext.item_error, signal=signals.item_error)
        crawler.signals.connect(ext.spider_error, signal=signals.spider_error)
        crawler.signals.connect(ext.spider_closed, signal=signals.spider_closed)
        return ext

    def item_dropped(self, item: Any, response: Response, exception: Exception, spider: Spider) -> None:
        """Keep the URL and reason of a dropped article; count it by reason."""
        reason = str(exception)
        self.rejected.append({"url": getattr(item, "url", ""), "reason": reason})
        self.crawler.stats.inc_value(f"articles/rejected/{reason.split(':', 1)[0].replace(' ', '_')}")

    def item_error(self, item: Any, response: Response, spider: Spider, failure: Failure) -> None:
        """Keep an article that a pipeline failed on."""
        self.errors.append({"url": getattr(item, "url", ""), "error": failure.getErrorMessage()})
        self.crawler.stats.inc_value("articles/rejected/pipeline_error")

    def spider_error(self, failure: Failure, response: Response, spider: Spider) -> None:
        """Keep a callback that raised."""
        self.errors.append({"url": response.url, "error": failure.getErrorMessage()})

    def spider_closed(self, spider: Spider, reason: str) -> None:
        """Write ``sites/<site>.json``: summary, finish reason, rejected URLs, errors, raw stats."""
        stats = self.crawler.stats.get_stats()
        report = {
            "site": spider.name,
            "root": getattr(getattr(spider, "profile", None), "root", None),
            "finish_reason": reason,
            "summary": site_summary(stats),
            "last_discovery_error": stats.get("discovery/last_error"),
            "rejected": self.rejected,
            "errors": self.errors,
            "stats": {k: v if isinstance(v, (int, float, str)) else str(v) for k, v in sorted(stats.items())},
        }
        text = json.dumps(report, ensure_ascii=False, indent=2, sort_keys=True)
        atomic_write_text(self.folder / "sites" / f"{spider.name}.json", text + "\n")
