"""The procedural mirror: a site of any size (up to ``MAX_ARTICLES``) that starts at once, for benchmarks.

``build_corpus`` draws every article up front (related links, listings, channels): minutes at 100,000 articles.
Here nothing is drawn before it is asked for: article ``j`` of a site is written when its page or its sitemap is
requested, by ``generate.make_article`` from a random generator seeded with (seed, site, j) alone, and every
date the sitemap indexes need is a formula of ``j``. What it serves: robots.txt, the sitemaps (Numerama's Yoast
index of ``post-sitemapK.xml`` files, 1000 posts each, plus the ``extras``; Clubic's index of monthly
``news-YYYY-MM.xml.gz``), the articles, the home listing and main feed (the newest articles); no tag, author or
search listing holds anything, and articles have no related links. Same seed, size and site: same bytes.
The pages of the small mirror the tests use are those of ``build_corpus``, untouched.
"""

from __future__ import annotations

import datetime as dt
import functools
import gzip
import random
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass

from crawler.mirror import extras, feeds
from crawler.mirror.corpus import FEED_SIZE, PARIS, Article, Corpus
from crawler.mirror.feeds import YOAST_PER_FILE
from crawler.mirror.generate import make_article
from crawler.mirror.response import Response
from crawler.mirror.routes import SiteRoutes

MAX_ARTICLES = 2_000_000  # over both sites: a real site's size each
FIRST_ID = 100_000  # post id of article 0 of a site (ids grow by one an article)
_START = dt.datetime(2012, 1, 2, 8, 0, tzinfo=PARIS)
_END = dt.datetime(2026, 3, 31, 20, 0, tzinfo=PARIS)
_MODIFIED_AFTER = dt.timedelta(minutes=90)  # every article is modified 90 minutes after it was published
_KINDS = ((0.10, "on_topic"), (0.16, "decoy"), (0.21, "souverain_other"))  # as ``generate``: 10 %, 6 %, 5 %
_ID = re.compile(r"(?:/|actualite-)(\d+)-[a-z0-9-]*\.html$")
_MONTH = re.compile(r"/sitemaps/news-(\d{4})-(\d{2})\.xml\.gz")
_POST_FILE = re.compile(r"/post-sitemap(\d*)\.xml")


@dataclass(frozen=True)
class Procedural:
    """What the procedural mirror serves: a seed and a number of articles over both sites (half each)."""

    seed: int
    articles: int

    def count(self, site: str) -> int:
        """Return the number of articles of one site (Clubic gets the odd one)."""
        return (self.articles + (site == "clubic")) // 2


