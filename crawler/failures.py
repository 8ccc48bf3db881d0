"""Why a request failed, in the report's words: ``http error: 404``, ``robots.txt: …``, ``too large: …``.

Scrapy says why a download failed by exception class and, for some, only by message (``IgnoreRequest`` for
robots.txt, a redirect loop, an out-of-scope or unarchived response; a body over ``DOWNLOAD_MAXSIZE``): this is
the one place that reads them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from scrapy.exceptions import DownloadCancelledError, IgnoreRequest
from scrapy.spidermiddlewares.httperror import HttpError

from archive.reasons import Category, Reason

if TYPE_CHECKING:
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
