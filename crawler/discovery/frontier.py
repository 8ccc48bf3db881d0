"""The frontier: decides, before any request is built, whether a candidate URL is worth fetching."""

from __future__ import annotations

from datetime import datetime, timezone
from posixpath import basename
from typing import TYPE_CHECKING, Callable
from urllib.parse import urldefrag, urlsplit

from crawler.discovery.ledger import SKIPPED, Ledger
from crawler.discovery.revisit import RevisitPolicy

if TYPE_CHECKING:
    from archive.state import StateStore, UrlState
    from crawler.discovery.parsers import Entry
    from crawler.discovery.window import DateWindow
    from crawler.profiles import SiteProfile


# Skips that a later offer of the same URL may overturn (a snippet full of topic terms, a new sitemap lastmod).
REOPENED = ("unpromising", "not due")
# Verdicts that a later run does not question (a changed date window or topic does re-open the others).
FINAL_OUTCOMES = ("off-topic", "not an article", "duplicate")


class Frontier:
    """Scores candidates from what is known before fetching (URL slug, title, snippet, dates) and records them."""

    def __init__(self, profile: SiteProfile, hint: Callable[[str], float], window: DateWindow,
                 min_hint: float = 0.0, *, state: StateStore | None = None, run_id: str = "",
                 revisit: RevisitPolicy | None = None) -> None:
        self.profile = profile
        self.hint = hint
        self.window = window
        self.min_hint = min_hint
        self.state = state
        self.run_id = run_id
        self.revisit = revisit or RevisitPolicy()
        self.now = datetime.now(timezone.utc)
        self.ledger = Ledger()

    def previous_fetch(self, url: str) -> UrlState | None:
        """Return what an earlier run stored of a URL (None if unknown, or fetched by this very run)."""
        known = self.state.get(url) if self.state is not None else None
        return known if known is not None and known.run_id != self.run_id else None

    def promise(self, entry: Entry) -> float:
        """Return the pre-fetch promise of an entry: the topic's hint on its URL slug, title and snippet."""
        slug = basename(urlsplit(entry.url).path).rsplit(".", 1)[0]
        return self.hint(" ".join((slug, entry.title, entry.summary)))

    def is_promising(self, entry: Entry) -> bool:
        """Tell whether an entry would be fetched on its own merits (promise and date window)."""
        return self.promise(entry) > self.min_hint and self.window.contains(entry.published)

    def listing_worth_following(self, entries: list[Entry]) -> bool:
        """Tell whether the next page of a (newest-first) listing may still hold promising entries.

        True when this page has a promising entry, or entries published after the window (the listing has
        not reached the window yet).
        """
        return any(map(self.is_promising, entries)) or any(map(self.window.is_after, (e.published for e in entries)))

    def offer(self, entry: Entry, source: str) -> int | None:
        """Offer a discovered URL.

        Args:
            entry: the URL and what the source says of it.
            source: the discovery source.

        Returns:
            The request priority when the URL is to be fetched now; None when it is no article URL of the
            site, already requested, or skipped (the ledger says why).
        """
        url = urldefrag(entry.url)[0]
        if self.profile.match_article(url) is None:
            return None
        hint = self.promise(entry)
        candidate, _ = self.ledger.discover(url, source, hint, entry.lastmod)
        if candidate.state != SKIPPED or (candidate.reason and not candidate.reason.startswith(REOPENED)):
            return None
        previous = self.previous_fetch(url)
        if previous is not None and previous.outcome in FINAL_OUTCOMES:
            self.ledger.skip(url, f"known: {previous.outcome} when fetched on {previous.last_fetched}")
            return None
        if previous is not None and previous.outcome == "kept":
            if not self.revisit.is_due(previous, self.now, entry.lastmod):
                self.ledger.skip(url, f"not due: fetched on {previous.last_fetched}")
            else:
                self.ledger.fetch(url)
                return min(int(candidate.hint * 10), 1000)
            return None
        if not self.window.contains(entry.published):
            self.ledger.skip(url, f"out of date window: published {entry.published}")
        elif self.window.excludes_lastmod(entry.lastmod):
            self.ledger.skip(url, f"out of date window: modified {entry.lastmod}")
        elif candidate.hint <= self.min_hint:
            self.ledger.skip(url, f"unpromising: hint {candidate.hint:g} <= {self.min_hint:g}")
        else:
            self.ledger.fetch(url)
            return min(int(candidate.hint * 10), 1000)
        return None
