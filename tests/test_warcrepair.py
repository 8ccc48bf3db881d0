"""Tests of the repair of `.open` WARC files (archive/warc/repair.py), checked with warcio."""

from __future__ import annotations

import gzip
import os
import socket
import subprocess
from datetime import UTC, datetime
from itertools import count
from pathlib import Path

import pytest
from warcio.archiveiterator import ArchiveIterator

from archive.warc.repair import Repair, repair_open_warcs
from archive.warc.writer import HttpExchange, WarcWriter
from tests.conftest import warcio

HOST = socket.gethostname()


def exchange(number: int) -> HttpExchange:
    """One GET of an article page, its body big enough to span several deflate blocks."""
    return HttpExchange(
        url=f"https://www.example.org/tech/{number}-cloud.html", method="GET",
        request_headers=[("Host", "www.example.org"), ("User-Agent", "souverain-test")], request_body=b"",
        status=200, reason="OK", protocol="HTTP/1.1", response_headers=[("Content-Type", "text/html")],
        response_body=b"<p>cloud souverain</p>" + os.urandom(3000).hex().encode(), ip_address="192.0.2.7",
        fetch_time=datetime(2026, 1, 2, 3, 4, number, tzinfo=UTC),
    )


def record_list(path: Path) -> list[tuple[str, str, int, int]]:
    """(type, record id, offset, end) of every record of a WARC file."""
    found = []
    with open(path, "rb") as stream:
        records = ArchiveIterator(stream)
        for record in records:
            record.raw_stream.read()
            offset = records.get_record_offset()
            found.append((record.rec_type, record.rec_headers.get_header("WARC-Record-ID"), offset,
                          offset + records.get_record_length()))
    return found


