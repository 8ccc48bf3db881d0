"""Entry points a page shows, for profiles that do not name them: feeds, tag pages of the topic, the search.

A minimal profile (name, root, hosts, article pattern) says nothing of a site's feeds, tag archives or search.
Pages do: ``<link rel="alternate" type="application/rss+xml">`` names a feed (on a tag page, that tag's feed);
a link whose last path segment is one of the topic's tags (``/tag/cloud-souverain/``, ``/sujet/numergy``) is
that tag's archive; a GET form with one text field, or a link whose single query parameter is empty
(``/rechercher/?q=``), is the search. Every finding is bounded per page and only on the site's own hosts.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING
from urllib.parse import parse_qsl, quote_plus, urlencode, urljoin, urlsplit

from lxml.html import HtmlElement

if TYPE_CHECKING:
    from crawler.profiles import SiteProfile
    from crawler.topic import TopicDiscovery

FEED_TYPES = ("application/rss+xml", "application/atom+xml")
MAX_LINKS = 2000  # anchors read from one page when looking for tag archives
MAX_ENTRY_POINTS_FOUND = 200  # feeds, tag pages and searches followed from pages, per site


def feed_links(root: HtmlElement, base_url: str, is_own: Callable[[str], bool]) -> list[str]:
    """Return the feeds a page announces in its head.

    Args:
        root: the parsed page.
        base_url: its URL.
        is_own: whether a URL is on the site's hosts.

    Returns:
        Absolute feed URLs on the site, in page order, at most 10.
    """
    xpath = "//link[contains(concat(' ', normalize-space(@rel), ' '), ' alternate ')][@href]"
    found = [urljoin(base_url, link.get("href").strip()) for link in root.xpath(xpath)[:50]
             if (link.get("type") or "").strip().lower() in FEED_TYPES]
    return list(dict.fromkeys(u for u in found if is_own(u)))[:10]


def tag_links(root: HtmlElement, base_url: str, tags: Iterable[str], is_own: Callable[[str], bool]) -> dict[str, str]:
    """Return the tag archives of the topic a page links to.

    Args:
        root: the parsed page.
        base_url: its URL.
        tags: the topic's tag slugs.
        is_own: whether a URL is on the site's hosts.

    Returns:
        tag → the first archive URL found for it (no query, no fragment).
    """
    wanted, found = set(tags), {}
    for href in root.xpath("//a/@href")[:MAX_LINKS]:
        url = urljoin(base_url, str(href).strip()).split("#", 1)[0]
        parts = urlsplit(url)
        last = parts.path.rstrip("/").rsplit("/", 1)[-1]
        if last in wanted and last not in found and not parts.query and "." not in last and is_own(url):
            found[last] = url
    return found


def search_template(root: HtmlElement, base_url: str, is_own: Callable[[str], bool]) -> str | None:
    """Return the site's search as a URL template with ``{query}``, read from a form or an empty-query link.

    Args:
        root: the parsed page.
        base_url: its URL.
        is_own: whether a URL is on the site's hosts.

    Returns:
        e.g. ``https://host/rechercher/?q={query}``, or None when the page shows no search.
    """
    for form in root.xpath("//form[not(@method) or translate(@method, 'GET', 'get') = 'get']")[:20]:
        fields = form.xpath(".//input[not(@type) or @type = 'text' or @type = 'search'][@name]")
        if len(fields) == 1 and not form.xpath(".//input[@type = 'email' or @type = 'password']"):
            action = urljoin(base_url, (form.get("action") or "").strip() or base_url).split("?", 1)[0]
            if is_own(action):
                return f"{action}?{urlencode({fields[0].get('name'): ''})}{{query}}"
    for href in root.xpath("//a[contains(@href, '=')]/@href")[:200]:
        url = urljoin(base_url, str(href).strip()).split("#", 1)[0]
        query = parse_qsl(urlsplit(url).query, keep_blank_values=True)
        if len(query) == 1 and not query[0][1] and query[0][0].isidentifier() and is_own(url):
            return f"{url.split('?', 1)[0]}?{urlencode({query[0][0]: ''})}{{query}}"
    return None


@dataclass(frozen=True)
class Find:
    """An entry point read from a page: a feed (``kind`` ``feed``) or a listing (``tag``, ``search``), with the
    topic listing it is (``feed of tag page numergy``, ``tag page numergy``, ``search numergy``) or ``""``."""

    url: str
    kind: str
    topic_listing: str


def page_finds(root: HtmlElement, base_url: str, profile: SiteProfile, plan: TopicDiscovery, topic_listing: str,
               found: set[str]) -> list[Find]:
    """Return the feeds, topic tag archives and search a page shows, for those the profile does not name.

    Args:
        root: the parsed page.
        base_url: its URL.
        profile: the site's profile (only the entry points it lacks are looked for).
        plan: the topic's tags and search queries.
        topic_listing: the topic tag page the page is, if it is one (its feed is then a topic feed).
        found: the entry points found so far for the site; updated, and at most ``MAX_ENTRY_POINTS_FOUND``.

    Returns:
        The new entry points, in page order.
    """
    if len(found) >= MAX_ENTRY_POINTS_FOUND:
        return []
    finds = []
    if not profile.feeds:
        feed_of = f"feed of {topic_listing}" if topic_listing.startswith("tag page") else ""
        finds += [Find(url, "feed", feed_of) for url in feed_links(root, base_url, profile.is_own)]
    if not profile.tag_page:
        finds += [Find(url, "tag", f"tag page {tag}")
                  for tag, url in tag_links(root, base_url, plan.tags, profile.is_own).items()]
    if not profile.search and "search" not in found and (template := search_template(root, base_url,
                                                                                        profile.is_own)):
        found.add("search")
        finds += [Find(template.replace("{query}", quote_plus(query)), "search", f"search {query}")
                  for query in plan.queries]
    new = []
    for find in finds:
        if find.url not in found and len(found) < MAX_ENTRY_POINTS_FOUND:
            found.add(find.url)
            new.append(find)
    return new
