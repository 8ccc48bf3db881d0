"""Which sitemaps of a sitemap index to read: the profile's ``sitemap_follow``, else every one that may hold
posts, newest first; each within the date window by the month or year in its name, or by its lastmod."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

if TYPE_CHECKING:
    from crawler.discovery.parsers import Entry
    from crawler.discovery.window import DateWindow
    from crawler.profiles import SiteProfile

# Sitemaps that plainly hold no posts (WordPress/Yoast, Rank Math, WooCommerce names).
NOT_POSTS = re.compile(
    r"(?:^|[/_-])(?:page|category|categories|post_tag|tags?|author|authors|attachment|product|product_cat|"
    r"video|image|local)s?[-_]sitemap|sitemap[-_](?:pages?|categor(?:y|ies)|tags?|authors?|images?|videos?)(?![a-z])",
    re.IGNORECASE)
# A year (and month) in a sitemap's file name: sitemap-2015-03.xml, posts-2015.xml, news-2015-03.xml.gz.
DATED_NAME = re.compile(r"(?<=[-_/])(?P<year>(?:19|20)\d\d)(?:[-_/]?(?P<month>0[1-9]|1[0-2]))?(?!\d)")


@dataclass(frozen=True)
class SitemapChoice:
    """The sitemaps to read (newest first when the fallback chose them), how many the date window ruled out,
    and the profile rules that matched no child (``discovery.sitemap_follow``, ``discovery.sitemap_month``)."""

    follow: list[Entry]
    out_of_window: int
    drift: tuple[str, ...]


def dated_name(url: str) -> tuple[int, int | None] | None:
    """Return the (year, month or None) a sitemap's file name says it covers, or None."""
    found = DATED_NAME.search(urlsplit(url).path)
    return (int(found["year"]), int(found["month"]) if found["month"] else None) if found else None


def choose_sitemaps(entries: list[Entry], profile: SiteProfile, window: DateWindow) -> SitemapChoice:
    """Choose the children of a sitemap index to read.

    Args:
        entries: the index's sitemaps (with their lastmod).
        profile: the site's profile (``sitemap_follow``, ``sitemap_month``, own hosts).
        window: the crawl's date window.

    Returns:
        What to read and why.
    """
    own = [e for e in entries if profile.is_own(e.url)]
    drift = []
    chosen = [e for e in own if profile.follows_sitemap(e.url)]
    if not chosen and own:
        drift.append("discovery.sitemap_follow")
        chosen = sorted((e for e in own if not NOT_POSTS.search(urlsplit(e.url).path)),
                        key=lambda e: e.lastmod or "", reverse=True)
    months = [profile.sitemap_month_of(e.url) for e in chosen]
    if profile.sitemap_month is not None and chosen and not any(months) and any(map(dated_name, (e.url for e in chosen))):
        drift.append("discovery.sitemap_month")
    follow = []
    for entry, month in zip(chosen, months, strict=False):
        span = month or dated_name(entry.url)
        if span is not None and window.excludes_span(*span) or window.excludes_lastmod(entry.lastmod):
            continue
        follow.append(entry)
    return SitemapChoice(follow, len(chosen) - len(follow), tuple(drift))
