"""verify_snapshot on a small snapshot built here, member by member damaged (their content, the records of their
hashes, the zip's structure): which check fails, and what it says."""

from __future__ import annotations

import hashlib
import json
import struct
import zipfile
from pathlib import Path

import pytest

from archive.errors import ArchiveError
from archive.source import MAX_JSON
from archive.wacz.checks import Check
from archive.wacz.package import CHUNK_SIZE, digest_chunks
from archive.wacz.snapshot import build_snapshot
from archive.wacz.verify import verify_snapshot
from tests.test_snapshot_order import PATHS, crawl

MANIFEST = "souverain/manifest.json"
_LOCAL_SIZE, _CENTRAL_SIZE = 22, 24  # where a local header and a central directory entry give the uncompressed size


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
    """The failed checks' details by name (every verdict a bool, every detail a string: the API's types)."""
    checks = verify_snapshot(path)
    assert checks and all(type(check.ok) is bool and type(check.detail) is str for check in checks)
    return {check.name: check.detail for check in checks if not check.ok}


def resealed(snapshot: Path, dest: Path, change: dict[str, bytes | None], claims: dict[str, bytes] | None = None,
             edits: dict[str, dict] | None = None) -> Path:
    """Copy a snapshot with members changed (see ``rewrite``) whose records say ``claims``: the manifest's chunk
    hashes and datapackage.json's hash and size of each path claimed are those of the content claimed, ``edits``
    overrides fields of datapackage resources, and the manifest and datapackage.json are recorded again, so that
    only what the test damages is damaged."""
    members, claimed = dict(change), dict(claims or {})
    manifest = json.loads(members.get(MANIFEST) or member(snapshot, MANIFEST))
    manifest["chunks"].update({path: digest_chunks(iter([data])).chunks for path, data in claimed.items()})
    members[MANIFEST] = claimed[MANIFEST] = json.dumps(manifest).encode()
    package = json.loads(member(snapshot, "datapackage.json"))
    for resource in package["resources"]:
        if resource["path"] in claimed:
            digest = digest_chunks(iter([claimed[resource["path"]]]))
            resource.update(hash=digest.hash, bytes=digest.size)
        resource.update((edits or {}).get(resource["path"], {}))
    members["datapackage.json"] = json.dumps(package).encode()
    members["datapackage-digest.json"] = json.dumps(
        {"path": "datapackage.json", "hash": digest_chunks(iter([members["datapackage.json"]])).hash}).encode()
    return rewrite(snapshot, dest, members)


def data_offset(snapshot: Path, name: str) -> int:
    """Where a member's bytes start in the WACZ: its local header (30 bytes, no extra field), its name, then them."""
    with zipfile.ZipFile(snapshot) as archive:
        return archive.getinfo(name).header_offset + 30 + len(name.encode())


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
    assert all(check.ok is True for check in checks)
    recorded = json.loads(member(snapshot, "datapackage-digest.json"))["hash"]
    assert [check.detail for check in checks] == [
        "", f"datapackage.json has {recorded}, datapackage-digest.json says {recorded}", *[""] * (len(checks) - 2)]


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


def test_a_datapackage_json_that_is_no_json_still_fails_its_digest(snapshot, tmp_path):
    recorded = json.loads(member(snapshot, "datapackage-digest.json"))
    found = failures(rewrite(snapshot, tmp_path / "t.wacz", {"datapackage.json": b"{not json"}))
    assert list(found)[:2] == ["datapackage-digest.json", "datapackage.json"]
    assert found["datapackage-digest.json"].endswith(f", datapackage-digest.json says {recorded['hash']}")
    assert found["datapackage.json"].startswith("datapackage.json: not JSON")
    found = failures(rewrite(snapshot, tmp_path / "u.wacz", {"datapackage-digest.json": b"[1"}))
    assert found["datapackage-digest.json"].startswith("datapackage-digest.json: not JSON")
    assert "datapackage.json (" not in "".join(found)  # the package itself is still checked, and passes


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
    assert verify_snapshot(bogus) == [Check("zip", False, f"{bogus} is not a readable zip file (File is not a zip file)")]
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


def test_a_resealed_copy_is_intact(snapshot, tmp_path):
    assert failures(resealed(snapshot, tmp_path / "t.wacz", {})) == {}


