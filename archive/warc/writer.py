"""Rotating WARC/1.1 writer of captured HTTP exchanges (built on warcio); ``archive.warc.reader`` reads them back."""

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

from warcio.statusandheaders import StatusAndHeadersParser

from archive.wacz.software import package_version
from archive.warc.build import RecordWriter, warc_date
from archive.warc.naming import OPEN_SUFFIX, warc_name

__all__ = ["Capture", "HttpExchange", "WarcWriter"]

LOGGER = logging.getLogger(__name__)
MAX_SIZE = 1_000_000_000  # a WARC file is closed once it reaches this many bytes (1 GB, as Heritrix)

CONFORMS_TO = "http://iipc.github.io/warc-specifications/specifications/warc-format/warc-1.1/"


SOFTWARE = f"souverain/{package_version('souverain')} (warcio/{package_version('warcio')})"


def payload_digest(body: bytes) -> str:
    """Return a payload digest as warcio writes it (``sha1:`` + base32), to compare before writing."""
    return "sha1:" + base64.b32encode(hashlib.sha1(body).digest()).decode("ascii")


def utc_now() -> datetime:
    """Default clock: the current time, timezone-aware UTC."""
    return datetime.now(UTC)


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


class WarcWriter:
    """Rotating WARC/1.1 writer: Heritrix-style names, `.open` while written, one per process."""

    def __init__(
        self,
        directory: Path,
        *,
        prefix: str = "souverain",
        max_size: int = MAX_SIZE,
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
        self._writer: RecordWriter | None = None
        self._name = ""

    @property
    def current_file(self) -> Path | None:
        """Path of the `.open` file being written, if any."""
        return self.directory / (self._name + OPEN_SUFFIX) if self._file else None

    def _open(self) -> RecordWriter:
        """Open the next file and write its warcinfo record."""
        self.directory.mkdir(parents=True, exist_ok=True)
        self._name = warc_name(self.prefix, self.clock(), self.serial, os.getpid(), self.hostname)
        self._file = open(self.directory / (self._name + OPEN_SUFFIX), "xb", buffering=0)
        self._size = 0
        self._writer = RecordWriter(self._buffer, self.record_id_factory, self.clock)
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
            os.lseek(self._file.fileno(), offset, os.SEEK_SET)  # the next write lands there, not after a hole
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
        response = writer.response(exchange, date, record_id)
        request = writer.request(exchange, date, record_id)

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
        revisit = writer.revisit(exchange, date, record_id, profile, refers_to)
        request = writer.request(exchange, date, record_id)
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

    def close(self) -> None:
        """Close the current file (renamed without `.open`)."""
        self._close_file()

    def __enter__(self) -> WarcWriter:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()
