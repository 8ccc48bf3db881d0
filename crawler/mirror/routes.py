"""URL routing of the two mirrored sites: request target -> identity response (before content negotiation).

Numerama (WordPress): ``/`` home, ``/?s=Q`` and ``/page/N/?s=Q`` search (10 a page), ``/?p=ID`` -> 301,
``/{section}/`` section, ``/{section}/{id}-{slug}.html`` and ``/magazine/{id}-{slug}.html`` articles,
``/tag/{slug}/`` and ``/tag/{slug}/page/N/`` (20 a page), ``/author/{login}/`` (``/page/N/``), feeds ``/feed/``,
``/{section}/feed/``, ``/tag/{slug}/feed/``, ``/robots.txt``, ``/sitemap.xml`` -> 301 ``/sitemap_index.xml``
(Yoast SEO index) -> ``/post-sitemap.xml``, ``/post-sitemap2.xml``… (1000 posts a file, least recently modified
first, ``<lastmod>`` = modified date), ``/page-sitemap.xml`` (home and static pages, which 404),
``/post_tag-sitemap.xml`` (``/tag/{slug}/`` archives).

Clubic: ``/`` home and ``/actualites-informatique/?page=N`` news list, articles
``/{section path}/actualite-{id}-{slug}.html`` (before 2020), ``/actualite-{id}-{slug}.html`` (from 2020),
``/{section path}/article-{id}-{page}-{slug}.html`` (multi-page), tag listings ``/tag/{slug}/?page=N`` (20 a page),
authors ``/auteur/{id}-{slug}.html?page=N``, search ``/rechercher/?q=Q&page=N`` (10 a page), feeds
``/feed/news.rss`` and ``/feed/news-pro.rss``, ``/robots.txt``, ``/sitemap.xml`` (index) ->
``/sitemaps/news-YYYY-MM.xml.gz`` (articles by publication month, Google News extension with publication date
and title; gzip files served as ``application/x-gzip``).

Under a skin (``skins``, pages by ``skinned``) the same paths answer with the skin's markup, paging and sitemap
index (post sitemaps, then page, category, tag and author sitemaps; Clubic's ``/sitemaps/news-*`` not served).

Every 200 page a real server would cache carries a ``last_modified`` (the server adds ETag and Last-Modified and
answers conditional requests with 304): articles (modified date), listings (newest publication date of the list),
feeds and sitemaps (newest ``lastmod``), robots.txt (STATIC_DATE). If-Modified-Since can miss a change that brings
no newer date, as on real sites; the ETag, over the bytes, never does.
"""

from __future__ import annotations

import datetime as dt
import gzip
import re
from collections.abc import Mapping
from urllib.parse import parse_qs, quote_plus, urlsplit

from crawler.mirror import assets, clubic, extras, feeds, numerama
from crawler.mirror.cdn import asset_response
from crawler.mirror.corpus import NUMERAMA_SECTIONS, Article, Corpus
from crawler.mirror.listings import feed_lists
from crawler.mirror.markup import Listing, token
from crawler.mirror.response import HTML, RSS, XML, Response, html, redirect
from crawler.mirror.skinned import SkinPages
from crawler.mirror.skins import get_skin

LIST_SIZE = 20
SEARCH_SIZE = 10
STATIC_DATE = dt.datetime(2024, 1, 15, 9, 30, tzinfo=dt.UTC)  # Last-Modified of robots.txt, empty listings, feeds


