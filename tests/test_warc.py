"""Tests of the rotating WARC/1.1 writer (archive/warc/writer.py), read back with warcio."""

from __future__ import annotations

import base64
import gzip
import hashlib
import logging
import os
import resource
import signal
import subprocess
from datetime import UTC, datetime, timedelta
from itertools import count
from pathlib import Path

import pytest
from warcio.archiveiterator import ArchiveIterator

from archive.warc.reader import read_capture, read_record
from archive.warc.writer import Capture, HttpExchange, WarcWriter
from tests.conftest import warcio

FETCH_TIME = datetime(2026, 1, 2, 3, 4, 5, 678901, tzinfo=UTC)
PAGE = b"<html><body><p>Le cloud souverain</p></body></html>"


def exchange(url: str = "https://www.example.org/tech/1-cloud.html?p=2", *, body: bytes | None = None,
             status: int = 200, extra: list[tuple[str, str]] | None = None) -> HttpExchange:
    """A gzip-encoded response with two Set-Cookie headers."""
    return HttpExchange(
        url=url,
        method="GET",
        request_headers=[("Host", "www.example.org"), ("User-Agent", "souverain-test"),
                         ("Accept-Encoding", "gzip, deflate")],
        request_body=b"",
        status=status,
        reason="OK" if status == 200 else "",
        protocol="HTTP/1.1",
        response_headers=[("Content-Type", "text/html; charset=utf-8"), ("Content-Encoding", "gzip"),
                          ("Set-Cookie", "a=1; Path=/"), ("Set-Cookie", "b=2; Path=/"), *(extra or [])],
        response_body=gzip.compress(PAGE, mtime=0) if body is None else body,
        ip_address="192.0.2.7",
        fetch_time=FETCH_TIME,
    )


def fixed_writer(directory: Path, **kwargs) -> WarcWriter:
    """A writer with counted record ids and a clock that ticks one second per call."""
    ids = count(1)
    ticks = count()
    return WarcWriter(
        directory,
        hostname="testhost",
        warcinfo={"software": "souverain/test", "operator": "tests", "robots": "obey"},
        record_id_factory=lambda: f"<urn:uuid:00000000-0000-0000-0000-{next(ids):012d}>",
        clock=lambda: datetime(2026, 1, 2, 0, 0, 0, tzinfo=UTC) + timedelta(seconds=next(ticks)),
        **kwargs,
    )


def records(path: Path) -> list:
    """All records of a WARC file, with their raw body read."""
    out = []
    with open(path, "rb") as stream:
        for record in ArchiveIterator(stream):
            record.body = record.raw_stream.read()
            out.append(record)
    return out


def warcio_check(path: Path) -> subprocess.CompletedProcess:
    """Run `warcio check -v` on a file."""
    return warcio("check", "-v", str(path))


def test_exchange_is_written_as_response_then_request(tmp_path: Path) -> None:
    with WarcWriter(tmp_path / "warc", hostname="testhost") as writer:
        capture = writer.write_exchange(exchange())
    path = tmp_path / "warc" / capture.warc_file
    warcinfo, response, request = records(path)

    assert warcinfo.rec_type == "warcinfo"
    assert warcinfo.rec_headers.get_header("WARC-Filename") == capture.warc_file
    fields = warcinfo.body.decode()
    assert "software: souverain/" in fields and "warcio/" in fields
    assert "format: WARC File Format 1.1" in fields and "conformsTo: " in fields
    assert "hostname: testhost" in fields
    for record in (warcinfo, response, request):
        assert record.rec_headers.protocol == "WARC/1.1"

    assert response.rec_type == "response" and request.rec_type == "request"
    assert request.rec_headers.get_header("WARC-Concurrent-To") == response.rec_headers.get_header("WARC-Record-ID")
    for record in (response, request):
        assert record.rec_headers.get_header("WARC-Date") == "2026-01-02T03:04:05.678901Z"
        assert record.rec_headers.get_header("WARC-IP-Address") == "192.0.2.7"
        assert record.rec_headers.get_header("WARC-Target-URI") == capture.url
    assert response.http_headers.protocol == "HTTP/1.1"
    assert response.http_headers.get_statuscode() == "200"
    assert response.http_headers.get_header("Content-Encoding") == "gzip"
    assert [v for k, v in response.http_headers.headers if k == "Set-Cookie"] == ["a=1; Path=/", "b=2; Path=/"]
    assert response.body == exchange().response_body
    assert request.http_headers.protocol == "GET"
    assert request.http_headers.statusline == "/tech/1-cloud.html?p=2 HTTP/1.1"
    assert request.http_headers.get_header("Host") == "www.example.org"

    assert response.rec_headers.get_header("WARC-Payload-Digest") == capture.payload_digest
    assert capture.payload_digest.startswith("sha1:")
    check = warcio_check(path)
    assert check.returncode == 0, check.stdout + check.stderr
    assert check.stdout.count("digest pass") == 3


