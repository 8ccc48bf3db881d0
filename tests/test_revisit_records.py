"""Revisit and metadata records of the WARC writer, their headers read back with warcio."""

from __future__ import annotations

import gzip
import json
import re
import time
import zlib
from dataclasses import replace
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest

from archive.errors import ArchiveError
from archive.source import MAX_PAGE
from archive.warc.build import REVISIT_PROFILES, warc_date
from archive.warc.reader import StoredResponse, read_capture, read_record
from archive.warc.writer import Capture, WarcWriter, payload_digest, utc_now
from tests.test_warc import FETCH_TIME, exchange, fixed_writer, records

ARCHIVED = Capture(warc_file="souverain-20251201100000000-00000-1~h.warc.gz", offset=0, length=None,
                   record_id="<urn:uuid:11111111-2222-3333-4444-555555555555>",
                   url="https://www.example.org/tech/1-cloud.html?p=2", fetch_time="2025-12-01T10:00:00Z",
                   payload_digest="sha1:AAAABBBBCCCCDDDDEEEEFFFFGGGGHHHH", status=200)


def revisit(tmp_path: Path, profile: str, status: int = 200, **kwargs) -> tuple[list, object]:
    """Write one revisit into a fresh folder; return the file's records and the capture."""
    with fixed_writer(tmp_path, **kwargs) as writer:
        capture = writer.write_revisit(exchange(status=status, body=b""), profile=profile, refers_to=ARCHIVED)
    return records(tmp_path / capture.warc_file), capture


def test_an_identical_payload_revisit_refers_to_the_archived_record_and_says_truncated(tmp_path):
    (warcinfo, record, request), capture = revisit(tmp_path, "identical-payload-digest")
    headers = record.rec_headers
    assert warcinfo.rec_type == "warcinfo" and record.rec_type == "revisit" and request.rec_type == "request"
    assert headers.get_header("WARC-Refers-To") == ARCHIVED.record_id
    assert headers.get_header("WARC-Refers-To-Target-URI") == ARCHIVED.url
    assert headers.get_header("WARC-Refers-To-Date") == ARCHIVED.fetch_time
    assert headers.get_header("WARC-Profile") == REVISIT_PROFILES["identical-payload-digest"]
    assert headers.get_header("WARC-Profile") == "http://netpreserve.org/warc/1.1/revisit/identical-payload-digest"
    assert headers.get_header("WARC-Truncated") == "length"
    assert headers.get_header("WARC-Payload-Digest") == ARCHIVED.payload_digest
    assert headers.get_header("WARC-Target-URI") == ARCHIVED.url
    assert headers.get_header("WARC-Date") == "2026-01-02T03:04:05.678901Z"
    assert headers.get_header("WARC-IP-Address") == "192.0.2.7"
    assert headers.get_header("WARC-Record-ID") == capture.record_id == "<urn:uuid:00000000-0000-0000-0000-000000000002>"
    assert record.http_headers.statusline == "200 OK" and record.http_headers.protocol == "HTTP/1.1"
    assert record.http_headers.get_header("Content-Type") == "text/html; charset=utf-8"
    assert record.body == b""  # headers only: the payload is the archived one
    assert request.rec_headers.get_header("WARC-Concurrent-To") == capture.record_id
    assert request.rec_headers.get_header("WARC-Record-ID") == "<urn:uuid:00000000-0000-0000-0000-000000000003>"
    assert request.http_headers.statusline == "/tech/1-cloud.html?p=2 HTTP/1.1" and request.http_headers.protocol == "GET"


def test_a_not_modified_revisit_is_not_truncated(tmp_path):
    (_, record, _), capture = revisit(tmp_path, "server-not-modified", status=304)
    headers = record.rec_headers
    assert headers.get_header("WARC-Profile") == "http://netpreserve.org/warc/1.1/revisit/server-not-modified"
    assert headers.get_header("WARC-Truncated") is None  # a 304 has no payload to cut
    assert headers.get_header("WARC-Refers-To") == ARCHIVED.record_id
    assert record.http_headers.statusline == "304"  # no reason phrase: no trailing space


