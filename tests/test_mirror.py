"""Tests of the local mirror: corpus ground truth, URL layout, discovery paths, HTTP behaviour, editions, faults."""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import email.utils
import gzip
import hashlib
import http.client
import json
import os
import re
import socket
import threading
import time
import urllib.request
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import brotli
import lxml.html
import pytest
from lxml import etree

from archive.text.extract import SiteCleanup, extract_article
from crawler.mirror import MirrorProcess, MirrorServer, build_corpus
from crawler.mirror.__main__ import add_arguments
from crawler.mirror.corpus import Corpus
from crawler.mirror.faults import TRICKLE_CHUNKS, TRICKLE_SECONDS, FaultPlan, parse_spec
from crawler.mirror.faults import TYPES as FAULT_TYPES
from crawler.mirror.routes import SiteRoutes
from crawler.profiles import get_profile

SM = "http://www.sitemaps.org/schemas/sitemap/0.9"
NEWS = "http://www.google.com/schemas/sitemap-news/0.9"
TOPIC_TERMS = ("numergy", "cloudwatt", "cloud souverain", "secnumcloud", "gaia-x", "s3ns", "cloud de confiance")


@pytest.fixture(scope="module")
def corpus() -> Corpus:
    return build_corpus()


@pytest.fixture(scope="module")
def servers(corpus: Corpus) -> Iterator[dict[str, MirrorServer]]:
    started = {site: MirrorServer(site, corpus).start() for site in ("clubic", "numerama")}
    yield started
    for server in started.values():
        server.stop()


def fetch(url: str, headers: dict[str, str] | None = None, method: str = "GET") -> tuple[int, http.client.HTTPMessage, bytes]:
    """GET/HEAD a URL without following redirects or decoding the body."""
    parts = urlsplit(url)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
    target = parts.path + (f"?{parts.query}" if parts.query else "")
    conn.request(method, target, headers=headers or {})
    resp = conn.getresponse()
    body = resp.read()
    conn.close()
    return resp.status, resp.msg, body


def text_of(url: str) -> str:
    status, _, body = fetch(url)
    assert status == 200, url
    return body.decode("utf-8")


def test_deterministic() -> None:
    a, b = build_corpus(seed=7, articles=300), build_corpus(seed=7, articles=300)
    assert a.truth() == b.truth()
    assert build_corpus(seed=8, articles=300).truth() != a.truth()


def test_deterministic_bytes(corpus: Corpus) -> None:
    one = MirrorServer("numerama", corpus)
    two = MirrorServer("numerama", build_corpus())
    try:
        path = corpus.site_articles("numerama")[10].path
        # Same root on both would be needed for byte equality: compare with the port masked.
        first = one.routes.route(path).body.replace(one.root.encode(), b"ROOT")
        second = two.routes.route(path).body.replace(two.root.encode(), b"ROOT")
        assert first == second
    finally:
        one.httpd.server_close()
        two.httpd.server_close()


def test_counts_kinds_and_dates(corpus: Corpus) -> None:
    truth = corpus.truth()
    kinds = Counter(t["kind"] for t in truth)
    assert kinds["on_topic"] >= 30 and kinds["decoy"] > 0 and kinds["souverain_other"] > 0 and kinds["off_topic"] > 0
    sites = Counter(t["site"] for t in truth)
    assert abs(sites["clubic"] - sites["numerama"]) < len(truth) * 0.2
    years = {int(t["published"][:4]) for t in truth}
    assert min(years) == 2012 and max(years) == 2026
    for t in truth:
        assert re.search(r"[+-]0[12]:00$", t["published"]), t["published"]
        assert 250 <= len(t["text"].split()) <= 900
        folded = t["text"].lower()
        if t["kind"] == "on_topic":
            assert sum(term in folded for term in TOPIC_TERMS) >= 2
            if t["published"] < "2016":
                assert "secnumcloud" not in folded and "gaia-x" not in folded
        elif t["kind"] == "decoy":
            assert sum(folded.count(term) for term in TOPIC_TERMS + ("ovh", "outscale", "orange")) >= 1
        else:
            assert not any(term in folded for term in TOPIC_TERMS)
        if t["kind"] == "off_topic":
            assert "souverain" not in folded
    big = Counter(t["kind"] for t in build_corpus(articles=2000).truth())
    assert big["on_topic"] >= 100


def test_url_patterns(corpus: Corpus) -> None:
    clubic_ids: dict[int, set[bool]] = {}
    for a in corpus.articles:
        if a.site == "numerama":
            if a.published.year < 2015 or (a.published.year == 2015 and a.published.month < 10):
                assert re.fullmatch(r"/magazine/\d{5}-[a-z0-9-]+\.html", a.path)
            else:
                assert re.fullmatch(r"/[a-z-]+/\d{6,7}-[a-z0-9-]+\.html", a.path) and a.id > 120000
        else:
            if a.pages > 1:
                assert all(re.fullmatch(rf"/[a-z0-9/-]+/article-{a.id}-{n}-[a-z0-9-]+\.html", p)
                           for n, p in enumerate(a.page_paths, start=1))
            elif a.published.year >= 2020:
                assert re.fullmatch(r"/actualite-\d+-[a-z0-9-]+\.html", a.path)
            else:
                assert re.fullmatch(r"/[a-z0-9/-]+/actualite-\d+-[a-z0-9-]+\.html", a.path)
            clubic_ids.setdefault(a.id, set()).add(a.published.year >= 2020)
    assert sum(1 for eras in clubic_ids.values() if eras == {True, False}) >= 3
    topic_clubic = [a for a in corpus.articles if a.site == "clubic" and a.on_topic and a.published.year < 2020]
    assert any("/pro/it-business/cloud-computing/" in a.path for a in topic_clubic)


