"""Deterministic article corpus of the mirror: which articles exist, where, and how they are discovered.

``build_corpus(seed, articles, exclusive_share, edition, skin)``: edition 0 is the site as first crawled; later
editions (``editions``) revise and add articles on top of it without touching anything else; a skin other than
"default" (``skins``) gives some articles other slugs, hence other URL paths.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
import unicodedata
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

from crawler.mirror.skins import apply_slugs, get_skin, slug_names_topic

PARIS = ZoneInfo("Europe/Paris")
SITES = ("clubic", "numerama")
CHANNELS = ("sitemap", "tag", "search", "feed", "related")
KINDS = ("on_topic", "decoy", "souverain_other", "off_topic")
FEED_SIZE = 20

CLUBIC_FLAT = dt.datetime(2020, 1, 1, tzinfo=PARIS)  # Clubic's article URLs lose their section from then on

NUMERAMA_SECTIONS = {
    "tech": "Tech", "politique": "Politique", "business": "Business", "sciences": "Sciences",
    "cyberguerre": "Cyberguerre", "pop-culture": "Pop culture", "vroom": "Vroom",
}
# Words Clubic leaves out of its slugs.
CLUBIC_STOPWORDS = frozenset(
    "le la les l de du des d un une et a au aux en pour par sur dans son sa ses ce que qui est se s ne pas plus "
    "avec ou tout il elle on nous vous leur leurs y".split()
)


def fold(text: str) -> str:
    """Fold accents, case and typographic apostrophes for matching.

    Args:
        text: any text.

    Returns:
        The lower-case text without diacritics, with ’ as '.
    """
    decomposed = unicodedata.normalize("NFKD", text.replace("’", "'").replace("œ", "oe").replace("Œ", "Oe"))
    return "".join(c for c in decomposed if not unicodedata.combining(c)).lower()


def slugify(text: str, *, drop_apostrophes: bool = False) -> str:
    """Make a URL slug the way the sites do.

    Args:
        text: a title or tag name.
        drop_apostrophes: remove apostrophes without a dash (WordPress: "s'achève" -> "sacheve").

    Returns:
        Lower-case ASCII words joined by dashes.
    """
    folded = fold(text)
    if drop_apostrophes:
        folded = folded.replace("'", "")
    return re.sub(r"[^a-z0-9]+", "-", folded).strip("-")


@dataclass(slots=True, eq=False)
class Article:
    """One article of the corpus, with everything needed to render and discover it."""

    index: int
    site: str
    id: int
    slug: str
    section: str
    section_name: str
    section_path: str
    title: str
    authors: tuple[str, ...]
    author_keys: tuple[str, ...]
    published: dt.datetime
    modified: dt.datetime
    tags: tuple[str, ...]
    paragraphs: tuple[str, ...]
    kind: str
    pages: int = 1
    related: tuple[int, ...] = ()
    channels: frozenset[str] = frozenset()
    exclusive: str = ""
    comments: tuple[tuple[str, str], ...] = ()
    change: str = ""  # what the corpus edition changed: "", "text", "chrome" or "new"

    @property
    def on_topic(self) -> bool:
        """Whether the article is about the cloud souverain."""
        return self.kind == "on_topic"

    @property
    def page_paths(self) -> tuple[str, ...]:
        """URL paths of all pages, in order (one path for a single-page article)."""
        if self.site == "numerama":
            return (f"/{self.section_path}/{self.id}-{self.slug}.html",)
        if self.pages > 1:
            return tuple(f"/{self.section_path}/article-{self.id}-{n}-{self.slug}.html"
                         for n in range(1, self.pages + 1))
        if self.published >= CLUBIC_FLAT:
            return (f"/actualite-{self.id}-{self.slug}.html",)
        return (f"/{self.section_path}/actualite-{self.id}-{self.slug}.html",)

    @property
    def path(self) -> str:
        """URL path of the article (its first page)."""
        return self.page_paths[0]

    @property
    def last_modified(self) -> dt.datetime:
        """The later of published and modified (what a server reports as Last-Modified)."""
        return max(self.published, self.modified)

    def page_paragraphs(self, page: int) -> tuple[str, ...]:
        """Paragraphs shown on one page.

        Args:
            page: page number, from 1.

        Returns:
            The paragraphs of that page (all of them for a single-page article).
        """
        per = -(-len(self.paragraphs) // self.pages)
        return self.paragraphs[(page - 1) * per: page * per]

    @property
    def ad_salt(self) -> str:
        """Salt of the page's ad tokens: rotated when the edition changed the article's chrome."""
        return "|rotated" if self.change == "chrome" else ""

    @property
    def text(self) -> str:
        """The article text: its paragraphs joined by newlines, all pages."""
        return "\n".join(self.paragraphs)

    @property
    def snippet(self) -> str:
        """First sentence-ish excerpt used in listings and feeds."""
        first = self.paragraphs[0]
        return first if len(first) <= 220 else first[:217].rsplit(" ", 1)[0] + "…"


@dataclass(eq=False)
class Corpus:
    """All articles of both sites, with the listings the servers show."""

    seed: int
    articles: list[Article]
    exclusive_share: float
    edition: int = 0
    skin: str = "default"
    by_path: dict[str, dict[str, tuple[Article, int]]] = field(default_factory=dict)
    tags: dict[str, dict[str, tuple[str, list[Article]]]] = field(default_factory=dict)

    def site_articles(self, site: str) -> list[Article]:
        """Articles of one site, oldest first.

        Args:
            site: "clubic" or "numerama".

        Returns:
            The articles of that site in publication order.
        """
        return [a for a in self.articles if a.site == site]

    def listed(self, site: str, channel: str) -> list[Article]:
        """Articles of a site that a channel may list, newest first.

        Args:
            site: "clubic" or "numerama".
            channel: one of CHANNELS ("feed" also covers home, section and author listings).

        Returns:
            Articles not reserved to another channel, newest first.
        """
        return self._listed(site, channel)

    @functools.cache  # noqa: B019 - a corpus lives as long as the process serving it
    def _listed(self, site: str, channel: str) -> list[Article]:
        return [a for a in reversed(self.articles)
                if a.site == site and (not a.exclusive or a.exclusive == channel)]

    def search(self, site: str, query: str) -> list[Article]:
        """Accent- and case-folded substring search over title and text, newest first.

        Args:
            site: "clubic" or "numerama".
            query: the words typed by the user.

        Returns:
            Matching articles searchable on that site, newest first.
        """
        return self._search(site, fold(query).strip())

    @functools.lru_cache(maxsize=512)  # noqa: B019
    def _search(self, site: str, needle: str) -> list[Article]:
        if not needle:
            return []
        return [a for a in self.listed(site, "search") if needle in self._folded(a.index)]

    @functools.cache  # noqa: B019
    def _folded(self, index: int) -> str:
        article = self.articles[index]
        return fold(article.title + "\n" + article.text)

    def edition_changes(self) -> dict[str, list[str]]:
        """Articles the corpus edition changed, by kind of change.

        Returns:
            {"text": [...], "chrome": [...], "new": [...]}: URL paths, in publication order (all empty in edition 0).
        """
        return {kind: [a.path for a in self.articles if a.change == kind] for kind in ("text", "chrome", "new")}

    def truth(self) -> list[dict[str, Any]]:
        """Ground truth for tests: one dict per article.

        Returns:
            Dicts with site, url_path, page_paths (as served by this skin), kind, on_topic, published, title,
            authors, section, tags, channels, exclusive (the one channel an article is reserved to, or None),
            slug_names_topic (whether the slug holds a word of the topic, ``skins.slug_names_topic``), text (as
            served by this edition) and edition_change ("text", "chrome", "new" or None), in publication order.
        """

        return [
            {
                "site": a.site, "url_path": a.path, "page_paths": list(a.page_paths), "kind": a.kind,
                "on_topic": a.on_topic, "published": a.published.isoformat(), "modified": a.modified.isoformat(),
                "title": a.title, "authors": list(a.authors), "section": a.section_name, "tags": list(a.tags),
                "channels": sorted(a.channels), "exclusive": a.exclusive or None,
                "slug_names_topic": slug_names_topic(a.slug), "text": a.text, "edition_change": a.change or None,
            }
            for a in self.articles
        ]


def build_corpus(seed: int = 0, articles: int = 360, exclusive_share: float = 0.0, edition: int = 0,
                 skin: str = "default") -> Corpus:
    """Generate the corpus of both sites.

    Args:
        seed: seed of the random generator: same seed and size give the same corpus.
        articles: number of articles over both sites.
        exclusive_share: share of on-topic articles reachable through exactly one non-sitemap channel.
        edition: 0 for the site as first crawled, 1 and 2 for later states (see ``editions``).
        skin: one of ``skins.SKIN_NAMES``; only the slugs of some on-topic articles depend on it.

    Returns:
        The corpus, articles in publication order, with related links and discovery channels computed.

    Raises:
        ValueError: unknown skin or edition.
    """
    from crawler.mirror.editions import later_edition  # deferred: both build on this module
    from crawler.mirror.generate import first_edition
    from crawler.mirror.listings import index_listings

    style = get_skin(skin)
    corpus = first_edition(seed, articles, exclusive_share)
    if edition:
        corpus = later_edition(corpus, edition)
    if style is not None:
        apply_slugs(corpus, style)
        index_listings(corpus)
    corpus.skin = skin
    return corpus