def test_the_revisit_capture_points_at_the_revisit_and_carries_the_archived_digest(tmp_path):
    (_, record, _), capture = revisit(tmp_path, "identical-payload-digest")
    assert capture.warc_file.startswith("souverain-20260102000000000-00000-") and capture.warc_file.endswith(
        "~testhost.warc.gz")
    assert capture.payload_digest == ARCHIVED.payload_digest
    assert (capture.fetch_time, capture.status, capture.url) == ("2026-01-02T03:04:05.678901Z", 200, ARCHIVED.url)
    assert capture.revisit == "identical-payload-digest" == capture.to_dict()["revisit"]
    stored = read_capture(tmp_path, capture)
    assert (stored.url, stored.record_id, stored.status) == (ARCHIVED.url, capture.record_id, 200)
    assert stored.header("WARC-Type") is None  # header() reads the HTTP headers
    assert ("WARC-Type", "revisit") in stored.warc_headers
    # The revisit alone: its compressed length ends where the request record starts.
    with open(tmp_path / capture.warc_file, "rb") as stream:
        stream.seek(capture.offset + capture.length)
        assert stream.read(2) == b"\x1f\x8b"
    assert read_record(tmp_path / capture.warc_file, capture.offset + capture.length).record_id == \
        "<urn:uuid:00000000-0000-0000-0000-000000000003>"


def test_a_revisit_after_a_response_follows_it_in_the_same_file(tmp_path):
    with fixed_writer(tmp_path) as writer:
        first = writer.write_exchange(exchange())
        again = writer.write_revisit(exchange(body=b""), profile="identical-payload-digest",
                                     refers_to=replace(ARCHIVED, record_id=first.record_id,
                                                           payload_digest=first.payload_digest))
    assert again.warc_file == first.warc_file and again.offset > first.offset
    types = [r.rec_type for r in records(tmp_path / first.warc_file)]
    assert types == ["warcinfo", "response", "request", "revisit", "request"]


def test_a_revisit_that_fills_the_file_closes_it(tmp_path):
    with fixed_writer(tmp_path, max_size=1) as writer:
        capture = writer.write_revisit(exchange(body=b""), profile="server-not-modified", refers_to=ARCHIVED)
        assert writer.current_file is None and writer.files_written == 1
        assert (tmp_path / capture.warc_file).is_file()
        other = writer.write_revisit(exchange(body=b""), profile="server-not-modified", refers_to=ARCHIVED)
    assert other.warc_file != capture.warc_file and writer.files_written == 2


def test_a_revisit_stays_in_an_open_file_below_the_size(tmp_path):
    with fixed_writer(tmp_path) as writer:
        capture = writer.write_revisit(exchange(body=b""), profile="server-not-modified", refers_to=ARCHIVED)
        assert writer.current_file == tmp_path / (capture.warc_file + ".open")
        assert writer.bytes_written == writer.current_file.stat().st_size


def test_an_unknown_revisit_profile_is_refused(tmp_path):
    with fixed_writer(tmp_path) as writer, pytest.raises(KeyError):
        writer.write_revisit(exchange(body=b""), profile="fuzzy", refers_to=ARCHIVED)


def test_metadata_records_carry_their_uri_type_and_block(tmp_path):
    with fixed_writer(tmp_path) as writer:
        name, offset, record_id = writer.write_metadata("urn:x-souverain:run:r1:numerama:config", b'{"a": 1}',
                                                        "application/json")
        second = writer.write_metadata("urn:x-souverain:run:r1:numerama:articles", b"{}\n", "application/x-ndjson")
    assert second[0] == name and second[1] > offset
    warcinfo, first, last = records(tmp_path / name)
    assert (first.rec_type, first.body) == ("metadata", b'{"a": 1}')
    assert first.rec_headers.get_header("WARC-Target-URI") == "urn:x-souverain:run:r1:numerama:config"
    assert first.rec_headers.get_header("Content-Type") == "application/json"
    assert first.rec_headers.get_header("WARC-Record-ID") == record_id
    assert last.rec_headers.get_header("Content-Type") == "application/x-ndjson"
    assert [name for name, _ in first.rec_headers.headers] == [  # spelled as the standard does
        "WARC-Record-ID", "WARC-Type", "WARC-Target-URI", "WARC-Date", "WARC-Payload-Digest", "WARC-Block-Digest",
        "Content-Type", "Content-Length"]
    assert read_record(tmp_path / name, offset).record_id == record_id
    assert read_record(tmp_path / name, offset).status == 0  # not a response