def test_capture_points_at_response_record(tmp_path: Path) -> None:
    directory = tmp_path / "warc"
    with WarcWriter(directory) as writer:
        captures = [writer.write_exchange(exchange(f"http://example.org/{n}", body=b"x" * n)) for n in range(1, 4)]
    for n, capture in enumerate(captures, start=1):
        stored = read_capture(directory, Capture.from_dict(capture.to_dict()))  # as the article JSON carries it
        assert stored.url == f"http://example.org/{n}" == capture.url
        assert stored.record_id == capture.record_id
        assert stored.body == b"x" * n
        assert stored.date == capture.fetch_time == "2026-01-02T03:04:05.678901Z"
        with open(directory / capture.warc_file, "rb") as stream:
            stream.seek(capture.offset)
            member = stream.read(capture.length)
        assert gzip.decompress(member).startswith(b"WARC/1.1\r\nWARC-Type: response\r\n")
    assert captures[0].to_dict() == {
        "warc_file": captures[0].warc_file, "offset": captures[0].offset, "length": captures[0].length,
        "record_id": captures[0].record_id, "payload_digest": captures[0].payload_digest,
        "fetch_time": "2026-01-02T03:04:05.678901Z", "status": 200, "url": "http://example.org/1",
    }


def test_decoded_body_and_content_encoding_kept(tmp_path: Path) -> None:
    body = gzip.compress(PAGE, mtime=0)
    with WarcWriter(tmp_path) as writer:
        capture = writer.write_exchange(exchange(body=body))
    stored = read_capture(tmp_path, capture)
    assert stored.body == body
    assert stored.header("content-encoding") == "gzip"
    assert stored.decoded_body() == PAGE
    assert capture.payload_digest == read_record(tmp_path / capture.warc_file, capture.offset).warc_headers[
        [k for k, _ in stored.warc_headers].index("WARC-Payload-Digest")][1]


def test_transfer_encoding_is_renamed(tmp_path: Path) -> None:
    with WarcWriter(tmp_path) as writer:
        capture = writer.write_exchange(exchange(extra=[("Transfer-Encoding", "chunked")]))
    stored = read_capture(tmp_path, capture)
    assert stored.header("Transfer-Encoding") is None
    assert stored.header("X-Crawler-Transfer-Encoding") == "chunked"
    assert warcio_check(tmp_path / capture.warc_file).returncode == 0


def test_unknown_status_and_request_body(tmp_path: Path) -> None:
    posted = HttpExchange(
        url="http://example.org:8080/search", method="POST",
        request_headers=[("Host", "example.org:8080"), ("Content-Length", "5")], request_body=b"q=abc",
        status=599, reason="", protocol="HTTP/1.1", response_headers=[], response_body=b"",
        ip_address=None, fetch_time=FETCH_TIME,
    )
    with WarcWriter(tmp_path) as writer:
        capture = writer.write_exchange(posted)
    _, response, request = records(tmp_path / capture.warc_file)
    assert capture.status == 599 and response.http_headers.get_statuscode() == "599"
    assert response.rec_headers.get_header("WARC-IP-Address") is None
    assert request.http_headers.to_str().startswith("POST /search HTTP/1.1\r\n")
    assert request.body == b"q=abc"
    assert warcio_check(tmp_path / capture.warc_file).returncode == 0


