"""Deterministic WACZ 1.1.1 files: stored members, fixed times and modes, sorted entries and JSON keys."""

from __future__ import annotations

import hashlib
import json
import os
import re
import struct
import tempfile
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, BinaryIO

from archive.errors import ArchiveError
from archive.fsutil import remove_orphans, temp_prefix, umask_mode

WACZ_VERSION = "1.1.1"
DATAPACKAGE = "datapackage.json"
DATAPACKAGE_DIGEST = "datapackage-digest.json"
PAGES_HEADER = {"format": "json-pages-1.0", "id": "pages", "title": "All Pages"}
CHUNK_SIZE = 64 * 1024
FILE_MODE = 0o100644
_LOCAL_HEADER = struct.Struct("<4s5HL2L2H")
_ZIP64_MARK = 0xFFFFFFFF
_UNSAFE_NAME = re.compile(r"[^-a-z0-9._/]+")


@dataclass(frozen=True)
class Digest:
    """SHA-256 of a whole file, its size, and the SHA-256 of each ``CHUNK_SIZE`` chunk (to locate changes)."""

    sha256: str
    size: int
    chunks: list[str] = field(default_factory=list)

    @property
    def hash(self) -> str:
        """Return the hash as datapackage.json writes it: ``sha256:<hex>``."""
        return f"sha256:{self.sha256}"


@dataclass(frozen=True)
class Member:
    """One file of the WACZ: its path in the zip, its content (bytes, or a file to copy) and digest."""

    path: str
    digest: Digest
    data: bytes | None = None
    source: Path | None = None

    @classmethod
    def from_bytes(cls, path: str, data: bytes) -> Member:
        """Return a member holding ``data``."""
        return cls(path, digest_chunks(iter([data])), data=data)

    @classmethod
    def from_file(cls, path: str, source: Path) -> Member:
        """Return a member copied from ``source`` (hashed now, checked again while copied)."""
        with source.open("rb") as stream:
            return cls(path, digest_chunks(read_chunks(stream)), source=source)


def read_chunks(stream: BinaryIO, size: int | None = None) -> Iterator[bytes]:
    """Yield ``CHUNK_SIZE`` pieces of a stream, up to ``size`` bytes when given."""
    left = size
    while left is None or left > 0:
        piece = stream.read(CHUNK_SIZE if left is None else min(CHUNK_SIZE, left))
        if not piece:
            return
        if left is not None:
            left -= len(piece)
        yield piece


def digest_chunks(pieces: Iterator[bytes]) -> Digest:
    """Hash a byte stream given in pieces of any size.

    Args:
        pieces: the content, in order.

    Returns:
        Its SHA-256, size, and the SHA-256 of each ``CHUNK_SIZE`` chunk.
    """
    hasher = ChunkHasher()
    for piece in pieces:
        hasher.update(piece)
    return hasher.digest()


class ChunkHasher:
    """The hashes of ``Digest`` fed piece by piece, so that a pass reading a file for another reason hashes it too."""

    def __init__(self) -> None:
        self.whole = hashlib.sha256()
        self.chunks: list[str] = []
        self.size = 0
        self.pending = b""

    def update(self, piece: bytes) -> None:
        """Hash the next piece of the content."""
        self.whole.update(piece)
        self.size += len(piece)
        self.pending += piece
        if len(self.pending) >= CHUNK_SIZE:
            view, start = memoryview(self.pending), 0
            while len(self.pending) - start >= CHUNK_SIZE:
                self.chunks.append(hashlib.sha256(view[start:start + CHUNK_SIZE]).hexdigest())
                start += CHUNK_SIZE
            self.pending = self.pending[start:]

    def digest(self) -> Digest:
        """Return the digest of what was fed."""
        chunks = [*self.chunks, hashlib.sha256(self.pending).hexdigest()] if self.pending else list(self.chunks)
        return Digest(self.whole.hexdigest(), self.size, chunks)


def json_bytes(value: object, *, indent: int | None = 2) -> bytes:
    """Return UTF-8 JSON with sorted keys (and a final newline when indented)."""
    text = json.dumps(value, ensure_ascii=False, sort_keys=True, indent=indent)
    return (text + "\n" if indent is not None else text).encode("utf-8")


