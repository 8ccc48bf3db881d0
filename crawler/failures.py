"""Why a request failed, in the report's words: ``http error: 404``, ``robots.txt: …``, ``too large: …``.

Scrapy says why a download failed by exception class and, for some, only by message (``IgnoreRequest`` for
robots.txt, a redirect loop, an out-of-scope or unarchived response; a body over ``DOWNLOAD_MAXSIZE``): this is
the one place that reads them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from scrapy.downloadermiddlewares.retry import get_retry_request
from scrapy.exceptions import DownloadCancelledError, IgnoreRequest
from scrapy.spidermiddlewares.httperror import HttpError

from archive.reasons import Category, Reason
from crawler.signals import attempt_failed

if TYPE_CHECKING:
    from scrapy import Request, Spider
    from scrapy.crawler import Crawler
    from twisted.python.failure import Failure

# Requests refused on purpose (robots.txt, the site's scope, the page budget, an unarchived response): no error.
REFUSED = (Category.ROBOTS, Category.NOT_FETCHED)


def failure_reason(failure: Failure) -> Reason:
    """Return the reason a request failed.

    Args:
        failure: what the errback got.

    Returns:
        The reason, its category one of ``http error``, ``too large``, ``redirect loop``, ``robots.txt``,
        ``not fetched`` or ``fetch error``.
    """
    error = failure.value
    if isinstance(error, HttpError):
        return Reason(Category.HTTP_ERROR, str(error.response.status))
    message = failure.getErrorMessage()
    if "max size" in message or "DOWNLOAD_MAXSIZE" in message:  # announced, or decompressed (HttpCompression)
        return Reason(Category.TOO_LARGE, message)
    if isinstance(error, DownloadCancelledError) and not message:  # Scrapy's handler past DOWNLOAD_MAXSIZE
        return Reason(Category.TOO_LARGE, "download cancelled after DOWNLOAD_MAXSIZE bytes")
    if isinstance(error, IgnoreRequest):
        if "redirections" in message:
            return Reason(Category.REDIRECT_LOOP, message)
        return Reason(Category.ROBOTS if "robots" in message.lower() else Category.NOT_FETCHED, message)
    return Reason(Category.FETCH_ERROR, message or type(error).__name__)


def refused(reason: Reason) -> bool:
    """Tell whether a request was refused on purpose (robots.txt, the site's scope, the page budget) rather
    than failed (HTTP error, redirect loop, network error, too large)."""
    return reason.category in REFUSED


def announced_reason(crawler: Crawler, failure: Failure) -> Reason:
    """Return the reason a request failed; a body over ``DOWNLOAD_MAXSIZE`` (as sent, or decompressed) is also
    counted (``download/too_large``) and announced as a failed attempt, since no retry middleware saw it."""
    reason = failure_reason(failure)
    if reason.category == Category.TOO_LARGE:
        crawler.stats.inc_value("download/too_large")
        crawler.signals.send_catch_log(attempt_failed, request=failure.request,  # type: ignore[attr-defined]
                                       reason=reason, attempt=1, retry=False, wait=0.0)
    return reason


def redirect_loop_retry(spider: Spider, failure: Failure) -> Request | None:
    """Return the original request again after a redirect loop (a server may loop once).

    Args:
        spider: the spider whose request it was.
        failure: what its errback got.

    Returns:
        The request of the first URL of the loop, up to ``DISCOVERY_REDIRECT_LOOP_RETRIES`` times (through
        Scrapy's ``get_retry_request``, stats ``retry/redirect_loops/*``); None for any other failure.
    """
    reason = failure_reason(failure)
    if reason.category != Category.REDIRECT_LOOP:
        return None
    crawler = spider.crawler
    request: Request = failure.request  # type: ignore[attr-defined]  # Scrapy sets it on errback failures
    tries = request.meta.get("loop_retries", 0)
    meta = {k: v for k, v in request.meta.items() if k in ("kind", "lastmod")}
    original = request.replace(url=request.meta.get("redirect_urls", [request.url])[0],
                               meta={**meta, "retry_times": tries})
    retry = get_retry_request(original, spider=spider, reason=reason.category.value,
                              max_retry_times=crawler.settings.getint("DISCOVERY_REDIRECT_LOOP_RETRIES"),
                              stats_base_key="retry/redirect_loops")
    if retry is None:
        return None
    del retry.meta["retry_times"]  # BackoffRetry's count of failed attempts, which a loop is not
    retry.meta["loop_retries"] = tries + 1
    crawler.stats.inc_value("retry/redirect_loops")
    crawler.signals.send_catch_log(attempt_failed, request=retry, reason=reason, attempt=tries + 1, retry=True,
                                   wait=0.0)
    return retry