@pytest.fixture(scope="module")
def original(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A closed WARC: warcinfo, two pairs, a metadata record, two more pairs."""
    ids = count(1)
    folder = tmp_path_factory.mktemp("warc")
    with WarcWriter(folder, hostname=HOST, record_id_factory=lambda: f"<urn:uuid:{next(ids):032x}>") as writer:
        for number in range(1, 5):
            writer.write_exchange(exchange(number))
            if number == 2:
                writer.write_metadata("urn:x-souverain:run:test", b'{"run": "test"}', "application/json")
    return next(folder.glob("*.warc.gz"))


def dead_pid() -> int:
    """The pid of a process that has just exited."""
    process = subprocess.Popen(["true"])
    process.wait()
    return process.pid


def open_copy(original: Path, folder: Path, data: bytes, *, pid: int, host: str = HOST,
              stamp: str | None = None) -> Path:
    """Write ``data`` as an `.open` file named for writer ``pid`` on ``host``."""
    prefix, old_stamp, serial, _ = original.name.split("-", 3)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{prefix}-{stamp or old_stamp}-{serial}-{pid}~{host}.warc.gz.open"
    path.write_bytes(data)
    return path


def expected_kept(records: list[tuple[str, str, int, int]], cut: int) -> int:
    """Complete records before ``cut``, less a trailing response whose request is cut off."""
    complete = sum(end <= cut for *_, end in records)
    return complete - (complete > 0 and records[complete - 1][0] == "response")


def named_cuts(records: list[tuple[str, str, int, int]]) -> dict[str, int]:
    """Cut points of each kind the repair must handle."""
    kinds = [kind for kind, *_ in records]
    second_response = kinds.index("response", 2)
    _, _, start, end = records[second_response]
    return {
        "empty file": 0,
        "inside the warcinfo": records[0][3] // 2,
        "right after the warcinfo": records[0][3],
        "inside a response": (start + end) // 2,
        "between the response and the request of a pair": end,
        "inside a request": end + 10,
        "right after a pair": records[second_response + 1][3],
        "inside the metadata record": records[kinds.index("metadata")][3] - 1,
        "one byte before the end": records[-1][3] - 1,
        "whole file": records[-1][3],
    }


@pytest.mark.parametrize("kind", ["empty file", "inside the warcinfo", "right after the warcinfo",
                                  "inside a response", "between the response and the request of a pair",
                                  "inside a request", "right after a pair", "inside the metadata record",
                                  "one byte before the end", "whole file"])
def test_repair_keeps_exactly_the_complete_pairs(original: Path, tmp_path: Path, kind: str) -> None:
    records = record_list(original)
    cut = named_cuts(records)[kind]
    data = original.read_bytes()[:cut]
    path = open_copy(original, tmp_path / "warc", data, pid=dead_pid())
    kept = expected_kept(records, cut)

    [repair] = repair_open_warcs(tmp_path / "warc")
    print(repair.message)
    assert repair.kept_records == kept and repair.bytes_before == cut
    assert "\n" not in repair.message and path.name in repair.message
    assert not path.exists()
    if kept == 0:
        assert repair.action == "quarantined"
        assert repair.path == tmp_path / "warc" / "quarantine" / path.name
        assert repair.path.read_bytes() == data
        assert repair.message.startswith(f"quarantined {path.name} to {tmp_path / 'warc' / 'quarantine'}/: ")
        return
    assert repair.action == "repaired"
    assert repair.path == path.with_name(path.name.removesuffix(".open"))
    assert repair.bytes_after == records[kept - 1][3] == repair.path.stat().st_size
    assert repair.message.startswith(f"repaired {path.name}: kept {kept} record{'s' * (kept != 1)}, ")
    assert [rid for _, rid, *_ in record_list(repair.path)] == [rid for _, rid, *_ in records[:kept]]
    check = warcio("check", "-v", str(repair.path))
    assert check.returncode == 0, check.stdout + check.stderr


def test_every_cut_point_keeps_the_complete_prefix(original: Path, tmp_path: Path) -> None:
    records = record_list(original)
    data = original.read_bytes()
    cuts = sorted({edge + delta for *_, start, end in records for edge in (start, end, (start + end) // 2)
                   for delta in (-1, 0, 1) if 0 <= edge + delta <= len(data)})
    pid = dead_pid()
    for cut in cuts:
        folder = tmp_path / str(cut)
        open_copy(original, folder, data[:cut], pid=pid)
        [repair] = repair_open_warcs(folder)
        kept = expected_kept(records, cut)
        assert (repair.action, repair.kept_records) == ("repaired" if kept else "quarantined", kept), cut
        if kept:
            assert repair.path.read_bytes() == data[:records[kept - 1][3]], cut


def test_messages_say_what_was_cut(original: Path, tmp_path: Path) -> None:
    records = record_list(original)
    cuts = named_cuts(records)
    data = original.read_bytes()
    messages = {}
    for kind in ("inside a response", "inside a request", "between the response and the request of a pair",
                 "right after a pair"):
        open_copy(original, tmp_path / kind, data[:cuts[kind]], pid=dead_pid())
        messages[kind] = repair_open_warcs(tmp_path / kind)[0].message
    assert messages["inside a response"].endswith(" bytes of an incomplete record")
    assert " bytes of a response without its request and " in messages["inside a request"]
    assert messages["between the response and the request of a pair"].endswith(
        " bytes of a response without its request")
    assert messages["right after a pair"].endswith(", nothing to cut")
    # The figures: the response's own length, and what follows the last complete record.
    second_response = [kind for kind, *_ in records].index("response", 2)
    _, _, start, end = records[second_response]
    assert messages["between the response and the request of a pair"].endswith(
        f", cut {end - start:,} bytes of a response without its request")
    assert messages["inside a request"].endswith(
        f", cut {end - start:,} bytes of a response without its request and 10 bytes of an incomplete record")
    assert messages["inside a response"].endswith(f", cut {cuts['inside a response'] - start:,} bytes of an "
                                                  "incomplete record")


def test_live_writer_is_left_alone(original: Path, tmp_path: Path) -> None:
    stamp = datetime.now(UTC).strftime("%Y%m%d%H%M%S000")
    data = original.read_bytes()[:-5]
    path = open_copy(original, tmp_path, data, pid=os.getpid(), stamp=stamp)
    [repair] = repair_open_warcs(tmp_path)
    assert (repair.action, repair.path, repair.kept_records) == ("left (writer alive)", path, 0)
    assert repair.message == f"left {path.name}: its writer (pid {os.getpid()}) is still running"
    assert (repair.bytes_before, repair.bytes_after) == (len(data), len(data))
    assert path.read_bytes() == data


def test_reused_pid_or_other_host_means_a_dead_writer(original: Path, tmp_path: Path) -> None:
    data = original.read_bytes()[:-5]
    # This process runs, but started after a file named in 2020: its pid was reused.
    open_copy(original, tmp_path / "reused", data, pid=os.getpid(), stamp="20200101000000000")
    open_copy(original, tmp_path / "other", data, pid=os.getpid(), host="another-host")
    for folder in ("reused", "other"):
        [repair] = repair_open_warcs(tmp_path / folder)
        assert repair.action == "repaired", repair.message


def test_custom_quarantine_and_closed_files_untouched(original: Path, tmp_path: Path) -> None:
    warc = tmp_path / "warc"
    path = open_copy(original, warc, b"\x1f\x8b\x08\x00 not a whole member", pid=dead_pid())
    (warc / original.name).write_bytes(original.read_bytes())
    [repair] = repair_open_warcs(warc, quarantine=tmp_path / "bad")
    assert repair.action == "quarantined" and repair.path == tmp_path / "bad" / path.name
    assert (warc / original.name).read_bytes() == original.read_bytes()
    assert repair_open_warcs(warc) == []


def test_two_unusable_files_go_to_a_quarantine_made_with_its_parents(original: Path, tmp_path: Path) -> None:
    warc, pid = tmp_path / "warc", dead_pid()
    first = open_copy(original, warc, b"\x1f\x8b\x08\x00 not a whole member", pid=pid, stamp="20260102030405000")
    second = open_copy(original, warc, b"pas du tout un WARC", pid=pid, stamp="20260102030406000")
    quarantine = tmp_path / "a" / "b" / "quarantine"  # neither a/ nor a/b/ exists yet
    repairs = repair_open_warcs(warc, quarantine=quarantine)
    assert [(r.action, r.path) for r in repairs] == [("quarantined", quarantine / first.name),
                                                    ("quarantined", quarantine / second.name)]
    assert [(r.kept_records, r.bytes_before, r.bytes_after) for r in repairs] == [(0, 23, 23), (0, 19, 19)]
    assert repairs[1].message == (f"quarantined {second.name} to {quarantine}/: no complete warcinfo record "
                                  "(19 bytes)")
    assert sorted(p.name for p in quarantine.iterdir()) == [first.name, second.name]


def test_a_file_whose_name_says_no_writer_is_left_alone(tmp_path: Path) -> None:
    warc = tmp_path / "warc"
    warc.mkdir()
    path = warc / "autre.warc.gz.open"
    path.write_bytes(b"quelques octets")
    [repair] = repair_open_warcs(warc)
    assert repair == Repair(path, "left (unknown writer)", 0, 15, 15,
                            "left autre.warc.gz.open: its name does not say which process writes it")
    assert path.read_bytes() == b"quelques octets"


def test_a_whole_member_whose_record_does_not_end_stops_the_records_kept(original: Path, tmp_path: Path) -> None:
    records = record_list(original)
    data = original.read_bytes()
    warcinfo_end, (_, _, start, end) = records[0][3], records[1]
    record = gzip.decompress(data[start:end])
    assert record.endswith(b"\r\n\r\n")
    unended = gzip.compress(record[:-4] + b"\0\0\0\0")  # a whole gzip member, but not a whole record
    path = open_copy(original, tmp_path / "warc", data[:warcinfo_end] + unended + data[end:], pid=dead_pid())
    [repair] = repair_open_warcs(tmp_path / "warc")
    assert (repair.action, repair.kept_records, repair.bytes_after) == ("repaired", 1, warcinfo_end)
    assert repair.path == path.with_name(path.name.removesuffix(".open"))
    assert repair.path.read_bytes() == data[:warcinfo_end]
