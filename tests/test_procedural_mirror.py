"""The procedural mirror (a real site's size, started at once) and the extra sitemap URLs."""

from __future__ import annotations

import gzip
import re
import time

from crawler.discovery.parsers import parse_sitemap
from crawler.mirror.corpus import build_corpus
from crawler.mirror.extras import PER_FILE, extra_entries, extra_files
from crawler.mirror.procedural import FIRST_ID, Procedural, ProceduralRoutes
from crawler.mirror.routes import SiteRoutes
from crawler.profiles import get_profile

ROOT = "http://127.0.0.1:8001"
LOC = re.compile(r"<loc>([^<]+)</loc>")


def test_a_million_articles_answer_at_once_and_the_same_each_time():
    started = time.perf_counter()
    routes = {site: ProceduralRoutes(site, Procedural(0, 1_000_000), ROOT) for site in ("clubic", "numerama")}
    assert time.perf_counter() - started < 10  # nothing drawn up front (build_corpus takes minutes at 100,000)
    index = routes["numerama"].route("/sitemap_index.xml").body.decode()
    files = LOC.findall(index)
    assert len(files) == 500 and files[0] == ROOT + "/post-sitemap.xml"
    child = parse_sitemap(routes["numerama"].route("/post-sitemap250.xml").body)
    assert len(child.entries) == 1000
    profile = get_profile("numerama").with_root(ROOT)
    assert all(profile.match_article(e.url) for e in child.entries)
    page = routes["numerama"].route(child.entries[7].url.removeprefix(ROOT))
    again = ProceduralRoutes("numerama", Procedural(0, 1_000_000), ROOT).route(child.entries[7].url.removeprefix(ROOT))
    assert page.status == 200 and page.body == again.body and b"<article" in page.body
    assert routes["numerama"].route(f"/tech/{FIRST_ID + 10**6}-nope.html").status == 404
    months = LOC.findall(routes["clubic"].route("/sitemap.xml").body.decode())
    month = parse_sitemap(gzip.decompress(routes["clubic"].route(months[-1].removeprefix(ROOT)).body))
    assert month.entries and all(e.published and e.title for e in month.entries)
    assert routes["clubic"].route(month.entries[0].url.removeprefix(ROOT)).status == 200


def test_extra_sitemaps_follow_the_protocol_and_are_offered_to_numerama_only():
    files = extra_files(1_000_000, 3)
    assert len(files) == 20 and files[0][0] == "/post-sitemap4.xml" and files[-1][0] == "/post-sitemap23.xml"
    entries = extra_entries(1_000_000, 3, "/post-sitemap23.xml")
    assert entries is not None and len(entries) == PER_FILE
    assert len(extra_entries(120_001, 3, "/post-sitemap6.xml") or []) == 20_001
    assert extra_entries(1_000_000, 3, "/post-sitemap3.xml") is None  # a real one
    assert extra_entries(1_000_000, 3, "/post-sitemap24.xml") is None
    corpus = build_corpus(articles=40)
    numerama = SiteRoutes("numerama", corpus, ROOT, extra_urls=120_001)
    listed = LOC.findall(numerama.route("/sitemap_index.xml").body.decode())
    extra = [url for url in listed if url.endswith(("sitemap2.xml", "sitemap3.xml", "sitemap4.xml"))]
    assert len(extra) == 3
    urls = [e.url for e in parse_sitemap(numerama.route(extra[0].removeprefix(ROOT)).body).entries]
    profile = get_profile("numerama").with_root(ROOT)
    assert len(set(urls)) == PER_FILE and all(profile.match_article(u) for u in urls)
    assert numerama.route(urls[0].removeprefix(ROOT)).status == 404  # offered, never worth a page
    clubic = SiteRoutes("clubic", corpus, ROOT, extra_urls=120_001)
    assert clubic.route("/sitemap.xml").body == SiteRoutes("clubic", corpus, ROOT).route("/sitemap.xml").body
