"""A full disk stops the crawl: every component that writes calls ``stop_if_disk_full`` on a write error."""

from __future__ import annotations

import errno
import sqlite3
from typing import TYPE_CHECKING

from scrapy.utils.defer import deferred_from_coro

if TYPE_CHECKING:
    from scrapy.crawler import Crawler

STOP_REASON = "souverain/stop_reason"


def is_disk_full(exc: BaseException) -> bool:
    """Tell whether an error means the disk (or the user's quota) is full."""
    if isinstance(exc, OSError):
        return exc.errno in (errno.ENOSPC, errno.EDQUOT)
    return isinstance(exc, sqlite3.OperationalError) and "full" in str(exc)


def stop_if_disk_full(crawler: Crawler, exc: BaseException, what: str) -> bool:
    """Stop the crawl when a write failed for want of space, keeping the first reason.

    Args:
        crawler: the crawler whose component failed to write.
        exc: the error.
        what: what could not be written (a path).

    Returns:
        True when the disk is full (the spider is being closed), False for any other error.
    """
    if not is_disk_full(exc):
        return False
    if crawler.stats.get_value(STOP_REASON) is None:
        detail = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        crawler.stats.set_value(STOP_REASON, f"disk full: cannot write {what}: {detail}")
        if crawler.engine is not None and crawler.spider is not None:
            deferred_from_coro(crawler.engine.close_spider_async(reason="disk full"))
    return True
