"""The defences of the hostile-input crawl, one by one, without a crawl: scope, decoding, caps, not-articles."""

from __future__ import annotations

import pytest
from parsel import Selector

from archive.text.charset import decode_html
from archive.text.extract import SiteCleanup, extract
from archive.text.notarticle import NotAnArticle, content_problem, page_problem
from crawler.discovery.generic import MAX_ANCHORS, Navigation
from crawler.discovery.listing import MAX_ENTRIES, MAX_RELATED, ListingRules, parse_listing, related_links
from crawler.middlewares.scope import out_of_scope
from crawler.mirror.bodies import GENERATORS, encode
from crawler.profiles import get_profile
from tests.test_hostile import CORPUS

HOSTS = frozenset({"127.0.0.1:8000", "www.numerama.com", "numerama.com"})


@pytest.mark.parametrize("url", [
    "http://127.0.0.1:8000/tech/1-a.html", "https://www.numerama.com/tech/1-a.html", "http://numerama.com:80/x",
])
def test_in_scope(url):
    assert out_of_scope(url, HOSTS) is None


@pytest.mark.parametrize(("url", "words"), [
    ("http://127.0.0.1:8001/", "host '127.0.0.1:8001'"),
    ("http://127.0.0.1/", "host '127.0.0.1'"),
    ("http://169.254.169.254/latest/meta-data/", "169.254.169.254"),
    ("http://localhost:8000/", "localhost:8000"),
    ("http://[::1]:8000/", "::1:8000"),
    ("http://2130706433:8000/", "2130706433:8000"),
    ("http://127.0.0.1:8000@evil.example/", "credentials"),
    ("file:///etc/passwd", "scheme 'file'"),
    ("data:text/html,x", "scheme 'data'"),
    ("javascript:alert(1)", "scheme 'javascript'"),
    ("ftp://www.numerama.com/", "scheme 'ftp'"),
    ("http://127.0.0.1:99999/", "bad port"),
])
def test_out_of_scope(url, words):
    assert words in out_of_scope(url, HOSTS)


def test_mirror_root_and_profile_hosts_are_the_scope():
    hosts = get_profile("numerama", {"numerama": "http://127.0.0.1:8001"}).hosts
    assert out_of_scope("http://127.0.0.1:8001/tech/1-a.html", hosts) is None
    assert out_of_scope("http://127.0.0.1:8002/tech/1-a.html", hosts) is not None


@pytest.mark.parametrize(("name", "content_type"), [
    ("cp1252.html", "text/html; charset=UTF-8"), ("cp1252.html", "text/html"),
    ("utf8.html", "text/html; charset=latin-1"),
    ("utf8-bom.html", "text/html; charset=iso-8859-1"), ("utf16le-bom.html", None), ("mixed.html", None),
    ("utf8-meta-cp1252.html", None), ("cp1252-meta-utf8.html", None),
])
def test_lying_encodings_decode_readably(name, content_type):
    text = decode_html((CORPUS / "pages" / name).read_bytes(), content_type)
    assert "L’économie du secteur" in text and "150 millions d’€" in text
    assert not any(m in text for m in ("Ã©", "â€™", "\ufffd", "\ufeff"))


def test_valid_utf8_decodes_as_before():
    body = (CORPUS / "pages" / "utf8.html").read_bytes()
    assert decode_html(body, "text/html; charset=utf-8") == body.decode("utf-8")


def test_invalid_utf8_bytes_do_not_break_the_words_around_them():
    text = decode_html((CORPUS / "pages" / "invalid-utf8.html").read_bytes(), "text/html; charset=utf-8")
    assert "Leurs Ã( clients" in text and "L’économie du secteur" in text


def test_related_links_of_a_million_link_page_are_capped():
    page = Selector(text="<section class='related-article'>" + "<a href='/x'>x</a>" * 1_000_000 + "</section>")
    links, drift = related_links(page, "http://h/", ListingRules(related="//section[@class='related-article']//a[@href]"), [])
    assert len(links) == MAX_RELATED and drift == ()


def test_listing_entries_are_capped():
    page = Selector(text=GENERATORS["big_listing"]().decode())
    rules = get_profile("numerama").listing
    assert len(parse_listing(page, "http://h/", rules, []).entries) == MAX_ENTRIES


def test_the_generic_reading_of_a_page_of_200_000_article_links_is_capped():
    profile = get_profile("numerama", {"numerama": "http://h"})
    page = Selector(text="<div>" + "".join(f"<p><a href='/tech/{n}-x.html'>x</a></p>" for n in range(200_000)) + "</div>")
    links = Navigation(profile.match_article).article_links(page.root, "http://h/tag/x/")
    listing = parse_listing(page, "http://h/tag/x/", profile.listing, links)
    related, _ = related_links(page, "http://h/tech/1-y.html", profile.listing, links)
    assert (len(links), len(listing.entries), len(related)) == (MAX_ANCHORS, MAX_ENTRIES, MAX_RELATED)


@pytest.mark.parametrize(("body", "content_type", "reason"), [
    (b"", "text/html", "bad page: empty response"),
    (b"  \n", None, "bad page: empty response"),
    (b"<html><body>x</body></html>", "application/octet-stream", "bad page: not html (application/octet-stream)"),
])
def test_page_problems(body, content_type, reason):
    assert page_problem(body, content_type) == reason


@pytest.mark.parametrize(("name", "reason"), [
    ("truncated.html", "bad page: truncated html"),
    ("soft-404.html", "bad page: soft 404"),
    ("soft-404-long.html", "bad page: soft 404"),
    ("cookie-wall.html", "not an article: cookie wall"),
    ("cookie-wall-short.html", "not an article: cookie wall"),
    ("paywall.html", "not an article: paywall"),
])
def test_not_articles_are_named(name, reason):
    body = (CORPUS / "pages" / name).read_bytes()
    with pytest.raises(NotAnArticle) as refused:
        extract([(body, "https://www.numerama.com/tech/1-cloud.html", "text/html; charset=utf-8")], SiteCleanup())
    assert refused.value.reason.startswith(reason), refused.value.reason


def test_an_article_with_a_cookie_banner_is_an_article():
    body = (CORPUS / "pages" / "utf8.html").read_bytes().replace(
        b"</article>", b"</article><div class='cmp'><p>Nous utilisons des cookies.</p><button>Tout accepter</button>"
        b"<button>Continuer sans accepter</button></div>")
    article = extract([(body, "https://www.numerama.com/tech/1-cloud.html", None)], SiteCleanup())
    assert content_problem(body.decode(), article) is None


def test_bomb_bodies_are_small_on_the_wire():
    assert len(GENERATORS["brotli_bomb"]()) < 10_000 and len(encode(b"x" * 1000, "zstd")) < 100