def test_fetch_time_is_the_record_date_whatever_the_writer_clock(tmp_path):
    (_, record, request), _ = revisit(tmp_path, "identical-payload-digest")
    assert record.rec_headers.get_header("WARC-Date") == request.rec_headers.get_header("WARC-Date")
    assert FETCH_TIME.microsecond == 678901


def test_a_writer_names_files_with_its_prefix(tmp_path):
    with WarcWriter(tmp_path, prefix="essai", hostname="a/b~c") as writer:
        capture = writer.write_revisit(exchange(body=b""), profile="server-not-modified", refers_to=ARCHIVED)
    assert capture.warc_file.startswith("essai-") and capture.warc_file.endswith("~a_b_c.warc.gz")


def test_payload_digest_is_the_one_warcio_writes(tmp_path):
    body = b"<html>une page</html>"
    with fixed_writer(tmp_path) as writer:
        capture = writer.write_exchange(exchange(body=body))
    assert payload_digest(body) == capture.payload_digest
    assert payload_digest(b"") == "sha1:3I42H3S6NNFQ2MSVX7XZKYAYSCX5QBYJ"  # the SHA-1 of nothing, base32


def test_a_revisit_status_line_has_no_trailing_space_on_the_wire(tmp_path):
    with fixed_writer(tmp_path) as writer:
        capture = writer.write_revisit(exchange(status=304, body=b""), profile="server-not-modified",
                                       refers_to=ARCHIVED)
    with open(tmp_path / capture.warc_file, "rb") as stream:
        stream.seek(capture.offset)
        member = gzip.decompress(stream.read(capture.length))
    assert b"\r\n\r\nHTTP/1.1 304\r\n" in member and b"HTTP/1.1 304 \r\n" not in member


