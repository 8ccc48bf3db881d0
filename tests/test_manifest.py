"""The snapshot manifest's pieces, in-process: the whole document, line hashes, zip article paths, run entries."""

from __future__ import annotations

import hashlib
import json
import platform
from pathlib import PurePosixPath

from archive.wacz.manifest import FORMAT, build_manifest, line_hashes, run_entries, zip_article_path
from archive.wacz.package import Member


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def test_the_document_holds_every_part_under_its_name():
    runs = [{"run_id": "r2", "root": "https://b.example"}, {"run_id": "r1", "root": "https://a.example"},
            {"run_id": "r3", "root": "https://b.example"}, {"run_id": "r4", "root": None}, {"run_id": "r5"}]
    members = [Member.from_bytes("indexes/index.cdx", b"x" * 70_000), Member.from_bytes("pages/pages.jsonl", b"{}\n")]
    document = json.loads(build_manifest(
        cutoff="2026-03-01T10:04:00Z", selection={"run": None, "until": "2026-03-01"}, runs=runs,
        warc_files=[{"path": "archive/a.warc.gz"}], robots=[{"url": "https://a.example/robots.txt"}],
        articles=[{"url": "https://a.example/1"}], members=members, pages=b"{}\n[1]\nend"))
    builder = document.pop("builder")
    assert builder == {"versions": builder["versions"]} and builder["versions"]["python"] == platform.python_version()
    assert set(builder["versions"]) == {"python", "souverain", "scrapy", "trafilatura", "htmldate", "warcio", "lxml",
                                        "cdxj-indexer"}
    assert document == {
        "format": FORMAT, "cutoff": "2026-03-01T10:04:00Z", "selection": {"run": None, "until": "2026-03-01"},
        "seeds": ["https://a.example", "https://b.example"],  # sorted, once each, runs without a root left out
        "runs": runs, "warc_files": [{"path": "archive/a.warc.gz"}], "robots": [{"url": "https://a.example/robots.txt"}],
        "articles": [{"url": "https://a.example/1"}], "chunk_size": 65536,
        "chunks": {"indexes/index.cdx": [sha(b"x" * 65536), sha(b"x" * 4464)], "pages/pages.jsonl": [sha(b"{}\n")]},
        "pages_lines": [sha(b"{}\n"), sha(b"[1]\n"), sha(b"end")]}


def test_the_document_is_indented_json_with_sorted_keys():
    text = build_manifest(cutoff="c", selection={}, runs=[], warc_files=[], robots=[], articles=[], members=[],
                          pages=b"").decode()
    assert text.startswith('{\n  "articles": [],\n  "builder": {\n') and text.endswith("}\n")
    assert json.loads(text)["seeds"] == [] and json.loads(text)["pages_lines"] == []


def test_line_hashes_include_each_newline():
    assert line_hashes(b"a\nb\r\nc") == [sha(b"a\n"), sha(b"b\r\n"), sha(b"c")]
    assert line_hashes(b"") == []


def test_a_dated_article_path_becomes_one_folder_level():
    assert zip_article_path(PurePosixPath("articles/numerama/2026/02/01/0-secnumcloud.txt")) == \
        "articles/numerama__2026-02-01__0-secnumcloud.txt"
    assert zip_article_path(PurePosixPath("articles/clubic/undated/x.json")) == "articles/clubic__undated__x.json"


def test_run_entries_keep_the_recorded_fields_sorted_by_run_and_site():
    configs = {("r2", "numerama"): {"root": "https://n.example", "profile": "numerama", "discovery": {"d": 1},
                                    "topic": {"name": "t"}, "settings": {"s": 2}, "versions": {"v": "3"},
                                    "cleanup": {"left": "out"}},
               ("r1", "numerama"): {"root": "https://m.example"}, ("r1", "clubic"): {}}
    assert run_entries(configs) == [
        {"run_id": "r1", "site": "clubic", "root": None, "profile": None, "discovery": None, "topic": None,
         "settings": None, "versions": None},
        {"run_id": "r1", "site": "numerama", "root": "https://m.example", "profile": None, "discovery": None,
         "topic": None, "settings": None, "versions": None},
        {"run_id": "r2", "site": "numerama", "root": "https://n.example", "profile": "numerama",
         "discovery": {"d": 1}, "topic": {"name": "t"}, "settings": {"s": 2}, "versions": {"v": "3"}}]
