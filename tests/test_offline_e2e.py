"""The offline commands as a user meets them, on two real crawls of the mirror (the second finds changed texts):
export formats and types, every version in snapshots, reextract and the replay list, progress, one-line errors,
file modes. Everything runs the real ``souverain`` command in a subprocess."""

from __future__ import annotations

import csv
import io
import json
import os
import pty
import queue
import re
import signal
import subprocess
import sys
import threading
import urllib.request
import zipfile
from datetime import timedelta
from pathlib import Path

import duckdb
import pandas as pd
import pyarrow.parquet as pq
import pytest

from archive.store.state import open_state
from archive.warc.reader import read_record
from crawler.discovery.revisit import age_discovery_pages
from crawler.mirror.process import MirrorProcess
from tests.conftest import free_port, souverain
from tests.test_incremental import free_port_pair
from tests.test_reextract_export import same_tree
from tests.test_snapshot import flip_byte

ARTICLES = 200
TIMES = ("published", "modified", "capture_time")
EVERY_UPDATE = {**os.environ, "SOUVERAIN_PROGRESS_INTERVAL": "0.000001"}  # a plain progress line per figure


@pytest.fixture(scope="module")
def versioned(tmp_path_factory) -> Path:
    """An output folder crawled twice from one mirror address: as first served, then (a day later: the discovery
    pages are due again) with five texts changed."""
    out, port = tmp_path_factory.mktemp("versions") / "out", free_port_pair()
    for edition in (0, 1):
        if edition:
            store = open_state(out)
            age_discovery_pages(store, ("clubic", "numerama"), timedelta(days=1))
            store.close()
        with MirrorProcess(articles=ARTICLES, port=port, edition=edition) as mirror:
            result = souverain("crawl", "--out", str(out), "--delay", "0", "--concurrency", "8", *mirror.root_args())
            assert result.returncode == 0, result.stderr[-3000:]
    assert list((out / "articles").rglob("*.v2.json")), "the second crawl made no second version"
    return out


@pytest.fixture(scope="module")
def snapshot(versioned, tmp_path_factory) -> Path:
    dest = tmp_path_factory.mktemp("snap") / "snap[bold]x.wacz"
    result = souverain("snapshot", "--out", str(versioned), "-o", str(dest), timeout=300, env=EVERY_UPDATE)
    assert result.returncode == 0, result.stderr
    assert f"snapshot: {dest} (" in result.stdout  # rich markup in a name is printed as is
    assert re.search(r"^snapshot: writing the WACZ [\d.]+ kB/[\d.]+ [kM]B \(\d+%\)", result.stderr, re.M), result.stderr
    return dest


def versions_by_url(folder: Path) -> dict[str, set[int]]:
    found: dict[str, set[int]] = {}
    for path in folder.rglob("*.json"):
        record = json.loads(path.read_text(encoding="utf-8"))
        found.setdefault(record["url"], set()).add(record["version"])
    return found


# Item 8: every version in the snapshot, in reextract, in the replay list.

def test_a_snapshot_carries_every_version_and_reextract_rebuilds_them_all(versioned, snapshot, tmp_path):
    with zipfile.ZipFile(snapshot) as wacz:
        manifest = json.loads(wacz.read("souverain/manifest.json"))
        names = set(wacz.namelist())
    dated = sorted(p.relative_to(versioned).as_posix() for p in (versioned / "articles").rglob("*.txt"))
    assert sorted(entry["dated_txt"] for entry in manifest["articles"]) == dated
    assert any(".v2.txt" in entry["dated_txt"] and entry["version"] == 2 for entry in manifest["articles"])
    assert all(entry["txt"] in names and entry["json"] in names for entry in manifest["articles"])
    assert souverain("verify", str(snapshot)).returncode == 0

    result = souverain("reextract", str(snapshot), "--out", str(tmp_path / "again"), "--workers", "2",
                       env=EVERY_UPDATE)
    assert result.returncode == 0, result.stderr
    assert same_tree(versioned / "articles", tmp_path / "again" / "articles") == []
    lines = re.findall(r"^reextract: articles (\d+)/(\d+) \(\d+%\), [\d.]+/s, (ETA \d+ s|[\d.]+ s)$",
                       result.stderr, re.M)
    assert lines and lines[-1][0] == lines[-1][1] and any(line[2].startswith("ETA") for line in lines), result.stderr


