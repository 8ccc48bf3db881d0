"""RedisStems: the dated-file names of every worker, reserved in Redis so that two workers never take one stem.

A stem (``articles/<site>/<YYYY>/<MM>/<DD>/<slug>``) is held by the first URL that sets
``souverain:stem:<stem>`` (``SET NX``); the key does not expire, like the state store, because a later run's new
article must not take a name an earlier run wrote in another worker's output folder. While Redis is unreachable a
worker takes only the names that carry the URL's full SHA-1 (``<slug>-<40 hex>``), which no other URL can want.
"""

from __future__ import annotations

import hashlib
import logging
from typing import TYPE_CHECKING

from crawler.distributed.runs import connect
from crawler.distributed.scheduler import UNREACHABLE

if TYPE_CHECKING:
    from pathlib import Path

    from redis import Redis

LOGGER = logging.getLogger(__name__)
PREFIX = "souverain:stem:"


class RedisStems:
    """``archive.store.textstore.Reserve`` on a Redis server."""

    def __init__(self, server: Redis) -> None:
        self.server = server
        self.away = False

    @classmethod
    def from_url(cls, url: str) -> RedisStems:
        """Return the reservations of the Redis at ``url``."""
        return cls(connect(url))

    def __call__(self, stem: Path, url: str) -> bool:
        """Tell whether ``url`` holds ``stem`` now (reserving it when free).

        Args:
            stem: the stem, relative to the output folder.
            url: the article's URL.

        Returns:
            True when the name is the URL's (newly reserved, or reserved by it before).
        """
        key = PREFIX + stem.as_posix()
        try:
            holder = url if self.server.set(key, url, nx=True) else self.server.get(key)
        except UNREACHABLE as exc:
            if not self.away:
                LOGGER.warning("Redis unreachable (%s): dated files named with their URL's full hash meanwhile", exc)
            self.away = True
            return hashlib.sha1(url.encode("utf-8")).hexdigest() in stem.name
        self.away = False
        return bool(holder == url)
