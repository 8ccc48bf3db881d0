"""``souverain profile sketch``: a draft profile inferred from the same bounded visit as ``profile check``.

The article pattern is the common shape of the sitemap's URLs (``/{dirs}/{prefix-}{id}-{slug}.html``); feeds,
the tag page and the search are those the home page shows; the title suffix is what ``<title>`` adds to
``og:title`` on an article. Every guess is written with a comment saying what it was inferred from; what was
not found is left out, and the crawl then reads it from the pages (docs/profiles.md).
"""

from __future__ import annotations

import json
import re
from collections import Counter
from urllib.parse import urlsplit

from parsel import Selector
from protego import Protego

from crawler.discovery.pagefinds import feed_links, search_template, tag_links
from crawler.discovery.sitemapindex import choose_sitemaps
from crawler.discovery.window import DateWindow
from crawler.profilecheck import Visit, read_sitemap
from crawler.profiles import SiteProfile
from crawler.profileschema import NAME

# The last segment of an article URL: an optional word prefix, one or more numbers, a slug, an extension.
LAST_SEGMENT = re.compile(r"(?P<prefix>[a-z]+-)?(?P<numbers>(?:\d+-)+)(?P<slug>[a-z0-9-]*[a-z][a-z0-9-]*)"
                          r"(?P<ext>\.[a-z]{2,5})?")
MIN_SHARE = 0.05  # a shape held by fewer of the sitemap's article-like URLs is left out
GROUPS = ("id", "page")


def shape_of(path: str) -> tuple[str, int, str] | None:
    """Return the shape of an article-like path's last segment: (word prefix, how many numbers, extension)."""
    found = LAST_SEGMENT.fullmatch(path.rstrip("/").rsplit("/", 1)[-1])
    return (found["prefix"] or "", found["numbers"].count("-"), found["ext"] or "") if found else None


def shape_name(shape: tuple[str, int, str]) -> str:
    """Return a shape as the comment shows it: ``actualite-N-S.html`` (N: a number, S: the slug)."""
    prefix, numbers, ext = shape
    return f"{prefix}{'N-' * numbers}S{ext}"


def pattern_of(shape: tuple[str, int, str]) -> str:
    """Return the article regex of a shape: any folders, then the segment with named groups."""
    prefix, numbers, ext = shape
    groups = "-".join(f"(?P<{GROUPS[i]}>\\d+)" if i < len(GROUPS) else "\\d+" for i in range(numbers))
    return f"^/(?:[a-z0-9-]+/)*{prefix}{groups}-(?P<slug>[a-z0-9-]+){ext.replace('.', chr(92) + '.')}$"


def site_name(host: str) -> str:
    """Return a site name from a host (``www.example-news.fr`` → ``example-news``)."""
    labels = [label for label in host.split(":")[0].lower().split(".") if label not in ("www", "m")]
    name = re.sub(r"[^a-z0-9_-]", "-", (labels[0] if len(labels) > 1 else "-".join(labels)) or "site")
    return name if NAME.fullmatch(name) else "site"


