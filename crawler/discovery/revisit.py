"""Revisit policy: when a known article is due to be checked again (recent ones often, old ones rarely)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from archive.store.state import UrlState


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

    @classmethod
    def from_dict(cls, data: dict[str, float], *, everything: bool = False) -> RevisitPolicy:
        """Build a policy from a profile's ``[revisit]`` table (``recent_days``, ``recent_every_hours``,
        ``old_every_days``); ``everything`` makes every known article due (``souverain crawl --recheck``)."""
        return cls(recent_days=float(data.get("recent_days", 7)),
                   recent_every=timedelta(hours=float(data.get("recent_every_hours", 24))),
                   old_every=timedelta(days=float(data.get("old_every_days", 30))), everything=everything)

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
