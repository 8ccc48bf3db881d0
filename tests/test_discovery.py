"""Discovery, piece by piece: XML parsers, date window, listings, ledger, frontier."""

from __future__ import annotations

import gzip

import pytest
from parsel import Selector

from archive.reasons import Category, Reason
from archive.text.relevance import Topic
from crawler.discovery.frontier import Frontier
from crawler.discovery.generic import Navigation
from crawler.discovery.ledger import Ledger
from crawler.discovery.listing import parse_listing, related_links
from crawler.discovery.parsers import Entry, parse_feed, parse_sitemap
from crawler.discovery.window import DateWindow, WindowError
from crawler.mirror.corpus import build_corpus
from crawler.mirror.server import MirrorServer
from crawler.profiles import get_profile
from crawler.topic import TopicDiscovery, topic_path

NEWS_SITEMAP = b"""<?xml version="1.0" encoding="UTF-8"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">
<url><loc>https://www.clubic.com/actualite-1-numergy.html</loc><lastmod>2015-12-04T10:00:00+01:00</lastmod>
<news:news><news:publication><news:name>Clubic</news:name><news:language>fr</news:language></news:publication>
<news:publication_date>2015-12-03T11:04:00+01:00</news:publication_date><news:title>Numergy repris par SFR</news:title>
</news:news></url>
<url><loc>https://www.clubic.com/actualite-2-iphone.html</loc></url>
</urlset>"""

BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"><url><loc>https://h/a.html&lol3;</loc></url></urlset>"""


def test_news_sitemap_gives_title_and_publication_date():
    sitemap = parse_sitemap(NEWS_SITEMAP)
    assert sitemap.kind == "urlset"
    first, second = sitemap.entries
    assert (first.title, first.published, first.lastmod) == (
        "Numergy repris par SFR", "2015-12-03T11:04:00+01:00", "2015-12-04T10:00:00+01:00")
    assert second == Entry(url="https://www.clubic.com/actualite-2-iphone.html")


def test_sitemap_index_and_entity_expansion_refused():
    index = parse_sitemap(b'<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
                          b"<sitemap><loc>https://h/s1.xml</loc><lastmod>2020-01-01</lastmod></sitemap></sitemapindex>")
    assert index.kind == "sitemapindex" and index.entries[0].lastmod == "2020-01-01"
    laughs = parse_sitemap(BILLION_LAUGHS)
    assert all(len(e.url) < 100 for e in laughs.entries)
    assert parse_sitemap(b"not xml at all").entries == []


def test_rss_and_atom_feeds():
    rss = parse_feed(b"<rss version='2.0'><channel><item><title>Cloudwatt ferme</title>"
                     b"<link>https://h/a.html</link><pubDate>Mon, 13 Oct 2025 21:48:14 +0200</pubDate>"
                     b"<description>Orange arr\xc3\xaate Cloudwatt.</description></item></channel></rss>")
    assert rss == [Entry(url="https://h/a.html", title="Cloudwatt ferme", summary="Orange arrête Cloudwatt.",
                         published="2025-10-13T21:48:14+02:00")]
    atom = parse_feed(b"<feed xmlns='http://www.w3.org/2005/Atom'><entry><title>S3NS</title>"
                      b"<link rel='alternate' href='https://h/b.html'/><published>2024-01-02T03:04:05Z</published>"
                      b"</entry></feed>")
    assert atom[0].url == "https://h/b.html" and atom[0].published == "2024-01-02T03:04:05Z"


def test_date_window():
    window = DateWindow.from_strings("2015-01-01", "2015-12-31")
    assert window.contains("2015-12-31T23:59:00+01:00") and not window.contains("2016-01-01T00:10:00+01:00")
    assert window.contains(None)  # unknown: benefit of the doubt, checked again after extraction
    assert window.excludes_span(2014, 12) and not window.excludes_span(2015, 1) and window.excludes_span(2016, 1)
    assert window.excludes_span(2014) and not window.excludes_span(2015) and window.excludes_span(2016)
    assert window.excludes_lastmod("2014-10-01") and not window.excludes_lastmod("2014-12-20")
    assert window.is_after("2016-02-01") and not window.is_after("2015-02-01")
    assert DateWindow.from_strings("", "").is_open
    for since, until in (("2015-13-01", ""), ("2015", ""), ("2016-01-01", "2015-01-01")):
        with pytest.raises(WindowError):
            DateWindow.from_strings(since, until)