def test_every_damaged_chunk_of_a_file_is_located(snapshot, tmp_path):
    recorded = b"".join(bytes([number]) * CHUNK_SIZE for number in range(12))
    damaged = bytearray(recorded)
    for chunk in range(0, 12, 2):  # six ranges apart: the manifest check names the first five
        damaged[chunk * CHUNK_SIZE + 7] ^= 0xFF
    dest = resealed(snapshot, tmp_path / "t.wacz", {"indexes/index.cdx": bytes(damaged)},
                    claims={"indexes/index.cdx": recorded})
    start = data_offset(dest, "indexes/index.cdx")
    ranges = [(chunk * CHUNK_SIZE, (chunk + 1) * CHUNK_SIZE - 1) for chunk in range(0, 12, 2)]
    assert failures(dest) == {
        "hash indexes/index.cdx": ", ".join(f"bytes {first}–{last} (WACZ offset {start + first}–{start + last})"
                                            for first, last in ranges) + " differ",
        "manifest hashes (11 files)": "indexes/index.cdx: " + ", ".join(f"bytes {first}–{last}"
                                                                       for first, last in ranges[:5])
                                      + " differ from the manifest"}


def test_a_hash_that_only_datapackage_json_disputes_says_content(snapshot, tmp_path):
    dest = resealed(snapshot, tmp_path / "t.wacz", {}, edits={"pages/pages.jsonl": {"hash": "sha256:" + "0" * 64}})
    assert failures(dest) == {"hash pages/pages.jsonl": "content differ"}  # the chunks agree: no range, no line


def test_pages_lines_added_or_missing_are_numbered(snapshot, tmp_path):
    pages = member(snapshot, "pages/pages.jsonl")
    assert pages.count(b"\n") == 5  # the header and four pages
    longer = pages + b"".join(b'{"url": "https://x.example/%d"}\n' % number for number in range(11))
    dest = rewrite(snapshot, tmp_path / "t.wacz", {"pages/pages.jsonl": longer})
    start = data_offset(dest, "pages/pages.jsonl")
    assert failures(dest)["hash pages/pages.jsonl"] == (
        f"bytes 0–{len(longer) - 1} (WACZ offset {start}–{start + len(longer) - 1}) differ (size {len(longer)}, "
        f"expected {len(pages)}), line 6, 7, 8, 9, 10, 11, 12, 13, 14, 15")  # the first ten of lines 6 to 16
    shorter = pages[:pages.rindex(b"\n", 0, -1) + 1]
    dest = rewrite(snapshot, tmp_path / "u.wacz", {"pages/pages.jsonl": shorter})
    start = data_offset(dest, "pages/pages.jsonl")
    assert failures(dest)["hash pages/pages.jsonl"] == (
        f"bytes 0–{len(shorter) - 1} (WACZ offset {start}–{start + len(shorter) - 1}) differ (size {len(shorter)}, "
        f"expected {len(pages)}), line 5")


def test_without_a_usable_manifest_damage_is_told_by_sha256_and_warcs_still_count(snapshot, tmp_path):
    index = member(snapshot, "indexes/index.cdx")
    package = {r["path"]: r for r in json.loads(member(snapshot, "datapackage.json"))["resources"]}
    foreign = b'{"format": "other"}'
    dest = rewrite(snapshot, tmp_path / "t.wacz", {MANIFEST: foreign, "indexes/index.cdx": index + b"x"})
    pages = [json.loads(line) for line in member(snapshot, "pages/pages.jsonl").splitlines()[1:]]
    warc = next(name for name in member_names(snapshot) if name.startswith("archive/"))
    assert failures(dest) == {
        "souverain/manifest.json": "souverain/manifest.json is missing or not a souverain-manifest-1 document",
        "hash indexes/index.cdx": f"SHA-256 {hashlib.sha256(index + b'x').hexdigest()} does not match "
                                  f"datapackage.json ({package['indexes/index.cdx']['hash']})",
        "hash souverain/manifest.json": f"SHA-256 {hashlib.sha256(foreign).hexdigest()} does not match "
                                        f"datapackage.json ({package[MANIFEST]['hash']})",
        "manifest hashes (0 files)": "the manifest is missing or lists no file",
        "article texts": "no usable souverain/manifest.json to check them against",
        "pages/pages.jsonl (4 pages)": "; ".join(
            f"pages/pages.jsonl line {number}: text SHA-256 differs from the manifest ({entry['url']})"
            for number, entry in enumerate(pages, 2))}
    assert f"WARC digests {warc} (13 records)" in names(dest)


