"""Tests of the local mirror: corpus ground truth, URL layout, discovery paths and HTTP behaviour."""

from __future__ import annotations

import datetime as dt
import gzip
import os
import http.client
import re
import threading
import time
import urllib.request
from collections import Counter
from collections.abc import Iterator
from urllib.parse import urlsplit

import brotli
import lxml.html
import pytest
from lxml import etree

from crawler.mirror import MirrorProcess, MirrorServer, build_corpus
from crawler.mirror.corpus import Corpus
from crawler.mirror.routes import SiteRoutes

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


def test_build_time() -> None:
    start = time.perf_counter()
    build_corpus(articles=2000)
    assert time.perf_counter() - start < 2.0


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


def test_concurrent_throughput(corpus: Corpus, servers: dict[str, MirrorServer]) -> None:
    urls = [servers[a.site].root + a.path for a in corpus.articles[:120]]
    errors: list[str] = []

    def worker(chunk: list[str]) -> None:
        for u in chunk:
            if fetch(u, {"Accept-Encoding": "gzip"})[0] != 200:
                errors.append(u)

    threads = [threading.Thread(target=worker, args=(urls[i::4],)) for i in range(4)]
    start = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors and len(urls) / (time.perf_counter() - start) > 50


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
