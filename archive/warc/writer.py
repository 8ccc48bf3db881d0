"""Rotating WARC/1.1 writer and reader of captured HTTP exchanges (built on warcio)."""

from __future__ import annotations

import base64
import hashlib
import logging
import os
import socket
from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from io import BytesIO
from pathlib import Path
from typing import IO, Any
from urllib.parse import urlsplit

from warcio.archiveiterator import ArchiveIterator
from warcio.statusandheaders import StatusAndHeaders, StatusAndHeadersParser
from warcio.timeutils import datetime_to_iso_date
from warcio.warcwriter import WARCWriter

from archive.source import decode_body
from archive.wacz.software import package_version

__all__ = ["Capture", "HttpExchange", "StoredResponse", "WarcWriter", "read_capture", "read_record"]

LOGGER = logging.getLogger(__name__)

WARC_VERSION = "1.1"
CONFORMS_TO = "http://iipc.github.io/warc-specifications/specifications/warc-format/warc-1.1/"
OPEN_SUFFIX = ".open"
REVISIT_PROFILES = {
    # A 200 whose payload is the one already archived (the digest says so).
    "identical-payload-digest": "http://netpreserve.org/warc/1.1/revisit/identical-payload-digest",
    # A 304 answer to a conditional request: the server says the archived copy is still current.
    "server-not-modified": "http://netpreserve.org/warc/1.1/revisit/server-not-modified",
}


SOFTWARE = f"souverain/{package_version('souverain')} (warcio/{package_version('warcio')})"


def payload_digest(body: bytes) -> str:
    """Return a payload digest as warcio writes it (``sha1:`` + base32), to compare before writing."""
    return "sha1:" + base64.b32encode(hashlib.sha1(body).digest()).decode("ascii")


def utc_now() -> datetime:
    """Default clock: the current time, timezone-aware UTC."""
    return datetime.now(UTC)


def warc_date(moment: datetime) -> str:
    """Format a datetime as a WARC/1.1 date (ISO 8601 UTC, microseconds when non-zero)."""
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC).replace(tzinfo=None)
    return datetime_to_iso_date(moment, use_micros=True)


@dataclass(frozen=True)
class HttpExchange:
    """One HTTP request and its response, as they went over the wire."""

    url: str
    method: str
    request_headers: list[tuple[str, str]]
    request_body: bytes
    status: int
    reason: str
    protocol: str
    response_headers: list[tuple[str, str]]
    response_body: bytes
    ip_address: str | None
    fetch_time: datetime


@dataclass(frozen=True)
class Capture:
    """Where the response (or revisit) record of one exchange was written; serialised only as JSON leaves."""

    warc_file: str
    offset: int
    length: int | None  # of the record's gzip member; None when not known (a capture read back from the state)
    record_id: str
    payload_digest: str
    fetch_time: str  # the record's WARC-Date
    status: int
    url: str
    revisit: str | None = None  # the revisit profile (``server-not-modified``…) of a revisit record

    def to_dict(self) -> dict[str, Any]:
        """Return the capture as the ``capture`` entry of an article record (``revisit`` only when set).

        Returns:
            A JSON-serialisable dict.
        """
        fields = asdict(self)
        if self.revisit is None:
            del fields["revisit"]
        return fields

    @classmethod
    def from_dict(cls, fields: dict[str, Any]) -> Capture:
        """Return the capture a ``to_dict()`` form describes.

        Args:
            fields: a ``capture`` entry of an article record.

        Returns:
            The capture.
        """
        return cls(warc_file=fields["warc_file"], offset=fields["offset"], length=fields.get("length"),
                   record_id=fields["record_id"], payload_digest=fields["payload_digest"],
                   fetch_time=fields["fetch_time"], status=fields["status"], url=fields["url"],
                   revisit=fields.get("revisit"))


@dataclass(frozen=True)
class StoredResponse:
    """A response record read back from a WARC file."""

    url: str
    record_id: str
    date: str
    status: int
    warc_headers: list[tuple[str, str]]
    http_headers: list[tuple[str, str]]
    body: bytes

    def header(self, name: str) -> str | None:
        """First HTTP header of that name (case-insensitive), or None."""
        lowered = name.lower()
        return next((v for k, v in self.http_headers if k.lower() == lowered), None)

    def decoded_body(self) -> bytes:
        """The body with its Content-Encoding (gzip, deflate, br) removed, up to the crawl's page limit."""
        return decode_body(self.body, self.header("Content-Encoding") or "", f"{self.url} ({self.record_id})")


