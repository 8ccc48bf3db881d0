"""``StateStore`` in Redis: what every run knows of every URL, shared by the workers of distributed runs.

One hash ``<prefix>:urls`` (URL → the ``UrlState`` as JSON) and one set per site and kind
(``<prefix>:<site>:article``, ``<prefix>:<site>:discovery``). Writes are immediate; whether they survive a
Redis restart is Redis's persistence (``appendonly yes`` for a store that must outlive it).
"""

from __future__ import annotations

import json
from dataclasses import asdict, fields
from typing import TYPE_CHECKING, Any

from archive.store.state import UrlState

if TYPE_CHECKING:
    from redis import Redis

MAX_STATE_BYTES = 1024 * 1024  # one URL's state is a few hundred bytes: anything far bigger is none of ours
KNOWN_FIELDS = frozenset(f.name for f in fields(UrlState))


class RedisState:
    """``StateStore`` on a Redis server (``decode_responses`` client or not)."""

    def __init__(self, server: Redis, prefix: str = "souverain:state") -> None:
        """Bind the store to its keys.

        Args:
            server: the Redis client.
            prefix: the keys' prefix (one store per prefix).
        """
        self.server = server
        self.prefix = prefix

    @property
    def path(self) -> str:
        """Where the store is: its keys' prefix (named in a disk-full message)."""
        return f"Redis keys {self.prefix}:*"

    def get(self, url: str) -> UrlState | None:
        """Return what is known of a URL, or None."""
        raw = self.server.hget(f"{self.prefix}:urls", url)
        return None if raw is None else parse_state(raw)

    def put(self, state: UrlState) -> None:
        """Store (insert or replace) a URL's state, and index it by site and kind."""
        values = asdict(state)
        values["sources"] = sorted(set(state.sources))
        pipe = self.server.pipeline()
        pipe.hset(f"{self.prefix}:urls", state.url, json.dumps(values, sort_keys=True))
        pipe.sadd(f"{self.prefix}:{state.site}:{state.kind}", state.url)
        pipe.execute()

    def articles(self, site: str) -> list[UrlState]:
        """Return every known article URL of a site, in URL order."""
        return self._of_kind(site, "article")

    def discovery_pages(self, site: str) -> list[UrlState]:
        """Return every known discovery page of a site, in URL order."""
        return self._of_kind(site, "discovery")

    def _of_kind(self, site: str, kind: str) -> list[UrlState]:
        """Return the known URLs of one kind of a site, in URL order."""
        urls = sorted(str(u, "utf-8") if isinstance(u, bytes) else str(u)
                      for u in self.server.smembers(f"{self.prefix}:{site}:{kind}"))
        found = []
        for start in range(0, len(urls), 500):
            batch = urls[start:start + 500]
            found += [parse_state(raw) for raw in self.server.hmget(f"{self.prefix}:urls", batch) if raw is not None]
        return found

    def commit(self, *, every: int = 1) -> None:
        """Nothing to do: every write is already on the server (``every`` as in ``SqliteState.commit``)."""

    def close(self) -> None:
        """Let go of the connection."""
        self.server.close()


def parse_state(raw: str | bytes) -> UrlState:
    """Return a stored state, checked (a state has the fields of ``UrlState`` and a URL).

    Raises:
        ValueError: for something that is no stored state.
    """
    if len(raw) > MAX_STATE_BYTES:
        raise ValueError(f"a stored URL state of {len(raw)} bytes is more than {MAX_STATE_BYTES}")
    values: Any = json.loads(raw)
    if not isinstance(values, dict) or not isinstance(values.get("url"), str) or set(values) - KNOWN_FIELDS:
        raise ValueError("a stored URL state is no UrlState")
    values["sources"] = [str(s) for s in values.get("sources") or []]
    return UrlState(**values)
