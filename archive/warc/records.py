"""Walking WARC files: the one gzip-member walker (bounded, checked before warcio reads a byte) and the one record
iterator, shared by the run log, snapshot, verify and repair."""

from __future__ import annotations

import os
import re
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import BinaryIO, cast

from warcio.archiveiterator import ArchiveIterator
from warcio.statusandheaders import StatusAndHeaders

from archive.errors import ArchiveError
from archive.source import CHUNK, MAX_HEADER_BLOCK, MAX_HEADER_LINE, MAX_RECORD, MAX_WARC, open_regular
from archive.warc.naming import SAFE_NAME

WARC_REQUIRED = ("WARC-Type", "WARC-Record-ID", "WARC-Date", "Content-Length")
RECORD_ID = re.compile(r"<[^<>\s]{1,1000}>")  # a WARC-Record-ID as the spec writes it
BLOCK_END = b"\r\n\r\n"  # after the WARC headers, and again after every block


@dataclass(frozen=True)
class WarcHead:
    """One WARC record as checked before parsing: where its gzip member is, its WARC headers (names lowered),
    and whether it ends with the CRLF CRLF the spec puts after every block."""

    offset: int
    length: int
    headers: dict[str, str]
    closed: bool = True


def warc_heads(stream: BinaryIO, where: str, *, max_record: int | None = MAX_RECORD) -> Iterator[WarcHead]:
    """Check a ``.warc.gz`` gzip member by gzip member, in bounded memory, and yield each record's headers.

    Every member must inflate to one record of at most ``max_record`` bytes whose header lines are at most
    ``MAX_HEADER_LINE`` long, with a WARC-Type, a ``<…>`` WARC-Record-ID, an ISO 8601 WARC-Date and a
    Content-Length equal to the block it holds.

    Args:
        stream: the file, at the start.
        where: the file's name, for the errors.
        max_record: the most bytes one record may inflate to (None: any, for a file souverain wrote).

    Returns:
        The records, in order.

    Raises:
        ArchiveError: the first problem, with its byte offset.
    """
    offset, pending = 0, b""
    while True:
        pending = pending or stream.read(CHUNK)
        if not pending:
            return
        member, size, head, tail, fed = zlib.decompressobj(31), 0, b"", b"", 0
        while True:
            try:
                out = member.decompress(pending, CHUNK)  # never more than CHUNK bytes out of one call
            except zlib.error as exc:
                raise ArchiveError(f"{where}: gzip member at offset {offset}: {exc}") from None
            # at the member's end zlib leaves what follows in both unused_data and unconsumed_tail: count it once
            fed += len(pending) - len(member.unused_data if member.eof else member.unconsumed_tail)
            size += len(out)
            tail = (tail + out)[-len(BLOCK_END):]
            if max_record is not None and size > max_record:
                raise ArchiveError(f"{where}: record at offset {offset} inflates past the limit of "
                                   f"{max_record:,} bytes")
            if len(head) <= MAX_HEADER_BLOCK and BLOCK_END not in head:
                head += out
            if member.eof:
                pending = member.unused_data
                break
            pending = member.unconsumed_tail or stream.read(CHUNK)
            if not pending:
                raise ArchiveError(f"{where}: gzip member at offset {offset} is truncated")
        headers = _warc_headers(head, size, f"{where}: record at offset {offset}")
        yield WarcHead(offset, fed, headers, tail == BLOCK_END)
        offset += fed


def _warc_headers(head: bytes, size: int, where: str) -> dict[str, str]:
    """Parse and check the WARC header block of one record that inflated to ``size`` bytes."""
    end = head.find(BLOCK_END)
    lines = head[:end if end >= 0 else len(head)].split(b"\r\n")
    if max(len(line) for line in lines) > MAX_HEADER_LINE:
        raise ArchiveError(f"{where}: a header line longer than {MAX_HEADER_LINE:,} bytes")
    if end < 0:
        raise ArchiveError(f"{where}: no end of WARC headers within {MAX_HEADER_BLOCK:,} bytes")
    if not re.fullmatch(rb"WARC/1\.[01]", lines[0]):
        raise ArchiveError(f"{where}: not a WARC/1.0 or WARC/1.1 record")
    headers: dict[str, str] = {}
    for line in lines[1:]:
        name, sep, value = line.decode("utf-8", "replace").partition(":")
        if sep and name.strip():
            headers.setdefault(name.strip().lower(), value.strip())
    missing = [name for name in WARC_REQUIRED if name.lower() not in headers]
    if missing:
        raise ArchiveError(f"{where}: no {', '.join(missing)} header")
    if not RECORD_ID.fullmatch(headers["warc-record-id"]):
        raise ArchiveError(f"{where}: WARC-Record-ID {headers['warc-record-id'][:80]!r} is not <uri>")
    try:
        datetime.fromisoformat(headers["warc-date"].replace("Z", "+00:00"))
    except ValueError:
        raise ArchiveError(f"{where}: WARC-Date {headers['warc-date'][:40]!r} is not an ISO 8601 date") from None
    block = size - end - 8  # headers, the blank line, then the block and a final CRLF CRLF
    if headers["content-length"] != str(block):
        raise ArchiveError(f"{where}: Content-Length says {headers['content-length'][:30]}, the record holds "
                           f"{max(block, 0):,} bytes")
    return headers


