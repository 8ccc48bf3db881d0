"""Reading back the record a capture points at (one record at a byte offset of a WARC file)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from warcio.archiveiterator import ArchiveIterator

from archive.source import decode_body
from archive.warc.naming import OPEN_SUFFIX
from archive.warc.writer import Capture

__all__ = ["StoredResponse", "read_capture", "read_record"]


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


def read_capture(directory: Path, capture: Capture) -> StoredResponse:
    """Read back the response record a capture points at.

    Args:
        directory: folder of the WARC files.
        capture: where the response record is.

    Returns:
        The stored response (see `read_record`).
    """
    path = Path(directory) / capture.warc_file
    if not path.exists() and path.with_name(path.name + OPEN_SUFFIX).exists():
        path = path.with_name(path.name + OPEN_SUFFIX)
    return read_record(path, capture.offset)
