"""Revisit policy: when a known article is due to be checked again (recent ones often, old ones rarely), and when
a discovery page (listing, feed, sitemap) is, from how often it changed (Heritrix's WaitEvaluator: the wait
doubles after a check that found it unchanged, halves after one that found it changed, within the profile's
bounds); a page that answered 404 or 410 is checked again ``gone_days`` later."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from archive.reasons import Category, Reason
from archive.store.state import HISTORY_BITS, UNREAD

if TYPE_CHECKING:
    from collections.abc import Iterable

    from archive.store.state import StateStore, UrlState

# A discovery page is due this share of its wait early: a run scheduled every day finds a page whose wait is one
# day due, though the page was fetched a little after the previous run started.
EARLY_SHARE = 0.1
GONE = (404, 410)


def parse_time(value: str | None) -> datetime | None:
    """Return an ISO 8601 date-time (``Z`` allowed) as an aware datetime, or None."""
    if not value:
        return None
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


@dataclass(frozen=True)
class RevisitPolicy:
    """Articles published less than ``recent_days`` ago are re-checked every ``recent_every``, others every
    ``old_every``; a sitemap ``lastmod`` other than the one seen at the last fetch makes a page due at once."""

    recent_days: float = 7.0
    recent_every: timedelta = timedelta(days=1)
    old_every: timedelta = timedelta(days=30)
    everything: bool = False
    discovery_min: timedelta = timedelta(hours=12)
    discovery_max: timedelta = timedelta(days=14)
    gone: timedelta = timedelta(days=28)

    @classmethod
    def from_dict(cls, data: dict[str, float], *, everything: bool = False) -> RevisitPolicy:
        """Build a policy from a profile's ``[revisit]`` table (``recent_days``, ``recent_every_hours``,
        ``old_every_days``; ``discovery_min_hours``, ``discovery_max_days``, ``gone_days``); ``everything`` makes
        every known article and discovery page due (``souverain crawl --recheck``)."""
        return cls(recent_days=float(data.get("recent_days", 7)),
                   recent_every=timedelta(hours=float(data.get("recent_every_hours", 24))),
                   old_every=timedelta(days=float(data.get("old_every_days", 30))), everything=everything,
                   discovery_min=timedelta(hours=float(data.get("discovery_min_hours", 12))),
                   discovery_max=timedelta(days=float(data.get("discovery_max_days", 14))),
                   gone=timedelta(days=float(data.get("gone_days", 28))))

    def next_wait(self, state: UrlState, changed: bool) -> timedelta:
        """Return the wait before a discovery page's next check, after one that found it changed or not.

        Args:
            state: what is known of the page (``wait_seconds``: the wait set after the previous check).
            changed: whether this check found its entries changed (a first check counts as changed).

        Returns:
            ``discovery_min`` after the first check (or the first since the page answered 404/410), else the
            previous wait halved (changed) or doubled (unchanged), within ``discovery_min`` and ``discovery_max``;
            ``gone`` for a page that answered 404/410.
        """
        if state.status in GONE:
            return self.gone
        if state.wait_seconds is None:
            return self.discovery_min
        wait = timedelta(seconds=state.wait_seconds) * (0.5 if changed else 2.0)
        return min(max(wait, self.discovery_min), self.discovery_max)

    def checked(self, state: UrlState, changed: bool, now: datetime) -> None:
        """Record a check of a discovery page in its change history and set its next check.

        Args:
            state: the page's state (its ``status`` the answer of this check), updated in place.
            changed: whether its entries changed since the previous check.
            now: the time of the check (aware).
        """
        wait = self.next_wait(state, changed)
        state.checks += 1
        state.history = ((state.history << 1) | int(changed)) & ((1 << HISTORY_BITS) - 1)
        # A gone page keeps no wait: the page that comes back (a tag created) starts again at discovery_min.
        state.wait_seconds = None if state.status in GONE else wait.total_seconds()
        state.next_check = (now + wait).isoformat(timespec="seconds")

    def discovery_skip(self, state: UrlState | None, now: datetime) -> Reason | None:
        """Tell why a discovery page is not to be read now (None: it is due).

        Args:
            state: what is known of the page (None: never fetched).
            now: the current time (aware).

        Returns:
            None when ``everything`` is set, the page was never checked, its last read was not finished
            (``UNREAD``) or its next check has come (within ``EARLY_SHARE`` of its wait); else a NOT_DUE reason
            ("unchanged 5 times, next check 2026-12-09").
        """
        due = parse_time(state.next_check) if state is not None else None
        if self.everything or state is None or due is None or state.outcome == UNREAD:
            return None
        if now >= due - timedelta(seconds=(state.wait_seconds or 0) * EARLY_SHARE):
            return None
        when = due.date().isoformat()
        if state.status in GONE:
            return Reason(Category.NOT_DUE, f"answered {state.status} on {(state.last_fetched or '')[:10]}, "
                                            f"next check {when}")
        return Reason(Category.NOT_DUE, f"{history_words(state)}, next check {when}")

    def is_due(self, state: UrlState, now: datetime, lastmod: str | None = None) -> bool:
        """Tell whether a known article should be fetched again now.

        Args:
            state: what is known of it.
            now: the current time (aware).
            lastmod: the site's last-modified date for it, when a sitemap gives one.

        Returns:
            True when never fetched, when the site's lastmod changed since the last fetch (or, never seen before,
            is later than it), when ``everything`` is set, or when its interval has passed.
        """
        fetched = parse_time(state.last_fetched)
        if self.everything or fetched is None or self.site_changed(state, lastmod, fetched):
            return True
        published = parse_time(state.published)
        if published is None and state.kind != "article":
            return False  # a discovery page (sitemap) is re-read when its lastmod says so
        recent = published is not None and now - published <= timedelta(days=self.recent_days)
        return now - fetched >= (self.recent_every if recent else self.old_every)

    @staticmethod
    def site_changed(state: UrlState, lastmod: str | None, fetched: datetime) -> bool:
        """Tell whether a sitemap ``lastmod`` says the page changed since it was fetched."""
        if not lastmod:
            return False
        if state.site_lastmod:
            return lastmod != state.site_lastmod
        changed = parse_time(lastmod)
        return changed is not None and changed > fetched


def unchanged_streak(state: UrlState) -> int:
    """Return how many of a discovery page's last checks in a row found it unchanged."""
    streak = 0
    while streak < min(state.checks, HISTORY_BITS) and not state.history >> streak & 1:
        streak += 1
    return streak


def history_words(state: UrlState) -> str:
    """Return a discovery page's change history in words: "unchanged 5 times" or "changed at the last check"."""
    streak = unchanged_streak(state)
    if streak == 0:
        return "changed at the last check" if state.checks > 1 else "read once"
    return f"unchanged {streak} time{'s' if streak > 1 else ''}"


def entries_digest(lines: Iterable[str]) -> str:
    """Return the digest of what a discovery page lists (one line an entry, in page order): its relevant part."""
    digest = hashlib.sha256()
    for line in lines:
        digest.update(line.encode("utf-8", "surrogatepass") + b"\n")
    return f"sha256:{digest.hexdigest()}"


def age_discovery_pages(store: StateStore, sites: Iterable[str], elapsed: timedelta) -> None:
    """Move the next check of every discovery page of ``sites`` ``elapsed`` earlier: what waiting that long does
    (for tests and benchmarks, which do not wait on the clock).

    Args:
        store: the state store (committed here).
        sites: the site names.
        elapsed: the time to pretend has passed.
    """
    for site in sites:
        for state in store.discovery_pages(site):
            if (due := parse_time(state.next_check)) is not None:
                state.next_check = (due - elapsed).isoformat(timespec="seconds")
                store.put(state)
    store.commit()