def test_every_article_in_sitemaps(corpus: Corpus, servers: dict[str, MirrorServer]) -> None:
    numerama = servers["numerama"].root
    status, headers, _ = fetch(numerama + "/sitemap.xml")
    assert status == 301 and headers["Location"] == numerama + "/sitemap_index.xml"
    robots = text_of(numerama + "/robots.txt")
    assert f"Sitemap: {numerama}/sitemap.xml" in robots and "Disallow: /wp-admin/" in robots
    found: set[str] = set()
    index = re.findall(r"<loc>([^<]+)</loc>", text_of(numerama + "/sitemap_index.xml"))
    assert [urlsplit(u).path for u in index] == ["/post-sitemap.xml", "/page-sitemap.xml", "/post_tag-sitemap.xml"]
    found.update(re.findall(r"<loc>([^<]+)</loc>", text_of(index[0])))
    pages = re.findall(r"<loc>([^<]+)</loc>", text_of(index[1]))
    assert pages[0] == numerama + "/" and numerama + "/mentions-legales/" in pages
    assert fetch(numerama + "/mentions-legales/")[0] == 404
    tags = re.findall(r"<loc>([^<]+)</loc>", text_of(index[2]))
    assert tags == [f"{numerama}/tag/{slug}/" for slug in sorted(corpus.tags["numerama"])]
    assert text_of(tags[0])
    assert fetch(numerama + "/sitemaps/post-2016-03.xml")[0] == 404
    clubic = servers["clubic"].root
    assert f"Sitemap: {clubic}/sitemap.xml" in text_of(clubic + "/robots.txt")
    for loc in re.findall(r"<loc>([^<]+)</loc>", text_of(clubic + "/sitemap.xml")):
        assert re.fullmatch(rf"{clubic}/sitemaps/news-\d{{4}}-\d{{2}}\.xml\.gz", loc)
        status, headers, body = fetch(loc, {"Accept-Encoding": "gzip"})
        assert status == 200 and headers["Content-Type"] == "application/x-gzip" and "Content-Encoding" not in headers
        found.update(re.findall(r"<loc>([^<]+)</loc>", gzip.decompress(body).decode()))
    expected = {servers[t["site"]].root + t["url_path"] for t in corpus.truth()}
    assert found == expected


def test_yoast_post_sitemaps() -> None:
    corpus = build_corpus(articles=2000, exclusive_share=0.2)
    routes = SiteRoutes("numerama", corpus, "http://n")
    index = etree.fromstring(routes.route("/sitemap_index.xml").body)
    files = [(e.findtext(f"{{{SM}}}loc"), e.findtext(f"{{{SM}}}lastmod")) for e in index]
    posts = [(loc, lastmod) for loc, lastmod in files if "/post-sitemap" in loc]
    assert [loc for loc, _ in files[len(posts):]] == ["http://n/page-sitemap.xml", "http://n/post_tag-sitemap.xml"]
    by_path = {a.path: a for a in corpus.site_articles("numerama")}
    listed: list[str] = []
    for n, (loc, lastmod) in enumerate(posts, start=1):
        assert loc == "http://n/post-sitemap" + (str(n) if n > 1 else "") + ".xml"
        urls = etree.fromstring(routes.route(urlsplit(loc).path).body)
        entries = [(u.findtext(f"{{{SM}}}loc"), u.findtext(f"{{{SM}}}lastmod")) for u in urls]
        assert 0 < len(entries) <= 1000
        for url, when in entries:
            assert when == by_path[urlsplit(url).path].modified.isoformat()
        stamps = [dt.datetime.fromisoformat(when) for _, when in entries]
        assert stamps == sorted(stamps) and lastmod == max(stamps).isoformat()
        listed += [urlsplit(url).path for url, _ in entries]
    expected = [a.path for a in corpus.site_articles("numerama") if not a.exclusive]
    assert len(listed) == len(set(listed)) and sorted(listed) == sorted(expected)
    assert any(by_path[p].modified < by_path[p].published for p in listed)
    assert any(a.exclusive for a in corpus.site_articles("numerama"))
    big = SiteRoutes("numerama", build_corpus(articles=4500), "http://n")
    sizes = [len(entries) for path, entries in big.sitemaps.items() if path.startswith("/post-sitemap")]
    assert len(sizes) >= 2 and sizes[:-1] == [1000] * (len(sizes) - 1) and "/post-sitemap2.xml" in big.sitemaps
    assert sum(sizes) == sum(1 for a in big.corpus.site_articles("numerama"))


