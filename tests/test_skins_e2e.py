"""Discovery and cleanup on markup the profiles were not written for: one real mirror per skin, one real
``souverain crawl --strict-profile`` subprocess, the default profiles, topic and settings (``--delay 0``).

Per skin: recall ≥ 0.98, precision ≥ 0.95, pages fetched ≤ 3 × on-topic articles kept, every article reachable
only through related links kept, every paragraph of every kept article and none of the skin's boilerplate
blocks; the drift warnings name exactly the profile rules that match nothing on that skin's pages (judged here
by running the rules on pages fetched from the mirror), none on the default skin, where ``--strict-profile``
exits 0 (1 with one line elsewhere).
"""

from __future__ import annotations

import json
import urllib.request
from urllib.parse import urlsplit

import pytest
from parsel import Selector

from crawler.discovery.generic import next_page_link
from crawler.discovery.parsers import parse_sitemap
from crawler.discovery.sitemapindex import dated_name
from crawler.mirror.process import MirrorProcess
from crawler.mirror.skins import BLOCKS, SKIN_NAMES
from crawler.profiles import get_profile
from tests.conftest import souverain

# Clubic's monthly sitemaps (one a month over 14 years) weigh on the page count: below ~1,500 articles they
# alone exceed 3 pages per on-topic article; a 2,000-article crawl takes ~10 s.
ARTICLES, EXCLUSIVE = 2000, 0.2


def fetch(url: str) -> bytes:
    with urllib.request.urlopen(url, timeout=30) as reply:  # follows the index's 301
        return reply.read()


def failing_rules(mirror: MirrorProcess, truth: list[dict]) -> dict[str, set[str]]:
    """The profile rules that match nothing on this skin's pages, per site (a topic tag page and its next page,
    an on-topic article, the sitemap index)."""
    failing: dict[str, set[str]] = {}
    for site, root in mirror.roots.items():
        profile, rules = get_profile(site, {site: root}), get_profile(site).listing
        failed = failing.setdefault(site, set())
        tag_url = profile.url(profile.tag_page.format(tag="cloud-souverain"))
        tag = Selector(text=fetch(tag_url).decode())
        if not tag.xpath(rules.entry):
            failed.add("listing.entry")
        if next_page_link(tag.root, tag_url) and not tag.xpath(rules.next):  # the listing has a page 2
            failed.add("listing.next")
        article = next(a for a in truth if a["site"] == site and a["on_topic"])
        if not Selector(text=fetch(root + article["url_path"]).decode()).xpath(rules.related):
            failed.add("listing.related")
        robots = fetch(profile.url("/robots.txt")).decode()
        index = next(line.split(":", 1)[1].strip() for line in robots.splitlines() if line.startswith("Sitemap:"))
        children = [e.url for e in parse_sitemap(fetch(index)).entries]
        if profile.sitemap_follow and not any(map(profile.follows_sitemap, children)):
            failed.add("discovery.sitemap_follow")
        if profile.sitemap_month and not any(map(profile.sitemap_month_of, children)) and any(map(dated_name, children)):
            failed.add("discovery.sitemap_month")
    return failing


@pytest.fixture(scope="module", params=SKIN_NAMES)
def skin_run(request, tmp_path_factory):
    out = tmp_path_factory.mktemp(f"skin-{request.param}")
    with MirrorProcess(articles=ARTICLES, exclusive_share=EXCLUSIVE, skin=request.param) as mirror:
        truth = mirror.truth()
        result = souverain("crawl", "--out", str(out), "--delay", "0", "--concurrency", "8", "--strict-profile",
                           *mirror.root_args())
        failing = failing_rules(mirror, truth)
    report = json.loads(next(out.glob("runs/*/report.json")).read_text(encoding="utf-8"))
    records = [json.loads(p.read_text(encoding="utf-8")) for p in (out / "articles").rglob("*.json")]
    return request.param, result, report, records, truth, failing


def test_recall_precision_pages_and_link_only_articles(skin_run):
    skin, _, report, records, truth, _ = skin_run
    kept = {(r["site"], urlsplit(r["url"]).path) for r in records}
    relevant = {(a["site"], a["url_path"]) for a in truth if a["on_topic"]}
    found = kept & relevant
    pages = report["totals"]["pages_fetched"]
    silent = {(a["site"], a["url_path"]) for a in truth if a["on_topic"] and not a["slug_names_topic"]}
    link_only = {(a["site"], a["url_path"]) for a in truth if a["on_topic"] and a["channels"] == ["related"]}
    print(f"{skin}: recall {len(found) / len(relevant):.3f}, precision {len(found) / len(kept):.3f}, "
          f"pages {pages} for {len(found)} on-topic kept ({pages / len(found):.2f} each), "
          f"slugs silent on the topic {len(silent & kept)}/{len(silent)}, link-only {len(link_only & kept)}/{len(link_only)}")
    assert len(found) / len(relevant) >= 0.98
    assert len(found) / len(kept) >= 0.95
    assert pages <= 3 * len(found)
    assert link_only and link_only <= kept


def test_drift_warnings_name_the_rules_that_fail_on_the_skin(skin_run):
    skin, result, report, _, _, failing = skin_run
    drift = {site: set(data.get("drift") or {}) for site, data in report["sites"].items()}
    assert drift == failing
    warned = [line for line in result.stdout.splitlines() if line.startswith("souverain: warning:")]
    assert len(warned) == sum(map(len, failing.values()))
    for site, rules in failing.items():
        for rule in rules:
            assert any(f" {site} {rule} matched nothing on " in line for line in warned), (site, rule)
    if skin == "default":
        assert not any(failing.values())
        assert result.returncode == 0, result.stderr[-3000:]
    else:
        assert any(failing.values())
        errors = [line for line in result.stderr.splitlines() if line.startswith("souverain:")]
        assert result.returncode == 1 and len(errors) == 1 and errors[0].startswith("souverain: error: --strict-profile")
        assert "Traceback" not in result.stderr


def test_kept_texts_hold_every_paragraph_and_no_boilerplate_block(skin_run):
    _, _, _, records, truth, _ = skin_run
    texts = {(a["site"], a["url_path"]): a["text"] for a in truth}
    boilerplate = {sentence.strip() for block in BLOCKS.values()
                   for sentence in Selector(text=block).xpath("string()").get().replace(":", ".").split(".")
                   if len(sentence.strip()) > 15}
    for record in records:
        text = " ".join(record["text"].split())
        for paragraph in texts[(record["site"], urlsplit(record["url"]).path)].split("\n"):
            assert " ".join(paragraph.split()) in text, (record["url"], paragraph[:60])
        leaked = [sentence for sentence in boilerplate if sentence in text]
        assert not leaked, (record["url"], leaked)