def test_a_body_that_inflates_past_the_page_limit_names_its_record(tmp_path):
    packer = zlib.compressobj(9, zlib.DEFLATED, 31)
    zeros = b"\0" * (1 << 20)
    bomb = b"".join(packer.compress(zeros) for _ in range(MAX_PAGE // len(zeros) + 1)) + packer.flush()
    with fixed_writer(tmp_path) as writer:
        capture = writer.write_exchange(exchange(body=bomb))
    stored = read_capture(tmp_path, capture)
    with pytest.raises(ArchiveError, match=rf"^{re.escape(f'{stored.url} ({stored.record_id})')}: gzip body "):
        stored.decoded_body()
    plain = StoredResponse(url="u", record_id="r", date="", status=200, warc_headers=[], http_headers=[],
                           body=b"\x1f\x8b not gzip at all")
    assert plain.decoded_body() == b"\x1f\x8b not gzip at all"  # no Content-Encoding: the bytes as they are


def test_the_revisit_header_names_are_written_as_the_standard_spells_them(tmp_path):
    (_, record, _), _ = revisit(tmp_path, "identical-payload-digest")
    assert [name for name, _ in record.rec_headers.headers] == [
        "WARC-Type", "WARC-Record-ID", "WARC-Date", "WARC-Target-URI", "WARC-IP-Address", "WARC-Refers-To",
        "WARC-Profile", "WARC-Refers-To-Target-URI", "WARC-Refers-To-Date", "WARC-Payload-Digest",
        "WARC-Truncated", "WARC-Block-Digest", "Content-Type", "Content-Length"]
    (_, record, _), _ = revisit(tmp_path / "304", "server-not-modified", status=304)
    assert "WARC-Profile" in [name for name, _ in record.rec_headers.headers]


def test_a_renamed_transfer_encoding_keeps_its_place_and_the_other_headers(tmp_path):
    with fixed_writer(tmp_path) as writer:
        capture = writer.write_exchange(exchange(extra=[("transfer-encoding", "chunked"), ("X-Autre", "1")]))
    _, response, _ = records(tmp_path / capture.warc_file)
    assert response.http_headers.headers[-2:] == [("X-Crawler-Transfer-Encoding", "chunked"), ("X-Autre", "1")]
    assert response.http_headers.headers[0] == ("Content-Type", "text/html; charset=utf-8")


def test_a_url_without_a_path_is_requested_as_the_root(tmp_path):
    with fixed_writer(tmp_path) as writer:
        capture = writer.write_exchange(exchange("https://www.example.org"))
    _, response, request = records(tmp_path / capture.warc_file)
    assert request.http_headers.statusline == "/ HTTP/1.1" and request.http_headers.protocol == "GET"
    assert response.rec_headers.get_header("WARC-Target-URI") == "https://www.example.org"
    with fixed_writer(tmp_path / "q") as writer:
        capture = writer.write_exchange(exchange("https://www.example.org?a=1"))
    assert records(tmp_path / "q" / capture.warc_file)[2].http_headers.statusline == "/?a=1 HTTP/1.1"


@pytest.fixture
def paris_clock(monkeypatch):
    """The machine's local time zone set to Europe/Paris for one test (and set back after it)."""
    monkeypatch.setenv("TZ", "Europe/Paris")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


def test_warc_dates_are_utc_whatever_the_machine_time_zone(paris_clock):
    assert time.strftime("%z", time.localtime(0)) == "+0100"  # the zone is really in force
    paris = datetime(2026, 1, 2, 4, 4, 5, tzinfo=timezone(timedelta(hours=1)))
    assert warc_date(paris) == "2026-01-02T03:04:05Z"
    assert warc_date(datetime(2026, 1, 2, 3, 4, 5, 678901)) == "2026-01-02T03:04:05.678901Z"  # naive: taken as UTC


def test_a_revisit_that_reaches_the_size_exactly_closes_the_file(tmp_path):
    (_, _, _), measured = revisit(tmp_path / "measured", "server-not-modified", status=304)
    size = (tmp_path / "measured" / measured.warc_file).stat().st_size
    with fixed_writer(tmp_path / "exact", max_size=size) as writer:
        writer.write_revisit(exchange(status=304, body=b""), profile="server-not-modified", refers_to=ARCHIVED)
        assert writer.current_file is None and writer.bytes_written == size
    with fixed_writer(tmp_path / "above", max_size=size + 1) as writer:
        capture = writer.write_revisit(exchange(status=304, body=b""), profile="server-not-modified",
                                       refers_to=ARCHIVED)
        assert writer.current_file == tmp_path / "above" / (capture.warc_file + ".open")


def test_a_capture_comes_back_whole_from_its_json_form(tmp_path):
    with fixed_writer(tmp_path) as writer:
        response = writer.write_exchange(exchange())
        again = writer.write_revisit(exchange(body=b""), profile="identical-payload-digest", refers_to=response)
    for capture in (response, again):
        assert Capture.from_dict(json.loads(json.dumps(capture.to_dict()))) == capture
    assert again.revisit == "identical-payload-digest" and isinstance(response.length, int)
    read_back = {key: value for key, value in ARCHIVED.to_dict().items() if key != "length"}  # as the state holds it
    assert Capture.from_dict(read_back) == ARCHIVED
    assert Capture.from_dict({**read_back, "length": 7, "revisit": "server-not-modified"}) == replace(
        ARCHIVED, length=7, revisit="server-not-modified")


def test_the_default_clock_dates_the_warcinfo_in_utc_whatever_the_time_zone(tmp_path, paris_clock):
    before = datetime.now(UTC)
    with WarcWriter(tmp_path, hostname="h") as writer:
        capture = writer.write_revisit(exchange(body=b""), profile="server-not-modified", refers_to=ARCHIVED)
    after = datetime.now(UTC)
    warcinfo = records(tmp_path / capture.warc_file)[0]
    written = datetime.fromisoformat(warcinfo.rec_headers.get_header("WARC-Date").replace("Z", "+00:00"))
    assert before <= written <= after
    assert utc_now().utcoffset() == timedelta(0)
