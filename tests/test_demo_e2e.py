"""End to end: ``souverain demo`` crawls the bundled mirror; WARCs read back with warcio. Nothing mocked."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from warcio.archiveiterator import ArchiveIterator

from archive.text.extract import SiteCleanup, extract_article
from crawler.mirror.corpus import build_corpus
from crawler.profiles import load_profiles
from tests.conftest import souverain, warcio

ARTICLES = 360


@pytest.fixture(scope="module")
def demo(tmp_path_factory) -> tuple[Path, subprocess.CompletedProcess[str]]:
    out = tmp_path_factory.mktemp("demo") / "out"
    result = souverain("demo", "--out", str(out), "--articles", str(ARTICLES))
    return out, result


@pytest.fixture(scope="module")
def truth() -> list[dict]:
    return build_corpus(seed=0, articles=ARTICLES).truth()


def article_records(out: Path) -> list[dict]:
    return [json.loads(p.read_text(encoding="utf-8")) for p in sorted((out / "articles").rglob("*.json"))]


def test_demo_succeeds_and_says_where_things_went(demo):
    out, result = demo
    assert result.returncode == 0, result.stderr[-3000:]
    assert "articles:" in result.stdout and str(out / "articles") in result.stdout
    assert (out / "warc").is_dir()
    reports = list((out / "runs").glob("*/report.json"))
    assert len(reports) == 1


def test_every_on_topic_article_and_no_decoy_is_kept(demo, truth):
    out, _ = demo
    kept = {(r["site"], urlsplit(r["url"]).path) for r in article_records(out)}
    on_topic = {(a["site"], a["url_path"]) for a in truth if a["on_topic"]}
    assert len(on_topic) >= 30
    assert kept == on_topic
    kinds = {(a["site"], a["url_path"]): a["kind"] for a in truth}
    assert not [k for k in kept if kinds[k] != "on_topic"]


def test_dated_files_match_publication_dates(demo, truth):
    out, _ = demo
    published = {(a["site"], a["url_path"]): a["published"][:10] for a in truth}
    for rec in article_records(out):
        day = published[(rec["site"], urlsplit(rec["url"]).path)]
        assert rec["published"][:10] == day
        txt = out / rec_path(out, rec)
        assert txt.parent.relative_to(out / "articles" / rec["site"]).as_posix() == day.replace("-", "/")
        assert txt.read_text(encoding="utf-8").strip() == rec["text"].strip()
        assert rec["relevance"]["on_topic"] and rec["relevance"]["matched"]
        assert "sitemap" in rec["discovered_via"]  # with no exclusive channel, every article is in a sitemap
        assert set(rec["discovered_via"]) <= {"sitemap", "tag", "search", "feed", "related"}
        assert rec["word_count"] > 100


def rec_path(out: Path, rec: dict) -> Path:
    matches = [p for p in (out / "articles" / rec["site"]).rglob("*.json")
               if json.loads(p.read_text(encoding="utf-8"))["url"] == rec["url"]]
    assert len(matches) == 1
    return matches[0].with_suffix(".txt").relative_to(out)


def warc_files(out: Path) -> list[Path]:
    files = sorted((out / "warc").glob("*.warc.gz"))
    assert files and not list((out / "warc").glob("*.open"))
    return files


def test_warcio_check_passes_on_every_warc(demo):
    out, _ = demo
    for path in warc_files(out):
        check = warcio("check", "-v", str(path))
        assert check.returncode == 0, check.stdout + check.stderr


def test_every_response_has_its_request_and_warcinfo_comes_first(demo):
    out, _ = demo
    for path in warc_files(out):
        with path.open("rb") as stream:
            records = [(r.rec_type, r.rec_headers.get_header("WARC-Record-ID"),
                        r.rec_headers.get_header("WARC-Concurrent-To"), r.rec_headers.protocol)
                       for r in ArchiveIterator(stream)]
        assert records[0][0] == "warcinfo"
        assert {r[3] for r in records} == {"WARC/1.1"}
        responses = {r[1] for r in records if r[0] == "response"}
        concurrent = {r[2] for r in records if r[0] == "request"}
        assert responses and responses <= concurrent


def test_warcio_index_lists_every_article_robots_and_a_redirect(demo):
    out, _ = demo
    urls, statuses = set(), {}
    for path in warc_files(out):
        index = warcio("index", "-f", "warc-type,warc-target-uri,http:status", str(path))
        assert index.returncode == 0, index.stderr
        for line in index.stdout.splitlines():
            entry = json.loads(line)
            if entry.get("warc-type") == "response":
                urls.add(entry["warc-target-uri"])
                statuses[entry["warc-target-uri"]] = entry.get("http:status")
    for rec in article_records(out):
        assert rec["url"] in urls
    assert sum(u.endswith("/robots.txt") for u in urls) >= 2
    assert "301" in statuses.values()


def test_each_json_points_at_the_warc_record_it_was_extracted_from(demo):
    out, _ = demo
    cleanups = {name: SiteCleanup.from_dict(p.cleanup) for name, p in load_profiles().items()}
    for rec in article_records(out)[:40]:
        capture = rec["capture"][0]
        with (out / "warc" / capture["warc_file"]).open("rb") as stream:
            stream.seek(capture["offset"])
            record = next(iter(ArchiveIterator(stream)))
            assert record.rec_type == "response"
            assert record.rec_headers.get_header("WARC-Record-ID") == capture["record_id"]
            assert record.rec_headers.get_header("WARC-Target-URI") == rec["url"]
            body = record.content_stream().read()
            ctype = record.http_headers.get_header("Content-Type")
        again = extract_article(body, rec["url"], content_type=ctype, cleanup=cleanups[rec["site"]])
        if len(rec["capture"]) == 1:
            assert again.text == rec["text"]
        else:
            assert rec["text"].startswith(again.text)


def test_multi_page_articles_become_one(demo, truth):
    out, _ = demo
    multi = {(a["site"], a["url_path"]): a["page_paths"] for a in truth if a["on_topic"] and len(a["page_paths"]) > 1}
    assert multi, "the mirror should hold on-topic multi-page articles"
    for rec in article_records(out):
        pages = multi.get((rec["site"], urlsplit(rec["url"]).path))
        if pages:
            assert [urlsplit(c["url"]).path for c in rec["capture"]] == pages
            assert "Page suivante" not in rec["text"]