def sketch_profile(root: str, tags: tuple[str, ...], delay: float, name: str | None = None) -> str:
    """Visit a site and return a draft profile (TOML text, each guess commented).

    Args:
        root: ``http(s)://host[:port]``.
        tags: the topic's tag slugs (a link to one of them shows the tag page's shape).
        delay: seconds between two requests.
        name: the site name (default: from the host).

    Returns:
        The profile's text.
    """
    host = urlsplit(root).netloc
    probe = SiteProfile(name="sketch", root=root, allowed_hosts=(host,), article_patterns=())
    visit, lines = Visit(delay), []
    robots = visit.get(probe.url("/robots.txt"))
    visit.robots = Protego.parse(robots.body.decode("utf-8", "replace") if robots and robots.status == 200 else "")
    sitemaps = [u for u in visit.robots.sitemaps if probe.is_own(u)] or [probe.url("/sitemap.xml")]
    urls, read_from = [], sitemaps[0]
    sitemap = read_sitemap(visit, sitemaps[0])
    if sitemap is not None and sitemap.kind == "sitemapindex":
        choice = choose_sitemaps(sitemap.entries, probe, DateWindow())
        read_from = choice.follow[0].url if choice.follow else read_from
        sitemap = read_sitemap(visit, read_from) if choice.follow else None
    if sitemap is not None:
        urls = [e.url for e in sitemap.entries if probe.is_own(e.url)]
    shapes = Counter(s for u in urls if (s := shape_of(urlsplit(u).path)))
    total = sum(shapes.values())
    chosen = [(shape, count) for shape, count in shapes.most_common() if count >= MIN_SHARE * total]
    lines += [f"# Draft profile sketched by `souverain profile sketch --root {root}`: every guess says what it was",
              "# inferred from; edit it (docs/profiles.md), then run `souverain profile check`.",
              f"name = {json.dumps(name)}" if name else f"name = {json.dumps(site_name(host))}  # from the host name",
              f"root = {json.dumps(root)}",
              f"allowed_hosts = [{json.dumps(host)}]", "", "[urls]",
              f"# From {total} of the {len(urls)} URLs of {read_from}: "
              + ", ".join(f"{count} shaped {shape_name(shape)}" for shape, count in chosen) + " (N: number, S: slug)"
              if chosen else f"# No article-like URL in {read_from}: write the pattern by hand",
              "article = [", *(f"    {json.dumps(pattern_of(shape))}," for shape, _ in chosen), "]"]
    home = visit.get(probe.url("/"))
    page = Selector(text=home.body.decode("utf-8", "replace")) if home and home.body else None
    discovery = []
    if page is not None and home is not None:
        feeds = [urlsplit(u).path for u in feed_links(page.root, home.url, probe.is_own)]
        if feeds:
            discovery += ["# <link rel=\"alternate\"> of the home page", f"feeds = {json.dumps(feeds)}"]
        found = tag_links(page.root, home.url, tags, probe.is_own)
        if found:
            tag, url = next(iter(found.items()))
            discovery += [f"# the home page links to {url}",
                          f"tag_page = {json.dumps(urlsplit(url).path.replace(tag, '{tag}', 1))}"]
        if template := search_template(page.root, home.url, probe.is_own):
            parts = urlsplit(template.replace("{query}", ""))
            discovery += ["# the search form (or empty-query link) of the home page",
                          f"search = {json.dumps(parts.path + '?' + parts.query + '{query}')}"]
    if discovery:
        lines += ["", "[discovery]", *discovery]
    suffix = title_suffix(visit, [u for u in urls if shape_of(urlsplit(u).path) in dict(chosen)])
    if suffix:
        lines += ["", "[cleanup]", f"# <title> {suffix[1]!r} is og:title {suffix[2]!r} plus this",
                  f"title_suffix = {json.dumps(suffix[0])}"]
    return "\n".join(lines) + "\n"


def title_suffix(visit: Visit, articles: list[str]) -> tuple[str, str, str] | None:
    """Return a regex for what ``<title>`` adds after ``og:title`` on the first article, with both titles."""
    page = visit.get(articles[0]) if articles else None
    if page is None or not page.body:
        return None
    selector = Selector(text=page.body.decode("utf-8", "replace"))
    title = " ".join(selector.xpath("string(//title)").get("").split())
    og = " ".join((selector.xpath("//meta[@property='og:title']/@content").get() or "").split())
    if not og or not title.startswith(og) or len(title) == len(og):
        return None
    added = title[len(og):].strip()
    brand = re.sub(r"^[-–|:·]\s*", "", added)
    if not brand or brand == added:
        return None
    return rf"\s+[-–|:·]\s+{re.escape(brand)}\s*$", title, og
