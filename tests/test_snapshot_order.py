"""Snapshot ordering, in-process, on small output folders written here (WARCs by the real writer, dated files
by the text store): the manifest and pages.jsonl do not follow the order the pages were crawled in."""

from __future__ import annotations

import hashlib
import json
import zipfile
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from itertools import count
from pathlib import Path

import pytest

from archive.errors import ArchiveError
from archive.store.textstore import article_stem, write_article
from archive.wacz.snapshot import build_snapshot
from archive.wacz.verify import verify_snapshot
from archive.warc.writer import HttpExchange, WarcWriter

ROOT = "https://www.example.org"
PATHS = ["/b/2-souverain.html", "/a/1-numergy.html", "/c/3-cloudwatt.html", "/a/0-secnumcloud.html"]
CONFIG = {"root": ROOT, "profile": "numerama", "cleanup": {}, "topic": {"name": "t", "toml": "threshold = 1"},
          "discovery": {}, "settings": {}, "versions": {}}


def page(path: str, minute: int, body: bytes | None = None) -> HttpExchange:
    """The exchange of one article page, fetched at a fixed time."""
    return HttpExchange(url=ROOT + path, method="GET", request_headers=[("Host", "www.example.org")], request_body=b"",
                        status=200, reason="OK", protocol="HTTP/1.1",
                        response_headers=[("Content-Type", "text/html; charset=utf-8")],
                        response_body=body or f"<html><p>{path}</p></html>".encode(), ip_address="",
                        fetch_time=datetime(2026, 3, 1, 10, minute, tzinfo=UTC))


def crawl(out: Path, order: list[str], run: str = "run-a", *, hour: int = 9, micro: int = 0) -> None:
    """Write an output folder as a crawl that fetched and kept ``order`` in that order would (its WARC file named
    after ``hour``; ``micro`` microseconds added to every fetch time)."""
    ids, ticks = count(1), count()
    writer = WarcWriter(out / "warc", hostname="h", warcinfo={"isPartOf": run},
                        record_id_factory=lambda: f"<urn:uuid:{run}-{next(ids):04d}>",
                        clock=lambda: datetime(2026, 3, 1, hour, tzinfo=UTC) + timedelta(seconds=next(ticks)))
    with writer:
        writer.write_metadata(f"urn:x-souverain:run:{run}:numerama:config", json.dumps(CONFIG).encode(),
                              "application/json")
        writer.write_exchange(page("/robots.txt", 0, b"User-agent: *\nAllow: /\n"))
        lines = []
        for path in order:
            minute = PATHS.index(path) + 1  # the fetch time belongs to the page, not to the crawl order
            fetched = page(path, minute)
            fetched = replace(fetched, fetch_time=fetched.fetch_time + timedelta(microseconds=micro))
            capture = writer.write_exchange(fetched)
            record = {"url": ROOT + path, "text": f"Texte de {path}.", "title": path, "published": "2026-02-01"}
            stem = article_stem(out, "numerama", record)
            write_article(out, "numerama", record, durable=False)
            lines.append(json.dumps({"url": ROOT + path, "site": "numerama", "pages": [capture.record_id],
                                     "discovered_via": ["sitemap"], "version": 1,
                                     "stem": stem.relative_to(out).as_posix()}))
        writer.write_metadata(f"urn:x-souverain:run:{run}:numerama:articles", "\n".join(lines).encode(),
                              "application/x-ndjson")


def listed(snapshot: Path) -> tuple[list[str], list[dict], list[str]]:
    """The manifest's article URLs, the pages.jsonl entries and the zip's member names."""
    with zipfile.ZipFile(snapshot) as archive:
        manifest = json.loads(archive.read("souverain/manifest.json"))
        pages = [json.loads(line) for line in archive.read("pages/pages.jsonl").splitlines()[1:]]
        return [a["url"] for a in manifest["articles"]], pages, archive.namelist()


@pytest.fixture(scope="module")
def crawled(tmp_path_factory) -> tuple[Path, Path]:
    """Two output folders of the same pages, crawled forward and backward (no snapshot code runs here)."""
    base = tmp_path_factory.mktemp("order")
    crawl(base / "forward", PATHS)
    crawl(base / "backward", PATHS[::-1])
    return base / "forward", base / "backward"


@pytest.fixture
def two_crawls(crawled, tmp_path) -> tuple[Path, Path]:
    """Their snapshots, built for each test: mutmut ties what a fixture runs to the first test it runs for, so a
    module-scoped snapshot would hide a mutant of the snapshot code from every later test."""
    first, second = (tmp_path / f"{out.name}.wacz" for out in crawled)
    build_snapshot(crawled[0], first)
    build_snapshot(crawled[1], second)
    return first, second