def test_a_snapshot_with_requisites_and_versions_passes_wacz_validate_and_verify(versioned, snapshot):
    """Both crawls fetched the kept articles' requisites (the second re-checked them: revisit records); the
    snapshot indexes them beside both versions of the changed articles, and both validators accept it."""
    with zipfile.ZipFile(snapshot) as wacz:
        index = [json.loads(line.split(b" ", 2)[2]) for line in wacz.read("indexes/index.cdx").splitlines()]
    requisites = [entry for entry in index if "/assets/" in entry["url"] or "/cdn/" in entry["url"]]
    assert {entry["url"].rsplit(".", 1)[-1] for entry in requisites} >= {"css", "png", "ttf", "js"}
    assert any(entry.get("mime") == "warc/revisit" for entry in requisites)
    assert any(len(versions) > 1 for versions in versions_by_url(versioned / "articles").values())
    script = Path(sys.executable).with_name("wacz")
    result = subprocess.run([str(script), "validate", "-f", str(snapshot)], capture_output=True, text=True,
                            timeout=300)
    assert result.returncode == 0 and "Validation succeeded" in result.stdout, result.stdout + result.stderr
    assert souverain("verify", str(snapshot)).returncode == 0


@pytest.mark.parametrize("source", ["out", "snapshot"])
def test_the_replay_list_has_a_row_per_version_with_its_capture_date(versioned, snapshot, source):
    script = Path(sys.executable).with_name("souverain")
    command = [str(script)] if script.exists() else [sys.executable, "-m", "crawler.cli"]
    target = versioned if source == "out" else snapshot
    process = subprocess.Popen([*command, "replay", str(target), "--port", str(free_port())],
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                               env={**os.environ, "PYTHONUNBUFFERED": "1"})
    lines: queue.Queue[str] = queue.Queue()
    threading.Thread(target=lambda: [lines.put(line) for line in process.stdout or ()], daemon=True).start()
    seen: list[str] = []
    try:
        while not any(line.startswith("articles: ") for line in seen):
            seen.append(lines.get(timeout=300))  # the first replay installs pywb (about a minute)
        with urllib.request.urlopen(seen[-1].split()[1], timeout=30) as response:
            listing = response.read().decode("utf-8")
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=30)
    rows = re.findall(r'<a class="replay" href="/souverain/(\d{14})/([^"]+)">[^<]*</a></td>'
                      r'<td class="version">(\d+)</td><td class="captured">([^<]+)</td>', listing)
    assert len(rows) == sum(len(v) for v in versions_by_url(versioned / "articles").values())
    assert len(set(rows)) == len(rows), "two identical rows"
    by_url: dict[str, list[tuple[str, str, str]]] = {}
    for timestamp, url, version, captured in rows:
        by_url.setdefault(url, []).append((version, captured, timestamp))
    changed = {url: found for url, found in by_url.items() if len(found) > 1}
    assert changed
    for found in changed.values():
        assert sorted(version for version, _, _ in found) == ["1", "2"]
        assert len({captured for _, captured, _ in found}) == 2 and len({ts for _, _, ts in found}) == 2


# Item 7: export.

