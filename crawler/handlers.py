"""Download handler: Scrapy's HTTP/1.1 handler without Twisted's silent retry."""

from __future__ import annotations

from typing import TYPE_CHECKING

from scrapy.core.downloader.handlers.http11 import HTTP11DownloadHandler

if TYPE_CHECKING:
    from scrapy.crawler import Crawler


class VisibleFailuresHTTP11Handler(HTTP11DownloadHandler):
    """Twisted's connection pool quietly re-sends an idempotent request whose reused connection was reset; here
    the failure reaches souverain's retry middleware instead, which retries it with backoff and reports it."""

    def __init__(self, crawler: Crawler) -> None:
        super().__init__(crawler)
        self._pool.retryAutomatically = False