def test_articles_and_pages_are_listed_by_url_whatever_the_crawl_order(two_crawls):
    forward, backward = (listed(snapshot) for snapshot in two_crawls)
    urls = sorted(ROOT + path for path in PATHS)
    assert forward[0] == backward[0] == urls
    assert [p["url"] for p in forward[1]] == [p["url"] for p in backward[1]] == urls
    assert forward[1] == backward[1]  # same titles, texts and capture times
    assert forward[1][0] == {"url": ROOT + "/a/0-secnumcloud.html", "ts": "2026-03-01T10:04:00Z",
                             "title": "/a/0-secnumcloud.html", "text": "Texte de /a/0-secnumcloud.html.\n"}
    assert forward[2] == sorted(forward[2]) and forward[2] == backward[2]


def test_the_manifest_entry_of_an_article(two_crawls):
    with zipfile.ZipFile(two_crawls[0]) as archive:
        manifest = json.loads(archive.read("souverain/manifest.json"))
    entry = manifest["articles"][0]
    assert {k: v for k, v in entry.items() if k not in ("text_sha256", "pages")} == {
        "url": ROOT + "/a/0-secnumcloud.html", "version": 1, "site": "numerama", "run_id": "run-a",
        "discovered_via": ["sitemap"], "captured": "2026-03-01T10:04:00Z", "title": "/a/0-secnumcloud.html",
        "published": "2026-02-01", "dated_txt": "articles/numerama/2026/02/01/0-secnumcloud.txt",
        "dated_json": "articles/numerama/2026/02/01/0-secnumcloud.json",
        "txt": "articles/numerama__2026-02-01__0-secnumcloud.txt",
        "json": "articles/numerama__2026-02-01__0-secnumcloud.json"}
    assert manifest["cutoff"] == "2026-03-01T10:04:00Z"
    assert [r["url"] for r in manifest["robots"]] == [ROOT + "/robots.txt"]
    assert manifest["robots"][0]["text"] == "User-agent: *\nAllow: /\n" and manifest["robots"][0]["status"] == 200
    assert manifest["selection"] == {"run": None, "until": None}
    assert [(r["run_id"], r["site"], r["root"]) for r in manifest["runs"]] == [("run-a", "numerama", ROOT)]
    assert manifest["seeds"] == [ROOT]
    assert [(w["run_id"], w["records"]) for w in manifest["warc_files"]] == [("run-a", 1 + 1 + 2 + 2 * len(PATHS) + 1)]  # warcinfo, config, robots pair, pages, articles


def test_both_snapshots_verify(two_crawls):
    for snapshot in two_crawls:
        checks = verify_snapshot(snapshot)
        assert checks and all(check.ok for check in checks), [c for c in checks if not c.ok]


def test_building_twice_gives_the_same_bytes(crawled, two_crawls, tmp_path):
    again = tmp_path / "again.wacz"
    result = build_snapshot(crawled[0], again)
    assert again.read_bytes() == two_crawls[0].read_bytes()
    assert (result["warc_files"], result["articles"], result["cutoff"]) == (1, len(PATHS), "2026-03-01T10:04:00Z")
    assert result["bytes"] == again.stat().st_size and result["path"] == str(again)


def test_until_and_run_select_files(crawled, tmp_path):
    out = crawled[0]
    by_day = build_snapshot(out, tmp_path / "day.wacz", until="2026-03-01")
    assert by_day["cutoff"] == "2026-03-01T23:59:59Z" and by_day["articles"] == len(PATHS)
    with pytest.raises(ArchiveError, match=r"^no WARC file has all its records dated up to 2026-02-28 \(earliest "
                                           r"complete: 2026-03-01T10:04:00Z\)$"):
        build_snapshot(out, tmp_path / "early.wacz", until="2026-02-28")
    assert build_snapshot(out, tmp_path / "run.wacz", run_id="run-a")["articles"] == len(PATHS)
    with pytest.raises(ArchiveError, match=r"^unknown run 'run-b': runs in these WARC files: run-a$"):
        build_snapshot(out, tmp_path / "other.wacz", run_id="run-b")
    with pytest.raises(ArchiveError, match=r"^--until 'demain': expected a date YYYY-MM-DD$"):
        build_snapshot(out, tmp_path / "bad.wacz", until="demain")


def test_refusals_are_one_line(crawled, tmp_path):
    out = crawled[0]
    with pytest.raises(ArchiveError, match=f"^output folder {tmp_path / 'none'} does not exist$"):
        build_snapshot(tmp_path / "none", tmp_path / "x.wacz")
    with pytest.raises(ArchiveError, match="it is a folder; give a file name"):
        build_snapshot(out, tmp_path)
    with pytest.raises(ArchiveError, match=f"folder {tmp_path / 'no'} does not exist$"):
        build_snapshot(out, tmp_path / "no" / "x.wacz")
    empty = tmp_path / "empty"
    (empty / "warc").mkdir(parents=True)
    with pytest.raises(ArchiveError, match=r"^no closed WARC file \(\*\.warc\.gz\) in "):
        build_snapshot(empty, tmp_path / "x.wacz")


