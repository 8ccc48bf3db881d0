"""Crawl state across runs: what is known of every URL (fetches, validators, digests, texts, versions).

``StateStore`` is the interface; ``SqliteState`` (``OUT/state.sqlite``) is the embedded default. A distributed
mode keeps the same records in Redis behind the same interface, so nothing outside this module changes.
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import Any, Protocol

from archive.warc.writer import Capture

# Columns added after the first version (a store made before gets them when opened).
ADDED_COLUMNS = {"checks": "INTEGER NOT NULL DEFAULT 0", "history": "INTEGER NOT NULL DEFAULT 0",
                 "wait_seconds": "REAL", "next_check": "TEXT", "entries_digest": "TEXT"}
SCHEMA = f"""
CREATE TABLE IF NOT EXISTS urls (
    url TEXT PRIMARY KEY,
    site TEXT NOT NULL,
    kind TEXT NOT NULL,
    first_seen TEXT NOT NULL,
    run_id TEXT,
    last_fetched TEXT,
    status INTEGER,
    etag TEXT,
    last_modified TEXT,
    site_lastmod TEXT,
    payload_digest TEXT,
    record_id TEXT,
    record_date TEXT,
    record_status INTEGER,
    warc_file TEXT,
    warc_offset INTEGER,
    text_sha256 TEXT,
    text_run TEXT,
    outcome TEXT,
    version INTEGER NOT NULL DEFAULT 0,
    published TEXT,
    path TEXT,
    sources TEXT NOT NULL DEFAULT '[]',
    {", ".join(f"{name} {declaration}" for name, declaration in ADDED_COLUMNS.items())}
);
CREATE INDEX IF NOT EXISTS urls_site_kind ON urls (site, kind);
"""

# Outcomes of a discovery page (sitemap, listing, feed): fetched by a run that has not dealt with all its entries
# yet (running, interrupted, killed, stopped by the page budget), or by one that did. Only a read page may be
# skipped when unchanged: the entries of an unread one are read again.
UNREAD, READ = "unread", "read"
# Checks a discovery page's change history remembers (bits of ``UrlState.history``).
HISTORY_BITS = 32


@dataclass
class UrlState:
    """What is known of one URL. ``record_*``/``warc_*`` locate the last full response (not a revisit)."""

    url: str
    site: str
    kind: str  # "article" or "discovery"
    first_seen: str
    run_id: str | None = None
    last_fetched: str | None = None
    status: int | None = None
    etag: str | None = None
    last_modified: str | None = None
    site_lastmod: str | None = None  # the sitemap <lastmod> seen when it was last fetched
    payload_digest: str | None = None
    record_id: str | None = None
    record_date: str | None = None
    record_status: int | None = None
    warc_file: str | None = None
    warc_offset: int | None = None
    text_sha256: str | None = None
    text_run: str | None = None
    outcome: str | None = None  # "kept", the category of the last rejection ("off-topic"…); UNREAD/READ for pages
    version: int = 0
    published: str | None = None
    path: str | None = None
    sources: list[str] = field(default_factory=list)
    # Discovery pages' change history (crawler/discovery/revisit.py): checks made, one bit a check (newest lowest,
    # 1 = changed, the last HISTORY_BITS), the wait set after the last check, when the next one is due, and the
    # digest of the entries the page listed (its relevant part, not its bytes).
    checks: int = 0
    history: int = 0
    wait_seconds: float | None = None
    next_check: str | None = None
    entries_digest: str | None = None

    def capture(self) -> Capture | None:
        """Return the capture of the last full response (what a re-check refers to), or None if there is none.

        Returns:
            The capture; its length is not stored (None).
        """
        if not (self.record_id and self.warc_file and self.record_date and self.payload_digest):
            return None
        return Capture(warc_file=self.warc_file, offset=self.warc_offset or 0, length=None, record_id=self.record_id,
                       payload_digest=self.payload_digest, fetch_time=self.record_date,
                       status=self.record_status or 0, url=self.url)

    def record(self, capture: Capture) -> None:
        """Remember a full response (not a revisit) as the last one: where it is, its digest and status.

        Args:
            capture: where the WARC extension wrote it.
        """
        self.payload_digest, self.record_id, self.record_status = capture.payload_digest, capture.record_id, \
            capture.status
        self.record_date, self.warc_file, self.warc_offset = capture.fetch_time, capture.warc_file, capture.offset


class StateStore(Protocol):
    """The operations the crawler needs; implemented by ``SqliteState`` (and a Redis store later)."""

    def get(self, url: str) -> UrlState | None:
        """Return what is known of a URL, or None."""

    def put(self, state: UrlState) -> None:
        """Store (insert or replace) a URL's state."""

    def articles(self, site: str) -> list[UrlState]:
        """Return every known article URL of a site."""

    def discovery_pages(self, site: str) -> list[UrlState]:
        """Return every known discovery page (robots.txt, sitemap, listing, feed) of a site."""

    @property
    def path(self) -> Path | str:
        """Where the store is: its file, or its server (named in a disk-full message)."""

    def commit(self, *, every: int = 1) -> None:
        """Make the writes so far durable (on every ``every``-th call only)."""

    def close(self) -> None:
        """Commit and release the store."""


