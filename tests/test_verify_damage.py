"""verify_snapshot on a small snapshot built here, member by member damaged: which check fails, and what it says."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import pytest

from archive.errors import ArchiveError
from archive.wacz.snapshot import build_snapshot
from archive.wacz.verify import verify_snapshot
from tests.test_snapshot_order import PATHS, crawl


@pytest.fixture(scope="module")
def snapshot(tmp_path_factory) -> Path:
    base = tmp_path_factory.mktemp("verify")
    crawl(base / "out", PATHS)
    build_snapshot(base / "out", base / "snap.wacz")
    return base / "snap.wacz"


def rewrite(snapshot: Path, dest: Path, change: dict[str, bytes | None]) -> Path:
    """Copy a snapshot with some members replaced (bytes) or left out (None), nothing else touched."""
    with zipfile.ZipFile(snapshot) as source, zipfile.ZipFile(dest, "w", zipfile.ZIP_STORED) as target:
        for info in source.infolist():
            data = change.get(info.filename, source.read(info.filename))
            if data is not None:
                target.writestr(info, data)
        for name, data in change.items():
            if name not in source.namelist() and data is not None:
                target.writestr(name, data)
    return dest


def member(snapshot: Path, name: str) -> bytes:
    with zipfile.ZipFile(snapshot) as archive:
        return archive.read(name)


def failures(path: Path) -> dict[str, str]:
    return {check.name: check.detail for check in verify_snapshot(path) if not check.ok}


def names(path: Path) -> list[str]:
    return [check.name for check in verify_snapshot(path)]


def test_an_intact_snapshot_passes_every_check(snapshot):
    checks = verify_snapshot(snapshot)
    warc = next(name for name in member_names(snapshot) if name.startswith("archive/"))
    assert [check.name for check in checks] == [
        f"zip ({len(member_names(snapshot))} files)", "datapackage-digest.json",
        f"datapackage.json ({len(member_names(snapshot)) - 2} resources)", "souverain/manifest.json",
        f"hash {warc}", "hash indexes/index.cdx", "hash pages/pages.jsonl", "hash souverain/manifest.json",
        "hash articles/* (8 files)", f"manifest hashes ({len(member_names(snapshot)) - 3} files)",
        f"WARC digests {warc} (13 records)", "article texts (4)", "pages/pages.jsonl (4 pages)"]
    assert all(check.ok for check in checks)
    assert [check.detail for check in checks if check.detail] == [next(c.detail for c in checks if c.name ==
                                                                      "datapackage-digest.json")]


def member_names(snapshot: Path) -> list[str]:
    with zipfile.ZipFile(snapshot) as archive:
        return archive.namelist()


def test_a_tampered_datapackage_json_fails_its_digest_by_hash(snapshot, tmp_path):
    package = json.loads(member(snapshot, "datapackage.json"))
    recorded = json.loads(member(snapshot, "datapackage-digest.json"))
    package["title"] = "changé"  # same path, same resources: only the bytes differ
    found = failures(rewrite(snapshot, tmp_path / "t.wacz", {"datapackage.json": json.dumps(package).encode()}))
    assert list(found) == ["datapackage-digest.json"]
    assert found["datapackage-digest.json"].startswith("datapackage.json has sha256:")
    assert found["datapackage-digest.json"].endswith(f", datapackage-digest.json says {recorded['hash']}")


def test_a_digest_naming_another_path_fails(snapshot, tmp_path):
    recorded = json.loads(member(snapshot, "datapackage-digest.json"))
    other = json.dumps({**recorded, "path": "other.json"}).encode()
    found = failures(rewrite(snapshot, tmp_path / "t.wacz", {"datapackage-digest.json": other}))
    assert list(found) == ["datapackage-digest.json"]


def test_a_missing_digest_or_package(snapshot, tmp_path):
    found = failures(rewrite(snapshot, tmp_path / "t.wacz", {"datapackage-digest.json": None}))
    assert found["datapackage-digest.json"] == "datapackage-digest.json or datapackage.json is missing or not JSON"
    found = failures(rewrite(snapshot, tmp_path / "u.wacz", {"datapackage.json": None}))
    assert found["datapackage.json"] == "datapackage.json is missing or not a data package"


def test_resources_listed_twice_missing_or_unlisted_and_the_wacz_version(snapshot, tmp_path):
    package = json.loads(member(snapshot, "datapackage.json"))
    resources = package["resources"]
    changed = {**package, "wacz_version": "9.9", "resources": [resources[0], resources[0], *resources[2:],
                                                              {"path": "ghost.txt", "hash": "sha256:0", "bytes": 1},
                                                              {"path": 3}]}
    found = failures(rewrite(snapshot, tmp_path / "t.wacz", {"datapackage.json": json.dumps(changed).encode()}))
    detail = next(d for name, d in found.items() if name.startswith("datapackage.json ("))
    assert detail.split("; ") == [
        "wacz_version is '9.9', expected 1.1.1", f"{resources[0]['path']}: listed twice",
        f"resource {len(resources) + 2}: not an object with a path, a hash and bytes",
        "ghost.txt: listed but not in the zip", f"{resources[1]['path']}: in the zip but not listed"]
    assert found["hash ghost.txt"] == "missing or unreadable"


def test_a_changed_article_text_is_named_with_its_url(snapshot, tmp_path):
    manifest = json.loads(member(snapshot, "souverain/manifest.json"))
    article = manifest["articles"][1]
    found = failures(rewrite(snapshot, tmp_path / "t.wacz", {article["txt"]: b"Autre texte.\n"}))
    assert found["article texts (4)"] == f"{article['txt']}: text SHA-256 differs from the manifest ({article['url']})"
    assert found["hash articles/* (8 files)"].startswith(f"{article['txt']}: bytes 0–12 (WACZ offset ")
    assert found["hash articles/* (8 files)"].endswith(" differ (size 13, expected 28)")
    assert found["manifest hashes (11 files)"] == f"{article['txt']}: bytes 0–12 differ from the manifest"
    assert len(found) == 3


def test_a_missing_article_file(snapshot, tmp_path):
    manifest = json.loads(member(snapshot, "souverain/manifest.json"))
    article = manifest["articles"][0]
    found = failures(rewrite(snapshot, tmp_path / "t.wacz", {article["json"]: None}))
    assert found["article texts (4)"] == f"{article['json']}: missing"


def test_a_changed_pages_line_is_located(snapshot, tmp_path):
    lines = member(snapshot, "pages/pages.jsonl").split(b"\n")
    entry = json.loads(lines[2])
    lines[2] = json.dumps({**entry, "text": "autre"}).encode()
    found = failures(rewrite(snapshot, tmp_path / "t.wacz", {"pages/pages.jsonl": b"\n".join(lines)}))
    assert found["hash pages/pages.jsonl"].endswith(", line 3")
    assert found["pages/pages.jsonl (4 pages)"] == \
        f"pages/pages.jsonl line 3: text SHA-256 differs from the manifest ({entry['url']})"


def test_a_pages_file_without_header_or_entry(snapshot, tmp_path):
    lines = member(snapshot, "pages/pages.jsonl").split(b"\n")
    body = b"\n".join([b'{"format": "x"}', lines[1], b"[1]", *lines[3:]])
    found = failures(rewrite(snapshot, tmp_path / "t.wacz", {"pages/pages.jsonl": body}))
    detail = next(d for name, d in found.items() if name.startswith("pages/pages.jsonl ("))
    missing = json.loads(lines[2])
    assert detail.split("; ") == ["pages/pages.jsonl line 1: not the json-pages-1.0 header",
                                  "pages/pages.jsonl line 3: not a JSON page entry",
                                  f"pages/pages.jsonl: no entry for {missing['url']} captured {missing['ts']}"]
    assert failures(rewrite(snapshot, tmp_path / "u.wacz", {"pages/pages.jsonl": None}))[
        "pages/pages.jsonl"] == "pages/pages.jsonl: missing"


def test_a_missing_or_foreign_manifest(snapshot, tmp_path):
    found = failures(rewrite(snapshot, tmp_path / "t.wacz", {"souverain/manifest.json": b'{"format": "other"}'}))
    assert found["souverain/manifest.json"] == "souverain/manifest.json is missing or not a souverain-manifest-1 document"
    assert found["article texts"] == "no usable souverain/manifest.json to check them against"
    assert found["manifest hashes (0 files)"] == "the manifest is missing or lists no file"
    manifest = json.loads(member(snapshot, "souverain/manifest.json"))
    broken = {**manifest, "chunks": {"a": "x"}, "articles": [{"url": 1}], "pages_lines": {}}
    found = failures(rewrite(snapshot, tmp_path / "u.wacz", {"souverain/manifest.json": json.dumps(broken).encode()}))
    assert found["souverain/manifest.json"].split("; ") == [
        "chunks is not an object of lists of hashes",
        "articles is not a list of objects with url, txt, json and text_sha256",
        "pages_lines or warc_files is not a list"]


def test_a_file_the_manifest_does_not_list(snapshot, tmp_path):
    found = failures(rewrite(snapshot, tmp_path / "t.wacz", {"extra.txt": b"x"}))
    assert found == {"datapackage.json (12 resources)": "extra.txt: in the zip but not listed",
                     "manifest hashes (11 files)": "extra.txt: not in the manifest"}


def test_the_manifest_record_count_of_a_warc(snapshot, tmp_path):
    manifest = json.loads(member(snapshot, "souverain/manifest.json"))
    manifest["warc_files"][0]["records"] = 99
    found = failures(rewrite(snapshot, tmp_path / "t.wacz", {"souverain/manifest.json": json.dumps(manifest).encode()}))
    warc = next(name for name in found if name.startswith("WARC digests"))
    assert found[warc] == "13 records, the manifest says 99"


def test_not_a_zip_a_folder_or_nothing(tmp_path):
    bogus = tmp_path / "bogus.wacz"
    bogus.write_bytes(b"not a zip")
    checks = verify_snapshot(bogus)
    assert len(checks) == 1 and checks[0].name == "zip" and not checks[0].ok and checks[0].detail
    with pytest.raises(ArchiveError, match="is a folder: verify checks a .wacz snapshot"):
        verify_snapshot(tmp_path)
    with pytest.raises(ArchiveError, match=f"^{tmp_path / 'none.wacz'}: no such file$"):
        verify_snapshot(tmp_path / "none.wacz")


def test_a_tampered_manifest_is_told_by_its_sha256_alone(snapshot, tmp_path):
    manifest = json.loads(member(snapshot, "souverain/manifest.json"))
    recorded = next(r for r in json.loads(member(snapshot, "datapackage.json"))["resources"]
                    if r["path"] == "souverain/manifest.json")
    manifest["cutoff"] = "2000-01-01T00:00:00Z"  # still a usable manifest: its own chunk hashes are not checked
    found = failures(rewrite(snapshot, tmp_path / "t.wacz", {"souverain/manifest.json": json.dumps(manifest).encode()}))
    assert list(found) == ["hash souverain/manifest.json"]
    assert found["hash souverain/manifest.json"].startswith("SHA-256 ")
    assert found["hash souverain/manifest.json"].endswith(f" does not match datapackage.json ({recorded['hash']})")


def test_a_damaged_warc_is_located_in_the_file_and_in_the_wacz(snapshot, tmp_path):
    warc = next(name for name in member_names(snapshot) if name.startswith("archive/"))
    data = bytearray(member(snapshot, warc))
    data[100] ^= 0xFF  # one byte of the first gzip member
    damaged = rewrite(snapshot, tmp_path / "t.wacz", {warc: bytes(data)})
    with zipfile.ZipFile(damaged) as archive:
        start = archive.getinfo(warc).header_offset + 30 + len(warc.encode())  # the local header, then the data
    found = failures(damaged)
    last = len(data) - 1  # one chunk: the whole file is said to differ
    assert found[f"hash {warc}"] == f"bytes 0–{last} (WACZ offset {start}–{start + last}) differ"
    assert found["manifest hashes (11 files)"] == f"{warc}: bytes 0–{last} differ from the manifest"
    assert found[f"WARC digests {warc}"].startswith(f"{warc}: gzip member at offset 0: ")
    assert len(found) == 3


def test_a_longer_index_says_its_size(snapshot, tmp_path):
    index = member(snapshot, "indexes/index.cdx")
    found = failures(rewrite(snapshot, tmp_path / "t.wacz", {"indexes/index.cdx": index + b"x"}))
    assert found["hash indexes/index.cdx"].endswith(f" differ (size {len(index) + 1}, expected {len(index)})")
    assert found["hash indexes/index.cdx"].startswith(f"bytes 0–{len(index)} (WACZ offset ")
    assert list(found) == ["hash indexes/index.cdx", "manifest hashes (11 files)"]