def test_clubic_news_sitemap(corpus: Corpus) -> None:
    routes = SiteRoutes("clubic", corpus, "http://c")
    index = etree.fromstring(routes.route("/sitemap.xml").body)
    assert all(e.findtext(f"{{{SM}}}lastmod") for e in index)
    by_path = {a.path: a for a in corpus.site_articles("clubic")}
    checked = 0
    for loc in [e.findtext(f"{{{SM}}}loc") for e in index][::7]:
        response = routes.route(urlsplit(loc).path)
        assert response.content_type == "application/x-gzip" and not response.encodable
        for url in etree.fromstring(gzip.decompress(response.body)):
            article = by_path[urlsplit(url.findtext(f"{{{SM}}}loc")).path]
            assert url.findtext(f"{{{SM}}}lastmod") == article.last_modified.isoformat()
            news = url.find(f"{{{NEWS}}}news")
            assert news.findtext(f"{{{NEWS}}}publication/{{{NEWS}}}name") == "Clubic"
            assert news.findtext(f"{{{NEWS}}}publication/{{{NEWS}}}language") == "fr"
            assert news.findtext(f"{{{NEWS}}}title") == article.title
            published = news.findtext(f"{{{NEWS}}}publication_date")
            assert published == article.published.isoformat() and re.search(r"[+-]0[12]:00$", published)
            checked += 1
    assert checked >= 10 and any("'" in a.title for a in corpus.site_articles("clubic"))


def test_listing_entries_and_related_links(corpus: Corpus, servers: dict[str, MirrorServer]) -> None:
    n, c = servers["numerama"].root, servers["clubic"].root
    by_path = {a.path: a for a in corpus.articles}
    pages = [n + "/", n + "/tech/", n + "/?s=cloud", n + f"/tag/{next(iter(corpus.tags['numerama']))}/",
             n + f"/author/{corpus.site_articles('numerama')[-1].author_keys[0]}/",
             c + "/", c + "/actualites-informatique/", c + "/rechercher/?q=cloud",
             c + f"/tag/{next(iter(corpus.tags['clubic']))}/"]
    for url in pages:
        doc = lxml.html.fromstring(text_of(url))
        entries = doc.xpath("//div[contains(@class, 'archive-posts')]/article"
                            " | //div[contains(@class, 'news-feed')]/div")
        assert entries, url
        for entry in entries:
            link = entry.xpath(".//a[@href]")[0]
            article = by_path[urlsplit(link.get("href")).path]
            assert link.text_content().strip() == article.title
            assert entry.xpath(".//p")[0].text_content() == article.snippet
            assert entry.xpath(".//time/@datetime") == [article.published.isoformat()]
    for site, root in (("numerama", n), ("clubic", c)):
        article = corpus.site_articles(site)[5]
        doc = lxml.html.fromstring(text_of(root + article.path))
        block = doc.xpath("//section[contains(@class, 'related-article') or contains(@class, 'related-news')]")[0]
        links = [(urlsplit(a.get("href")).path, a.text_content().strip()) for a in block.xpath(".//a[@href]")]
        assert links == [(corpus.articles[i].path, corpus.articles[i].title) for i in article.related]


def test_exclusive_channels() -> None:
    corpus = build_corpus(exclusive_share=0.2)
    exclusive = [t for t in corpus.truth() if "sitemap" not in t["channels"]]
    assert exclusive and all(t["on_topic"] and len(t["channels"]) == 1 for t in exclusive)
    assert {c for t in exclusive for c in t["channels"]} == {"search", "tag", "related"}
    related_only = [a for a in corpus.articles if a.exclusive == "related"]
    assert all(any(a.index in b.related for b in corpus.articles if not b.exclusive) for a in related_only)
    search_only = [a for a in corpus.articles if a.exclusive == "search"]
    assert all(a in corpus.search(a.site, a.title) for a in search_only)


def test_encoding_negotiation(corpus: Corpus, servers: dict[str, MirrorServer]) -> None:
    article = next(a for a in corpus.articles if a.site == "clubic")
    url = servers["clubic"].root + article.path
    _, plain_headers, plain = fetch(url)
    assert "Content-Encoding" not in plain_headers and plain_headers["Vary"] == "Accept-Encoding"
    assert int(plain_headers["Content-Length"]) == len(plain)
    assert plain_headers["Content-Type"] == "text/html; charset=UTF-8"
    _, headers, body = fetch(url, {"Accept-Encoding": "gzip, deflate, br"})
    assert headers["Content-Encoding"] == "br" and brotli.decompress(body) == plain
    assert int(headers["Content-Length"]) == len(body)
    _, headers, body = fetch(url, {"Accept-Encoding": "gzip"})
    assert headers["Content-Encoding"] == "gzip" and gzip.decompress(body) == plain
    _, headers, body = fetch(servers["numerama"].root + "/feed/", {"Accept-Encoding": "br, gzip"})
    assert headers["Content-Encoding"] == "gzip" and b"<rss" in gzip.decompress(body)
    status, headers, body = fetch(url, method="HEAD")
    assert status == 200 and body == b"" and int(headers["Content-Length"]) == len(plain)