def test_the_record_count_is_the_manifest_entry_of_that_warc(snapshot, tmp_path):
    manifest = json.loads(member(snapshot, MANIFEST))
    manifest["warc_files"] = ["not an entry", {"path": "archive/other.warc.gz", "records": 99},
                              *manifest["warc_files"]]
    assert failures(resealed(snapshot, tmp_path / "t.wacz", {MANIFEST: json.dumps(manifest).encode()})) == {}


def test_each_malformed_resource_is_named_and_long_values_cut(snapshot, tmp_path):
    package = json.loads(member(snapshot, "datapackage.json"))
    resources, long = package["resources"], "p" * 250
    twice = {"path": long, "hash": "sha256:0", "bytes": 1}
    malformed = [{"path": "a", "hash": 1, "bytes": 1}, {"path": "b", "hash": "h", "bytes": "1"},
                 {"path": "c", "hash": "h", "bytes": True}, {"path": 3, "hash": "h", "bytes": 1}, "x"]
    changed = {**package, "wacz_version": "9" * 50, "resources": [*resources, *malformed, twice, twice]}
    found = failures(rewrite(snapshot, tmp_path / "t.wacz", {"datapackage.json": json.dumps(changed).encode()}))
    detail = next(d for name, d in found.items() if name.startswith("datapackage.json ("))
    assert detail.split("; ") == [
        f"wacz_version is {'9' * 40!r}, expected 1.1.1",
        *[f"resource {len(resources) + n}: not an object with a path, a hash and bytes" for n in range(1, 6)],
        f"{'p' * 200}: listed twice", f"{long}: listed but not in the zip"]


def test_names_outside_the_manifest_are_cut_and_twenty_are_told(snapshot, tmp_path):
    manifest = json.loads(member(snapshot, MANIFEST))
    manifest["chunks"]["m" * 250] = []
    extra = {"a" * 250: b"x", **{f"extra-{n:02d}.txt": b"x" for n in range(21)}}  # 22 problems: 20 told
    found = failures(rewrite(snapshot, tmp_path / "t.wacz", {MANIFEST: json.dumps(manifest).encode(), **extra}))
    assert found["manifest hashes (12 files)"] == "; ".join(
        [f"{'a' * 200}: not in the manifest", *[f"extra-{n:02d}.txt: not in the manifest" for n in range(19)]])
    found = failures(rewrite(snapshot, tmp_path / "u.wacz", {MANIFEST: json.dumps(manifest).encode()}))
    assert found["manifest hashes (12 files)"] == f"{'m' * 200}: in the manifest but not in the zip"


def test_two_damaged_articles_are_each_told(snapshot, tmp_path):
    articles = json.loads(member(snapshot, MANIFEST))["articles"][:2]
    found = failures(rewrite(snapshot, tmp_path / "t.wacz", {article["txt"]: b"Autre.\n" for article in articles}))
    assert found["article texts (4)"] == "; ".join(
        f"{a['txt']}: text SHA-256 differs from the manifest ({a['url']})" for a in articles)
    assert [problem.split(": ")[0] for problem in found["hash articles/* (8 files)"].split("; ")] == sorted(
        a["txt"] for a in articles)


def test_a_package_or_manifest_that_is_not_json_fails_its_own_check(snapshot, tmp_path):
    found = failures(rewrite(snapshot, tmp_path / "t.wacz", {"datapackage.json": b"not json"}))
    assert found["datapackage.json"] == "datapackage.json: not JSON (Expecting value: line 1 column 1 (char 0))"
    found = failures(rewrite(snapshot, tmp_path / "u.wacz", {MANIFEST: b"not json"}))
    assert found[MANIFEST] == "souverain/manifest.json: not JSON (Expecting value: line 1 column 1 (char 0))"


def declare(source: Path, dest: Path, sizes: dict[str, int]) -> Path:
    """Copy a snapshot with the uncompressed size of some stored members changed in both their local header and
    their central directory entry (so that the two agree, and only the size is wrong)."""
    data = bytearray(source.read_bytes())
    with zipfile.ZipFile(source) as archive:
        infos, start = {info.filename: info for info in archive.infolist()}, archive.start_dir
    for name, size in sizes.items():
        struct.pack_into("<L", data, infos[name].header_offset + _LOCAL_SIZE, size)
    offset = start
    while data[offset:offset + 4] == b"PK\x01\x02":
        name_length, extra_length, comment_length = struct.unpack_from("<3H", data, offset + 28)
        name = data[offset + 46:offset + 46 + name_length].decode()
        if name in sizes:
            struct.pack_into("<L", data, offset + _CENTRAL_SIZE, sizes[name])
        offset += 46 + name_length + extra_length + comment_length
    dest.write_bytes(bytes(data))
    return dest


