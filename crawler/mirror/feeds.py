"""Machine-readable documents of the mirror: robots.txt, sitemaps and RSS feeds.

Numerama's sitemaps follow Yoast SEO: ``/sitemap_index.xml`` lists ``/post-sitemap.xml``, ``/post-sitemap2.xml``…
(at most 1000 posts each, least recently modified first, ``<lastmod>`` = the post's modified date), then
``/page-sitemap.xml`` and ``/post_tag-sitemap.xml``. Clubic's monthly sitemaps carry the Google News extension.
Under a skin (``skins.SitemapLayout``) both sites lay out their post sitemaps by ``skin_sitemaps``.
"""

from __future__ import annotations

import datetime as dt
import email.utils
from collections import defaultdict

from crawler.mirror.corpus import PARIS, Article
from crawler.mirror.markup import esc
from crawler.mirror.skins import SitemapLayout

SITEMAP_NS = "http://www.sitemaps.org/schemas/sitemap/0.9"
NEWS_NS = "http://www.google.com/schemas/sitemap-news/0.9"
YOAST_PER_FILE = 1000
# Static WordPress pages of Numerama listed by page-sitemap.xml after the home page (the mirror serves none: 404).
NUMERAMA_PAGES = (("/mentions-legales/", dt.datetime(2019, 5, 14, 16, 2, 37, tzinfo=PARIS)),
                  ("/numerama-plus/", dt.datetime(2023, 10, 3, 9, 41, 5, tzinfo=PARIS)),
                  ("/contact/", dt.datetime(2017, 2, 8, 11, 27, 50, tzinfo=PARIS)))

# A sitemap entry: URL path and its <lastmod>.
Entry = tuple[str, dt.datetime]


def robots(root: str, crawl_delay: float | None = None) -> str:
    """Render robots.txt.

    Args:
        root: site root.
        crawl_delay: seconds of the ``Crawl-delay`` line (None: no such line).

    Returns:
        A robots.txt allowing everything but the admin area, with the sitemap line.
    """
    delay = "" if crawl_delay is None else f"Crawl-delay: {crawl_delay:g}\n"
    return (f"User-agent: *\n{delay}Disallow: /wp-admin/\nDisallow: /rechercher/?*&sort=\n"
            f"Allow: /wp-admin/admin-ajax.php\n\nSitemap: {root}/sitemap.xml\n")


def by_month(articles: list[Article]) -> dict[str, list[Article]]:
    """Group articles by publication month.

    Args:
        articles: articles listed by the sitemaps.

    Returns:
        "YYYY-MM" -> articles of that month, oldest first, months in order.
    """
    months: dict[str, list[Article]] = defaultdict(list)
    for a in sorted(articles, key=lambda a: a.published):
        months[a.published.strftime("%Y-%m")].append(a)
    return dict(sorted(months.items()))


def yoast_sitemaps(articles: list[Article], tags: dict[str, tuple[str, list[Article]]]) -> dict[str, list[Entry]]:
    """Lay out Numerama's sitemaps as Yoast SEO does.

    Args:
        articles: posts listed by the sitemaps (any order).
        tags: tag slug -> (name, articles of the tag archive).

    Returns:
        Sitemap path -> its entries, in index order: post sitemaps (least recently modified posts first,
        YOAST_PER_FILE a file), ``/page-sitemap.xml`` (home and static pages), ``/post_tag-sitemap.xml``
        (tag archives, a tag's lastmod being the latest modified date of its posts).
    """
    posts = [(a.path, a.modified) for a in sorted(articles, key=lambda a: (a.modified, a.id))]
    newest = max((when for _, when in posts), default=NUMERAMA_PAGES[0][1])
    tag_entries = [(f"/tag/{slug}/", max(a.modified for a in items)) for slug, (_, items) in sorted(tags.items())]
    files = _numbered("post", posts)
    files["/page-sitemap.xml"] = [("/", newest), *NUMERAMA_PAGES]
    files.update(_numbered("post_tag", tag_entries))
    return files


def skin_sitemaps(layout: SitemapLayout, articles: list[Article],
                  others: dict[str, list[Entry]]) -> dict[str, list[Entry]]:
    """Lay out a site's sitemaps as a skin does.

    Args:
        layout: how the skin names and fills the post sitemaps.
        articles: posts listed by the sitemaps (any order).
        others: the plainly-non-post sitemaps (``/page-sitemap.xml``…) and their entries, listed after the posts.

    Returns:
        Sitemap path -> its entries, in index order: numbered files (``{n}``, least recently modified posts
        first, ``<lastmod>`` = modified date) or files by publication year (``{year}``) or month (``{year}``
        and ``{month}``, ``<lastmod>`` = the later of published and modified), then ``others`` (empty ones left out).
        Yoast layouts leave the number out of the first file's name.
    """
    if "{n}" in layout.posts:
        posts = [(a.path, a.modified) for a in sorted(articles, key=lambda a: (a.modified, a.id))]
        chunks = [posts[i: i + layout.per_file] for i in range(0, len(posts), layout.per_file)]
        files = {layout.posts.format(n="" if n == 1 and layout.yoast else n): chunk
                 for n, chunk in enumerate(chunks, start=1)}
    else:
        files = defaultdict(list)
        for a in sorted(articles, key=lambda a: (a.published, a.id)):
            name = layout.posts.format(year=f"{a.published.year:04d}", month=f"{a.published.month:02d}")
            files[name].append((a.path, a.last_modified))
        files = dict(files)
    files.update((path, entries) for path, entries in others.items() if entries)
    return files