class _Articles:
    """The articles of one site, each written when first asked for (the last ``CACHED`` ones kept)."""

    CACHED = 4096

    def __init__(self, site: str, seed: int, count: int) -> None:
        self.site, self.seed, self.count = site, seed, count
        self.step = (_END - _START) / max(count, 1)
        self.article = functools.lru_cache(maxsize=self.CACHED)(self._write)

    def published(self, j: int) -> dt.datetime:
        """Publication date of article ``j``: evenly spread over 2012-2026, in order."""
        return _START + self.step * j

    def last_modified(self, j: int) -> dt.datetime:
        """Last-Modified of article ``j`` (known without writing it)."""
        return self.published(j) + _MODIFIED_AFTER

    def first_at(self, moment: dt.datetime) -> int:
        """Return the first article published at ``moment`` or later (``count`` if none)."""
        j = max(0, -(-(moment - _START) // self.step))
        return min(int(j), self.count)

    def _write(self, j: int) -> Article:
        rng = random.Random(f"{self.seed}:{self.site}:{j}")
        roll = rng.random()
        kind = next((name for share, name in _KINDS if roll < share), "off_topic")
        article = make_article(rng, j, self.site, kind, self.published(j))
        article.id = FIRST_ID + j
        article.modified = article.published + _MODIFIED_AFTER
        article.channels = frozenset(("sitemap", "feed"))
        return article

    def newest(self, n: int) -> list[Article]:
        """Return the ``n`` newest articles, newest first."""
        return [self.article(j) for j in range(self.count - 1, max(self.count - n, 0) - 1, -1)]


class _Paths(Mapping[str, tuple[Article, int]]):
    """URL path -> (article, page 1), found from the post id in the path: ``SiteRoutes``' ``paths``, lazily."""

    def __init__(self, articles: _Articles) -> None:
        self.articles = articles

    def __getitem__(self, path: str) -> tuple[Article, int]:
        found = _ID.search(path)
        j = int(found[1]) - FIRST_ID if found else -1
        if 0 <= j < self.articles.count and (article := self.articles.article(j)).path == path:
            return article, 1
        raise KeyError(path)

    def __iter__(self) -> Iterator[str]:
        return (self.articles.article(j).path for j in range(self.articles.count))

    def __len__(self) -> int:
        return self.articles.count


class ProceduralRoutes(SiteRoutes):
    """Routes of one site of the procedural mirror: ``SiteRoutes`` over lazily written articles, with sitemaps
    computed per request."""

    def __init__(self, site: str, plan: Procedural, root: str = "", crawl_delay: float | None = None,
                 cdn: str = "", extra_urls: int = 0) -> None:
        """Prepare the routes; nothing is written yet.

        Args:
            site: "clubic" or "numerama".
            plan: the seed and size.
            root: absolute site root used in links.
            crawl_delay: seconds of a ``Crawl-delay`` line in robots.txt (None: no such line).
            cdn: root of the CDN server the pages' images and font come from ("": this site answers them).
            extra_urls: off-topic post URLs Numerama's sitemap index adds (``extras``).
        """
        self.site, self.cdn, self.crawl_delay, self.root = site, cdn, crawl_delay, root
        self.lazy = _Articles(site, plan.seed, plan.count(site))
        newest = self.lazy.newest(FEED_SIZE)
        # The corpus of the home listing, the feed and the search: the newest articles only.
        self.corpus = Corpus(seed=plan.seed, articles=newest[::-1], exclusive_share=0.0)
        self.paths = _Paths(self.lazy)
        self.tags, self.authors, self.by_id, self.months, self.sitemaps = {}, {}, {}, {}, {}
        self.skin, self.skin_pages = None, None
        self.page_urls = "path" if site == "numerama" else "query"
        self.feeds = {"/feed/" if site == "numerama" else "/feed/news.rss": newest}
        self.post_files = -(-self.lazy.count // YOAST_PER_FILE)
        self.extra_urls = extra_urls if site == "numerama" else 0

    def _numerama(self, path: str, query: dict[str, str]) -> Response | None:
        if path == "/sitemap_index.xml":
            files = [(_post_file(k), self.lazy.last_modified(min(self.lazy.count, (k + 1) * YOAST_PER_FILE) - 1))
                     for k in range(self.post_files)]
            files += extras.extra_files(self.extra_urls, self.post_files)
            return self._xml(feeds.sitemap_index(self.root, files), max(when for _, when in files))
        if found := _POST_FILE.fullmatch(path):
            number = int(found[1] or 1)
            if number > self.post_files:
                entries = extras.extra_entries(self.extra_urls, self.post_files, path)
            else:
                block = range((number - 1) * YOAST_PER_FILE, min(self.lazy.count, number * YOAST_PER_FILE))
                entries = [(self.lazy.article(j).path, self.lazy.last_modified(j)) for j in block]
            return self._xml(feeds.urlset(self.root, entries), max(when for _, when in entries)) if entries else None
        return super()._numerama(path, query)

    def _clubic(self, path: str, query: dict[str, str]) -> Response | None:
        months = _months(self.lazy)
        if path == "/sitemap.xml":
            files = [(f"/sitemaps/news-{key}.xml.gz", self.lazy.last_modified(last - 1))
                     for key, (_, last) in months.items()]
            return self._xml(feeds.sitemap_index(self.root, files), max((when for _, when in files), default=None))
        if found := _MONTH.fullmatch(path):
            if (span := months.get(f"{found[1]}-{found[2]}")) is None:
                return None
            articles = [self.lazy.article(j) for j in range(*span)]
            raw = gzip.compress(feeds.news_urlset(self.root, articles, "Clubic").encode("utf-8"), mtime=0)
            return Response(200, raw, "application/x-gzip", encodable=False,
                            last_modified=self.lazy.last_modified(span[1] - 1))
        return super()._clubic(path, query)


def _post_file(k: int) -> str:
    """Path of Numerama's ``k``-th post sitemap (from 0), as Yoast names them."""
    return f"/post-sitemap{k + 1 if k else ''}.xml"


@functools.cache
def _months(articles: _Articles) -> dict[str, tuple[int, int]]:
    """Return "YYYY-MM" -> the range of articles published that month (months with none left out)."""
    out = {}
    year, month = _START.year, _START.month
    while (year, month) <= (_END.year, _END.month):
        start = dt.datetime(year, month, 1, tzinfo=PARIS)
        year, month = (year + month // 12, month % 12 + 1)
        span = (articles.first_at(start), articles.first_at(dt.datetime(year, month, 1, tzinfo=PARIS)))
        if span[0] < span[1]:
            out[f"{start:%Y-%m}"] = span
    return out