class _RecordWriter(WARCWriter):
    """warcio writer whose record ids and dates come from injected factories."""

    def __init__(self, out: IO[bytes], record_id_factory: Callable[[], str],
                 clock: Callable[[], datetime]) -> None:
        super().__init__(out, gzip=True, warc_version=WARC_VERSION)
        self._record_id_factory = record_id_factory
        self._clock = clock

    def _make_warc_id(self) -> str:  # type: ignore[override]
        return self._record_id_factory()

    def curr_warc_date(self) -> str:
        return warc_date(self._clock())


class WarcWriter:
    """Rotating WARC/1.1 writer: Heritrix-style names, `.open` while written, one per process."""

    def __init__(
        self,
        directory: Path,
        *,
        prefix: str = "souverain",
        max_size: int = 1_000_000_000,
        warcinfo: dict[str, str] | None = None,
        hostname: str | None = None,
        record_id_factory: Callable[[], str] = StatusAndHeadersParser.make_warc_id,
        clock: Callable[[], datetime] = utc_now,
    ) -> None:
        """Prepare a writer; the first file is opened on the first write.

        Args:
            directory: folder of the WARC files, created if missing.
            prefix: first part of every file name.
            max_size: a file is closed once it reaches this many bytes (between exchanges).
            warcinfo: fields of the warcinfo record (operator, robots, user agent, run id...);
                they override the defaults (software, hostname, format, conformsTo).
            hostname: host name used in file names and warcinfo (default: this machine's).
            record_id_factory: returns a new `<urn:uuid:...>` record id (fixed in golden tests).
            clock: returns the current UTC datetime (fixed in golden tests).
        """
        self.directory = Path(directory)
        self.prefix = prefix
        self.max_size = max_size
        self.hostname = hostname or socket.gethostname()
        self.record_id_factory = record_id_factory
        self.clock = clock
        self.warcinfo = {
            "software": SOFTWARE,
            "hostname": self.hostname,
            "format": "WARC File Format 1.1",
            "conformsTo": CONFORMS_TO,
            **(warcinfo or {}),
        }
        self.serial = 0
        self.files_written = 0
        self.bytes_written = 0
        self._file: IO[bytes] | None = None
        self._size = 0
        self._buffer = BytesIO()  # records are built here, then written to the file in one go
        self._writer: _RecordWriter | None = None
        self._name = ""

    @property
    def current_file(self) -> Path | None:
        """Path of the `.open` file being written, if any."""
        return self.directory / (self._name + OPEN_SUFFIX) if self._file else None

    def _file_name(self) -> str:
        """Heritrix-style name: prefix-timestamp17-serial-pid~host.warc.gz."""
        now = self.clock().astimezone(UTC)
        stamp = now.strftime("%Y%m%d%H%M%S") + f"{now.microsecond // 1000:03d}"
        host = self.hostname.replace("/", "_").replace("~", "_")
        return f"{self.prefix}-{stamp}-{self.serial:05d}-{os.getpid()}~{host}.warc.gz"

    def _open(self) -> _RecordWriter:
        """Open the next file and write its warcinfo record."""
        self.directory.mkdir(parents=True, exist_ok=True)
        self._name = self._file_name()
        self._file = open(self.directory / (self._name + OPEN_SUFFIX), "xb", buffering=0)
        self._size = 0
        self._writer = _RecordWriter(self._buffer, self.record_id_factory, self.clock)
        self._writer.write_record(self._writer.create_warcinfo_record(self._name, self.warcinfo))
        self.serial += 1
        self.files_written += 1
        self._commit()
        LOGGER.info("WARC file opened: %s", self._name)
        return self._writer

    def _commit(self) -> int:
        """Write the records built in the buffer to the file; on failure (a full disk) cut the file back.

        Returns:
            The file offset where the written records start.

        Raises:
            OSError: when the write failed; the file then ends after its last complete record again.
        """
        assert self._file is not None
        data, offset = self._buffer.getvalue(), self._size
        self._buffer.seek(0)
        self._buffer.truncate()
        view = memoryview(data)
        try:
            while view:
                view = view[os.write(self._file.fileno(), view):]
        except OSError:
            os.ftruncate(self._file.fileno(), offset)
            raise
        self._size += len(data)
        self.bytes_written += len(data)
        return offset

    def _close_file(self) -> None:
        """Close the current file and drop its `.open` suffix."""
        if self._file is None:
            return
        self._file.close()
        opened = self.directory / (self._name + OPEN_SUFFIX)
        opened.rename(self.directory / self._name)
        LOGGER.info("WARC file closed: %s", self._name)
        self._file = self._writer = None

    def write_exchange(self, exchange: HttpExchange) -> Capture:
        """Write the response record, then its request record (WARC-Concurrent-To the response).

        Args:
            exchange: the HTTP request and response to archive.

        Returns:
            Where the response record went (file, offset, compressed length, id, digest).
        """
        writer = self._writer or self._open()
        assert self._file is not None
        date = warc_date(exchange.fetch_time)
        record_id = self.record_id_factory()
        response = self._response_record(writer, exchange, date, record_id)
        request = self._request_record(writer, exchange, date, record_id)

        writer.write_record(response)
        length = self._buffer.tell()
        writer.write_record(request)
        offset = self._commit()  # the pair is written whole or not at all

        capture = Capture(
            warc_file=self._name,
            offset=offset,
            length=length,
            record_id=record_id,
            payload_digest=response.rec_headers.get_header("WARC-Payload-Digest"),
            fetch_time=date,
            status=exchange.status,
            url=exchange.url,
        )
        if self._size >= self.max_size:
            self._close_file()
        return capture

    def write_revisit(self, exchange: HttpExchange, *, profile: str, refers_to: Capture) -> Capture:
        """Write a ``revisit`` record (HTTP headers only) and its request, instead of a second copy.

        Args:
            exchange: the HTTP exchange that found the archived copy still current.
            profile: ``identical-payload-digest`` (a 200 with the same payload) or ``server-not-modified`` (a 304).
            refers_to: the capture of the archived response (its record id, URL, WARC-Date and payload digest).

        Returns:
            Where the revisit record went (``revisit`` is the profile); its ``payload_digest`` is the archived
            payload's.
        """
        writer = self._writer or self._open()
        assert self._file is not None
        date = warc_date(exchange.fetch_time)
        record_id = self.record_id_factory()
        status_line = f"{exchange.status} {exchange.reason}".rstrip()
        revisit = writer.create_revisit_record(
            exchange.url, refers_to.payload_digest, refers_to.url, refers_to.fetch_time,
            http_headers=StatusAndHeaders(status_line, list(exchange.response_headers), protocol=exchange.protocol),
            warc_headers_dict={**self._warc_headers("revisit", exchange, date, record_id),
                               "WARC-Refers-To": refers_to.record_id},
        )
        revisit.rec_headers.replace_header("WARC-Profile", REVISIT_PROFILES[profile])
        if profile == "identical-payload-digest":
            revisit.rec_headers.add_header("WARC-Truncated", "length")  # the payload is not repeated
        request = self._request_record(writer, exchange, date, record_id)
        writer.write_record(revisit)
        length = self._buffer.tell()
        writer.write_record(request)
        offset = self._commit()
        capture = Capture(warc_file=self._name, offset=offset, length=length, record_id=record_id,
                          payload_digest=refers_to.payload_digest, fetch_time=date, status=exchange.status,
                          url=exchange.url, revisit=profile)
        if self._size >= self.max_size:
            self._close_file()
        return capture

    def write_metadata(self, uri: str, payload: bytes, content_type: str) -> tuple[str, int, str]:
        """Write a ``metadata`` record (crawl configuration, list of kept articles…).

        Args:
            uri: the record's WARC-Target-URI (``urn:x-souverain:…``).
            payload: the record block.
            content_type: its media type (``application/json``…).

        Returns:
            The file name, the record's offset in it, and its record id.
        """
        writer = self._writer or self._open()
        assert self._file is not None
        record_id = self.record_id_factory()
        record = writer.create_warc_record(
            uri, "metadata", payload=BytesIO(payload), length=len(payload), warc_content_type=content_type,
            warc_headers_dict={"WARC-Record-ID": record_id},
        )
        writer.write_record(record)
        return self._name, self._commit(), record_id

    def _warc_headers(self, rec_type: str, exchange: HttpExchange, date: str,
                      record_id: str) -> dict[str, str]:
        """WARC headers of a response or request record, in the usual order."""
        headers = {
            "WARC-Type": rec_type,
            "WARC-Record-ID": record_id,
            "WARC-Date": date,
            "WARC-Target-URI": exchange.url,
        }
        if exchange.ip_address:
            headers["WARC-IP-Address"] = exchange.ip_address
        return headers

    def _response_record(self, writer: _RecordWriter, exchange: HttpExchange, date: str,
                         record_id: str) -> Any:
        """Build the response record; a Transfer-Encoding header is renamed (body is de-chunked)."""
        headers = [
            ("X-Crawler-Transfer-Encoding" if name.lower() == "transfer-encoding" else name, value)
            for name, value in exchange.response_headers
        ]
        status_line = f"{exchange.status} {exchange.reason}".rstrip()
        http_headers = StatusAndHeaders(status_line, headers, protocol=exchange.protocol)
        return writer.create_warc_record(
            exchange.url, "response",
            payload=BytesIO(exchange.response_body),
            length=len(exchange.response_body),
            warc_headers_dict=self._warc_headers("response", exchange, date, record_id),
            http_headers=http_headers,
        )

    def _request_record(self, writer: _RecordWriter, exchange: HttpExchange, date: str,
                        response_id: str) -> Any:
        """Build the request record (request line with path and query, headers, body)."""
        parts = urlsplit(exchange.url)
        target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        http_headers = StatusAndHeaders(
            f"{exchange.method} {target} {exchange.protocol}",
            list(exchange.request_headers), protocol="",
        )
        return writer.create_warc_record(
            exchange.url, "request",
            payload=BytesIO(exchange.request_body),
            length=len(exchange.request_body),
            warc_headers_dict={
                **self._warc_headers("request", exchange, date, self.record_id_factory()),
                "WARC-Concurrent-To": response_id,
            },
            http_headers=http_headers,
        )

    def close(self) -> None:
        """Close the current file (renamed without `.open`)."""
        self._close_file()

    def __enter__(self) -> WarcWriter:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