def _numbered(kind: str, entries: list[Entry]) -> dict[str, list[Entry]]:
    """Split entries into Yoast's ``/{kind}-sitemap.xml``, ``/{kind}-sitemap2.xml``… files."""
    chunks = [entries[i: i + YOAST_PER_FILE] for i in range(0, len(entries), YOAST_PER_FILE)]
    return {f"/{kind}-sitemap{n if n > 1 else ''}.xml": chunk for n, chunk in enumerate(chunks, start=1)}


def sitemap_index(root: str, files: list[Entry]) -> str:
    """Render a sitemap index.

    Args:
        root: site root.
        files: path of each sitemap with its lastmod (the newest lastmod of its entries).

    Returns:
        The sitemapindex XML document.
    """
    entries = "".join(f"<sitemap><loc>{esc(root + path)}</loc><lastmod>{when.isoformat()}</lastmod></sitemap>\n"
                      for path, when in files)
    return f'<?xml version="1.0" encoding="UTF-8"?>\n<sitemapindex xmlns="{SITEMAP_NS}">\n{entries}</sitemapindex>\n'


def urlset(root: str, entries: list[Entry]) -> str:
    """Render a plain sitemap (location and lastmod of each URL).

    Args:
        root: site root.
        entries: URL paths with their lastmod, in document order.

    Returns:
        The urlset XML document.
    """
    urls = "".join(f"<url><loc>{esc(root + path)}</loc><lastmod>{when.isoformat()}</lastmod></url>\n"
                   for path, when in entries)
    return f'<?xml version="1.0" encoding="UTF-8"?>\n<urlset xmlns="{SITEMAP_NS}">\n{urls}</urlset>\n'


def news_urlset(root: str, articles: list[Article], publication: str) -> str:
    """Render a sitemap with the Google News extension (one month of Clubic articles).

    Args:
        root: site root.
        articles: the month's articles (only page 1 of multi-page pieces is listed).
        publication: name of the publication (``news:name``).

    Returns:
        The urlset XML document: ``loc``, ``lastmod`` (later of published and modified) and ``news:news``
        (publication name and language, publication date, title) per article.
    """
    urls = "".join(
        f"<url><loc>{esc(root + a.path)}</loc><lastmod>{a.last_modified.isoformat()}</lastmod>"
        f"<news:news><news:publication><news:name>{esc(publication)}</news:name><news:language>fr</news:language>"
        f"</news:publication><news:publication_date>{a.published.isoformat()}</news:publication_date>"
        f"<news:title>{esc(a.title)}</news:title></news:news></url>\n"
        for a in articles)
    return ('<?xml version="1.0" encoding="UTF-8"?>\n'
            f'<urlset xmlns="{SITEMAP_NS}" xmlns:news="{NEWS_NS}">\n{urls}</urlset>\n')


def rss(root: str, title: str, link_path: str, articles: list[Article]) -> str:
    """Render an RSS 2.0 feed.

    Args:
        root: site root.
        title: channel title.
        link_path: path of the page the feed mirrors.
        articles: items, newest first.

    Returns:
        The RSS XML document.
    """
    built = max((a.last_modified for a in articles), default=dt.datetime(2012, 1, 1, tzinfo=dt.UTC))
    items = "".join(
        "<item>"
        f"<title>{esc(a.title)}</title><link>{esc(root + a.path)}</link>"
        f'<guid isPermaLink="true">{esc(root + a.path)}</guid>'
        f"<pubDate>{email.utils.format_datetime(a.published)}</pubDate>"
        f"<dc:creator>{esc(a.authors[0])}</dc:creator>"
        + "".join(f"<category>{esc(t)}</category>" for t in a.tags)
        + f"<description>{esc(a.snippet)}</description></item>\n"
        for a in articles)
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/">\n<channel>\n'
        f"<title>{esc(title)}</title><link>{esc(root + link_path)}</link>"
        f"<description>{esc(title)}</description><language>fr-FR</language>"
        f"<lastBuildDate>{email.utils.format_datetime(built)}</lastBuildDate>\n{items}</channel>\n</rss>\n"
    )
