"""Progress: one line on stderr every ``PROGRESS_INTERVAL`` seconds (pages, articles kept, WARC bytes, errors)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.console import Console
from scrapy import signals
from scrapy.exceptions import NotConfigured
from twisted.internet import task

if TYPE_CHECKING:
    from scrapy.crawler import Crawler

from crawler.extensions.report import site_summary
from crawler.workprogress import human_bytes


class Progress:
    """Prints the crawl's progress for people watching a terminal or reading a cron log."""

    def __init__(self, crawler: Crawler, interval: float) -> None:
        self.crawler = crawler
        self.interval = interval
        self.console = Console(stderr=True, highlight=False, soft_wrap=True)
        self.loop: task.LoopingCall | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Progress:
        """Build the extension; ``PROGRESS_INTERVAL=0`` switches it off."""
        interval = crawler.settings.getfloat("PROGRESS_INTERVAL", 5.0)
        if interval <= 0:
            raise NotConfigured
        ext = cls(crawler, interval)
        crawler.signals.connect(ext.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(ext.spider_closed, signal=signals.spider_closed)
        return ext

    def spider_opened(self) -> None:
        """Start printing."""
        self.loop = task.LoopingCall(self.print_line)
        self.loop.start(self.interval, now=False)

    def spider_closed(self) -> None:
        """Stop printing."""
        if self.loop and self.loop.running:
            self.loop.stop()

    def print_line(self) -> None:
        """Print one progress line."""
        stats = self.crawler.stats.get_stats()
        figures = site_summary(stats)
        rejected = sum(figures["rejected"].values())
        self.console.print(
            f"[{self.crawler.spider.name}] {figures['pages_fetched']} pages fetched, "
            f"{figures['articles_kept']} articles kept, {rejected} rejected, "
            f"WARC {human_bytes(figures['warc_bytes'])}, {figures['errors']} errors, "
            f"{stats.get('scheduler/enqueued', 0) - stats.get('scheduler/dequeued', 0)} queued"
        )
