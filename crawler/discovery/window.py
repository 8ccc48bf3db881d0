"""Date windows (``--since``/``--until``): what can be ruled out before fetching, and after extraction."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

# A page modified before the window may still have been published in it only if modified < published,
# which happens (Numerama 2016): lastmod rules a page out only this long before ``since``.
LASTMOD_MARGIN = timedelta(days=31)


def parse_day(value: str | None) -> date | None:
    """Return the calendar day of an ISO 8601 date or date-time (in its own offset), or None."""
    if not value:
        return None
    try:
        return date.fromisoformat(value.strip()[:10])
    except ValueError:
        return None


class WindowError(ValueError):
    """A ``--since``/``--until`` that is not a date, or an empty window."""


@dataclass(frozen=True)
class DateWindow:
    """Inclusive publication-date window; an open end is None."""

    since: date | None = None
    until: date | None = None

    @classmethod
    def from_strings(cls, since: str | None, until: str | None) -> DateWindow:
        """Build a window from ``YYYY-MM-DD`` strings.

        Args:
            since: first day, or None/''.
            until: last day, or None/''.

        Returns:
            The window.

        Raises:
            WindowError: for a date that is not YYYY-MM-DD, or since after until.
        """
        bounds = []
        for name, value in (("since", since), ("until", until)):
            if value and (len(value.strip()) != 10 or parse_day(value) is None):
                raise WindowError(f"bad --{name} {value!r}: expected YYYY-MM-DD")
            bounds.append(parse_day(value))
        if bounds[0] and bounds[1] and bounds[0] > bounds[1]:
            raise WindowError(f"--since {since} is after --until {until}")
        return cls(*bounds)

    @property
    def is_open(self) -> bool:
        """Tell whether the window excludes nothing."""
        return self.since is None and self.until is None

    def contains(self, published: str | None) -> bool:
        """Tell whether a publication date is in the window (an unknown date is given the benefit of doubt)."""
        day = parse_day(published)
        if day is None:
            return True
        return (self.since is None or day >= self.since) and (self.until is None or day <= self.until)

    def is_after(self, published: str | None) -> bool:
        """Tell whether a publication date is known and later than the window's last day."""
        day = parse_day(published)
        return day is not None and self.until is not None and day > self.until

    def excludes_lastmod(self, lastmod: str | None) -> bool:
        """Tell whether a last-modified date proves the page was published before the window."""
        day = parse_day(lastmod)
        return day is not None and self.since is not None and day < self.since - LASTMOD_MARGIN

    def excludes_span(self, year: int, month: int | None = None) -> bool:
        """Tell whether a whole month, or a whole year when ``month`` is None, lies outside the window."""
        first = date(year, month or 1, 1)
        last = (date(year, month, 1) + timedelta(days=32)).replace(day=1) - timedelta(days=1) if month \
            else date(year, 12, 31)
        return (self.since is not None and last < self.since) or (self.until is not None and first > self.until)
