"""Discovery end to end on the 2,000-article mirror where some articles are reachable by one channel only.

Recall, precision and harvest rate against the mirror's ground truth; the date window; the run report's
reasons and totals. Real mirror, real ``souverain crawl`` subprocesses, nothing mocked.
"""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from crawler.mirror.corpus import build_corpus
from crawler.mirror.process import MirrorProcess
from tests.conftest import souverain

ARTICLES, EXCLUSIVE = 2000, 0.2


@pytest.fixture(scope="module")
def truth() -> list[dict]:
    return build_corpus(seed=0, articles=ARTICLES, exclusive_share=EXCLUSIVE).truth()


@pytest.fixture(scope="module")
def mirror():
    with MirrorProcess(articles=ARTICLES, exclusive_share=EXCLUSIVE) as running:
        yield running


def crawl(mirror, out: Path, *extra: str) -> tuple[dict, set[tuple[str, str]]]:
    result = souverain("crawl", "--out", str(out), "--delay", "0", "--concurrency", "8", *mirror.root_args(), *extra)
    assert result.returncode == 0, result.stderr[-3000:]
    report = json.loads(next(out.glob("runs/*/report.json")).read_text(encoding="utf-8"))
    kept = {(r["site"], urlsplit(r["url"]).path)
            for r in (json.loads(p.read_text(encoding="utf-8")) for p in (out / "articles").rglob("*.json"))}
    return report, kept


@pytest.fixture(scope="module")
def full_run(mirror, tmp_path_factory):
    return crawl(mirror, tmp_path_factory.mktemp("full"))


@pytest.fixture(scope="module")
def window_run(mirror, tmp_path_factory):
    return crawl(mirror, tmp_path_factory.mktemp("y2015"), "--since", "2015-01-01", "--until", "2015-12-31")


def on_topic(truth: list[dict]) -> set[tuple[str, str]]:
    return {(a["site"], a["url_path"]) for a in truth if a["on_topic"]}


def test_mirror_has_single_channel_articles(truth):
    assert len(truth) >= 2000 and len(on_topic(truth)) >= 100
    only = {tuple(a["channels"]) for a in truth if a["on_topic"] and len(a["channels"]) == 1}
    assert {("search",), ("tag",), ("related",)} <= only
    assert any(a["channels"] == ["sitemap"] or "sitemap" in a["channels"] for a in truth if a["on_topic"])


def test_recall_precision_and_harvest_rate(full_run, truth):
    report, kept = full_run
    relevant = on_topic(truth)
    found = kept & relevant
    recall, precision = len(found) / len(relevant), len(found) / len(kept)
    pages = report["totals"]["pages_fetched"]
    print(f"recall {recall:.3f}, precision {precision:.3f}, pages fetched {pages} for {len(found)} on-topic kept "
          f"(harvest {len(found) / pages:.3f})")
    assert recall >= 0.98
    assert precision >= 0.95
    assert pages <= 3 * len(found)


def test_single_channel_articles_are_found(full_run, truth):
    _, kept = full_run
    for channel in ("search", "tag", "related"):
        only_there = {(a["site"], a["url_path"]) for a in truth if a["on_topic"] and a["channels"] == [channel]}
        assert only_there and only_there <= kept, channel


def test_every_url_not_kept_has_a_reason_and_totals_add_up(full_run):
    report, _ = full_run
    for name, site in report["sites"].items():
        assert site["not_kept"], name
        assert all(row["reason"] for row in site["not_kept"])
        discovery = site["discovery"]
        for counts in (discovery["total"], *discovery["sources"].values()):
            assert counts["pending"] == 0
            assert counts["discovered"] == counts["fetched"] + sum(counts["skipped"].values())
            assert counts["fetched"] == counts["kept"] + sum(counts["rejected"].values())
        assert discovery["total"]["kept"] == site["summary"]["articles_kept"]
        assert {"sitemap", "search", "tag", "feed", "related"} <= set(discovery["sources"])
        assert "off-topic" in discovery["total"]["rejected"]


def test_discovered_via_lists_every_source_that_found_the_article(full_run, truth, tmp_path_factory):
    report, _ = full_run
    channels = {(a["site"], a["url_path"]): set(a["channels"]) for a in truth}
    out = Path(report["out"])
    records = sorted((out / "articles").rglob("*.json"))
    assert records
    for path in records:
        record = json.loads(path.read_text(encoding="utf-8"))
        found_by = set(record["discovered_via"])
        assert found_by, path
        expected = channels[(record["site"], urlsplit(record["url"]).path)]
        assert found_by - {"feed"} <= expected | {"related"}


def test_date_window_keeps_exactly_the_window_and_fetches_less(window_run, full_run, truth):
    report, kept = window_run
    of_2015 = {(a["site"], a["url_path"]) for a in truth if a["on_topic"] and a["published"].startswith("2015-")}
    assert of_2015 and kept == of_2015
    assert report["totals"]["pages_fetched"] < full_run[0]["totals"]["pages_fetched"]
    skipped = report["totals"]["skipped"]
    assert skipped.get("out of date window", 0) > 0