def test_ledger_totals_add_up():
    ledger = Ledger()
    for url, source in (("a", "sitemap"), ("a", "search"), ("b", "sitemap"), ("c", "tag"), ("d", "related")):
        ledger.discover(url, source, 1.0)
    ledger.fetch("a"), ledger.keep("a")
    ledger.skip("b", Reason(Category.UNPROMISING, "hint 0 <= 0"))
    ledger.fetch("c"), ledger.reject("c", Reason(Category.OFF_TOPIC, "score 2.0 < 12.0"))
    ledger.fetch("d"), ledger.reject("d", Reason(Category.HTTP_ERROR, "404"))
    ledger.page("sitemap"), ledger.page("sitemap")
    summary = ledger.summary()
    total = summary["total"]
    assert total["discovered"] == total["fetched"] + sum(total["skipped"].values()) == 4
    assert total["fetched"] == total["kept"] + sum(total["rejected"].values()) == 3
    assert total["rejected"] == {"http error": 1, "off-topic": 1}
    assert summary["sources"]["sitemap"]["discovered"] == 2 and summary["sources"]["sitemap"]["discovery_pages"] == 2
    assert summary["sources"]["search"]["found_only_here"] == 0 and summary["sources"]["tag"]["found_only_here"] == 1
    assert summary["sources"]["search"]["duplicates"] == 1 and total["duplicates"] == 1
    assert total["harvest_rate"] == round(1 / (3 + 2), 4)
    assert {row["url"]: row["reason"] for row in ledger.rejected_and_skipped()} == {
        "b": "unpromising: hint 0 <= 0", "c": "off-topic: score 2.0 < 12.0", "d": "http error: 404"}


@pytest.fixture(scope="module")
def frontier() -> Frontier:
    topic = Topic.load(topic_path("cloud-souverain"))
    return Frontier(get_profile("numerama"), topic.score_hint, DateWindow.from_strings("2015-01-01", ""))


def test_frontier_fetches_promising_urls_once(frontier):
    url = "https://www.numerama.com/business/133600-le-cloud-souverain-de-numergy-sacheve.html"
    assert frontier.offer(Entry(url), "sitemap") > 0
    assert frontier.offer(Entry(url), "tag") is None
    assert frontier.ledger.get(url).sources == ["sitemap", "tag"]


def test_frontier_skips_with_reasons_and_upgrades_on_better_news(frontier):
    url = "https://www.numerama.com/tech/200-la-nouvelle-offre-de-capgemini.html"
    assert frontier.offer(Entry(url), "sitemap") is None
    assert frontier.ledger.get(url).reason.startswith("unpromising")
    assert frontier.offer(Entry(url, title="Bleu, le cloud de confiance d'Orange et Capgemini"), "search") > 0
    old = "https://www.numerama.com/magazine/100-numergy-lance.html"
    assert frontier.offer(Entry(old, published="2014-06-01T10:00:00+02:00"), "tag") is None
    assert frontier.ledger.get(old).reason == "out of date window: published 2014-06-01T10:00:00+02:00"
    assert frontier.offer(Entry("https://www.numerama.com/tag/numergy/"), "tag") is None
    assert frontier.ledger.get("https://www.numerama.com/tag/numergy/") is None  # no candidate outside patterns


def test_topic_discovery_is_data():
    plan = TopicDiscovery.load(topic_path("cloud-souverain"))
    assert "cloud souverain" in plan.queries and "numergy" in plan.tags
    assert TopicDiscovery.load(topic_path("gaia-x")).tags == ("gaia-x",)


