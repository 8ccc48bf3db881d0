"""A crawl through a mirror that fails 20% of requests in every way it can still completes, keeps every on-topic
article, and lists each failure in its report. Real faults on the wire; nothing mocked."""

from __future__ import annotations

import json
from collections import Counter
from urllib.parse import urlsplit

import pytest

from crawler.mirror.corpus import build_corpus
from crawler.mirror.process import MirrorProcess
from tests.conftest import souverain

ARTICLES = 400
CLIENT_FAILURES = {"5xx", "429", "timeout", "reset", "truncated", "redirect_loop"}  # trickle is only slow


@pytest.fixture(scope="module")
def faulty_crawl(tmp_path_factory):
    folder = tmp_path_factory.mktemp("faults")
    log = folder / "faults.jsonl"
    with MirrorProcess(articles=ARTICLES, faults="all=0.2", fault_seed=11, fault_timeout=4, fault_log=log) as mirror:
        result = souverain("crawl", "--out", str(folder / "out"), "--delay", "0", "--concurrency", "8",
                           "--timeout", "2", *mirror.root_args(), timeout=600)
    assert result.returncode == 0, result.stderr[-3000:]
    report = json.loads(next((folder / "out" / "runs").glob("*/report.json")).read_text(encoding="utf-8"))
    faults = [json.loads(line) for line in log.read_text(encoding="utf-8").splitlines()]
    return folder / "out", report, faults


def test_every_fault_type_was_injected(faulty_crawl):
    _, _, faults = faulty_crawl
    kinds = Counter(f["fault"] for f in faults)
    assert set(kinds) >= CLIENT_FAILURES | {"trickle"}, kinds


def test_crawl_keeps_every_on_topic_article(faulty_crawl):
    out, report, _ = faulty_crawl
    expected = {(a["site"], a["url_path"]) for a in build_corpus(seed=0, articles=ARTICLES).truth() if a["on_topic"]}
    kept = {(r["site"], urlsplit(r["url"]).path)
            for r in (json.loads(p.read_text(encoding="utf-8")) for p in (out / "articles").rglob("*.json"))}
    assert kept == expected
    assert report["totals"]["articles_kept"] == len(expected)


def test_report_lists_each_failure(faulty_crawl):
    _, report, faults = faulty_crawl
    listed = Counter()
    for site in report["sites"].values():
        assert all(f["reason"] for f in site["failures"])
        for failure in site["failures"]:
            parts = urlsplit(failure["url"])
            listed[parts.path + (f"?{parts.query}" if parts.query else "")] += 1
    injected = Counter(f["target"] for f in faults if f["fault"] in CLIENT_FAILURES)
    missing = injected - listed
    assert not missing, f"faults the report does not list: {dict(missing)}"
    reasons = " ".join(f["reason"] for site in report["sites"].values() for f in site["failures"])
    for words in ("503", "429", "Timeout", "redirect loop"):
        assert words in reasons


def test_crawl_delay_of_robots_txt_is_honoured(tmp_path):
    from warcio.archiveiterator import ArchiveIterator

    from crawler.discovery.revisit import parse_time

    with MirrorProcess(articles=120, crawl_delay=0.4) as mirror:
        result = souverain("crawl", "--out", str(tmp_path), "--site", "numerama", "--root",
                           f"numerama={mirror.roots['numerama']}", "--delay", "0", "--concurrency", "4",
                           "--max-pages", "12", timeout=300)
    assert result.returncode == 0, result.stderr[-2000:]
    starts = []
    for warc in (tmp_path / "warc").glob("*.warc.gz"):
        with warc.open("rb") as stream:
            starts += [parse_time(r.rec_headers.get_header("WARC-Date")) for r in ArchiveIterator(stream)
                       if r.rec_type == "request" and not r.rec_headers.get_header("WARC-Target-URI").endswith(
                           "/robots.txt")]
    starts.sort()
    gaps = [(b - a).total_seconds() for a, b in zip(starts, starts[1:], strict=False)]
    assert len(starts) >= 8 and min(gaps) >= 0.3, gaps  # responses end ~0.4 s apart: concurrency 4 is not used