def test_a_kept_article_without_its_dated_file_is_an_error(tmp_path):
    crawl(tmp_path / "out", PATHS)
    (tmp_path / "out/articles/numerama/2026/02/01/1-numergy.json").unlink()
    with pytest.raises(ArchiveError, match=r"^1 kept article\(s\) have no dated file under .* \(first: "
                                           r"https://www\.example\.org/a/1-numergy\.html\)$"):
        build_snapshot(tmp_path / "out", tmp_path / "x.wacz")


def test_progress_reports_each_step(tmp_path):
    crawl(tmp_path / "out", PATHS[:2])
    steps = []
    build_snapshot(tmp_path / "out", tmp_path / "x.wacz", progress=lambda *step: steps.append(step))
    names = list(dict.fromkeys(step[0] for step in steps))
    # One pass reads and dates the WARC records (issue 12): no separate dating step.
    assert names == ["reading WARC files", "indexing", "writing the WACZ"]
    assert ("reading WARC files", 1, 1, "") in steps and steps[-1][3] == "bytes"
    assert ("indexing", 0, 1, "") in steps and ("indexing", 1, 1, "") in steps


def manifest_of(snapshot: Path) -> dict:
    with zipfile.ZipFile(snapshot) as archive:
        return json.loads(archive.read("souverain/manifest.json"))


def test_the_warc_file_entries_robots_and_the_result(two_crawls):
    manifest = manifest_of(two_crawls[0])
    with zipfile.ZipFile(two_crawls[0]) as archive:
        warc = next(name for name in archive.namelist() if name.startswith("archive/"))
        package = json.loads(archive.read("datapackage.json"))
    assert manifest["warc_files"] == [{"path": warc, "run_id": "run-a", "records": 1 + 1 + 2 + 2 * len(PATHS) + 1,
                                       "first_date": "2026-03-01T09:00:01.000000Z",
                                       "last_date": "2026-03-01T10:04:00.000000Z"}]
    # The robots.txt response is the third record, after the warcinfo and the run's configuration.
    assert manifest["robots"] == [{"url": ROOT + "/robots.txt", "record_id": "<urn:uuid:run-a-0003>",
                                   "date": "2026-03-01T10:00:00Z", "warc_file": warc, "status": 200,
                                   "text": "User-agent: *\nAllow: /\n"}]
    assert (package["title"], package["created"]) == ("souverain snapshot 2026-03-01T10:04:00Z", "2026-03-01T10:04:00Z")
    assert package["software"].startswith("souverain ")


def test_the_result_gives_the_wacz_sha256(crawled, tmp_path):
    result = build_snapshot(crawled[0], tmp_path / "again.wacz")
    assert result["sha256"] == hashlib.sha256((tmp_path / "again.wacz").read_bytes()).hexdigest()


def test_the_cutoff_is_the_next_whole_second_after_the_last_record(tmp_path):
    crawl(tmp_path / "out", PATHS, micro=250_000)
    result = build_snapshot(tmp_path / "out", tmp_path / "x.wacz")
    assert result["cutoff"] == "2026-03-01T10:04:01Z"  # the last page is dated 10:04:00.25
    assert manifest_of(tmp_path / "x.wacz")["warc_files"][0]["last_date"] == "2026-03-01T10:04:00.250000Z"


def test_a_run_selects_its_files_articles_and_configuration(tmp_path):
    out = tmp_path / "out"
    crawl(out, PATHS)
    crawl(out, PATHS[:1], run="run-b", hour=12)
    build_snapshot(out, tmp_path / "all.wacz")
    everything = manifest_of(tmp_path / "all.wacz")
    assert [(r["run_id"], r["site"]) for r in everything["runs"]] == [("run-a", "numerama"), ("run-b", "numerama")]
    assert everything["seeds"] == [ROOT] and len(everything["warc_files"]) == 2
    assert [r["warc_file"] for r in everything["robots"]] == sorted(w["path"] for w in everything["warc_files"])
    assert len(everything["articles"]) == len(PATHS)  # one version per URL: the later run's capture of the first
    result = build_snapshot(out, tmp_path / "b.wacz", run_id="run-b")
    only = manifest_of(tmp_path / "b.wacz")
    assert (result["warc_files"], result["articles"]) == (1, 1)
    assert [r["run_id"] for r in only["runs"]] == ["run-b"] and only["selection"] == {"run": "run-b", "until": None}
    assert [(a["url"], a["run_id"]) for a in only["articles"]] == [(ROOT + PATHS[0], "run-b")]
    assert [w["run_id"] for w in only["warc_files"]] == ["run-b"]
    build_snapshot(out, tmp_path / "day.wacz", until="2026-03-01")
    assert manifest_of(tmp_path / "day.wacz")["selection"] == {"run": None, "until": "2026-03-01"}
