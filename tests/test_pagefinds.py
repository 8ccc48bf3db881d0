"""The entry points a page shows (feeds, topic tag archives, search), for profiles that name none."""

from __future__ import annotations

import lxml.html

from crawler.discovery.pagefinds import feed_links, search_template, tag_links


def own(url: str) -> bool:
    return url.startswith("http://site.test/")


PAGE = lxml.html.fromstring("""<html><head>
<link rel="alternate" type="application/rss+xml" href="/feed/">
<link rel="alternate" type="application/atom+xml" href="http://elsewhere.test/feed.atom">
<link rel="alternate" hreflang="en" href="/en/">
<link rel="stylesheet" type="application/rss+xml" href="/not-a-feed/">
</head><body>
<form class="newsletter"><input type="email" name="email"></form>
<form action="/recherche/" method="get"><input type="search" name="q"></form>
<a href="/tag/cloud-souverain/">Cloud souverain</a> <a href="/tag/numergy/?page=2">2</a>
<a href="/sujet/numergy">Numergy</a> <a href="/tag/smartphone/">x</a> <a href="/numergy.html">article</a>
<a href="http://elsewhere.test/tag/cloudwatt/">off-site</a>
</body></html>""")


def test_feeds_are_the_alternate_links_of_feed_types_on_the_site():
    assert feed_links(PAGE, "http://site.test/a/", own) == ["http://site.test/feed/"]


def test_tag_archives_of_the_topic_only_and_the_first_per_tag():
    found = tag_links(PAGE, "http://site.test/a/", ["cloud-souverain", "numergy", "cloudwatt"], own)
    assert found == {"cloud-souverain": "http://site.test/tag/cloud-souverain/", "numergy": "http://site.test/sujet/numergy"}


def test_search_from_a_get_form_with_one_text_field_else_an_empty_query_link():
    assert search_template(PAGE, "http://site.test/a/", own) == "http://site.test/recherche/?q={query}"
    link = lxml.html.fromstring('<a href="/rechercher/?q=">Rechercher</a><a href="/x?a=1">y</a>')
    assert search_template(link, "http://site.test/", own) == "http://site.test/rechercher/?q={query}"
    assert search_template(lxml.html.fromstring("<p>none</p>"), "http://site.test/", own) is None


def test_a_page_of_a_hundred_thousand_links_is_read_within_the_bounds():
    page = lxml.html.fromstring("<div>" + '<a href="/tag/x/">x</a>' * 100_000 + '<a href="/tag/numergy/">n</a></div>')
    assert tag_links(page, "http://site.test/", ["numergy"], own) == {}  # past the 2,000 anchors read
