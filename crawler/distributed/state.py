"""The state store of a distributed run: ``archive.store.redisstate.RedisState``, patient when Redis is away.

While Redis is unreachable a worker reads nothing from it (an unknown URL is fetched in full: safe) and keeps its
writes in memory; they reach Redis at the first call once it answers. After a failed call the store waits
``RETRY_SECONDS`` before asking again, so that the reactor does not wait for a socket timeout on every call.
"""

from __future__ import annotations

import logging
import time
from typing import TYPE_CHECKING

from archive.store.redisstate import RedisState
from crawler.distributed.runs import connect
from crawler.distributed.scheduler import UNREACHABLE

if TYPE_CHECKING:
    from archive.store.state import UrlState

LOGGER = logging.getLogger(__name__)
RETRY_SECONDS = 5.0


class PatientState:
    """``StateStore`` over ``RedisState`` that neither fails nor stalls while Redis is unreachable."""

    def __init__(self, url: str) -> None:
        self.store = RedisState(connect(url))
        self.path = url  # where the store is, for messages (``SqliteState.path`` is its file)
        self.unsent: dict[str, UrlState] = {}  # written while Redis was away, by URL
        self.away_until = 0.0

    def _reachable(self) -> bool:
        """Tell whether to ask Redis now; send what waited first."""
        if time.monotonic() < self.away_until:
            return False
        try:
            while self.unsent:
                url, state = next(iter(self.unsent.items()))
                self.store.put(state)
                del self.unsent[url]
        except UNREACHABLE as exc:
            self._went_away(exc)
            return False
        return True

    def _went_away(self, exc: BaseException) -> None:
        if not self.away_until:
            LOGGER.warning("state store unreachable (%s): unknown URLs are fetched in full meanwhile", exc)
        self.away_until = time.monotonic() + RETRY_SECONDS

    def get(self, url: str) -> UrlState | None:
        """Return what is known of a URL (None while Redis is away)."""
        if url in self.unsent:
            return self.unsent[url]
        if not self._reachable():
            return None
        try:
            return self.store.get(url)
        except UNREACHABLE as exc:
            self._went_away(exc)
            return None

    def put(self, state: UrlState) -> None:
        """Store a URL's state (kept in memory while Redis is away)."""
        if self._reachable():
            try:
                self.store.put(state)
                return
            except UNREACHABLE as exc:
                self._went_away(exc)
        self.unsent[state.url] = state

    def articles(self, site: str) -> list[UrlState]:
        """Return every known article URL of a site (none while Redis is away)."""
        return self._listed(site, "article")

    def discovery_pages(self, site: str) -> list[UrlState]:
        """Return every known discovery page of a site (none while Redis is away)."""
        return self._listed(site, "discovery")

    def _listed(self, site: str, kind: str) -> list[UrlState]:
        if not self._reachable():
            return []
        try:
            return self.store.articles(site) if kind == "article" else self.store.discovery_pages(site)
        except UNREACHABLE as exc:
            self._went_away(exc)
            return []

    def commit(self, *, every: int = 1) -> None:
        """Send what waited, if Redis answers."""
        self._reachable()

    def close(self) -> None:
        """Send what waited (a last try), then close the connection."""
        self.away_until = 0.0
        if not self._reachable():
            LOGGER.error("state store unreachable at the end: %d URL state(s) not stored", len(self.unsent))
        self.store.close()