def read_record(path: Path, offset: int) -> StoredResponse:
    """Read the record starting at a byte offset of a WARC file.

    Args:
        path: the WARC file (`.warc.gz`, or its `.open` form).
        offset: byte offset of the record, as in `Capture.offset`.

    Returns:
        The record's URL, ids, HTTP status and headers, and its body as stored (content-encoded).
    """
    with open(path, "rb") as stream:
        stream.seek(offset)
        record = next(iter(ArchiveIterator(stream)))
        http = record.http_headers
        status = int(http.get_statuscode()) if http and record.rec_type in ("response", "revisit") else 0
        return StoredResponse(
            url=record.rec_headers.get_header("WARC-Target-URI") or "",
            record_id=record.rec_headers.get_header("WARC-Record-ID") or "",
            date=record.rec_headers.get_header("WARC-Date") or "",
            status=status,
            warc_headers=list(record.rec_headers.headers),
            http_headers=list(http.headers) if http else [],
            body=record.raw_stream.read(),
        )


def read_capture(directory: Path, capture: Capture | dict[str, Any]) -> StoredResponse:
    """Read back the response record a capture points at.

    Args:
        directory: folder of the WARC files.
        capture: a `Capture` or its `to_dict()` form.

    Returns:
        The stored response (see `read_record`).
    """
    fields = capture.to_dict() if isinstance(capture, Capture) else capture
    path = Path(directory) / fields["warc_file"]
    if not path.exists() and path.with_name(path.name + OPEN_SUFFIX).exists():
        path = path.with_name(path.name + OPEN_SUFFIX)
    return read_record(path, int(fields["offset"]))
