"""SouverainProcess: Scrapy's CrawlerProcess that remembers the signal which stopped it and names the site of
every log record (``%(site)s`` in ``LOG_FORMAT``: ``crawl.log`` interleaves the sites crawled side by side)."""

from __future__ import annotations

import contextvars
import logging
import signal
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from scrapy.crawler import Crawler, CrawlerProcess

if TYPE_CHECKING:
    from scrapy import Spider
    from twisted.internet.defer import Deferred

# Set while a crawler starts: every task and callback chain it creates inherits it (contextvars follow asyncio
# tasks and Twisted's inlineCallbacks), so a record logged on behalf of a site carries that site's name.
SITE: contextvars.ContextVar[str] = contextvars.ContextVar("souverain_site", default="-")


def records_with_site(factory: Callable[..., logging.LogRecord]) -> Callable[..., logging.LogRecord]:
    """Wrap a log record factory so every record has ``site`` (``-`` outside any crawler)."""

    def make(*args: Any, **kwargs: Any) -> logging.LogRecord:
        record = factory(*args, **kwargs)
        record.site = SITE.get()
        return record

    make.adds_site = True  # type: ignore[attr-defined]
    return make


class SouverainProcess(CrawlerProcess):
    """Runs the crawlers of one ``souverain crawl``; ``interrupted_by`` is ``SIGINT``/``SIGTERM`` after a
    graceful stop asked by a signal (Scrapy then closes every spider with the reason ``shutdown``)."""

    interrupted_by: str | None = None

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not getattr(logging.getLogRecordFactory(), "adds_site", False):
            logging.setLogRecordFactory(records_with_site(logging.getLogRecordFactory()))

    def crawl(self, crawler_or_spidercls: type[Spider] | str | Crawler, *args: Any, **kwargs: Any) -> Deferred[None]:
        """Start a crawler with its site as the logging context of everything it runs."""
        target = crawler_or_spidercls
        site = target.spidercls.name if isinstance(target, Crawler) else target if isinstance(target, str) else target.name
        token = SITE.set(site)
        try:
            return super().crawl(target, *args, **kwargs)
        finally:
            SITE.reset(token)

    def log_to_stderr(self) -> None:
        """Copy the crawl log to stderr too (``souverain crawl --verbose``), in the crawl log's format."""
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter(self.settings.get("LOG_FORMAT"), self.settings.get("LOG_DATEFORMAT")))
        handler.setLevel(self.settings.get("LOG_LEVEL"))
        logging.root.addHandler(handler)

    def _signal_shutdown(self, signum: int, frame: Any) -> None:
        """Remember the first stopping signal, then stop gracefully as Scrapy does."""
        self.interrupted_by = self.interrupted_by or signal.Signals(signum).name
        super()._signal_shutdown(signum, frame)