def _page_of(items: list[Article], page: int, per: int) -> tuple[list[Article], int] | None:
    pages = max(1, -(-len(items) // per))
    if page < 1 or page > pages:
        return None
    return items[(page - 1) * per: page * per], pages


class SiteRoutes:
    """Routes of one site over a corpus; ``root`` is set once the server knows its address."""

    def __init__(self, site: str, corpus: Corpus, root: str = "", crawl_delay: float | None = None,
                 cdn: str = "", extra_urls: int = 0) -> None:
        """Index the site's articles, authors and feeds.

        Args:
            site: "clubic" or "numerama".
            corpus: the corpus to serve.
            root: absolute site root used in links (``http://127.0.0.1:PORT``).
            crawl_delay: seconds announced by a ``Crawl-delay`` line in robots.txt (None: no such line).
            cdn: root of the CDN server the pages' images and font come from ("": this site answers them).
            extra_urls: off-topic post URLs Numerama's sitemap index adds (``extras``; not under a skin).
        """
        self.site = site
        self.cdn = cdn
        self.crawl_delay = crawl_delay
        self.corpus = corpus
        self.root = root
        self.paths: Mapping[str, tuple[Article, int]] = corpus.by_path[site]
        self.tags = corpus.tags[site]
        self.feeds = feed_lists(corpus, site)
        self.by_id = {a.id: a for a in corpus.site_articles(site)}
        self.authors: dict[str, tuple[str, list[Article]]] = {}
        for a in corpus.listed(site, "feed"):
            for name, key in zip(a.authors, a.author_keys, strict=False):
                self.authors.setdefault(key, (name, []))[1].append(a)
        self.skin = get_skin(corpus.skin)
        self.skin_pages = SkinPages(self.skin, site, corpus, root) if self.skin else None
        sitemapped = corpus.listed(site, "sitemap")
        self.months: dict[str, list[Article]] = {}
        if self.skin:
            self.page_urls = self.skin.sites[site].page_urls
            self.sitemaps = feeds.skin_sitemaps(self.skin.sites[site].sitemaps, sitemapped, self._other_sitemaps())
        elif site == "numerama":
            self.page_urls = "path"
            self.sitemaps = feeds.yoast_sitemaps(sitemapped, self.tags)
        else:
            self.page_urls = "query"
            self.months, self.sitemaps = feeds.by_month(sitemapped), {}
        self.extra_urls = extra_urls if site == "numerama" and not self.skin else 0
        self.post_files = sum(p.startswith("/post-sitemap") for p in self.sitemaps)

    def _other_sitemaps(self) -> dict[str, list[feeds.Entry]]:
        """The plainly-non-post sitemaps of a skin: static pages, sections, tag archives, authors."""
        newest = max((a.modified for _, items in self.tags.values() for a in items), default=STATIC_DATE)
        if self.site == "numerama":
            pages = [("/", newest), *feeds.NUMERAMA_PAGES]
            categories = [(f"/{slug}/", newest) for slug in NUMERAMA_SECTIONS]
            authors = [(numerama.author_path(key), max(a.modified for a in items))
                       for key, (_, items) in sorted(self.authors.items())]
        else:
            pages = [("/", newest), ("/mentions-legales.html", STATIC_DATE)]
            categories = [("/actualites-informatique/", newest)]
            authors = [(clubic.author_path(name, key), max(a.modified for a in items))
                       for key, (name, items) in sorted(self.authors.items())]
        tags = [(f"/tag/{slug}/", max(a.modified for a in items)) for slug, (_, items) in sorted(self.tags.items())]
        return {"/page-sitemap.xml": pages, "/category-sitemap.xml": categories, "/tag-sitemap.xml": tags,
                "/author-sitemap.xml": authors}

    def _page_url(self, base: str, query: str, page: int) -> str:
        """URL of page ``page`` of the listing at ``base`` (its other query parameters in ``query``).

        Page 1 is the bare listing; later pages add ``page/N/`` to a path ending in "/" (WordPress) or a
        ``page=N`` query parameter, as the site (or its skin) pages listings. Numerama links are absolute.
        """
        prefix = self.root if self.site == "numerama" else ""
        if page > 1 and self.page_urls == "path" and base.endswith("/"):
            base += f"page/{page}/"
        elif page > 1:
            query = f"{query}&page={page}" if query else f"page={page}"
        return prefix + base + (f"?{query}" if query else "")

    def _split_page(self, path: str, query: dict[str, str]) -> tuple[str, int]:
        """The listing path of a request and the page asked for (``/page/N/`` suffix or ``page`` parameter).

        A path that does not end in "/" (Clubic's author pages) is paged by the query whatever the style.
        """
        if self.page_urls == "path" and path.endswith("/"):
            if m := re.fullmatch(r"(.*/)page/(\d+)/", path):
                return m[1], int(m[2])
            return path, 1
        return path, int(query["page"]) if query.get("page", "").isdigit() else 1

    def route(self, target: str) -> Response:
        """Answer a request target.

        Args:
            target: path and query of the request.

        Returns:
            The identity response (404 page when nothing matches).
        """
        parts = urlsplit(target)
        asset = assets.own_asset(parts.path, self.site, self.cdn or self.root)
        if asset is None and not self.cdn:
            asset = assets.cdn_asset(parts.path) if parts.path != "/robots.txt" else None
        if asset is not None:
            return asset_response(asset)
        query = {k: v[0] for k, v in parse_qs(parts.query, keep_blank_values=True).items()}
        handler = self._numerama if self.site == "numerama" else self._clubic
        return handler(parts.path, query) or self._not_found(parts.path)

    def _article(self, path: str) -> Response | None:
        found = self.paths.get(path)
        if found is None:
            return None
        article, page = found
        if self.skin_pages is not None:
            text = self.skin_pages.article(article, page)
        elif self.site == "numerama":
            text = numerama.article_page(self.corpus, article, self.root)
        else:
            text = clubic.article_page(self.corpus, article, page, self.root)
        text = assets.decorate(text, self.site, article.id, self.root, self.cdn or self.root,
                               self.skin.css if self.skin else "site")
        if self.site == "numerama":
            cookies = ("wordpress_test_cookie=WP%20Cookie%20check; path=/",
                       f"nmr_visitor={token(path, 'visitor')}; path=/; Max-Age=31536000; SameSite=Lax")
        else:
            cookies = (f"clubic_session={token(path, 'session')}; path=/; HttpOnly",
                       f"didomi_token={token(path, 'didomi')}; path=/; Max-Age=15552000; SameSite=Lax")
        return Response(200, text.encode("utf-8"), HTML, tuple(("Set-Cookie", c) for c in cookies),
                        last_modified=article.last_modified)

    def _listing(self, heading: str, items: list[Article], page: int, per: int, base: str,
                 query: str = "") -> Response | None:
        sliced = _page_of(items, page, per)
        if sliced is None:
            return None
        entries, pages = sliced
        newest = max((a.published for a in items), default=STATIC_DATE)
        listing = Listing(heading, entries, page, pages, self._page_url(base, query, page - 1) if page > 1 else None,
                          self._page_url(base, query, page + 1) if page < pages else None,
                          tuple(self._page_url(base, query, n) for n in range(1, pages + 1)))
        if self.skin_pages is not None:
            return html(self.skin_pages.listing(listing), last_modified=newest)
        if self.site == "numerama":
            return html(numerama.listing_page(listing, self.root), last_modified=newest)
        return html(clubic.listing_page(listing, self._page_url(base, query, page)), last_modified=newest)

    def _not_found(self, path: str) -> Response:
        if self.skin_pages is not None:
            text = self.skin_pages.not_found()
        else:
            text = numerama.not_found_page(self.root) if self.site == "numerama" else clubic.not_found_page(path)
        return html(text, 404)

    def _xml(self, text: str, last_modified: dt.datetime | None, content_type: str = XML) -> Response:
        return Response(200, text.encode("utf-8"), content_type, last_modified=last_modified or STATIC_DATE)

    def _robots(self) -> Response:
        text = feeds.robots(self.root, self.crawl_delay)
        return Response(200, text.encode(), "text/plain; charset=UTF-8", last_modified=STATIC_DATE)

    def _feed(self, path: str, title: str, link_path: str) -> Response:
        items = self.feeds[path]
        newest = max((a.last_modified for a in items), default=None)
        return self._xml(feeds.rss(self.root, title, link_path, items), newest, RSS)

    def _sitemap(self, path: str, index: str) -> Response | None:
        """The sitemap index at ``index`` and the plain sitemaps it lists (Numerama's, or any site's under a skin)."""
        if path == index:
            files = [(p, max(when for _, when in entries)) for p, entries in self.sitemaps.items()]
            files += extras.extra_files(self.extra_urls, self.post_files)
            return self._xml(feeds.sitemap_index(self.root, files), max(when for _, when in files))
        entries = self.sitemaps.get(path) or extras.extra_entries(self.extra_urls, self.post_files, path)
        if entries:
            return self._xml(feeds.urlset(self.root, entries), max(when for _, when in entries))
        return None

    def _numerama(self, path: str, query: dict[str, str]) -> Response | None:
        root = self.root
        if path == "/robots.txt":
            return self._robots()
        if path == "/sitemap.xml":
            return redirect(f"{root}/sitemap_index.xml")
        if sitemap := self._sitemap(path, "/sitemap_index.xml"):
            return sitemap
        if path in self.feeds:
            return self._feed(path, "Numerama", path.removesuffix("feed/"))
        path, page = self._split_page(path, query)
        if path == "/":
            if "s" in query:
                q = query["s"]
                return self._listing(f"Résultats de recherche pour « {q} »", self.corpus.search(self.site, q),
                                     page, SEARCH_SIZE, "/", f"s={quote_plus(q)}")
            if "p" in query and page == 1:
                article = self.by_id.get(int(query["p"])) if query["p"].isdigit() else None
                return redirect(root + article.path) if article else None
            return self._listing("Numerama : actualités tech, sciences, pop culture",
                                 self.corpus.listed(self.site, "feed")[:LIST_SIZE], page, LIST_SIZE, "/")
        if m := re.fullmatch(r"/tag/([a-z0-9-]+)/", path):
            if m[1] not in self.tags:
                return None
            name, items = self.tags[m[1]]
            return self._listing(name, items, page, LIST_SIZE, path)
        if m := re.fullmatch(r"/author/([a-z0-9-]+)/", path):
            if m[1] not in self.authors:
                return None
            name, items = self.authors[m[1]]
            return self._listing(name, items, page, LIST_SIZE, path)
        if m := re.fullmatch(r"/([a-z-]+)/", path):
            if m[1] not in NUMERAMA_SECTIONS:
                return None
            items = [a for a in self.corpus.listed(self.site, "feed") if a.section == m[1]][:LIST_SIZE]
            return self._listing(NUMERAMA_SECTIONS[m[1]], items, page, LIST_SIZE, path)
        return self._article(path)

    def _clubic(self, path: str, query: dict[str, str]) -> Response | None:
        root = self.root
        if path == "/robots.txt":
            return self._robots()
        if self.skin:
            if sitemap := self._sitemap(path, "/sitemap.xml"):
                return sitemap
        elif path == "/sitemap.xml":
            files = [(f"/sitemaps/news-{month}.xml.gz", max(a.last_modified for a in items))
                     for month, items in self.months.items()]
            return self._xml(feeds.sitemap_index(root, files), max((when for _, when in files), default=None))
        if m := re.fullmatch(r"/sitemaps/news-(\d{4}-\d{2})\.xml\.gz", path):
            if m[1] not in self.months:
                return None
            raw = gzip.compress(feeds.news_urlset(root, self.months[m[1]], "Clubic").encode("utf-8"), mtime=0)
            return Response(200, raw, "application/x-gzip", encodable=False,
                            last_modified=max(a.last_modified for a in self.months[m[1]]))
        if path in self.feeds:
            title = "Clubic - Actualités pro" if path.endswith("pro.rss") else "Clubic - Actualités"
            return self._feed(path, title, "/actualites-informatique/")
        path, page = self._split_page(path, query)
        if path in ("/", "/actualites-informatique/"):
            items = self.corpus.listed(self.site, "feed")[:LIST_SIZE]
            return self._listing("Actualités high-tech et informatique", items, page, LIST_SIZE, path)
        if m := re.fullmatch(r"/tag/([a-z0-9-]+)/", path):
            if m[1] not in self.tags:
                return None
            name, items = self.tags[m[1]]
            return self._listing(name, items, page, LIST_SIZE, path)
        if m := re.fullmatch(r"/auteur/(\d+)-[a-z0-9-]+\.html", path):
            if m[1] not in self.authors:
                return None
            name, items = self.authors[m[1]]
            return self._listing(f"Articles de {name}", items, page, LIST_SIZE, path)
        if path == "/rechercher/":
            q = query.get("q", "")
            return self._listing(f"Recherche : {q}", self.corpus.search(self.site, q), page, SEARCH_SIZE,
                                 "/rechercher/", f"q={quote_plus(q)}")
        return self._article(path)
