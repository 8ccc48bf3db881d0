"""Machine-readable documents of the mirror: robots.txt, sitemaps and RSS feeds."""

from __future__ import annotations

import datetime as dt
import email.utils
from collections import defaultdict

from crawler.mirror.corpus import Article
from crawler.mirror.markup import esc


def robots(root: str) -> str:
    """Render robots.txt.

    Args:
        root: site root.

    Returns:
        A robots.txt allowing everything but the admin area, with the sitemap line.
    """
    return (f"User-agent: *\nDisallow: /wp-admin/\nDisallow: /rechercher/?*&sort=\nAllow: /wp-admin/admin-ajax.php\n\n"
            f"Sitemap: {root}/sitemap.xml\n")


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


def sitemap_index(root: str, months: dict[str, list[Article]], pattern: str) -> str:
    """Render a sitemap index of monthly sitemaps.

    Args:
        root: site root.
        months: articles grouped by month.
        pattern: path of a monthly sitemap with a ``{month}`` placeholder.

    Returns:
        The sitemapindex XML document.
    """
    entries = "".join(
        f"<sitemap><loc>{root}{pattern.format(month=month)}</loc>"
        f"<lastmod>{max(a.last_modified for a in items).isoformat()}</lastmod></sitemap>\n"
        for month, items in months.items())
    return ('<?xml version="1.0" encoding="UTF-8"?>\n'
            f'<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n{entries}</sitemapindex>\n')


def urlset(root: str, articles: list[Article]) -> str:
    """Render one monthly sitemap.

    Args:
        root: site root.
        articles: the month's articles (only page 1 of multi-page pieces is listed).

    Returns:
        The urlset XML document.
    """
    entries = "".join(f"<url><loc>{esc(root + a.path)}</loc><lastmod>{a.last_modified.isoformat()}</lastmod></url>\n"
                      for a in articles)
    return ('<?xml version="1.0" encoding="UTF-8"?>\n'
            f'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n{entries}</urlset>\n')


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
    built = max((a.last_modified for a in articles), default=dt.datetime(2012, 1, 1, tzinfo=dt.timezone.utc))
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