class TeeReader:
    """A binary stream that hands every byte read from it to a sink as well (a hash fed by the pass that checks)."""

    def __init__(self, stream: BinaryIO, sink: Callable[[bytes], None]) -> None:
        self.stream, self.sink = stream, sink

    def read(self, size: int = -1) -> bytes:
        """Read from the stream, and feed the sink what was read."""
        piece = self.stream.read(size)
        self.sink(piece)
        return piece


def check_warc(path: Path, root: Path, *, tee: Callable[[bytes], None] | None = None) -> list[WarcHead]:
    """Check a WARC file of an archive (a regular file under ``root``, sound records); return its records.

    Args:
        path: the ``.warc.gz`` file.
        root: the folder it must stay in.
        tee: fed every byte of the file, in order, in the same read (e.g. ``ChunkHasher.update``).

    Returns:
        Its records' headers, in order.
    """
    if not SAFE_NAME.fullmatch(path.name):
        raise ArchiveError(f"{path}: not a WARC file name (*.warc.gz)")
    with open_regular(path, root) as stream:
        if os.fstat(stream.fileno()).st_size > MAX_WARC:
            raise ArchiveError(f"{path}: larger than the limit of {MAX_WARC:,} bytes")
        reader = cast(BinaryIO, TeeReader(stream, tee)) if tee is not None else stream
        records = list(warc_heads(reader, str(path)))
    if not records:
        raise ArchiveError(f"{path} holds no WARC record")
    return records


def out_warcs(out_dir: Path) -> list[Path]:
    """Return the closed WARC files of an output folder, each checked (see ``check_warc``), oldest first.

    Args:
        out_dir: the output folder given on the command line.

    Returns:
        The ``warc/*.warc.gz`` files, sorted by name.
    """
    return list(checked_warcs(out_dir))


def checked_warcs(out_dir: Path, *,
                  tee: Callable[[Path], Callable[[bytes], None]] | None = None) -> dict[Path, list[WarcHead]]:
    """Return the closed WARC files of an output folder with their records' checked headers (``check_warc``).

    Args:
        out_dir: the output folder given on the command line.
        tee: given a file, returns what to feed its bytes to while it is checked (see ``check_warc``).

    Returns:
        Each ``warc/*.warc.gz`` file, sorted by name, with its records in order.
    """
    folder = out_dir / "warc"
    return {path: check_warc(path, out_dir, tee=tee(path) if tee is not None else None)
            for path in (sorted(folder.glob("*.warc.gz")) if folder.is_dir() else [])}


@dataclass(frozen=True)
class Record:
    """One record as the iterator read it: where it is, its headers, and its content when it was asked for."""

    offset: int
    length: int
    type: str
    headers: StatusAndHeaders
    http: StatusAndHeaders | None
    content: bytes | None = None
    digest_problems: list[str] = field(default_factory=list)

    def header(self, name: str) -> str:
        """Return a WARC header ("" when absent)."""
        return str(self.headers.get_header(name) or "")


class WarcRecords:
    """Iterate over the records of a WARC stream with warcio; ``offset`` says where the record being read starts
    (for an error raised in the middle of the walk)."""

    def __init__(self, stream: BinaryIO, *, content: Callable[[str, str], bool] | None = None,
                 check_digests: bool = False) -> None:
        """Prepare the walk.

        Args:
            stream: a checked ``.warc.gz`` stream (see ``warc_heads``), which bounds what warcio reads.
            content: given (WARC-Type, WARC-Target-URI), says whether to read the record's content (its payload,
                content-encoding removed); others are skipped.
            check_digests: check each block and payload digest (``Record.digest_problems``).
        """
        self.stream = stream
        self.wants = content or (lambda kind, uri: False)
        self.check_digests = check_digests
        self.offset = 0

    def __iter__(self) -> Iterator[Record]:
        records = ArchiveIterator(self.stream, check_digests=self.check_digests)
        for record in records:
            uri = record.rec_headers.get_header("WARC-Target-URI") or ""
            content = record.content_stream().read() if self.wants(record.rec_type, uri) else None
            records.read_to_end(record)  # before asking where it was: warcio's offset reads the record to its end
            self.offset, length = records.get_record_offset(), records.get_record_length()
            checker = record.digest_checker
            problems = list(checker.problems) if self.check_digests and checker.passed is False else []
            yield Record(self.offset, length, record.rec_type, record.rec_headers, record.http_headers, content,
                         problems)
            self.offset += length
