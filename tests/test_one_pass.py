"""The one-pass readers give what the separate passes gave: checked heads where warcio finds the records, the run
log from the heads alone, digests fed by the check, a CDXJ index merged from per-file indexes, verify's readings."""

from __future__ import annotations

import io
import json
import random
import zipfile
from pathlib import Path

import pytest
from cdxj_indexer.main import CDXJIndexer
from warcio.archiveiterator import ArchiveIterator
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from archive.errors import ArchiveError
from archive.wacz.checks import read_warc_member, warc_check
from archive.wacz.package import ChunkHasher, digest_chunks
from archive.warc.cdxj import index_lines, merge_indexes
from archive.warc.records import TeeReader, check_warc, warc_heads
from archive.warc.runlog import RUN_URN, scan_logged, scan_warcs

RUN = "20261201T120000Z-abcd"


def _warc(path: Path, pages: int, big: int = 0, *, noise: bool = False) -> Path:
    """Write a WARC: a warcinfo, a run config, ``pages`` responses (the second of ``big`` bytes, repeated or, with
    ``noise``, incompressible), a run log."""
    with path.open("wb") as out:
        writer = WARCWriter(out, gzip=True)
        writer.write_record(writer.create_warcinfo_record(path.name, {"isPartOf": RUN}))
        config = json.dumps({"cleanup": {}, "topic": {"toml": "name = 't'"}}).encode()
        writer.write_record(writer.create_warc_record(f"{RUN_URN}{RUN}:site:config", "metadata",
                                                      payload=io.BytesIO(config),
                                                      warc_content_type="application/json"))
        ids = []
        for number in range(pages):
            filler = random.Random(number).randbytes(big) if noise else bytes(range(256)) * (big // 256)
            body = (b"<html>" + filler + b"</html>") if number == 1 and big else \
                f"<html><p>page {number}</p></html>".encode()
            http = StatusAndHeaders("200 OK", [("Content-Type", "text/html")], protocol="HTTP/1.1")
            record = writer.create_warc_record(f"http://example.org/{number}", "response", payload=io.BytesIO(body),
                                               http_headers=http)
            writer.write_record(record)
            ids.append(record.rec_headers.get_header("WARC-Record-ID"))
        log = "\n".join(json.dumps({"url": f"http://example.org/{n}", "site": "site", "pages": [i],
                                    "discovered_via": []}) for n, i in enumerate(ids)).encode()
        writer.write_record(writer.create_warc_record(f"{RUN_URN}{RUN}:site:articles", "metadata",
                                                      payload=io.BytesIO(log), warc_content_type="application/json"))
    return path


def _warcio_places(path: Path) -> list[tuple[int, int]]:
    """Return (offset, length) of every record as warcio finds them."""
    places = []
    with path.open("rb") as stream:
        records = ArchiveIterator(stream)
        for record in records:
            records.read_to_end(record)
            places.append((records.get_record_offset(), records.get_record_length()))
    return places


def test_checked_heads_are_where_warcio_finds_the_records(tmp_path: Path) -> None:
    """A record inflating past one 64 kB read (here 300 kB) leaves the offsets of the records after it right."""
    path = _warc(tmp_path / "a.warc.gz", 5, big=300_000)
    heads = check_warc(path, tmp_path)
    assert [(head.offset, head.length) for head in heads] == _warcio_places(path)
    assert sum(head.length for head in heads) == path.stat().st_size


def test_run_log_from_the_heads_is_the_full_scans(tmp_path: Path) -> None:
    """``scan_logged`` reads the configs, articles and warcinfo ``scan_warcs`` reads, parsing only those records."""
    paths = [_warc(tmp_path / "a.warc.gz", 4, big=100_000), _warc(tmp_path / "b.warc.gz", 3)]
    full, logged = scan_warcs(paths), scan_logged({path: check_warc(path, tmp_path) for path in paths})
    assert (logged.configs, logged.articles, logged.warcinfo) == (full.configs, full.articles, full.warcinfo)
    assert len(logged.articles) == 7 and not logged.responses


def test_digest_fed_by_the_check_is_the_files(tmp_path: Path) -> None:
    """The hash a check pass feeds equals ``digest_chunks`` of the file read apart (whole and 64 kB chunks)."""
    path = _warc(tmp_path / "a.warc.gz", 3, big=400_000, noise=True)
    hasher = ChunkHasher()
    check_warc(path, tmp_path, tee=hasher.update)
    assert hasher.digest() == digest_chunks(iter([path.read_bytes()]))
    assert len(hasher.digest().chunks) > 2


def test_merged_index_is_cdxj_indexers_sorted_index(tmp_path: Path) -> None:
    """Files indexed apart and merged give the lines ``cdxj-indexer --sort`` gives for them together."""
    paths = [_warc(tmp_path / "b.warc.gz", 4), _warc(tmp_path / "a.warc.gz", 3)]
    together = io.StringIO()
    CDXJIndexer(output=together, inputs=[str(path) for path in paths], sort=True).process_all()
    expected = "".join(sorted(set(together.getvalue().splitlines(keepends=True)))).encode()
    assert merge_indexes(index_lines(path) for path in reversed(paths)) == expected


def _stored_wacz(tmp_path: Path, warc: bytes) -> tuple[Path, zipfile.ZipInfo]:
    """Store one WARC member in a zip; return the zip and the member."""
    wacz = tmp_path / "s.wacz"
    with zipfile.ZipFile(wacz, "w", zipfile.ZIP_STORED) as archive:
        archive.writestr("archive/a.warc.gz", warc)
    with zipfile.ZipFile(wacz) as archive:
        return wacz, archive.getinfo("archive/a.warc.gz")


def test_verify_reading_hashes_and_checks_in_one_read(tmp_path: Path) -> None:
    """A sound member: its digest is the member's bytes', its records counted, the manifest's count checked."""
    data = _warc(tmp_path / "a.warc.gz", 3, big=200_000, noise=True).read_bytes()
    wacz, info = _stored_wacz(tmp_path, data)
    offset = info.header_offset + 30 + len(info.filename)
    reading = read_warc_member(str(wacz), offset, info.compress_size, info.filename)
    assert reading.digest == digest_chunks(iter([data])) and reading.count == 6 and not reading.problems
    assert warc_check(reading, info.filename, [6]).ok
    assert "the manifest says 7" in warc_check(reading, info.filename, [7]).detail


def test_verify_reading_of_a_hostile_member_is_one_line_and_still_hashed(tmp_path: Path) -> None:
    """A broken gzip member is refused with its offset on one line; the digest still covers every byte."""
    good = _warc(tmp_path / "a.warc.gz", 2).read_bytes()
    data = good + b"\x1f\x8b\x08\x00garbage" * 100
    wacz, info = _stored_wacz(tmp_path, data)
    offset = info.header_offset + 30 + len(info.filename)
    reading = read_warc_member(str(wacz), offset, info.compress_size, info.filename)
    check = warc_check(reading, info.filename, [])
    assert not check.ok and f"offset {len(good)}" in check.detail and "\n" not in check.detail
    assert reading.digest == digest_chunks(iter([data]))


def test_tee_feeds_exactly_what_is_read() -> None:
    """The tee hands its sink each piece the reader got, nothing more."""
    seen: list[bytes] = []
    reader = TeeReader(io.BytesIO(b"abcdef"), seen.append)
    assert reader.read(4) == b"abcd" and reader.read() == b"ef" and b"".join(seen) == b"abcdef"


def test_hostile_warc_is_refused_by_the_tee_check(tmp_path: Path) -> None:
    """A truncated member is refused by the check that hashes, as by the plain check."""
    path = tmp_path / "t.warc.gz"
    path.write_bytes(_warc(tmp_path / "a.warc.gz", 2).read_bytes()[:-10])
    with pytest.raises(ArchiveError, match="truncated"):
        check_warc(path, tmp_path, tee=ChunkHasher().update)
    with pytest.raises(ArchiveError, match="truncated"):
        list(warc_heads(path.open("rb"), str(path)))
