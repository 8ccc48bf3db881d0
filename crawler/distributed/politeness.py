"""SharedPoliteness: one schedule per host for every worker of a run, in Redis.

Scrapy's delays are per process: N workers would hit a site N times as often. Here the host's next allowed start
is kept in Redis (``souverain:<run>:host:<host>``, on the server's clock). A request about to be sent asks for it:
if that time has come, it goes at once and the next allowed start becomes now + the host's delay
(``DISTRIBUTED_DELAY``, the ``--delay`` that ``DOWNLOAD_DELAY`` would be in one process, or the robots.txt
Crawl-delay when longer); if not, it sleeps until then and asks again. Taking the time when the request really
leaves (not a slot reserved ahead, which a busy worker could reach late, bunching with the next) keeps any two
requests to a host a delay apart at Redis, whichever workers send them. A ``Retry-After`` or a site pause one
worker meets pushes the next start for all of them. While Redis is unreachable each worker keeps its own delays
only.
"""

from __future__ import annotations

import asyncio
import logging
import time
from typing import TYPE_CHECKING

from scrapy.exceptions import NotConfigured
from scrapy.utils.httpobj import urlparse_cached

from crawler.distributed.runs import connect
from crawler.distributed.scheduler import UNREACHABLE
from crawler.middlewares.crawldelay import CrawlDelay
from crawler.middlewares.retry import BackoffRetry, retry_after
from crawler.runid import run_id

if TYPE_CHECKING:
    from redis import Redis
    from scrapy import Request
    from scrapy.crawler import Crawler
    from scrapy.http import Response

LOGGER = logging.getLogger(__name__)

# KEYS: the host's key. ARGV: delay. Takes the start now if allowed ("0"), else returns the seconds to wait (as
# text: Lua numbers come back as integers).
_TAKE = """
local t = redis.call('TIME') local now = tonumber(t[1]) + tonumber(t[2]) / 1e6
local allowed = tonumber(redis.call('GET', KEYS[1]) or '0')
if now >= allowed then
  redis.call('SET', KEYS[1], string.format('%.6f', now + tonumber(ARGV[1])), 'EX', 86400)
  return '0'
end
return string.format('%.6f', allowed - now)
"""

# KEYS: the host's key. ARGV: seconds from now before which nobody starts a request to the host.
_HOLD = """
local t = redis.call('TIME') local now = tonumber(t[1]) + tonumber(t[2]) / 1e6
local until_ = now + tonumber(ARGV[1])
if until_ > tonumber(redis.call('GET', KEYS[1]) or '0') then
  redis.call('SET', KEYS[1], string.format('%.6f', until_), 'EX', 86400)
end
return 1
"""


class SharedPoliteness:
    """Downloader middleware: requests to a host start at least its delay apart across all workers."""

    def __init__(self, crawler: Crawler, server: Redis) -> None:
        self.crawler = crawler
        self.server = server
        self.prefix = f"souverain:{run_id(crawler.settings)}:host:"
        self.delay = crawler.settings.getfloat("DISTRIBUTED_DELAY")
        self.cap = crawler.settings.getfloat("RETRY_BACKOFF_MAX")
        self._take = server.register_script(_TAKE)
        self._hold = server.register_script(_HOLD)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> SharedPoliteness:
        """Build the middleware; off unless ``SOUVERAIN_REDIS_URL`` is set (or ``DISTRIBUTED_POLITENESS`` off)."""
        settings = crawler.settings
        url = settings.get("SOUVERAIN_REDIS_URL")
        if not url or not settings.getbool("DISTRIBUTED_POLITENESS"):
            raise NotConfigured  # not a distributed run: no message, which Scrapy would log as a warning
        return cls(crawler, connect(url))

    def component(self, kind: type) -> object | None:
        """Return this crawler's downloader middleware of a class (CrawlDelay, BackoffRetry), if enabled."""
        middlewares = self.crawler.engine.downloader.middleware.middlewares
        return next((m for m in middlewares if isinstance(m, kind)), None)

    def redis_away(self) -> bool:
        """Tell whether the scheduler found Redis unreachable (each call would wait for its socket timeout)."""
        slot = self.crawler.engine._slot  # no public accessor of the scheduler
        return bool(getattr(slot.scheduler if slot is not None else None, "unreachable", ""))

    def host_delay(self, host: str) -> float:
        """Return the spacing of a host: ``DISTRIBUTED_DELAY``, or its robots.txt Crawl-delay when longer."""
        crawl_delay = self.component(CrawlDelay)
        asked = crawl_delay.delays.get(host, 0.0) if isinstance(crawl_delay, CrawlDelay) else 0.0
        return max(self.delay, asked)

    async def process_request(self, request: Request) -> None:
        """Wait until the host's next allowed start in Redis, and take it."""
        host = urlparse_cached(request).netloc
        delay = self.host_delay(host)
        waited = False
        while delay > 0 and not self.redis_away():
            try:
                wait = float(self._take(keys=[self.prefix + host], args=[delay]))
            except UNREACHABLE:
                return  # the scheduler says Redis went away; this worker's own delays still hold
            if wait <= 0:
                return
            if not waited:
                self.crawler.stats.inc_value("distributed/politeness_waits")
                waited = True
            await asyncio.sleep(min(wait, self.cap))

    def process_response(self, request: Request, response: Response) -> Response:
        """Hold the host for every worker when it asked to wait (Retry-After) or this worker paused it."""
        host = urlparse_cached(request).netloc
        hold = retry_after(response.headers.get("Retry-After"), self.cap) if response.status in (429, 503) else None
        backoff = self.component(BackoffRetry)
        if isinstance(backoff, BackoffRetry):
            paused = backoff.paused_until.get(host, 0.0) - time.monotonic()
            hold = max(hold or 0.0, paused) if paused > 0 else hold
        if hold and not self.redis_away():
            try:
                self._hold(keys=[self.prefix + host], args=[hold])
            except UNREACHABLE:
                pass
        return response