def test_a_declared_size_over_the_json_limit_is_refused_and_one_at_the_limit_read(snapshot, tmp_path):
    digest_doc, manifest = member(snapshot, "datapackage-digest.json"), member(snapshot, MANIFEST)
    dest = declare(snapshot, tmp_path / "t.wacz", {"datapackage-digest.json": MAX_JSON + 1, MANIFEST: MAX_JSON})
    with zipfile.ZipFile(dest) as archive:
        assert archive.getinfo(MANIFEST).file_size == MAX_JSON  # what the test means to write
    assert failures(dest) == {
        "zip (14 files)": f"datapackage-digest.json: {len(digest_doc)} bytes, the zip directory says {MAX_JSON + 1}; "
                          f"{MANIFEST}: {len(manifest)} bytes, the zip directory says {MAX_JSON}",
        "datapackage-digest.json": "datapackage-digest.json: 67,108,865 bytes, over the limit of 67,108,864"}


def test_a_compressed_warc_is_told_and_not_read(snapshot, tmp_path):
    warc = next(name for name in member_names(snapshot) if name.startswith("archive/"))
    dest = tmp_path / "t.wacz"
    with zipfile.ZipFile(snapshot) as source, zipfile.ZipFile(dest, "w") as target:
        for info in source.infolist():
            target.writestr(info.filename, source.read(info), zipfile.ZIP_DEFLATED if info.filename == warc
                            else zipfile.ZIP_STORED)
    assert failures(dest) == {
        "zip (14 files)": f"{warc}: {warc} is compressed; a snapshot stores every file uncompressed",
        f"hash {warc}": "missing or unreadable", f"WARC digests {warc}": "unreadable"}


def test_an_unsafe_member_name_is_counted_and_told(snapshot, tmp_path):
    dest = rewrite(snapshot, tmp_path / "t.wacz", {"../evil.txt": b"x"})
    assert failures(dest) == {"zip (15 files)": "member '../evil.txt': a '.' or '..' part"}


def test_a_package_of_several_chunks_is_read_whole(snapshot, tmp_path):
    padded = b" " * 200_000 + member(snapshot, "datapackage.json")  # four 64 KiB chunks, cut between JSON tokens
    digest = json.loads(member(snapshot, "datapackage-digest.json"))
    digest["hash"] = digest_chunks(iter([padded])).hash
    dest = rewrite(snapshot, tmp_path / "t.wacz", {"datapackage.json": padded,
                                                  "datapackage-digest.json": json.dumps(digest).encode()})
    assert failures(dest) == {}


def test_a_pages_line_over_the_json_limit_fails_its_checks_and_no_other(snapshot, tmp_path):
    pages = member(snapshot, "pages/pages.jsonl") + b"x" * (MAX_JSON + 1)
    index = member(snapshot, "indexes/index.cdx")
    dest = rewrite(snapshot, tmp_path / "t.wacz", {"pages/pages.jsonl": pages, "indexes/index.cdx": index + b"x"})
    start, index_start = data_offset(dest, "pages/pages.jsonl"), data_offset(dest, "indexes/index.cdx")
    checks = verify_snapshot(dest)
    refusal = "pages/pages.jsonl: a line longer than the limit of 67,108,864 bytes"
    assert {check.name: check.detail for check in checks if not check.ok} == {
        "hash indexes/index.cdx": f"bytes 0–{len(index)} (WACZ offset {index_start}–{index_start + len(index)}) "
                                  f"differ (size {len(index) + 1}, expected {len(index)})",
        "hash pages/pages.jsonl": f"bytes 0–{len(pages) - 1} (WACZ offset {start}–{start + len(pages) - 1}) differ "
                                  f"(size {len(pages)}, expected {len(pages) - MAX_JSON - 1}), {refusal}",
        "manifest hashes (11 files)": f"indexes/index.cdx: bytes 0–{len(index)} differ from the manifest; "
                                      f"pages/pages.jsonl: bytes 0–{len(pages) - 1} differ from the manifest",
        "pages/pages.jsonl": refusal}
    assert Check("article texts (4)", True) in checks