def test_article_markup(corpus: Corpus, servers: dict[str, MirrorServer]) -> None:
    a = next(a for a in corpus.articles if a.site == "numerama" and a.published.year > 2016)
    page = text_of(servers["numerama"].root + a.path)
    assert f'content="{servers["numerama"].root + a.path}"' in page
    assert f" - {a.section_name} - Numerama" in page and 'property="article:tag"' in page
    for marker in ("+ rapide, + pratique, + exclusif", "Vous avez lu 0 articles sur Numerama ce mois-ci",
                   "Partager sur les réseaux sociaux", "Si vous avez aimé cet article", "À lire aussi",
                   'class="post-content', 'class="post-author-bloc"'):
        assert marker in page
    c = next(a for a in corpus.articles if a.site == "clubic" and a.pages == 1 and a.published.month in (1, 2, 12))
    page = text_of(servers["clubic"].root + c.path)
    wall = c.published.replace(tzinfo=None).isoformat()
    assert f'"datePublished": "{wall}Z"' in page
    assert f'article:published_time" content="{wall}+01:00"' in page
    for marker in ("À découvrir également", "Google Actualités", f"Commentaires ({len(c.comments)})",
                   "Rejoignez la communauté Clubic", "Abonnez-vous à notre newsletter", "la charte de confiance",
                   "Publié le ", 'class="cell cell-legacy body-filters__container'):
        assert marker in page
    for i in c.related:
        assert corpus.articles[i].path in page and corpus.articles[i].site == "clubic"


def test_multipage_chain(corpus: Corpus, servers: dict[str, MirrorServer]) -> None:
    article = next(a for a in corpus.articles if a.pages > 1)
    root = servers["clubic"].root
    url, seen, text = root + article.path, [], []
    while url:
        html = text_of(url)
        seen.append(urlsplit(url).path)
        text += re.findall(r"<p>([^<]*)</p>", html.split('body-filters__container')[1].split("</div>")[0])
        nxt = re.search(r'<a [^>]*href="([^"]+)"[^>]*>Page suivante</a>', html)
        url = root + nxt[1] if nxt else ""
    assert seen == list(article.page_paths)
    assert "Page précédente" in html
    assert "\n".join(t.replace("&#x27;", "'") for t in text) == article.text


def test_conditional_and_cookies(corpus: Corpus, servers: dict[str, MirrorServer]) -> None:
    a = corpus.site_articles("numerama")[3]
    url = servers["numerama"].root + a.path
    status, headers, _ = fetch(url)
    assert status == 200 and len(headers.get_all("Set-Cookie")) == 2
    status, _, body = fetch(url, {"If-None-Match": headers["ETag"]})
    assert status == 304 and body == b""
    status, _, _ = fetch(url, {"If-Modified-Since": headers["Last-Modified"]})
    assert status == 304
    status, _, _ = fetch(url, {"If-None-Match": '"other"'})
    assert status == 200


def test_listings_search_redirect_404(corpus: Corpus, servers: dict[str, MirrorServer]) -> None:
    n, c = servers["numerama"].root, servers["clubic"].root
    numergy = [a for a in corpus.listed("numerama", "search") if "numergy" in a.text.lower() + a.title.lower()]
    html = text_of(n + "/?s=NUMERGY")
    assert numergy and numergy[0].path in html
    assert "cloud" in text_of(n + "/?s=cloud+souverain").lower()
    tag = max(corpus.tags["numerama"], key=lambda s: len(corpus.tags["numerama"][s][1]))
    first = text_of(n + f"/tag/{tag}/")
    assert first.count('class="post-grid format-article"') == min(20, len(corpus.tags["numerama"][tag][1]))
    if len(corpus.tags["numerama"][tag][1]) > 20:
        assert f"{n}/tag/{tag}/page/2/" in first and text_of(n + f"/tag/{tag}/page/2/")
    assert "<item>" in text_of(n + f"/tag/{tag}/feed/")
    a = corpus.site_articles("numerama")[-1]
    status, headers, _ = fetch(n + f"/?p={a.id}")
    assert status == 301 and headers["Location"] == n + a.path
    assert text_of(n + f"/author/{a.author_keys[0]}/")
    assert "<rss" in text_of(c + "/feed/news.rss") and "<rss" in text_of(c + "/feed/news-pro.rss")
    assert "numergy" in text_of(c + "/rechercher/?q=Numergy").lower()
    assert text_of(c + "/tag/cloud-souverain/")
    ca = corpus.site_articles("clubic")[-1]
    assert ca.path in text_of(c + re.search(r'href="(/auteur/[^"]+)"', text_of(c + ca.path))[1])
    for root in (n, c):
        status, headers, body = fetch(root + "/nope/does-not-exist.html")
        assert status == 404 and headers["Content-Type"].startswith("text/html") and b"<footer" in body