def pages_jsonl(pages: list[dict[str, Any]]) -> bytes:
    """Return ``pages/pages.jsonl``: the header line, then one JSON line per page, in the given order."""
    return b"".join(json_bytes(line, indent=None) + b"\n" for line in [PAGES_HEADER, *pages])


def resource_name(path: str) -> str:
    """Return a Frictionless resource name for a zip path (``^[-a-z0-9._/]+$``, one per path)."""
    return _UNSAFE_NAME.sub("-", path.lower())


def datapackage(members: list[Member], *, created: str, software: str, title: str) -> bytes:
    """Return ``datapackage.json`` listing every member with its hash and size.

    Args:
        members: the files of the WACZ except the two datapackage files.
        created: ISO 8601 time recorded as ``created`` and ``modified``.
        software: the ``software`` field.
        title: the package title.

    Returns:
        The JSON document.
    """
    resources = [{"name": resource_name(m.path), "path": m.path, "hash": m.digest.hash, "bytes": m.digest.size}
                 for m in sorted(members, key=lambda m: m.path)]
    return json_bytes({"profile": "data-package", "wacz_version": WACZ_VERSION, "title": title, "created": created,
                       "modified": created, "software": software, "resources": resources})


def write_wacz(dest: Path, members: list[Member], *, created: str, software: str, title: str,
               progress: Callable[[int, int], None] | None = None) -> Digest:
    """Write a WACZ atomically: every member stored uncompressed, in path order, dated ``created``.

    Args:
        dest: the ``.wacz`` to write; its folder must exist.
        members: every file but the datapackage files, which are added here.
        created: ISO 8601 UTC time (``YYYY-MM-DDTHH:MM:SSZ``): ``created`` in the datapackage and every zip time.
        software: the ``software`` field of the datapackage.
        title: the package title.
        progress: called with (bytes of members written, bytes in all) as the members are written.

    Returns:
        The digest of the WACZ file (its SHA-256 and size; no chunk hashes).

    Raises:
        ArchiveError: the destination folder is missing, or a source file changed while it was copied.
    """
    if not dest.parent.is_dir():
        raise ArchiveError(f"cannot write {dest}: folder {dest.parent} does not exist")
    package = datapackage(members, created=created, software=software, title=title)
    digest_doc = json_bytes({"path": DATAPACKAGE, "hash": digest_chunks(iter([package])).hash})
    everything = [*members, Member.from_bytes(DATAPACKAGE, package), Member.from_bytes(DATAPACKAGE_DIGEST, digest_doc)]
    when = _zip_time(created)
    total, done = sum(member.digest.size for member in everything), 0
    remove_orphans(dest.parent, f".{dest.name[:40]}.")  # what a killed snapshot of the same name left
    try:
        fd, tmp = tempfile.mkstemp(prefix=temp_prefix(dest.name), suffix=".tmp", dir=dest.parent)
    except OSError as exc:
        raise ArchiveError(f"cannot write {dest}: {exc.strerror or exc}") from None
    try:
        os.fchmod(fd, umask_mode())
        with os.fdopen(fd, "w+b") as handle:
            with zipfile.ZipFile(handle, "w", zipfile.ZIP_STORED, allowZip64=True) as archive:
                for member in sorted(everything, key=lambda m: m.path):
                    for written in _write_member(archive, member, when):
                        done += written
                        if progress is not None:
                            progress(done, total)
            handle.flush()
            os.fsync(handle.fileno())
            handle.seek(0)
            whole = hashlib.sha256()
            size = 0
            for piece in read_chunks(handle):
                whole.update(piece)
                size += len(piece)
            result = Digest(whole.hexdigest(), size)
        os.replace(tmp, dest)
    except OSError as exc:
        Path(tmp).unlink(missing_ok=True)
        raise ArchiveError(f"cannot write {dest}: {exc.strerror or exc}") from None
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return result


def _zip_time(created: str) -> tuple[int, int, int, int, int, int]:
    """Return the zip date-time for an ISO 8601 UTC time (zip cannot store years before 1980)."""
    moment = datetime.strptime(created, "%Y-%m-%dT%H:%M:%SZ")
    return (1980, 1, 1, 0, 0, 0) if moment.year < 1980 else moment.timetuple()[:6]