def test_open_while_writing_renamed_on_close(tmp_path: Path) -> None:
    directory = tmp_path / "new" / "warc"
    writer = WarcWriter(directory, prefix="test", hostname="testhost")
    assert not directory.exists()
    capture = writer.write_exchange(exchange())
    assert [p.name for p in directory.iterdir()] == [capture.warc_file + ".open"]
    assert writer.current_file == directory / (capture.warc_file + ".open")
    name = capture.warc_file
    assert name.startswith("test-") and name.endswith(f"-00000-{os.getpid()}~testhost.warc.gz")
    assert len(name.split("-")[1]) == 17 and name.split("-")[1].isdigit()
    assert read_capture(directory, capture).url == capture.url  # readable while still .open
    writer.close()
    writer.close()  # idempotent
    assert [p.name for p in directory.iterdir()] == [name]
    assert writer.current_file is None


def test_rotation_at_max_size_between_pairs(tmp_path: Path) -> None:
    body = os.urandom(3000)  # incompressible: each exchange adds > 3000 bytes
    with WarcWriter(tmp_path, max_size=7000, hostname="testhost") as writer:
        captures = [writer.write_exchange(exchange(f"http://example.org/{n}", body=body)) for n in range(5)]
    files = sorted(p.name for p in tmp_path.iterdir())
    assert [c.warc_file for c in captures] == [files[0], files[0], files[1], files[1], files[2]]
    assert [name.split("-")[2] for name in files] == ["00000", "00001", "00002"]
    assert writer.files_written == 3
    assert writer.bytes_written == sum(p.stat().st_size for p in tmp_path.iterdir())
    for name in files:
        kinds = [r.rec_type for r in records(tmp_path / name)]
        assert kinds[0] == "warcinfo"
        assert kinds[1:] == ["response", "request"] * ((len(kinds) - 1) // 2)
        assert warcio_check(tmp_path / name).returncode == 0
    for capture in captures:
        assert read_capture(tmp_path, capture).record_id == capture.record_id


GOLDEN = (
    "WARC/1.1\r\n"
    "WARC-Type: warcinfo\r\n"
    "WARC-Record-ID: <urn:uuid:00000000-0000-0000-0000-000000000001>\r\n"
    "WARC-Filename: golden-20260102000000000-00000-4242~testhost.warc.gz\r\n"
    "WARC-Date: 2026-01-02T00:00:01Z\r\n"
    "WARC-Block-Digest: sha1:XODZLBC4LE4CVAEXXYNOZOFKKXO7FBXD\r\n"
    "Content-Type: application/warc-fields\r\n"
    "Content-Length: 199\r\n"
    "\r\n"
    "software: souverain/test\r\n"
    "hostname: testhost\r\n"
    "format: WARC File Format 1.1\r\n"
    "conformsTo: http://iipc.github.io/warc-specifications/specifications/warc-format/warc-1.1/\r\n"
    "operator: tests\r\n"
    "robots: obey\r\n"
    "\r\n\r\n"
    "WARC/1.1\r\n"
    "WARC-Type: response\r\n"
    "WARC-Record-ID: <urn:uuid:00000000-0000-0000-0000-000000000002>\r\n"
    "WARC-Date: 2026-01-02T03:04:05.678901Z\r\n"
    "WARC-Target-URI: http://example.org/golden\r\n"
    "WARC-IP-Address: 192.0.2.7\r\n"
    "WARC-Payload-Digest: sha1:MOUW4AEV7BY27MSP2VBUN5XDJBWVGV2K\r\n"
    "WARC-Block-Digest: sha1:6TCQ2UYX5V3BEVOUL6JZNA5UVFPYFQHZ\r\n"
    "Content-Type: application/http; msgtype=response\r\n"
    "Content-Length: 145\r\n"
    "\r\n"
    "HTTP/1.1 200 OK\r\n"
    "Content-Type: text/html; charset=utf-8\r\n"
    "Content-Encoding: gzip\r\n"
    "Set-Cookie: a=1; Path=/\r\n"
    "Set-Cookie: b=2; Path=/\r\n"
    "\r\n"
    "gzipped-body"
    "\r\n\r\n"
    "WARC/1.1\r\n"
    "WARC-Type: request\r\n"
    "WARC-Record-ID: <urn:uuid:00000000-0000-0000-0000-000000000003>\r\n"
    "WARC-Date: 2026-01-02T03:04:05.678901Z\r\n"
    "WARC-Target-URI: http://example.org/golden\r\n"
    "WARC-IP-Address: 192.0.2.7\r\n"
    "WARC-Concurrent-To: <urn:uuid:00000000-0000-0000-0000-000000000002>\r\n"
    "WARC-Payload-Digest: sha1:3I42H3S6NNFQ2MSVX7XZKYAYSCX5QBYJ\r\n"
    "WARC-Block-Digest: sha1:HNBJQLBUGM2CP253FL5J2GDNSZCYVNTV\r\n"
    "Content-Type: application/http; msgtype=request\r\n"
    "Content-Length: 107\r\n"
    "\r\n"
    "GET /golden HTTP/1.1\r\n"
    "Host: www.example.org\r\n"
    "User-Agent: souverain-test\r\n"
    "Accept-Encoding: gzip, deflate\r\n"
    "\r\n"
    "\r\n\r\n"
)


def sha1_base32(data: bytes) -> str:
    """Digest as warcio writes it: "sha1:" + base32 of the SHA-1."""
    return "sha1:" + base64.b32encode(hashlib.sha1(data).digest()).decode()


def write_golden(directory: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Write one exchange with fixed ids, clock and pid; return the closed file."""
    monkeypatch.setattr(os, "getpid", lambda: 4242)
    with fixed_writer(directory, prefix="golden") as writer:
        capture = writer.write_exchange(exchange("http://example.org/golden", body=b"gzipped-body"))
    return directory / capture.warc_file


def test_golden_output_is_deterministic(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    first = write_golden(tmp_path / "a", monkeypatch)
    second = write_golden(tmp_path / "b", monkeypatch)
    assert first.name == "golden-20260102000000000-00000-4242~testhost.warc.gz"
    assert first.read_bytes() == second.read_bytes()
    assert gzip.decompress(first.read_bytes()).decode() == GOLDEN
    assert warcio_check(first).returncode == 0


def test_digests_are_sha1_base32_of_block_and_payload(tmp_path: Path) -> None:
    with WarcWriter(tmp_path) as writer:
        capture = writer.write_exchange(exchange(body=b"gzipped-body"))
    _, response, _ = records(tmp_path / capture.warc_file)
    head = response.http_headers.to_bytes()
    assert capture.payload_digest == sha1_base32(b"gzipped-body")
    assert response.rec_headers.get_header("WARC-Block-Digest") == sha1_base32(head + b"gzipped-body")


def test_capture_is_frozen() -> None:
    capture = Capture("f.warc.gz", 1, 2, "<urn:uuid:x>", "sha1:X", "2026-01-02T00:00:00Z", 200, "http://e/")
    with pytest.raises(AttributeError):
        capture.offset = 3  # type: ignore[misc]


def test_a_capture_length_spans_the_response_record_alone(tmp_path: Path) -> None:
    with fixed_writer(tmp_path) as writer:
        capture = writer.write_exchange(exchange())
    path = tmp_path / capture.warc_file
    _, response, request = records(path)
    # The request record starts right where the response's gzip member ends.
    assert read_record(path, capture.offset + capture.length).record_id == request.rec_headers.get_header(
        "WARC-Record-ID") == "<urn:uuid:00000000-0000-0000-0000-000000000003>"
    assert capture.offset + capture.length < path.stat().st_size
    with open(path, "rb") as stream:
        stream.seek(capture.offset)
        assert gzip.decompress(stream.read(capture.length)).count(b"WARC/1.1\r\n") == 1


def test_a_file_that_reaches_the_size_exactly_is_closed(tmp_path: Path) -> None:
    with fixed_writer(tmp_path / "measured") as writer:  # the same ids, clock and bytes in each folder
        writer.write_exchange(exchange())
        size = writer.bytes_written
    with fixed_writer(tmp_path / "exact", max_size=size) as writer:
        capture = writer.write_exchange(exchange())
        assert writer.current_file is None
        assert (tmp_path / "exact" / capture.warc_file).stat().st_size == size
    with fixed_writer(tmp_path / "above", max_size=size + 1) as writer:
        capture = writer.write_exchange(exchange())
        assert writer.current_file == tmp_path / "above" / (capture.warc_file + ".open")


def test_a_writer_that_never_wrote_closes_without_a_file(tmp_path: Path) -> None:
    directory = tmp_path / "warc"
    with WarcWriter(directory) as writer:
        assert writer.current_file is None
    writer.close()
    assert not directory.exists()
    assert (writer.files_written, writer.bytes_written, writer.current_file) == (0, 0, None)



@pytest.fixture
def file_size_limit():
    """Set the process's file size limit, or None: back to the first (SIGXFSZ ignored: a write past it fails, EFBIG)."""
    soft, hard = resource.getrlimit(resource.RLIMIT_FSIZE)
    handler = signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    yield lambda size: resource.setrlimit(resource.RLIMIT_FSIZE, (soft if size is None else size, hard))
    resource.setrlimit(resource.RLIMIT_FSIZE, (soft, hard))
    signal.signal(signal.SIGXFSZ, handler)


def test_a_pair_the_disk_cannot_hold_is_cut_back_and_the_file_goes_on(tmp_path: Path, file_size_limit) -> None:
    with fixed_writer(tmp_path) as writer:
        first = writer.write_exchange(exchange("http://example.org/1"))
        size = writer.bytes_written
        file_size_limit(size + 1000)  # the next pair (over 3000 incompressible bytes) is written in part
        with pytest.raises(OSError):
            writer.write_exchange(exchange("http://example.org/2", body=os.urandom(3000)))
        file_size_limit(None)
        assert writer.current_file is not None and writer.current_file.stat().st_size == size == writer.bytes_written
        second = writer.write_exchange(exchange("http://example.org/3"))
    assert second.warc_file == first.warc_file and second.offset == size
    kept = records(tmp_path / first.warc_file)
    assert [(r.rec_type, r.rec_headers.get_header("WARC-Target-URI")) for r in kept[1:]] == [
        ("response", "http://example.org/1"), ("request", "http://example.org/1"),
        ("response", "http://example.org/3"), ("request", "http://example.org/3")]
    assert warcio_check(tmp_path / first.warc_file).returncode == 0


@pytest.mark.filterwarnings("error")  # no warning either (a line-buffered binary file would give one)
def test_opening_and_closing_a_file_is_logged_with_its_name(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.INFO, logger="archive.warc.writer"), fixed_writer(tmp_path, max_size=1) as writer:
        first = writer.write_exchange(exchange())
        second = writer.write_exchange(exchange())
    assert [(r.name, r.levelno, r.getMessage()) for r in caplog.records if r.name == "archive.warc.writer"] == [
        ("archive.warc.writer", logging.INFO, f"WARC file {event}: {name}")
        for name in (first.warc_file, second.warc_file) for event in ("opened", "closed")]