class SqliteState:
    """``StateStore`` in one SQLite file (WAL: readers never block, a killed process loses no commit)."""

    def __init__(self, path: Path) -> None:
        """Open (or create) the store.

        Args:
            path: the database file, usually ``OUT/state.sqlite``.
        """
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self.db = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute("PRAGMA synchronous=NORMAL")
        self.db.executescript(SCHEMA)
        self._add_new_columns()
        self.db.execute("BEGIN")
        self.pending = 0
        self.columns = [f.name for f in fields(UrlState)]

    def _add_new_columns(self) -> None:
        """Give a store made by an older version the columns it lacks."""
        have = {row[1] for row in self.db.execute("PRAGMA table_info(urls)")}
        for name, declaration in ADDED_COLUMNS.items():
            if name not in have:
                self.db.execute(f"ALTER TABLE urls ADD COLUMN {name} {declaration}")

    def get(self, url: str) -> UrlState | None:
        """Return what is known of a URL, or None."""
        row = self.db.execute(f"SELECT {', '.join(self.columns)} FROM urls WHERE url = ?", (url,)).fetchone()
        return self._state(row) if row else None

    def put(self, state: UrlState) -> None:
        """Store (insert or replace) a URL's state."""
        values = asdict(state)
        values["sources"] = json.dumps(sorted(set(state.sources)))
        placeholders = ", ".join("?" for _ in self.columns)
        self.db.execute(f"INSERT OR REPLACE INTO urls ({', '.join(self.columns)}) VALUES ({placeholders})",
                        [values[name] for name in self.columns])

    def articles(self, site: str) -> list[UrlState]:
        """Return every known article URL of a site, in URL order."""
        return self._of_kind(site, "article")

    def discovery_pages(self, site: str) -> list[UrlState]:
        """Return every known discovery page of a site, in URL order."""
        return self._of_kind(site, "discovery")

    def _of_kind(self, site: str, kind: str) -> list[UrlState]:
        """Return the known URLs of one kind of a site, in URL order."""
        rows = self.db.execute(f"SELECT {', '.join(self.columns)} FROM urls WHERE site = ? AND kind = ? "
                               "ORDER BY url", (site, kind))
        return [self._state(row) for row in rows]

    def commit(self, *, every: int = 1) -> None:
        """Commit the open transaction and start the next one.

        Args:
            every: commit only on every ``every``-th call (the rest stay in the open transaction, visible to
                this store's reads); ``close`` commits what is left.
        """
        self.pending += 1
        if self.pending >= every:
            self.db.execute("COMMIT")
            self.db.execute("BEGIN")
            self.pending = 0

    def close(self) -> None:
        """Commit and close the database."""
        self.db.execute("COMMIT")
        self.db.close()

    def _state(self, row: tuple[Any, ...]) -> UrlState:
        """Return a row as a UrlState."""
        values = dict(zip(self.columns, row, strict=False))
        values["sources"] = json.loads(values["sources"])
        return UrlState(**values)


def open_state(out_dir: Path) -> SqliteState:
    """Open the state store of an output folder.

    Args:
        out_dir: the output folder.

    Returns:
        The store (``OUT/state.sqlite``).
    """
    return SqliteState(out_dir / "state.sqlite")
