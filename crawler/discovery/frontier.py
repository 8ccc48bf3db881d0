"""The frontier: decides, before any request is built, whether a candidate URL is worth fetching."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from posixpath import basename
from typing import TYPE_CHECKING, Any
from urllib.parse import urldefrag, urlsplit

from archive.reasons import Category, Reason
from archive.store.state import UNREAD
from crawler.discovery.generic import Navigation
from crawler.discovery.ledger import SKIPPED, Ledger
from crawler.discovery.revisit import RevisitPolicy

if TYPE_CHECKING:
    from archive.store.state import StateStore, UrlState
    from crawler.discovery.parsers import Entry
    from crawler.discovery.window import DateWindow
    from crawler.profiles import SiteProfile


# Skips that a later offer of the same URL may overturn (a snippet full of topic terms, a listing of the topic,
# a link from an on-topic article, a new sitemap lastmod).
REOPENED = (Category.UNPROMISING, Category.NOT_DUE)
# Promise of a URL listed on a topic tag page, topic search or topic feed, whatever its slug says (the weight of
# a strong term): the site itself files it under the topic.
TOPIC_LISTING_PROMISE = 5.0
# Share of an article's relevance score its links inherit (Chakrabarti et al.'s focused crawler), less from an
# off-topic article. The inherited part ranks links that are promising on their own words; it makes promising by
# itself only a link that has no words (an image link) on an on-topic article: words are the better evidence,
# and an on-topic article also links to off-topic ones ("most read", the same section).
ON_TOPIC_SHARE = 0.5
OFF_TOPIC_SHARE = 0.1


@dataclass(frozen=True)
class Context:
    """Where an entry was found, as far as its promise goes: a listing of the topic (``topic_listing`` names
    it: "tag page numergy"), or an article whose relevance is known (``parent``, its score and verdict)."""

    topic_listing: str = ""
    parent: str = ""
    parent_score: float = 0.0
    parent_on_topic: bool = False
# Verdicts that a later run does not question (a changed date window or topic does re-open the others).
FINAL_OUTCOMES = (Category.OFF_TOPIC, Category.NOT_AN_ARTICLE, Category.DUPLICATE)


class Frontier:
    """Scores candidates from what is known before fetching (URL slug, title, snippet, dates) and records them."""

    def __init__(self, profile: SiteProfile, hint: Callable[[str], float], window: DateWindow,
                 min_hint: float = 0.0, *, state: StateStore | None = None, run_id: str = "",
                 revisit: RevisitPolicy | None = None, ledger: Ledger | None = None) -> None:
        self.profile = profile
        self.hint = hint
        self.window = window
        self.min_hint = min_hint
        self.state = state
        self.run_id = run_id
        self.revisit = revisit or RevisitPolicy()
        self.now = datetime.now(UTC)
        self.ledger = ledger if ledger is not None else Ledger()  # the crawler's, else one of its own
        self.navigation = Navigation(profile.match_article)
        self.held: dict[str, list[Entry]] = {}

    def previous_fetch(self, url: str) -> UrlState | None:
        """Return what an earlier run stored of a URL (None if unknown, or fetched by this very run)."""
        known = self.state.get(url) if self.state is not None else None
        return known if known is not None and known.run_id != self.run_id else None

    def kept_before(self) -> list[str]:
        """Return the articles of the site that earlier runs kept (to be re-checked when due)."""
        known = self.state.articles(self.profile.name) if self.state is not None else []
        return [k.url for k in known if k.outcome == "kept" and k.run_id != self.run_id]

    def sitemap_changed(self, entry: Entry) -> bool:
        """Tell whether a sitemap of an index may have changed since an earlier run read it to the end (by the
        lastmod the index gives it and the profile's revisit policy)."""
        previous = self.previous_fetch(entry.url)
        return not (previous is not None and previous.status == 200 and previous.outcome != UNREAD and entry.lastmod
                    and not self.revisit.is_due(previous, self.now, entry.lastmod))

    def discovery_skip(self, url: str) -> Reason | None:
        """Tell why a discovery page is not to be read this run (None: it is due), by its change history."""
        return self.revisit.discovery_skip(self.state.get(url) if self.state is not None else None, self.now)

    def known_before(self, entries: list[Entry]) -> bool:
        """Tell whether an earlier run fetched every entry of a page, and this run none (the page holds nothing
        new; a resumed run's own fetches count as new, as they did for the run it continues)."""
        return self.state is not None and all(self.previous_fetch(urldefrag(e.url)[0]) is not None for e in entries)

    def own_hint(self, entry: Entry) -> float:
        """Return the topic's hint on an entry's URL slug, title and snippet."""
        slug = basename(urlsplit(entry.url).path).rsplit(".", 1)[0]
        return self.hint(" ".join((slug, entry.title, entry.summary)))

    def promise(self, entry: Entry, context: Context | None = None) -> tuple[float, str]:
        """Return the pre-fetch promise of an entry, and why: its own hint, raised by where it was found.

        Args:
            entry: the URL and what the source says of it.
            context: the topic listing or the article it was found on, if any.

        Returns:
            The promise and its reason, in the ledger's words.
        """
        hint = self.own_hint(entry)
        why = f"hint {hint:g}"
        if context is None:
            return hint, why
        if context.topic_listing and hint < TOPIC_LISTING_PROMISE:
            return TOPIC_LISTING_PROMISE, f"listed on {context.topic_listing}"
        if context.parent and (hint > self.min_hint or (context.parent_on_topic and not entry.title.strip())):
            share = ON_TOPIC_SHARE if context.parent_on_topic else OFF_TOPIC_SHARE
            inherited = share * max(context.parent_score, 0.0)
            verdict = "on-topic" if context.parent_on_topic else "off-topic"
            return hint + inherited, f"{why} + {share:g} × score {context.parent_score:g} of {verdict} {context.parent}"
        return hint, why

    def is_promising(self, entry: Entry) -> bool:
        """Tell whether an entry would be fetched on its own merits (slug, title, snippet; date window)."""
        return self.own_hint(entry) > self.min_hint and self.window.contains(entry.published)

    def hold(self, article_url: str, entries: list[Entry]) -> None:
        """Keep an article's related links (page after page) until its relevance is known: extraction and
        scoring run in the pipelines, after the spider has read the page."""
        if entries:
            self.held.setdefault(article_url, []).extend(entries)

    def release(self, article_url: str, relevance: dict[str, Any] | None) -> tuple[list[Entry], Context | None]:
        """Return the related links held for an article, with the context its relevance gives them.

        Args:
            article_url: the article's first URL.
            relevance: its ``relevance`` record (score, on_topic), or None when it never got one (not an
                article, out of the date window, failed): its links are then judged on their own merits.

        Returns:
            The entries (none if nothing was held) and their context.
        """
        entries = self.held.pop(article_url, [])
        if relevance is None:
            return entries, None
        return entries, Context(parent=article_url, parent_score=float(relevance.get("score", 0.0)),
                                parent_on_topic=bool(relevance.get("on_topic")))

    def listing_worth_following(self, entries: list[Entry]) -> bool:
        """Tell whether the next page of a (newest-first) listing may still hold promising entries.

        True when this page has a promising entry, or entries published after the window (the listing has
        not reached the window yet).
        """
        return any(map(self.is_promising, entries)) or any(map(self.window.is_after, (e.published for e in entries)))

    def offer(self, entry: Entry, source: str, context: Context | None = None) -> int | None:
        """Offer a discovered URL.

        Args:
            entry: the URL and what the source says of it.
            source: the discovery source.
            context: where the source found it (a topic listing, an article of known relevance).

        Returns:
            The request priority when the URL is to be fetched now; None when it is no article URL of the
            site, already requested, or skipped (the ledger says why).
        """
        url = urldefrag(entry.url)[0]
        if self.profile.match_article(url) is None:
            return None
        hint, why = self.promise(entry, context)
        candidate, _ = self.ledger.discover(url, source, hint, entry.lastmod, why)
        if candidate.state != SKIPPED or (candidate.reason and candidate.reason.category not in REOPENED):
            return None
        previous = self.previous_fetch(url)
        if previous is not None and previous.outcome in FINAL_OUTCOMES:
            self.ledger.skip(url, Reason(Category.KNOWN, f"{previous.outcome} when fetched on {previous.last_fetched}"))
            return None
        if previous is not None and previous.outcome == "kept":
            if not self.revisit.is_due(previous, self.now, entry.lastmod):
                self.ledger.skip(url, Reason(Category.NOT_DUE, f"fetched on {previous.last_fetched}"))
            else:
                self.ledger.fetch(url)
                return min(int(candidate.hint * 10), 1000)
            return None
        if not self.window.contains(entry.published):
            self.ledger.skip(url, Reason(Category.OUT_OF_DATE_WINDOW, f"published {entry.published}"))
        elif self.window.excludes_lastmod(entry.lastmod):
            self.ledger.skip(url, Reason(Category.OUT_OF_DATE_WINDOW, f"modified {entry.lastmod}"))
        elif candidate.hint <= self.min_hint:
            self.ledger.skip(url, Reason(Category.UNPROMISING, f"hint {candidate.hint:g} <= {self.min_hint:g}"))
        else:
            self.ledger.fetch(url)
            return min(int(candidate.hint * 10), 1000)
        return None
