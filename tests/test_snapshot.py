"""``souverain snapshot`` and ``verify`` on a real crawl of the bundled mirror; checked with ``wacz validate``."""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from archive.wacz.package import member_offset
from archive.wacz.snapshot import build_snapshot
from archive.wacz.verify import verify_snapshot
from archive.warc.records import out_warcs
from archive.warc.runlog import scan_warcs
from tests.conftest import souverain

ARTICLES = 120


@pytest.fixture(scope="module")
def out(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("snapshot") / "out"
    result = souverain("demo", "--out", str(folder), "--articles", str(ARTICLES))
    assert result.returncode == 0, result.stderr[-3000:]
    return folder


@pytest.fixture(scope="module")
def wacz(out, tmp_path_factory) -> Path:
    dest = tmp_path_factory.mktemp("wacz") / "snap.wacz"
    result = souverain("snapshot", "--out", str(out), "-o", str(dest))
    assert result.returncode == 0, result.stderr
    assert dest.is_file()
    return dest


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def manifest(wacz: Path) -> dict:
    with zipfile.ZipFile(wacz) as archive:
        return json.loads(archive.read("souverain/manifest.json"))


def flip_byte(wacz: Path, dest: Path, member: str, position: int) -> None:
    """Copy the WACZ and flip one bit of a stored member's byte, in place (the datapackage is left as it was)."""
    shutil.copyfile(wacz, dest)
    with zipfile.ZipFile(dest) as archive:
        info = archive.getinfo(member)
    with dest.open("r+b") as handle:
        offset = member_offset(handle, info) + position
        handle.seek(offset)
        byte = handle.read(1)[0]
        handle.seek(offset)
        handle.write(bytes([byte ^ 0x20]))


def test_wacz_validate_accepts_the_snapshot(wacz):
    script = Path(sys.executable).with_name("wacz")
    result = subprocess.run([str(script), "validate", "-f", str(wacz)], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Validation succeeded" in result.stdout


def test_layout_is_wacz_with_stored_members_and_fixed_metadata(wacz):
    with zipfile.ZipFile(wacz) as archive:
        infos = archive.infolist()
        names = [info.filename for info in infos]
        assert names == sorted(names)
        assert {info.compress_type for info in infos} == {zipfile.ZIP_STORED}
        assert {info.external_attr >> 16 for info in infos} == {0o100644}
        assert len({info.date_time for info in infos}) == 1
        assert all(name.count("/") <= 1 for name in names)
        assert any(re.fullmatch(r"archive/[^/]+\.warc\.gz", name) for name in names)
        assert {"indexes/index.cdx", "pages/pages.jsonl", "datapackage.json", "datapackage-digest.json",
                "souverain/manifest.json"} <= set(names)
        lines = archive.read("pages/pages.jsonl").decode("utf-8").splitlines()
        package = json.loads(archive.read("datapackage.json"))
        index = archive.read("indexes/index.cdx").decode("utf-8").splitlines()
    assert json.loads(lines[0]) == {"format": "json-pages-1.0", "id": "pages", "title": "All Pages"}
    pages = [json.loads(line) for line in lines[1:]]
    assert pages and all({"url", "ts", "title", "text"} <= set(page) for page in pages)
    assert package["wacz_version"] == "1.1.1"
    assert {res["path"] for res in package["resources"]} == set(names) - {"datapackage.json", "datapackage-digest.json"}
    assert all(res["hash"].startswith("sha256:") for res in package["resources"])
    assert index == sorted(index, key=lambda line: line.encode("utf-8"))


def test_two_builds_are_byte_identical_even_after_touching_the_inputs(out, wacz, tmp_path):
    for path in out.rglob("*"):
        os.utime(path, (1_900_000_000, 1_900_000_000))
    again = tmp_path / "again.wacz"
    result = souverain("snapshot", "--out", str(out), "-o", str(again))
    assert result.returncode == 0, result.stderr
    assert sha256(again) == sha256(wacz)
    assert sha256(wacz) in result.stdout


def test_manifest_records_versions_topic_robots_and_articles(out, wacz):
    document = manifest(wacz)
    assert {"python", "scrapy", "trafilatura", "warcio", "souverain"} <= set(document["builder"]["versions"])
    run = document["runs"][0]
    assert {"python", "scrapy", "trafilatura", "warcio", "souverain"} <= set(run["versions"])
    assert run["topic"]["name"] == "cloud-souverain" and "threshold" in run["topic"]["toml"]
    assert run["settings"]["ROBOTSTXT_OBEY"] is True and run["discovery"]["sitemaps"]
    assert len(document["seeds"]) == 2
    assert len(document["robots"]) >= 2
    assert all(robot["url"].endswith("/robots.txt") and "User-agent" in robot["text"] and robot["record_id"]
               for robot in document["robots"])
    kept = sorted(out.glob("articles/*/*/*/*/*.txt"))
    assert len(document["articles"]) == len(kept) > 10
    with zipfile.ZipFile(wacz) as archive:
        for article in document["articles"]:
            assert re.fullmatch(r"articles/[a-z]+/\d{4}/\d{2}/\d{2}/[^/]+\.txt", article["dated_txt"])
            assert (out / article["dated_txt"]).read_bytes() == archive.read(article["txt"])
            assert hashlib.sha256(archive.read(article["txt"])).hexdigest() == article["text_sha256"]
            assert article["pages"] and article["url"].startswith("http")


def test_verify_passes_on_the_snapshot(wacz):
    result = souverain("verify", str(wacz))
    assert result.returncode == 0, result.stdout
    assert "FAIL" not in result.stdout and " 0 failed" in result.stdout


@pytest.mark.parametrize(("kind", "expected"), [
    ("warc", ["FAIL hash archive/", "bytes ", "FAIL WARC digests archive/", "gzip member at offset"]),
    ("pages", ["FAIL hash pages/pages.jsonl", "bytes ", "line ", "FAIL pages/pages.jsonl"]),
    ("article", ["FAIL hash articles/", "bytes ", "FAIL article texts", "text SHA-256 differs"]),
])
def test_verify_names_the_file_and_offset_of_a_flipped_byte(wacz, tmp_path, kind, expected):
    with zipfile.ZipFile(wacz) as archive:
        names = archive.namelist()
    member = {"warc": next(n for n in names if n.startswith("archive/")), "pages": "pages/pages.jsonl",
              "article": next(n for n in names if n.startswith("articles/") and n.endswith(".txt"))}[kind]
    with zipfile.ZipFile(wacz) as archive:
        position = archive.getinfo(member).file_size // 2
    damaged = tmp_path / "damaged.wacz"
    flip_byte(wacz, damaged, member, position)
    result = souverain("verify", str(damaged))
    assert result.returncode == 1, result.stdout
    failures = [line for line in result.stdout.splitlines() if line.startswith("FAIL")]
    assert failures and all(member in line for line in failures), result.stdout
    for text in expected:
        assert text in result.stdout, result.stdout
    assert "Traceback" not in result.stderr


def test_verify_reports_a_file_that_is_not_a_zip(tmp_path):
    bogus = tmp_path / "bogus.wacz"
    bogus.write_bytes(b"not a zip at all")
    result = souverain("verify", str(bogus))
    assert result.returncode == 1
    assert result.stdout.count("FAIL") == 1 and "not a readable zip" in result.stdout
    missing = souverain("verify", str(tmp_path / "missing.wacz"))
    assert missing.returncode == 1 and missing.stderr.startswith("souverain: error:")
    assert "Traceback" not in result.stderr + missing.stderr


def test_run_and_until_select_what_goes_in(out, wacz, tmp_path):
    document = manifest(wacz)
    run_id = document["runs"][0]["run_id"]
    by_run = tmp_path / "run.wacz"
    assert souverain("snapshot", "--out", str(out), "--run", run_id, "-o", str(by_run)).returncode == 0
    assert len(manifest(by_run)["articles"]) == len(document["articles"])
    day = document["cutoff"][:10]
    by_day = tmp_path / "day.wacz"
    result = souverain("snapshot", "--out", str(out), "--until", day, "-o", str(by_day))
    assert result.returncode == 0, result.stderr
    assert manifest(by_day)["cutoff"] == f"{day}T23:59:59Z"
    assert len(manifest(by_day)["articles"]) == len(document["articles"])
    early = souverain("snapshot", "--out", str(out), "--until", "2000-01-01", "-o", str(tmp_path / "early.wacz"))
    assert early.returncode == 1 and "no WARC file" in early.stderr


@pytest.mark.parametrize(("args", "message"), [
    (["--run", "no-such-run"], "unknown run 'no-such-run'"),
    (["--out", "{tmp}/missing"], "does not exist"),
    (["-o", "{tmp}/nowhere/x.wacz"], "does not exist"),
    (["--until", "yesterday"], "expected a date"),
])
def test_user_errors_are_one_line(out, tmp_path, args, message):
    args = [arg.format(tmp=tmp_path) for arg in args]
    options = [] if "--out" in args else ["--out", str(out)]
    options += [] if "-o" in args else ["-o", str(tmp_path / "x.wacz")]
    result = souverain("snapshot", *options, *args)
    assert result.returncode == 1
    assert result.stderr.startswith("souverain: error:") and message in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert not (tmp_path / "x.wacz").exists()


def test_verify_catches_a_tampered_datapackage_json(wacz, tmp_path):
    with zipfile.ZipFile(wacz) as archive:
        data = archive.read("datapackage.json")
        recorded = json.loads(archive.read("datapackage-digest.json"))
    # One hex letter of a resource hash changes case: datapackage.json is still valid JSON, its path unchanged,
    # its bytes (so its hash) are not what datapackage-digest.json recorded.
    start = data.index(b'"hash": "sha256:') + len(b'"hash": "sha256:')
    position = start + next(n for n, byte in enumerate(data[start:]) if byte in b"abcdef")
    damaged = tmp_path / "datapackage.wacz"
    flip_byte(wacz, damaged, "datapackage.json", position)
    checks = {check.name: check for check in verify_snapshot(damaged)}
    digest = checks["datapackage-digest.json"]
    assert recorded["path"] == "datapackage.json" and not digest.ok
    assert digest.detail.endswith(f"datapackage-digest.json says {recorded['hash']}")
    assert f"datapackage.json has {recorded['hash']}" not in digest.detail
    assert [name for name, check in checks.items() if not check.ok] == [
        "datapackage-digest.json", next(name for name in checks if name.startswith("hash ") and not checks[name].ok)]
    assert all(check.ok for check in verify_snapshot(wacz))


def test_manifest_and_pages_order_does_not_follow_the_crawl_order(out, wacz, tmp_path):
    # A second crawl of the same mirror, one request at a time: the articles are kept in another order.
    other = tmp_path / "one-at-a-time"
    result = souverain("demo", "--out", str(other), "--articles", str(ARTICLES), "--concurrency", "1")
    assert result.returncode == 0, result.stderr[-3000:]
    kept_order = [[urlsplit(a["url"]).path for a in scan_warcs(out_warcs(folder)).articles] for folder in (out, other)]
    assert sorted(kept_order[0]) == sorted(kept_order[1]) and kept_order[0] != kept_order[1]
    again = tmp_path / "again.wacz"
    build_snapshot(other, again)

    def order(snapshot: Path) -> tuple[list[str], list[str]]:
        with zipfile.ZipFile(snapshot) as archive:
            lines = archive.read("pages/pages.jsonl").decode("utf-8").splitlines()[1:]
        return [a["url"] for a in manifest(snapshot)["articles"]], [json.loads(line)["url"] for line in lines]

    def by_host(urls: list[str]) -> dict[str, list[str]]:
        """The paths, host by host (each crawl had its own mirror ports), in the order listed."""
        found: dict[str, list[str]] = {}
        for url in urls:
            found.setdefault(urlsplit(url).port, []).append(urlsplit(url).path)
        return dict(sorted(found.items()))

    first, second = order(wacz), order(again)
    for urls in (*first, *second):
        assert urls == sorted(urls) and len(urls) > 10  # by URL: the mirror's ports rank the two sites
    for one, two in zip(first, second, strict=True):
        assert sorted(by_host(one).values()) == sorted(by_host(two).values())
