"""CrawlDelay: honours a robots.txt ``Crawl-delay`` (Scrapy reads robots.txt for Disallow only)."""

from __future__ import annotations

import asyncio
import time
from typing import TYPE_CHECKING

from protego import Protego
from scrapy.exceptions import NotConfigured
from scrapy.utils.httpobj import urlparse_cached

if TYPE_CHECKING:
    from scrapy import Request
    from scrapy.crawler import Crawler
    from scrapy.http import Response


class CrawlDelay:
    """Downloader middleware: requests to a host whose robots.txt asks for a Crawl-delay start at least that
    many seconds apart (on top of ``DOWNLOAD_DELAY`` and AutoThrottle, which may only make it slower)."""

    def __init__(self, crawler: Crawler, user_agent: str, cap: float) -> None:
        self.crawler = crawler
        self.user_agent = user_agent
        self.cap = cap
        self.delays: dict[str, float] = {}  # host -> seconds
        self.next_start: dict[str, float] = {}  # host -> monotonic time

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> CrawlDelay:
        """Build the middleware; off when robots.txt is not obeyed or ``CRAWLDELAY_ENABLED`` is false."""
        settings = crawler.settings
        if not (settings.getbool("ROBOTSTXT_OBEY") and settings.getbool("CRAWLDELAY_ENABLED")):
            raise NotConfigured
        agent = settings.get("ROBOTSTXT_USER_AGENT") or settings.get("USER_AGENT") or "*"
        return cls(crawler, agent, settings.getfloat("CRAWLDELAY_MAX"))

    async def process_request(self, request: Request) -> None:
        """Wait until the host's next slot when it asked for a Crawl-delay."""
        host = urlparse_cached(request).netloc
        delay = self.delays.get(host)
        if not delay:
            return
        now = time.monotonic()
        start = max(now, self.next_start.get(host, now))
        self.next_start[host] = start + delay
        if start > now:
            self.crawler.stats.inc_value("crawldelay/waits")
            await asyncio.sleep(start - now)

    def process_response(self, request: Request, response: Response) -> Response:
        """Learn a host's Crawl-delay from its robots.txt."""
        parts = urlparse_cached(request)
        if parts.path == "/robots.txt" and response.status == 200 and parts.netloc not in self.delays:
            try:
                delay = Protego.parse(response.text).crawl_delay(self.user_agent)
            except (AttributeError, ValueError):
                delay = None
            self.delays[parts.netloc] = min(float(delay or 0.0), self.cap)
            if delay:
                self.crawler.stats.set_value(f"crawldelay/{parts.hostname}", self.delays[parts.netloc])
        return response
