"""What the sitemap and feed parsers take from each entry: first text wins, Atom links, dates, caps."""

from __future__ import annotations

from crawler.discovery.parsers import Entry, parse_feed, parse_sitemap


def test_atom_entries_take_the_alternate_link_summary_and_dates():
    feed = """<feed xmlns="http://www.w3.org/2005/Atom"><title>f</title>
    <entry><title>Un</title><link rel="self" href="https://h/self"/><link href=" https://h/1 "/>
    <link rel="alternate" href="https://h/other"/><summary>Résumé</summary><published>2024-05-06T07:08:09Z</published>
    <updated>2024-06-01T00:00:00Z</updated></entry>
    <entry><title>Deux</title><link rel="alternate" href="https://h/2"/><updated>2024-07-01</updated></entry>
    <entry><title>Sans lien</title><link rel="self" href="https://h/self"/><link href="  "/></entry>
    </feed>""".encode()
    assert parse_feed(feed) == [
        Entry(url="https://h/1", title="Un", summary="Résumé", published="2024-05-06T07:08:09Z"),
        Entry(url="https://h/2", title="Deux", published="2024-07-01"),
    ]


def test_rss_fields_first_non_empty_text_wins_and_dates_become_iso():
    feed = b"""<rss><channel><title>c</title>
    <item><title>  </title><title> Titre </title><link>https://h/a</link><link>https://h/b</link>
    <description>D</description><pubDate>Tue, 02 Jan 2024 10:00:00 GMT</pubDate></item>
    <item><link>https://h/c</link><pubDate>not a date</pubDate></item>
    <item><link>https://h/d</link><pubDate>2024-01-03</pubDate></item>
    <item><title>no link</title></item>
    </channel></rss>"""
    assert parse_feed(feed) == [
        Entry(url="https://h/a", title="Titre", summary="D", published="2024-01-02T10:00:00+00:00"),
        Entry(url="https://h/c", published=None),
        Entry(url="https://h/d", published="2024-01-03"),
    ]


def test_caps_count_entries_with_a_url_only():
    items = b"".join(b"<item><title>t</title></item><item><link>https://h/%d</link></item>" % n for n in range(5))
    assert [e.url for e in parse_feed(b"<rss><channel>" + items + b"</channel></rss>", max_entries=3)] == [
        "https://h/0", "https://h/1", "https://h/2"]
    urls = b"".join(b"<url><lastmod>x</lastmod></url><url><loc>https://h/%d</loc></url>" % n for n in range(5))
    sitemap = parse_sitemap(b"<urlset>" + urls + b"</urlset>", max_entries=2)
    assert [e.url for e in sitemap.entries] == ["https://h/0", "https://h/1"] and sitemap.kind == "urlset"


def test_sitemap_fields_and_kinds():
    body = b"""<?xml version="1.0"?><!-- a comment first --><?pi x?>
    <urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"><url><loc> https://h/a </loc>
    <lastmod>2024-01-01</lastmod><lastmod>2025-01-01</lastmod></url></urlset>"""
    assert parse_sitemap(body) == parse_sitemap(body)
    assert parse_sitemap(body).entries == [Entry(url="https://h/a", lastmod="2024-01-01")]
    assert parse_sitemap(body).kind == "urlset"
    assert parse_sitemap(b"<sitemapindex><sitemap><loc>https://h/s.xml</loc></sitemap></sitemapindex>").kind == \
        "sitemapindex"
    assert parse_sitemap(b"").kind == "" and parse_sitemap(b"<!-- only -->").kind == ""
    nested = b"<urlset><url><loc>https://h/1</loc><url><loc>https://h/2</loc></url></url></urlset>"
    assert [e.url for e in parse_sitemap(nested).entries] == ["https://h/1"]  # one container at a time


def test_a_link_without_href_or_text_gives_no_entry():
    feed = b"""<rss><channel><item><title>x</title><link/></item><item><title>y</title><link>https://h/2</link></item>
    </channel></rss>"""
    assert parse_feed(feed) == [Entry(url="https://h/2", title="y")]
    atom = b'<feed xmlns="http://www.w3.org/2005/Atom"><entry><title>x</title><link rel="alternate"/></entry></feed>'
    assert parse_feed(atom) == []


def test_markup_errors_are_recovered_from_and_the_rest_is_read():
    feed = b"""<rss><channel><item><link>https://h/1</link><title>A &nbsp; B</title></item>
    <item><link>https://h/2</link><title>Deux</title></item></channel></rss>"""  # an HTML entity XML does not know
    assert parse_feed(feed) == [Entry(url="https://h/1", title="A"), Entry(url="https://h/2", title="Deux")]
    cut = b"<urlset><url><loc>https://h/a</loc></url><url><loc>https://h/b</loc></url><url><loc>https://h/c</loc>"
    assert [e.url for e in parse_sitemap(cut).entries] == ["https://h/a", "https://h/b", "https://h/c"]
