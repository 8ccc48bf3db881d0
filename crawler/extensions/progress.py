"""Progress: one line per site on stderr every ``PROGRESS_INTERVAL`` seconds (pages, articles kept, unchanged,
rejected, WARC bytes, errors, queue, rate and, while the queue is known, an estimate of the time left).

``PROGRESS_FORMAT = "json"`` writes each line as one JSON object instead, for scripts (``--progress json``), and
a last one with ``"event": "closed"`` when the site's crawl ends.
"""

from __future__ import annotations

import json
import sys
import time
from typing import TYPE_CHECKING, Any

from rich.console import Console
from rich.markup import escape
from scrapy import signals
from scrapy.exceptions import NotConfigured
from twisted.internet import task

if TYPE_CHECKING:
    from scrapy.crawler import Crawler

from crawler.extensions.report import site_summary
from crawler.workprogress import human_bytes, human_seconds


class Progress:
    """Prints the crawl's progress for people watching a terminal or reading a cron log, or for scripts."""

    def __init__(self, crawler: Crawler, interval: float, as_json: bool) -> None:
        self.crawler = crawler
        self.interval = interval
        self.as_json = as_json
        self.console = Console(stderr=True, highlight=False, soft_wrap=True)
        self.loop: task.LoopingCall | None = None
        self.started = time.monotonic()
        self.last = (self.started, 0)  # (time, pages fetched) at the previous line: the rate is over one interval

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Progress:
        """Build the extension; ``PROGRESS_INTERVAL=0`` switches it off, ``PROGRESS_FORMAT`` is text or json."""
        interval = crawler.settings.getfloat("PROGRESS_INTERVAL")
        if interval <= 0:
            raise NotConfigured
        ext = cls(crawler, interval, crawler.settings["PROGRESS_FORMAT"] == "json")
        crawler.signals.connect(ext.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(ext.spider_closed, signal=signals.spider_closed)
        return ext

    def spider_opened(self) -> None:
        """Start printing."""
        self.started = time.monotonic()
        self.last = (self.started, 0)
        self.loop = task.LoopingCall(self.print_line)
        self.loop.start(self.interval, now=False)

    def spider_closed(self, reason: str) -> None:
        """Stop printing (a JSON stream ends with a ``closed`` event)."""
        if self.loop and self.loop.running:
            self.loop.stop()
        if self.as_json:
            self.write_json({**self.figures(), "event": "closed", "reason": reason})

    def figures(self) -> dict[str, Any]:
        """Return the site's figures now, with the fetch rate over the last interval and the time left."""
        stats = self.crawler.stats.get_stats()
        summary = site_summary(stats)
        now = time.monotonic()
        pages = summary["pages_fetched"]
        then, pages_then = self.last
        self.last = (now, pages)
        rate = (pages - pages_then) / (now - then) * 60 if now > then else 0.0
        queued = max(stats.get("scheduler/enqueued", 0) - stats.get("scheduler/dequeued", 0), 0)
        return {
            "site": self.crawler.spider.name if self.crawler.spider else "", "elapsed_seconds": round(now - self.started, 1),
            "pages_fetched": pages, "articles_kept": summary["articles_kept"], "unchanged": summary["unchanged"],
            "rejected": sum(summary["rejected"].values()), "errors": summary["errors"],
            "warc_bytes": summary["warc_bytes"], "queued": queued, "pages_per_minute": round(rate, 1),
            # Discovery keeps adding to the queue: the estimate is of the queue as it is now.
            "eta_seconds": round(queued / rate * 60) if rate > 0 and queued else None,
        }

    def print_line(self) -> None:
        """Print one progress line."""
        figures = self.figures()
        if self.as_json:
            self.write_json({**figures, "event": "progress"})
            return
        eta = f", ~{human_seconds(figures['eta_seconds'])} left" if figures["eta_seconds"] is not None else ""
        self.console.print(escape(
            f"[{figures['site']}] {human_seconds(figures['elapsed_seconds'])}: "
            f"{figures['pages_fetched']} pages fetched ({figures['pages_per_minute']:.0f}/min), "
            f"{figures['articles_kept']} articles kept, {figures['unchanged']} unchanged, "
            f"{figures['rejected']} rejected, WARC {human_bytes(figures['warc_bytes'])}, "
            f"{figures['errors']} errors, {figures['queued']} queued{eta}"
        ))

    @staticmethod
    def write_json(figures: dict[str, Any]) -> None:
        """Write one JSON line on stderr."""
        sys.stderr.write(json.dumps(figures, sort_keys=True) + "\n")
        sys.stderr.flush()