def test_concurrent_requests_are_all_served(corpus: Corpus, servers: dict[str, MirrorServer]) -> None:
    urls = [servers[a.site].root + a.path for a in corpus.articles[:120]]
    errors: list[str] = []

    def worker(chunk: list[str]) -> None:
        for u in chunk:
            if fetch(u, {"Accept-Encoding": "gzip"})[0] != 200:
                errors.append(u)

    threads = [threading.Thread(target=worker, args=(urls[i::4],)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(urls) == 120 and not errors  # the rate is measured in benchmarks/mirror.py


def test_mirror_process() -> None:
    with MirrorProcess(articles=120, seed=3) as mirror:
        assert set(mirror.roots) == {"clubic", "numerama"} and mirror.pid > 0
        truth = mirror.truth()
        first = next(t for t in truth if t["site"] == "clubic")
        with urllib.request.urlopen(mirror.roots["clubic"] + first["url_path"], timeout=10) as resp:
            assert resp.status == 200 and first["title"].split()[0].encode() in resp.read()
        pid = mirror.pid
    assert mirror._proc is not None and mirror._proc.returncode == 0
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)


# --- validators everywhere, editions, faults -------------------------------------------------------------


def etag_of(body: bytes) -> str:
    """The mirror's strong ETag of an identity body."""
    return '"' + hashlib.sha1(body).hexdigest()[:20] + '"'


def test_conditional_everywhere(corpus: Corpus, servers: dict[str, MirrorServer]) -> None:
    n, c = servers["numerama"].root, servers["clubic"].root
    tag = next(iter(corpus.tags["numerama"]))
    month = next(iter(servers["clubic"].routes.months))
    urls = [n + "/robots.txt", n + "/sitemap_index.xml", n + "/post-sitemap.xml", n + "/post_tag-sitemap.xml",
            n + "/page-sitemap.xml", n + "/", n + "/tech/", n + f"/tag/{tag}/", n + "/?s=cloud", n + "/?s=zzzz",
            n + f"/author/{corpus.site_articles('numerama')[-1].author_keys[0]}/", n + "/feed/", n + f"/tag/{tag}/feed/",
            c + "/robots.txt", c + "/sitemap.xml", c + f"/sitemaps/news-{month}.xml.gz", c + "/",
            c + "/actualites-informatique/?page=1", c + "/tag/cloud-souverain/", c + "/rechercher/?q=cloud",
            c + "/feed/news.rss", c + "/feed/news-pro.rss"]
    for url in urls:
        status, headers, body = fetch(url)
        assert status == 200 and headers["ETag"] == etag_of(body) and not headers["ETag"].startswith("W/"), url
        modified = email.utils.parsedate_to_datetime(headers["Last-Modified"])
        assert dt.datetime(2012, 1, 1, tzinfo=dt.UTC) < modified < dt.datetime(2026, 4, 3, tzinfo=dt.UTC)
        for conditional in ({"If-None-Match": headers["ETag"]}, {"If-Modified-Since": headers["Last-Modified"]},
                            {"If-None-Match": f'"x", {headers["ETag"]}', "Accept-Encoding": "gzip"}):
            status, again, empty = fetch(url, conditional)
            assert status == 304 and empty == b"" and again["ETag"] == headers["ETag"], (url, conditional)
        assert fetch(url, {"If-None-Match": '"stale"', "If-Modified-Since": headers["Last-Modified"]})[0] == 200
    newest = max(a.published for a in corpus.listed("numerama", "feed"))
    assert fetch(n + "/")[1]["Last-Modified"] == email.utils.format_datetime(newest.astimezone(dt.UTC), usegmt=True)
    for url in (n + "/sitemap.xml", n + "/nope/", c + "/nope.html"):
        assert "ETag" not in fetch(url)[1]


def test_crawl_delay(corpus: Corpus) -> None:
    assert "Crawl-delay" not in SiteRoutes("clubic", corpus, "http://c").route("/robots.txt").body.decode()
    robots = SiteRoutes("numerama", corpus, "http://n", crawl_delay=2.5).route("/robots.txt").body.decode()
    assert robots.startswith("User-agent: *\nCrawl-delay: 2.5\n") and "Sitemap: http://n/sitemap.xml" in robots


def site_pages(corpus: Corpus, root: str = "http://x") -> dict[tuple[str, str], bytes]:
    """Identity bytes of every article page and a few discovery pages of both sites."""
    out = {}
    for site in ("clubic", "numerama"):
        routes = SiteRoutes(site, corpus, root)
        for path in [*routes.paths, "/", "/robots.txt", "/sitemap.xml", "/feed/", "/feed/news.rss"]:
            out[(site, path)] = routes.route(path).body
    return out


def test_edition_zero_unchanged(corpus: Corpus) -> None:
    zero = build_corpus(edition=0)
    assert zero.truth() == corpus.truth() and all(t["edition_change"] is None for t in zero.truth())
    assert zero.edition_changes() == {"text": [], "chrome": [], "new": []}
    assert site_pages(zero) == site_pages(corpus)


def extracted(site: str, path: str, body: bytes) -> str:
    """Article text as the archive extracts it with the site's cleanup."""
    cleanup = SiteCleanup.from_dict(get_profile(site).cleanup)
    return extract_article(body, "http://x" + path, content_type="text/html; charset=UTF-8", cleanup=cleanup).text


def test_edition_one(corpus: Corpus) -> None:
    one = build_corpus(edition=1)
    changes = one.edition_changes()
    assert len(changes["text"]) == 5 and len(changes["chrome"]) == 5 and not changes["new"]
    assert not set(changes["text"]) & set(changes["chrome"])
    before = {t["url_path"]: t for t in corpus.truth()}
    after = {t["url_path"]: t for t in one.truth()}
    assert before.keys() == after.keys()
    first_dates = max(max(t["published"], t["modified"]) for t in corpus.truth())
    for path, t in after.items():
        old = before[path]
        assert t["edition_change"] == ("text" if path in changes["text"] else "chrome" if path in changes["chrome"] else None)
        if t["edition_change"]:
            assert t["on_topic"] and t["title"] == old["title"] and t["published"] == old["published"]
        if t["edition_change"] == "text":
            assert t["text"] != old["text"] and len(t["text"].split("\n")) == len(old["text"].split("\n")) + 1
            assert t["text"].split("\n")[0] == old["text"].split("\n")[0] and "Mise à jour du " in t["text"]
            assert dt.datetime.fromisoformat(t["modified"]) > dt.datetime.fromisoformat(first_dates)
        else:
            assert {k: v for k, v in t.items() if k != "edition_change"} == {k: v for k, v in old.items() if k != "edition_change"}
    pages0, pages1 = site_pages(corpus), site_pages(one)
    changed = {key for key in pages0 if pages0[key] != pages1[key]}
    assert {path for _, path in changed} - {"/robots.txt", "/sitemap.xml", "/feed/", "/feed/news.rss", "/"} == \
        set(changes["text"]) | set(changes["chrome"])
    for (site, path) in changed:
        if path in changes["text"] or path in changes["chrome"]:
            text0, text1 = extracted(site, path, pages0[site, path]), extracted(site, path, pages1[site, path])
            assert (text0 != text1) == (path in changes["text"]), path
            assert " ".join(text1.split()) == " ".join(after[path]["text"].split())


def test_edition_one_on_the_wire(corpus: Corpus) -> None:
    one = build_corpus(edition=1)
    changes = one.edition_changes()
    server = MirrorServer("numerama", one).start()
    try:
        old = SiteRoutes("numerama", corpus, server.root)
        articles = {a.path: a for a in corpus.site_articles("numerama")}
        for path in [p for p in (*changes["text"], *changes["chrome"]) if p in articles] + list(articles)[:5]:
            old_article = articles[path]
            old_headers = {"If-None-Match": etag_of(old.route(path).body)}
            kind = one.by_path["numerama"][path][0].change
            assert fetch(server.root + path, old_headers)[0] == (200 if kind else 304), path
            since = {"If-Modified-Since": email.utils.format_datetime(
                old_article.last_modified.astimezone(dt.UTC), usegmt=True)}
            assert fetch(server.root + path, since)[0] == (200 if kind == "text" else 304), path
        sitemap = text_of(server.root + "/post-sitemap.xml")
        texts = [p for p in changes["text"] if p in articles]
        entries = re.findall(rf"<loc>{re.escape(server.root)}([^<]+)</loc><lastmod>([^<]+)</lastmod>", sitemap)
        assert texts and entries[-len(texts):] == [(p, one.by_path["numerama"][p][0].modified.isoformat()) for p in texts]
    finally:
        server.stop()


def test_edition_two() -> None:
    one, two = build_corpus(edition=1), build_corpus(edition=2)
    changes = two.edition_changes()
    assert {k: changes[k] for k in ("text", "chrome")} == {k: one.edition_changes()[k] for k in ("text", "chrome")}
    assert len(changes["new"]) == 10
    truth = two.truth()
    assert [t["url_path"] for t in truth[-10:]] == changes["new"] and truth[:-10] != [] and len(truth) == 370
    newest_one = max(max(t["published"], t["modified"]) for t in one.truth())
    new = truth[-10:]
    assert all(dt.datetime.fromisoformat(t["published"]) > dt.datetime.fromisoformat(newest_one) for t in new)
    assert {t["site"] for t in new} == {"clubic", "numerama"} and sum(t["on_topic"] for t in new) >= 3
    assert all({"sitemap", "feed"} <= set(t["channels"]) and t["edition_change"] == "new" for t in new)
    assert len({(t["site"], t["url_path"]) for t in truth}) == len(truth)
    pages1, pages2 = site_pages(one), site_pages(two)
    assert all(pages2[key] == body for key, body in pages1.items() if key[1] not in ("/", "/sitemap.xml", "/feed/", "/feed/news.rss"))
    routes = SiteRoutes("clubic", two, "http://c")
    newest_clubic = [t["url_path"] for t in reversed(new) if t["site"] == "clubic"]
    feed = routes.route("/feed/news.rss").body.decode()
    assert re.findall(r"<link>http://c(/[^<]+)</link>", feed)[1:1 + len(newest_clubic)] == newest_clubic
    index = routes.route("/sitemap.xml").body.decode()
    month = re.findall(r"news-(\d{4}-\d{2})\.xml\.gz", index)[-1]
    listed = gzip.decompress(routes.route(f"/sitemaps/news-{month}.xml.gz").body).decode()
    assert all(p in listed for p in newest_clubic)
    home = SiteRoutes("numerama", two, "http://n").route("/").body.decode()
    assert all(t["url_path"] in home for t in new if t["site"] == "numerama")
    for t in new:
        site = t["site"]
        body = SiteRoutes(site, two, "http://x").route(t["url_path"]).body
        assert " ".join(extracted(site, t["url_path"], body).split()) == " ".join(t["text"].split())


def test_fault_spec() -> None:
    assert parse_spec("") == {}
    shared = parse_spec("all=0.7")
    assert set(shared) == set(FAULT_TYPES) and sum(shared.values()) == pytest.approx(0.7)
    assert parse_spec("all=0.7,reset=0") == {k: v for k, v in shared.items() if k != "reset"}
    assert parse_spec("500=0.1,429=0.05, reset=0.05") == {"5xx": 0.1, "429": 0.05, "reset": 0.05}
    for bad in ("nope=0.1", "5xx", "5xx=2", "5xx=0.6,429=0.6", "5xx=abc"):
        with pytest.raises(ValueError):
            parse_spec(bad)
    parser = argparse.ArgumentParser()
    add_arguments(parser)
    args = parser.parse_args(["--faults", "all=0.2", "--fault-seed", "4", "--edition", "2", "--crawl-delay", "1"])
    assert (args.faults, args.fault_seed, args.fault_timeout, args.edition, args.crawl_delay) == ("all=0.2", 4, 20.0, 2, 1.0)
    with pytest.raises(SystemExit):
        parser.parse_args(["--faults", "bogus=1"])


def test_fault_rates() -> None:
    rates = {"5xx": 0.1, "429": 0.05, "timeout": 0.02, "reset": 0.05, "truncated": 0.04, "trickle": 0.03,
             "redirect_loop": 0.03}
    plan = FaultPlan(",".join(f"{k}={v}" for k, v in rates.items()), seed=11)
    drawn = Counter(plan.draw("clubic", f"/page-{i}.html")[0] for i in range(20_000))
    for name, rate in rates.items():
        assert abs(drawn[name] / 20_000 - rate) < 0.2 * rate + 0.003, (name, drawn[name])
    again = Counter(plan.draw("clubic", "/same.html")[0] for _ in range(20_000))
    assert abs(again[None] / 20_000 - (1 - sum(rates.values()))) < 0.02
    first, second = FaultPlan("all=0.5", seed=11), FaultPlan("all=0.5", seed=11)
    assert [first.draw("numerama", "/x") for _ in range(50)] == [second.draw("numerama", "/x") for _ in range(50)]
    assert [first.draw("numerama", "/y") for _ in range(50)] != [FaultPlan("all=0.5", seed=12).draw("numerama", "/y")
                                                                for _ in range(50)]
    robots = Counter(plan.draw("numerama", "/robots.txt")[0] for _ in range(5000))
    assert set(robots) == {None, "5xx", "429"} and abs(robots["5xx"] / 5000 - 0.1) < 0.03


@contextlib.contextmanager
def faulty(corpus: Corpus, spec: str, **options: object) -> Iterator[MirrorServer]:
    """A numerama server injecting faults (plan options: seed, timeout, log)."""
    plan = FaultPlan(spec, **options)
    server = MirrorServer("numerama", corpus, faults=plan).start()
    try:
        yield server
    finally:
        server.stop()
        plan.close()


def raw_get(server: MirrorServer, target: str, timeout: float = 5.0) -> bytes:
    """Send one GET on a fresh socket and read until the server closes."""
    with socket.create_connection(("127.0.0.1", server.port), timeout=timeout) as sock:
        sock.sendall(f"GET {target} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".encode())
        data = b""
        while chunk := sock.recv(65536):
            data += chunk
        return data


def test_fault_status_and_redirect_loop(corpus: Corpus, tmp_path: Path) -> None:
    path = corpus.site_articles("numerama")[4].path
    log = tmp_path / "faults.jsonl"
    with faulty(corpus, "5xx=1", log=log) as server:
        statuses = Counter()
        for _ in range(12):
            status, headers, body = fetch(server.root + path)
            statuses[status] += 1
            assert b"<center>nginx</center>" in body and headers["Content-Type"] == "text/html"
        assert set(statuses) == {500, 502, 503}
        assert fetch(server.root + "/robots.txt")[0] in (500, 502, 503)
    entries = [json.loads(line) for line in log.read_text().splitlines()]
    assert [e["n"] for e in entries[:12]] == list(range(12)) and {e["fault"] for e in entries} == {"5xx"}
    assert Counter(e["status"] for e in entries[:12]) == statuses
    with faulty(corpus, "429=1") as server:
        status, headers, _ = fetch(server.root + path)
        assert status == 429 and headers["Retry-After"] in ("1", "2")
    with faulty(corpus, "redirect_loop=1") as server:
        target = "/?s=cloud"
        for hop in range(1, 25):
            status, headers, _ = fetch(server.root + target)
            assert status == 302 and headers["Location"] == f"{server.root}/?s=cloud&loop={hop}"
            target = urlsplit(headers["Location"]).path + "?" + urlsplit(headers["Location"]).query
        assert fetch(server.root + "/robots.txt")[0] == 200


def test_fault_transport(corpus: Corpus) -> None:
    article = corpus.site_articles("numerama")[7]
    with faulty(corpus, "reset=1") as server:
        with pytest.raises(ConnectionResetError):
            raw_get(server, article.path)
        assert b"User-agent" in raw_get(server, "/robots.txt")
    with faulty(corpus, "truncated=1") as server:
        data = raw_get(server, article.path)
        head, _, body = data.partition(b"\r\n\r\n")
        length = int(re.search(rb"Content-Length: (\d+)", head)[1])
        assert head.startswith(b"HTTP/1.1 200") and len(body) == length // 2 and 0 < len(body) < length
        with pytest.raises(http.client.IncompleteRead):
            fetch(server.root + article.path)
    with faulty(corpus, "timeout=1", timeout=1.0) as server:
        with pytest.raises(TimeoutError):
            urllib.request.urlopen(server.root + article.path, timeout=0.3)
        start = time.monotonic()
        # Silent for the fault's second (a lower bound: no load makes a wait shorter), then closed with nothing
        # sent: raw_get returns once the server closes (its socket timeout only fails a connection left open).
        assert raw_get(server, article.path, timeout=60) == b"" and time.monotonic() - start >= 0.9
    with faulty(corpus, "trickle=1") as server:
        full = server.routes.route(article.path).body
        start = time.monotonic()
        with urllib.request.urlopen(server.root + article.path, timeout=60) as resp:
            body = resp.read()
        # The whole valid body, spread over the trickle's pauses (TRICKLE_CHUNKS - 1 waits: a lower bound).
        assert body == full and time.monotonic() - start >= (TRICKLE_CHUNKS - 1) * TRICKLE_SECONDS / TRICKLE_CHUNKS
    with faulty(corpus, "trickle=1") as server:
        full = server.routes.route(article.path).body
        with urllib.request.urlopen(server.root + article.path, timeout=60) as resp:
            first = resp.read(len(full) // TRICKLE_CHUNKS)
            server.stopping.set()  # ends the trickle's next pause: what was not sent yet never is
            with pytest.raises(http.client.IncompleteRead):
                resp.read()
        assert first == full[: len(first)] and first  # the body's start arrived while the rest was still held back


def test_faulted_pages_are_eventually_served(corpus: Corpus, tmp_path: Path) -> None:
    log = tmp_path / "faults.jsonl"
    paths = [a.path for a in corpus.site_articles("numerama")[:25]] + ["/", "/feed/", "/robots.txt"]
    with faulty(corpus, "all=0.6,trickle=0", seed=5, timeout=0.2, log=log) as server:
        attempts: list[int] = []
        for path in paths:
            for attempt in range(1, 40):
                try:
                    status, _, body = fetch(server.root + path)
                except (OSError, http.client.HTTPException):
                    continue
                if status == 200:
                    assert body.endswith(b"</html>\n") or body.endswith(b"</rss>\n") or b"Sitemap:" in body
                    attempts.append(attempt)
                    break
            else:
                pytest.fail(f"{path} never served")
    faults = [json.loads(line) for line in log.read_text().splitlines()]
    assert sum(attempts) - len(attempts) == len(faults) and max(attempts) > 1
    assert {f["fault"] for f in faults} == set(FAULT_TYPES) - {"trickle"}
    assert all(f["fault"] in ("5xx", "429") for f in faults if f["target"] == "/robots.txt")


def test_mirror_process_options(tmp_path: Path) -> None:
    log = tmp_path / "faults.jsonl"
    with MirrorProcess(articles=120, seed=3, edition=2, faults="5xx=0.5", fault_seed=2, fault_log=log,
                       crawl_delay=1.5) as mirror:
        new = mirror.edition_changes()["new"]
        truth = {t["url_path"]: t for t in mirror.truth()}
        assert len(new) == 10 and truth[new[0]]["edition_change"] == "new"
        for url, wanted in ((mirror.roots["clubic"] + "/robots.txt", b"Crawl-delay: 1.5\n"),
                            (mirror.roots[truth[new[0]]["site"]] + new[0], new[0].encode())):
            statuses = [fetch(url) for _ in range(12)]
            assert {s for s, _, _ in statuses} - {500, 502, 503} == {200}
            assert all(wanted in body for s, _, body in statuses if s == 200)
    faults = [json.loads(line) for line in log.read_text().splitlines()]
    assert faults and {f["fault"] for f in faults} == {"5xx"} and {f["status"] for f in faults} <= {500, 502, 503}