def _write_member(archive: zipfile.ZipFile, member: Member,
                  when: tuple[int, int, int, int, int, int]) -> Iterator[int]:
    """Store one member with fixed metadata, checking that a copied file still has the hashed content.

    Yields the number of bytes of each piece written.
    """
    info = zipfile.ZipInfo(member.path, when)
    info.compress_type = zipfile.ZIP_STORED
    info.create_system = 3
    info.external_attr = FILE_MODE << 16
    info.file_size = member.digest.size
    with archive.open(info, "w", force_zip64=member.digest.size >= zipfile.ZIP64_LIMIT) as out:
        if member.data is not None:
            out.write(member.data)
            yield len(member.data)
            return
        assert member.source is not None
        sha = hashlib.sha256()
        with member.source.open("rb") as stream:
            for piece in read_chunks(stream, member.digest.size):
                sha.update(piece)
                out.write(piece)
                yield len(piece)
        if sha.hexdigest() != member.digest.sha256:
            raise ArchiveError(f"{member.source} changed while the snapshot was written; try again")


def member_offset(handle: BinaryIO, info: zipfile.ZipInfo) -> int:
    """Return where a member's data starts, after checking its local header against the central directory.

    Args:
        handle: the zip file, opened for reading.
        info: the member, from the central directory.

    Returns:
        The byte offset of the member's (stored or compressed) data.

    Raises:
        zipfile.BadZipFile: the local header is unreadable or disagrees with the central directory.
    """
    handle.seek(info.header_offset)
    header = handle.read(_LOCAL_HEADER.size)
    if len(header) < _LOCAL_HEADER.size or header[:4] != b"PK\x03\x04":
        raise zipfile.BadZipFile(f"no local header at offset {info.header_offset}")
    _, _, _, method, time, date, crc, compressed, size, name_length, extra_length = _LOCAL_HEADER.unpack(header)
    name = handle.read(name_length)
    year, month, day, hour, minute, second = info.date_time
    expected = (method, date, time, crc, name)
    found = (info.compress_type, (year - 1980) << 9 | month << 5 | day, hour << 11 | minute << 5 | second // 2,
             info.CRC, info.filename.encode("utf-8" if info.flag_bits & 0x800 else "cp437"))
    sizes_ok = compressed == _ZIP64_MARK or (compressed, size) == (info.compress_size, info.file_size)
    if expected != found or not sizes_ok:
        raise zipfile.BadZipFile(f"local header at offset {info.header_offset} disagrees with the central directory")
    return int(info.header_offset + _LOCAL_HEADER.size + name_length + extra_length)


def member_chunks(handle: BinaryIO, info: zipfile.ZipInfo) -> Iterator[bytes]:
    """Yield a stored member's bytes as they are in the zip (no CRC check, so damage can be located).

    Args:
        handle: the zip file, opened for reading.
        info: a ``ZIP_STORED`` member.

    Returns:
        An iterator over its content in ``CHUNK_SIZE`` pieces.
    """
    if info.compress_type != zipfile.ZIP_STORED:
        raise zipfile.BadZipFile(f"{info.filename} is compressed; a snapshot stores every file uncompressed")
    handle.seek(member_offset(handle, info))
    return read_chunks(handle, info.compress_size)


def changed_ranges(expected: list[str], actual: list[str], size: int) -> list[tuple[int, int]]:
    """Return the byte ranges (first, last, inclusive) whose chunk hashes differ, adjacent ranges merged.

    Args:
        expected: chunk hashes recorded when the file was written.
        actual: chunk hashes of the file now.
        size: the file's size now.

    Returns:
        The differing ranges, in order.
    """
    ranges: list[tuple[int, int]] = []
    for index in range(max(len(expected), len(actual))):
        if index < len(expected) and index < len(actual) and expected[index] == actual[index]:
            continue
        first, last = index * CHUNK_SIZE, max(min((index + 1) * CHUNK_SIZE, size) - 1, index * CHUNK_SIZE)
        if ranges and ranges[-1][1] + 1 == first:
            ranges[-1] = (ranges[-1][0], last)
        else:
            ranges.append((first, last))
    return ranges

