"""How the mirror's articles are linked and listed: exclusive channels, related links, page and tag indexes, feeds,
and the discovery channels that follow from them."""

from __future__ import annotations

import random

from crawler.mirror.corpus import FEED_SIZE, NUMERAMA_SECTIONS, SITES, Article, Corpus, slugify


def assign_exclusives(rng: random.Random, corpus: Corpus) -> None:
    """Reserve a share of on-topic articles to exactly one of search, tag or related."""
    topical = [a for a in corpus.articles if a.on_topic]
    count = round(len(topical) * corpus.exclusive_share)
    for i, a in enumerate(rng.sample(topical, min(count, len(topical)))):
        a.exclusive = ("search", "tag", "related")[i % 3]


def link_related(rng: random.Random, corpus: Corpus) -> None:
    """Give every article 3-5 related articles of its site; topic articles favour topic articles."""
    for site in SITES:
        linkable = [a for a in corpus.site_articles(site) if not a.exclusive or a.exclusive == "related"]
        topical = [a for a in linkable if a.on_topic]
        for a in corpus.site_articles(site):
            want = rng.randint(3, 5)
            picked: list[Article] = []
            if a.on_topic:
                near = sorted((t for t in topical if t is not a), key=lambda t: abs(t.published - a.published))[:10]
                picked = rng.sample(near, min(len(near), want - 1))
            others = [o for o in linkable if o is not a and o not in picked]
            picked += rng.sample(others, min(len(others), want - len(picked)))
            a.related = tuple(o.index for o in picked)
        hosts = [a for a in corpus.site_articles(site) if a.on_topic and not a.exclusive] or \
                [a for a in corpus.site_articles(site) if not a.exclusive]
        for a in corpus.site_articles(site):
            if a.exclusive == "related" and hosts and not any(a.index in h.related for h in hosts):
                host = rng.choice([h for h in hosts if h is not a])
                host.related = host.related[:-1] + (a.index,)


def index_listings(corpus: Corpus) -> None:
    """Index every page path and every tag listing of both sites."""
    for site in SITES:
        paths: dict[str, tuple[Article, int]] = {}
        tags: dict[str, tuple[str, list[Article]]] = {}
        for a in corpus.site_articles(site):
            for page, path in enumerate(a.page_paths, start=1):
                paths[path] = (a, page)
        for a in corpus.listed(site, "tag"):
            for tag in a.tags:
                tags.setdefault(slugify(tag), (tag, []))[1].append(a)
        corpus.by_path[site] = paths
        corpus.tags[site] = tags


def feed_lists(corpus: Corpus, site: str) -> dict[str, list[Article]]:
    """Every feed of a site with its items.

    Args:
        corpus: the corpus.
        site: "clubic" or "numerama".

    Returns:
        Feed path -> its (at most FEED_SIZE) newest articles.
    """
    listed = corpus.listed(site, "feed")
    if site == "clubic":
        return {
            "/feed/news.rss": listed[:FEED_SIZE],
            "/feed/news-pro.rss": [a for a in listed if a.section_path.startswith("pro/")][:FEED_SIZE],
        }
    feeds = {"/feed/": listed[:FEED_SIZE]}
    for section in NUMERAMA_SECTIONS:
        feeds[f"/{section}/feed/"] = [a for a in listed if a.section == section][:FEED_SIZE]
    for slug, (_, items) in corpus.tags[site].items():
        feeds[f"/tag/{slug}/feed/"] = [a for a in items if not a.exclusive][:FEED_SIZE]
    return feeds


def assign_channels(corpus: Corpus) -> None:
    """Record on each article the discovery channels that list it."""
    in_feed = {a.index for site in SITES for items in feed_lists(corpus, site).values() for a in items}
    linked = {i for a in corpus.articles for i in a.related}
    searchable = {a.index for site in SITES for a in corpus.listed(site, "search")}
    tagged = {a.index for site in SITES for _, items in corpus.tags[site].values() for a in items}
    for a in corpus.articles:
        channels = set()
        if not a.exclusive:
            channels.add("sitemap")
        if a.index in tagged:
            channels.add("tag")
        if a.index in searchable:
            channels.add("search")
        if a.index in in_feed:
            channels.add("feed")
        if a.index in linked:
            channels.add("related")
        a.channels = frozenset(channels)