@pytest.mark.parametrize(("site", "path", "source"), [
    ("clubic", "/rechercher/?q=cloud+souverain", "search"),
    ("clubic", "/tag/cloud-souverain/", "tag"),
    ("numerama", "/?s=cloud+souverain", "search"),
    ("numerama", "/tag/cloud-souverain/", "tag"),
])
def test_listing_rules_read_the_mirror(site, path, source):
    corpus = build_corpus(articles=600)
    server = MirrorServer(site, corpus).start()
    try:
        profile = get_profile(site, {site: server.root})
        reply = server.dispatch("GET", path, {})
        page = Selector(text=reply.body.decode())
        links = Navigation(profile.match_article).article_links(page.root, server.root + path)
        listing = parse_listing(page, server.root + path, profile.listing, links)
        entries, next_url = listing.entries, listing.next_url
    finally:
        server.stop()
    listed = corpus.search(site, "cloud souverain") if source == "search" else corpus.tags[site]["cloud-souverain"][1]
    assert [e.url for e in entries] == [server.root + a.path for a in listed[: len(entries)]]
    per_page = 10 if source == "search" else 20
    assert len(entries) == min(per_page, len(listed))
    assert (next_url is not None) == (len(listed) > per_page)
    assert next_url is None or next_url.startswith(server.root)
    assert all(e.title and e.summary and e.published for e in entries)
    assert listing.drift == ()


def test_related_links_of_an_article():
    corpus = build_corpus(articles=300)
    article = next(a for a in corpus.site_articles("numerama") if a.on_topic)
    server = MirrorServer("numerama", corpus).start()
    try:
        reply = server.dispatch("GET", article.path, {})
        page, profile = Selector(text=reply.body.decode()), get_profile("numerama", {"numerama": server.root})
        found = Navigation(profile.match_article).article_links(page.root, server.root + article.path)
        links, drift = related_links(page, server.root + article.path, profile.listing, found)
    finally:
        server.stop()
    assert [e.url for e in links] == [server.root + corpus.articles[i].path for i in article.related]
    assert all(e.title for e in links) and drift == ()


def test_gzip_sitemap_of_the_mirror_parses():
    corpus = build_corpus(articles=300)
    server = MirrorServer("clubic", corpus).start()
    try:
        index = parse_sitemap(server.dispatch("GET", "/sitemap.xml", {}).body)
        month = urlsplit_path(index.entries[0].url)
        sitemap = parse_sitemap(gzip.decompress(server.dispatch("GET", month, {}).body))
    finally:
        server.stop()
    assert sitemap.kind == "urlset" and all(e.title and e.published for e in sitemap.entries)
    assert get_profile("clubic").sitemap_month_of(index.entries[0].url)


def urlsplit_path(url: str) -> str:
    from urllib.parse import urlsplit

    return urlsplit(url).path


def test_a_sitemap_lastmod_before_the_window_skips_the_url(frontier):
    # The window opens on 2015-01-01; a page last modified more than LASTMOD_MARGIN (31 days) before that was
    # published before the window too: skipped without a fetch, whatever its slug promises.
    stale = "https://www.numerama.com/business/1-le-cloud-souverain-de-numergy.html"
    assert frontier.offer(Entry(stale, lastmod="2014-11-30"), "sitemap") is None
    assert frontier.ledger.get(stale).reason == "out of date window: modified 2014-11-30"
    edge = "https://www.numerama.com/business/2-le-cloud-souverain-de-numergy.html"
    assert frontier.offer(Entry(edge, lastmod="2014-12-01"), "sitemap") > 0  # within the margin: fetched
    fresh = "https://www.numerama.com/business/3-le-cloud-souverain-de-numergy.html"
    assert frontier.offer(Entry(fresh, lastmod="2016-03-01T10:00:00+01:00"), "sitemap") > 0
    assert frontier.offer(Entry("https://www.numerama.com/business/4-le-cloud-souverain-de-numergy.html"),
                          "sitemap") > 0  # no lastmod: the benefit of the doubt
    # The publication date is checked first and says more.
    both = "https://www.numerama.com/business/5-le-cloud-souverain-de-numergy.html"
    assert frontier.offer(Entry(both, published="2014-06-01", lastmod="2014-06-02"), "sitemap") is None
    assert frontier.ledger.get(both).reason == "out of date window: published 2014-06-01"


def test_a_lastmod_is_not_checked_against_an_open_or_until_only_window():
    topic = Topic.load(topic_path("cloud-souverain"))
    url = "https://www.numerama.com/business/6-le-cloud-souverain-de-numergy.html"
    for since, until in (("", ""), ("", "2016-01-01")):
        frontier = Frontier(get_profile("numerama"), topic.score_hint, DateWindow.from_strings(since, until))
        assert frontier.offer(Entry(url, lastmod="2001-01-01"), "sitemap") > 0
