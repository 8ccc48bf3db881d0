"""Unit tests of the deterministic WACZ writer and of record-level checks in ``verify``."""

from __future__ import annotations

import gzip
import io
import zipfile
from pathlib import Path

from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from archive.wacz.package import CHUNK_SIZE, Member, changed_ranges, digest_chunks, write_wacz
from archive.wacz.verify import verify_snapshot


def warc_bytes() -> bytes:
    """Return a one-response WARC (one gzip member) whose body is ``hello``."""
    out = io.BytesIO()
    writer = WARCWriter(out, gzip=True, warc_version="1.1")
    http = StatusAndHeaders("200 OK", [("Content-Type", "text/plain")], protocol="HTTP/1.1")
    headers = {"WARC-Date": "2020-01-01T00:00:00Z", "WARC-Record-ID": "<urn:uuid:00000000-0000-0000-0000-000000000001>"}
    record = writer.create_warc_record("http://example.com/", "response", payload=io.BytesIO(b"hello"),
                                       http_headers=http, warc_headers_dict=headers)
    writer.write_record(record)
    return out.getvalue()


def test_same_members_give_the_same_bytes_and_old_dates_are_clamped(tmp_path):
    members = [Member.from_bytes("pages/pages.jsonl", b"{}\n"), Member.from_bytes("archive/a.warc.gz", warc_bytes())]
    first, second = tmp_path / "1.wacz", tmp_path / "2.wacz"
    for dest in (first, second):
        write_wacz(dest, list(members), created="1970-01-01T00:00:00Z", software="test", title="t")
    assert first.read_bytes() == second.read_bytes()
    with zipfile.ZipFile(first) as archive:
        assert {info.date_time for info in archive.infolist()} == {(1980, 1, 1, 0, 0, 0)}
        assert archive.namelist() == sorted(archive.namelist())


def test_changed_ranges_merge_adjacent_chunks():
    data = bytes(3 * CHUNK_SIZE + 10)
    damaged = bytearray(data)
    damaged[5] = damaged[CHUNK_SIZE + 1] = 1
    expected, actual = digest_chunks(iter([data])), digest_chunks(iter([bytes(damaged)]))
    assert changed_ranges(expected.chunks, actual.chunks, actual.size) == [(0, 2 * CHUNK_SIZE - 1)]
    assert changed_ranges(expected.chunks, expected.chunks[:-1], 3 * CHUNK_SIZE) == [(3 * CHUNK_SIZE,
                                                                                     3 * CHUNK_SIZE)]


def test_verify_reports_a_record_whose_digest_does_not_match(tmp_path: Path):
    bad = gzip.compress(gzip.decompress(warc_bytes()).replace(b"hello", b"jello"), mtime=0)
    dest = tmp_path / "bad.wacz"
    write_wacz(dest, [Member.from_bytes("archive/a.warc.gz", bad)], created="2020-01-01T00:00:00Z",
               software="test", title="t")
    checks = {check.name.split(" (")[0]: check for check in verify_snapshot(dest)}
    warc = checks["WARC digests archive/a.warc.gz"]
    assert not warc.ok and "record at offset 0" in warc.detail and "payload" in warc.detail
    assert checks["hash archive/a.warc.gz"].ok