def export(out: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return souverain("export", "--out", str(out), *args, timeout=120)


def test_export_takes_the_format_from_the_name_or_refuses(versioned, tmp_path):
    for name, magic in (("a.jsonl", b"{"), ("a.csv", b"id,"), ("a.parquet", b"PAR1")):
        result = export(versioned, "-o", str(tmp_path / name))
        assert result.returncode == 0, result.stderr
        assert (tmp_path / name).read_bytes().startswith(magic)
    refused = export(versioned, "-o", str(tmp_path / "a.txt"))
    assert refused.returncode == 1 and not (tmp_path / "a.txt").exists()
    assert refused.stderr.startswith("souverain: error: cannot tell the format of")


def test_export_to_stdout(versioned, tmp_path):
    streamed = export(versioned, "-o", "-")
    assert streamed.returncode == 0 and "written to stdout (jsonl)" in streamed.stderr
    assert export(versioned, "-o", str(tmp_path / "a.jsonl")).returncode == 0
    assert streamed.stdout == (tmp_path / "a.jsonl").read_text(encoding="utf-8") != ""
    rows = [json.loads(line) for line in streamed.stdout.splitlines()]
    table = list(csv.DictReader(io.StringIO(export(versioned, "--format", "csv", "-o", "-").stdout)))
    assert [row["id"] for row in table] == [row["id"] for row in rows]
    parquet = export(versioned, "--format", "parquet", "-o", "-")
    assert parquet.returncode == 1 and parquet.stdout == "" and "give a file" in parquet.stderr


@pytest.fixture(scope="module")
def exports(versioned, tmp_path_factory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("exports")
    for fmt in ("jsonl", "csv", "parquet"):
        assert export(versioned, "-o", str(folder / f"all.{fmt}")).returncode == 0
    return {fmt: folder / f"all.{fmt}" for fmt in ("jsonl", "csv", "parquet")}


def test_export_columns_are_the_same_in_every_format(exports):
    jsonl = [json.loads(line) for line in exports["jsonl"].read_text(encoding="utf-8").splitlines()]
    with exports["csv"].open(encoding="utf-8", newline="") as handle:
        header = next(csv.reader(handle))
    parquet = pq.read_schema(exports["parquet"]).names
    assert list(jsonl[0]) == header == parquet
    assert {"version", "relevance_reason", "description", "modified_source"} <= set(header)
    assert all(list(row) == header for row in jsonl)


def test_export_types_relevance_is_a_float_and_times_are_timestamps(exports):
    jsonl = [json.loads(line) for line in exports["jsonl"].read_text(encoding="utf-8").splitlines()]
    assert all(isinstance(row["relevance_score"], float) for row in jsonl)
    with exports["csv"].open(encoding="utf-8", newline="") as handle:
        assert all(re.fullmatch(r"-?\d+\.\d+", row["relevance_score"]) for row in csv.DictReader(handle))
    types = dict(duckdb.sql(f"DESCRIBE SELECT * FROM '{exports['parquet']}'").fetchall()[i][:2]
                 for i in range(len(jsonl[0])))
    assert {types[name] for name in TIMES} == {"TIMESTAMP WITH TIME ZONE"}
    assert types["relevance_score"] == "DOUBLE" and types["version"] == "BIGINT"
    duckdb.sql("SET TimeZone = 'UTC'")
    years = duckdb.sql(f"SELECT id, year(published), month(capture_time) FROM '{exports['parquet']}'").fetchall()
    expected = {row["id"]: pd.Timestamp(row["published"]).tz_convert("UTC").year for row in jsonl if row["published"]}
    assert expected and {row_id: year for row_id, year, _ in years if row_id in expected} == expected
    frame = pd.read_parquet(exports["parquet"])
    for name in TIMES:
        assert str(frame[name].dtype).startswith("datetime64[") and str(frame[name].dt.tz) == "UTC", name
    assert frame["relevance_score"].dtype == "float64"


def test_export_latest_keeps_one_row_per_article(versioned, exports, tmp_path):
    every = [json.loads(line) for line in exports["jsonl"].read_text(encoding="utf-8").splitlines()]
    assert len(every) == sum(len(v) for v in versions_by_url(versioned / "articles").values())
    assert export(versioned, "--latest", "-o", str(tmp_path / "latest.csv")).returncode == 0
    with (tmp_path / "latest.csv").open(encoding="utf-8", newline="") as handle:
        latest = list(csv.DictReader(handle))
    newest = {url: max(found) for url, found in versions_by_url(versioned / "articles").items()}
    assert sorted(row["url"] for row in latest) == sorted(newest)  # one row each
    assert {row["url"]: int(row["version"]) for row in latest} == newest and 2 in newest.values()


# Item 6: one line, non-zero exit, no traceback.

@pytest.fixture(scope="module")
def damaged(snapshot, tmp_path_factory) -> Path:
    with zipfile.ZipFile(snapshot) as wacz:
        member = next(info for info in wacz.infolist() if info.filename.startswith("archive/"))
    dest = tmp_path_factory.mktemp("damaged") / "damaged.wacz"
    flip_byte(snapshot, dest, member.filename, member.file_size // 2)
    return dest


@pytest.mark.parametrize(("args", "message"), [
    (["export", "--out", "{out}", "-o", "{tmp}"], "it is a folder"),
    (["export", "--out", "{out}", "--format", "csv", "-o", "{tmp}"], "it is a folder"),
    (["snapshot", "--out", "{out}", "-o", "{tmp}"], "it is a folder"),
    (["reextract", "{out}", "--out", "{file}"], "it is a file, not a folder"),
    (["reextract", "{out}", "--out", "{file}/below"], "cannot write into"),
    (["reextract", "{damaged}", "--out", "{tmp}/re"], "souverain verify"),
    (["mirror", "serve", "--hostile", "{tmp}/missing"], "cannot read"),
    (["verify", "{out}"], "verify checks a .wacz snapshot"),
])
def test_mistakes_are_one_line(versioned, damaged, tmp_path, args, message):
    (tmp_path / "file").write_text("x")
    values = {"out": versioned, "tmp": tmp_path, "file": tmp_path / "file", "damaged": damaged}
    result = souverain(*(arg.format(**values) for arg in args), timeout=120)
    lines = result.stderr.strip().splitlines()
    assert result.returncode != 0 and len(lines) == 1, result.stderr
    assert lines[0].startswith("souverain: error: ") and message in lines[0] and "Traceback" not in result.stderr


def test_extract_into_a_closed_pipe_stops_quietly_as_unix_tools_do(versioned, tmp_path):
    record = json.loads(next((versioned / "articles").rglob("*.json")).read_text(encoding="utf-8"))
    page = tmp_path / "page.html"
    capture = record["capture"][0]
    page.write_bytes(read_record(versioned / "warc" / capture["warc_file"], capture["offset"]).decoded_body())
    reader, writer = os.pipe()
    os.close(reader)  # `| head -1` that has already gone
    try:
        result = souverain("extract", str(page), stdout=writer, stderr=subprocess.PIPE, timeout=120)
    finally:
        os.close(writer)
    assert result.returncode == 128 + signal.SIGPIPE and result.stderr == ""
    shell = subprocess.run(f"{Path(sys.executable).with_name('souverain')} extract {page} | head -1",
                           shell=True, capture_output=True, text=True, timeout=120)
    assert shell.stdout.startswith(record["title"]) and shell.stdout.count("\n") == 1 and shell.stderr == ""


# Item 4: progress on a terminal too.

def test_reextract_shows_a_bar_on_a_terminal(versioned, tmp_path):
    leader, follower = pty.openpty()
    try:
        result = souverain("reextract", str(versioned), "--out", str(tmp_path / "tty"), stdout=subprocess.PIPE,
                           stderr=follower, timeout=120)
        os.close(follower)
        shown = b""
        while True:
            try:
                piece = os.read(leader, 65536)
            except OSError:
                break
            if not piece:
                break
            shown += piece
    finally:
        os.close(leader)
    assert result.returncode == 0
    assert b"reextract: articles" in shown and b"\x1b[" in shown  # a rich bar, not plain lines


# Item 11: modes follow the umask.

@pytest.mark.parametrize("umask", [0o022, 0o027])
def test_written_files_follow_the_umask(versioned, tmp_path, umask):
    expected = 0o666 & ~umask
    assert souverain("snapshot", "--out", str(versioned), "-o", str(tmp_path / "s.wacz"), umask=umask).returncode == 0
    for name in ("a.jsonl", "a.csv", "a.parquet"):
        assert souverain("export", "--out", str(versioned), "-o", str(tmp_path / name), umask=umask).returncode == 0
    assert souverain("reextract", str(versioned), "--out", str(tmp_path / "re"), umask=umask).returncode == 0
    written = [tmp_path / "s.wacz", *(tmp_path / n for n in ("a.jsonl", "a.csv", "a.parquet")),
               *(tmp_path / "re" / "articles").rglob("*.*")]
    assert {oct(path.stat().st_mode & 0o777) for path in written} == {oct(expected)}
    current = os.umask(0)
    os.umask(current)
    crawled = {oct(p.stat().st_mode & 0o777) for p in (versioned / "articles").rglob("*.*")}
    assert crawled == {oct(0o666 & ~current)}
