"""BackoffRetry: Scrapy's retries, spaced out: Retry-After honoured, exponential backoff, failing sites paused.

Replaces Scrapy's RetryMiddleware (same settings, plus ``RETRY_BACKOFF_*`` and ``RETRY_SITE_PAUSE_*``). Every failed
attempt is announced with the ``attempt_failed`` signal, so the run report lists each one.
"""

from __future__ import annotations

import asyncio
import time
from email.utils import parsedate_to_datetime
from typing import TYPE_CHECKING

from scrapy.downloadermiddlewares.retry import RetryMiddleware
from scrapy.exceptions import CannotResolveHostError, DownloadConnectionRefusedError
from scrapy.utils.httpobj import urlparse_cached
from scrapy.utils.response import response_status_message

if TYPE_CHECKING:
    from scrapy import Request
    from scrapy.crawler import Crawler
    from scrapy.http import Response

from crawler.signals import attempt_failed


def retry_after(value: bytes | None, cap: float) -> float | None:
    """Return the seconds a ``Retry-After`` header asks for (delta-seconds or an HTTP date), capped, or None."""
    if not value:
        return None
    text = value.decode("latin-1").strip()
    if text.isdigit():
        return min(float(text), cap)
    try:
        return min(max(parsedate_to_datetime(text).timestamp() - time.time(), 0.0), cap)
    except (TypeError, ValueError):
        return None


class BackoffRetry(RetryMiddleware):
    """Retries 5xx/429/timeouts/resets/truncated bodies after a pause; pauses a site after repeated failures."""

    def __init__(self, crawler: Crawler) -> None:
        super().__init__(crawler.settings)
        settings = crawler.settings
        self.crawler = crawler
        self.base = settings.getfloat("RETRY_BACKOFF_BASE")
        self.cap = settings.getfloat("RETRY_BACKOFF_MAX")
        self.pause_after = settings.getint("RETRY_SITE_PAUSE_AFTER")
        self.pause_seconds = settings.getfloat("RETRY_SITE_PAUSE_SECONDS")
        self.failures: dict[str, int] = {}  # host -> consecutive failed attempts
        self.paused_until: dict[str, float] = {}
        self.answered: set[str] = set()  # hosts that sent any response this run

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> BackoffRetry:
        """Build the middleware (``RETRY_ENABLED=False`` switches it off, as Scrapy's)."""
        return cls(crawler)

    async def process_request(self, request: Request) -> None:
        """Hold requests to a paused site until its pause ends."""
        wait = self.paused_until.get(urlparse_cached(request).netloc, 0.0) - time.monotonic()
        if wait > 0:
            self.crawler.stats.inc_value("retry/paused_requests")
            await asyncio.sleep(wait)

    # Scrapy calls coroutine process_* methods (2.13+); its RetryMiddleware annotates the plain ones.
    async def process_response(self, request: Request, response: Response) -> Request | Response:  # type: ignore[override]
        """Retry a retryable status after its backoff (or its Retry-After); note a success."""
        host = urlparse_cached(request).netloc
        self.answered.add(host)
        if response.status not in self.retry_http_codes or request.meta.get("dont_retry", False):
            self.failures[host] = 0
            return response
        wait = retry_after(response.headers.get("Retry-After"), self.cap)
        return await self.failed(request, response_status_message(response.status), wait) or response

    async def process_exception(self, request: Request, exception: Exception) -> Request | None:  # type: ignore[override]
        """Retry a retryable download error (timeout, reset, truncated body) after its backoff."""
        if not isinstance(exception, self.exceptions_to_retry) or request.meta.get("dont_retry", False):
            return None
        reason = f"{type(exception).__name__}: {exception}"
        if isinstance(exception, (CannotResolveHostError, DownloadConnectionRefusedError)) and \
                urlparse_cached(request).netloc not in self.answered:
            # A host that never answered this run is down or misnamed: say so at once, do not wait on it.
            await self.crawler.signals.send_catch_log_async(
                attempt_failed, request=request, reason=reason, attempt=1, retry=False, wait=0.0)
            return None
        return await self.failed(request, reason, None)

    async def failed(self, request: Request, reason: str, wait: float | None) -> Request | None:
        """Record a failed attempt, pause the site if it keeps failing, wait, and return the retry (or None)."""
        host = urlparse_cached(request).netloc
        attempt = request.meta.get("retry_times", 0) + 1
        self.failures[host] = self.failures.get(host, 0) + 1
        if self.failures[host] >= self.pause_after:
            pause = self.pause_seconds
            self.paused_until[host] = time.monotonic() + pause
            self.failures[host] = 0
            self.crawler.stats.inc_value("retry/site_paused")
            wait = max(wait or 0.0, pause)
        retry = self._retry(request, reason)
        wait = min(self.cap, wait if wait is not None else self.base * 2 ** (attempt - 1)) if retry else 0.0
        self.crawler.stats.inc_value("retry/attempt_failures")
        await self.crawler.signals.send_catch_log_async(
            attempt_failed, request=request, reason=reason, attempt=attempt, retry=retry is not None, wait=wait)
        if wait:
            await asyncio.sleep(wait)
        return retry
