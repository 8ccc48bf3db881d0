"""Unit tests of the hostile-archive reader's pieces: bounded decoding, JSON checks, time-bound patterns,
names, and the removal of temp files whose owner is dead."""

from __future__ import annotations

import gzip
import os
import subprocess
import sys
import zlib
from pathlib import Path

import brotli
import pytest

from archive import patterns
from archive.errors import ArchiveError
from archive.fsutil import remove_orphans, temp_prefix
from archive.patterns import Pattern
from archive.source import decode_body, load_json, member_problem, split_lines


def test_decoding_is_bounded_by_the_page_limit() -> None:
    page = b"<p>cloud souverain</p>" * 1000
    for encoding, body in (("gzip", gzip.compress(page)), ("deflate", zlib.compress(page)),
                           ("br", brotli.compress(page)), ("identity", page)):
        assert decode_body(body, encoding, "test") == page
    with pytest.raises(ArchiveError, match="gzip body inflates past the limit of 1,000 bytes"):
        decode_body(gzip.compress(bytes(10_000)), "gzip", "test", limit=1000)
    with pytest.raises(ArchiveError, match="br body inflates past"):
        decode_body(brotli.compress(bytes(10_000)), "br", "test", limit=1000)
    assert decode_body(b"not gzip", "gzip", "test") == b"not gzip"  # kept as it was, as the crawl's reader does


def test_json_is_checked_for_depth_type_and_syntax() -> None:
    assert load_json(b'{"a": [1, {"b": 2}]}', "x") == {"a": [1, {"b": 2}]}
    for data, message in ((b"[" * 100_000 + b"]" * 100_000, "nested deeper"), (b"[" * 40 + b"]" * 40, "nested deeper"),
                          (b"[1]", "a JSON list where a dict"), (b"{", "not JSON"), (b"\xff", "not JSON")):
        with pytest.raises(ArchiveError, match=message):
            load_json(data, "member")


def test_patterns_give_up_after_their_time_bound(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(patterns, "TIMEOUT", 0.01)
    with pytest.raises(ArchiveError, match=r"took more than 0.01 s"):
        Pattern(r"(?:a+)+$").search("a" * 3_000_000 + "b")
    with pytest.raises(ArchiveError, match="does not compile"):
        Pattern("(unclosed")
    assert Pattern(r"(?:[a-z]+\s?)+QQQ").search("le cloud souverain " * 2000) is None


def test_member_names() -> None:
    for bad in ("", "../x", "a/../b", "/etc/passwd", "a\\b", "C:x", "a//b", "a/./b", ".", "a/", "x\x00y"):
        assert member_problem(bad), bad
    for good in ("archive/a.warc.gz", "datapackage.json", "articles/clubic__2020-01-01__x.txt", "..a/b.."):
        assert member_problem(good) is None, good


def test_lines_are_split_in_bounded_pieces() -> None:
    assert list(split_lines(iter([b"ab\ncd", b"ef\n\ngh"]), 10, "x")) == [b"ab", b"cdef", b"", b"gh"]
    with pytest.raises(ArchiveError, match="a line longer than the limit of 10 bytes"):
        list(split_lines(iter([b"a" * 6, b"b" * 6]), 10, "x"))


def test_orphans_of_dead_owners_are_removed_and_live_ones_kept(tmp_path: Path) -> None:
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    dead_pid = int(dead.stdout)
    (tmp_path / f".snap.wacz.{dead_pid}.abcdefgh.tmp").write_bytes(b"x")
    (tmp_path / f"{temp_prefix('snap.wacz')}ijklmnop.tmp").write_bytes(b"x")  # ours: alive
    (tmp_path / f".reextract-{dead_pid}-qrstuvwx").mkdir()
    (tmp_path / "snap.wacz").write_bytes(b"kept")
    removed = remove_orphans(tmp_path)
    assert sorted(p.name for p in removed) == sorted([f".snap.wacz.{dead_pid}.abcdefgh.tmp",
                                                      f".reextract-{dead_pid}-qrstuvwx"])
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([f".snap.wacz.{os.getpid()}.ijklmnop.tmp",
                                                                 "snap.wacz"])
