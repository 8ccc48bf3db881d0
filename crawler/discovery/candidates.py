"""The ledger's candidates in a run-scoped SQLite table: one row per offered URL, on disk, not in memory.

A site's sitemaps offer every post it ever published (a million URLs and more), nearly all of them skipped. Held
as objects, that cost about 2.5 kB a URL; with this table the process keeps SQLite's page cache (``CACHE_KIB``)
and the ``RECENT`` candidates last written (a URL is offered, then skipped or fetched at once: those writes stay
in memory and reach SQLite a thousand at a time), whatever the number of rows. The table lives as long as the
crawl, in SQLite's private temporary database, off the output disk (whose filling up the crawl must survive).
"""

from __future__ import annotations

import contextlib
import sqlite3
from dataclasses import dataclass
from typing import TYPE_CHECKING

from archive.reasons import Category, Reason

if TYPE_CHECKING:
    from collections.abc import Iterator

SKIPPED, FETCHED, KEPT, UNCHANGED, REJECTED = "skipped", "fetched", "kept", "unchanged", "rejected"
ELSEWHERE = "elsewhere"  # a distributed run's candidate that another worker requested and judged
CACHE_KIB = 8192  # SQLite's page cache: what the table may hold in memory
RECENT = 4096  # candidates last written, kept as objects before they go to SQLite

_COLUMNS = "url, sources, hint, state, category, detail, lastmod, promise"
_SCHEMA = """CREATE TABLE candidate (url TEXT PRIMARY KEY, sources TEXT NOT NULL, hint REAL NOT NULL, state TEXT NOT NULL,
category TEXT, detail TEXT NOT NULL, lastmod TEXT, promise TEXT NOT NULL) WITHOUT ROWID"""


@dataclass
class Candidate:
    """One candidate URL: its sources (in order of discovery), best hint, state and reason."""

    url: str
    sources: list[str]
    hint: float
    state: str = SKIPPED
    reason: Reason | None = None
    lastmod: str | None = None  # the latest sitemap <lastmod> offered for it
    promise: str = ""  # why its best offer was promising (or not): "hint 5", "listed on tag page numergy"…


Row = tuple[str, str, float, str, str | None, str, str | None, str]


def _candidate(row: Row) -> Candidate:
    """Build a candidate from its row."""
    url, sources, hint, state, category, detail, lastmod, promise = row
    reason = Reason(Category(category), detail) if category is not None else None
    return Candidate(url, sources.split(","), hint, state, reason, lastmod, promise)


def _row(candidate: Candidate) -> Row:
    """Return the row of a candidate."""
    reason = candidate.reason
    return (candidate.url, ",".join(candidate.sources), candidate.hint, candidate.state,
            reason.category.value if reason is not None else None, reason.detail if reason is not None else "",
            candidate.lastmod, candidate.promise)


class CandidateTable:
    """Candidates by URL, in SQLite: ``get`` one, change it, ``put`` it back."""

    def __init__(self) -> None:
        """Open a fresh table: SQLite's private temporary database (its file in the system's temporary folder,
        unlinked at once: gone when the table is closed or the process dies)."""
        self.db = sqlite3.connect("", check_same_thread=False)
        for pragma in ("journal_mode=OFF", "synchronous=OFF", f"cache_size=-{CACHE_KIB}", "temp_store=FILE"):
            self.db.execute(f"PRAGMA {pragma}")
        self.db.execute(_SCHEMA)
        self.recent: dict[str, Candidate] = {}  # written last, not yet in SQLite; oldest first

    def get(self, url: str) -> Candidate | None:
        """Return the candidate of a URL (``put`` it back after a change), None if unknown."""
        if (candidate := self.recent.get(url)) is not None:
            return candidate
        row = self.db.execute(f"SELECT {_COLUMNS} FROM candidate WHERE url = ?", (url,)).fetchone()
        return _candidate(row) if row is not None else None

    def __contains__(self, url: object) -> bool:
        """Tell whether a URL was offered."""
        return url in self.recent or self.db.execute(
            "SELECT 1 FROM candidate WHERE url = ?", (url,)).fetchone() is not None

    def put(self, candidate: Candidate) -> None:
        """Write a candidate (new or changed)."""
        self.recent.pop(candidate.url, None)
        self.recent[candidate.url] = candidate
        if len(self.recent) > RECENT:
            self.flush(RECENT // 4)

    def flush(self, count: int | None = None) -> None:
        """Write the oldest ``count`` recent candidates (all of them: None) to SQLite."""
        urls = list(self.recent)[:count]
        self.db.executemany(f"INSERT OR REPLACE INTO candidate ({_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                            [_row(self.recent.pop(url)) for url in urls])
        self.db.commit()

    def set_pending_reason(self, reason: Reason) -> None:
        """Give every fetched candidate (requested, never judged) a reason."""
        self.flush()
        self.db.execute("UPDATE candidate SET category = ?, detail = ? WHERE state = ?",
                        (reason.category.value, reason.detail, FETCHED))
        self.db.commit()

    def set_elsewhere(self, other_worker: Reason) -> None:
        """Mark the candidates another worker dealt with: requested here and never judged (the shared queue gave
        them to another worker), or skipped with ``other_worker`` (another worker had requested them)."""
        self.flush()
        self.db.execute("UPDATE candidate SET state = ?, category = NULL, detail = '' WHERE state = ? OR "
                        "(state = ? AND category = ? AND detail = ?)",
                        (ELSEWHERE, FETCHED, SKIPPED, other_worker.category.value, other_worker.detail))
        self.db.commit()

    def values(self, *, requested_only: bool = False) -> Iterator[Candidate]:
        """Yield every candidate (or only those requested), by URL, one at a time."""
        self.flush()
        where = " WHERE state != ?" if requested_only else ""
        query = f"SELECT {_COLUMNS} FROM candidate{where} ORDER BY url"
        for row in self.db.execute(query, (SKIPPED,) if requested_only else ()):
            yield _candidate(row)

    def __len__(self) -> int:
        """Return the number of candidates."""
        self.flush()
        count: int = self.db.execute("SELECT count(*) FROM candidate").fetchone()[0]
        return count

    def close(self) -> None:
        """Close the table (SQLite deletes its file)."""
        with contextlib.suppress(sqlite3.Error):
            self.db.close()
