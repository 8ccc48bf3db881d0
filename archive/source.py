"""Reading an archive someone else made (a WACZ or an output folder) as hostile input, with the crawl's bounds.

Every offline command (snapshot, verify, reextract, replay, export, diff) opens its input here: zip member
names are checked (no ``..``, no absolute path, no duplicate, no symbolic link), sizes are bounded (declared
and actual, and the compression ratio), JSON is parsed with a size, depth and type check, files are opened only
when they are regular files inside the folder given (a FIFO or a link to ``/dev/zero`` is refused, not read),
and WARC records are checked gzip member by gzip member before warcio reads them. Each refusal is one
``ArchiveError`` line naming the member or file and the limit.
"""

from __future__ import annotations

import fcntl
import json
import os
import re
import stat
import zipfile
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path, PurePosixPath
from typing import Any, BinaryIO

import brotli

from archive.errors import ArchiveError

MAX_PAGE = 10 * 1024 * 1024  # a page, as the crawl's DOWNLOAD_MAXSIZE (decoded body included)
MAX_RECORD = 64 * 1024 * 1024  # one stored WARC record (sitemaps may be 50 MB) or run-log record
MAX_HEADER_LINE = 64 * 1024  # one WARC or HTTP header line
MAX_HEADER_BLOCK = 1024 * 1024  # all the WARC headers of one record
MAX_JSON = 64 * 1024 * 1024  # datapackage.json, manifest.json, one article JSON or pages.jsonl line
MAX_WARC = 4 * 1024 * 1024 * 1024  # one WARC file (the crawl rolls over near 1 GB)
MAX_MEMBER = MAX_WARC  # any zip member
MAX_RATIO = 100  # uncompressed / compressed size of a deflated zip member
MAX_JSON_DEPTH = 32
MAX_MEMBERS = 1_000_000
CHUNK = 64 * 1024
WARC_REQUIRED = ("WARC-Type", "WARC-Record-ID", "WARC-Date", "Content-Length")
RECORD_ID = re.compile(r"<[^<>\s]{1,1000}>")  # a WARC-Record-ID as the spec writes it
_WARC_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._~+-]{0,250}\.warc\.gz")


def member_problem(name: str) -> str | None:
    """Return why a zip member name is unsafe (``..``, absolute, backslash, control character), or None.

    Args:
        name: the name as stored in the zip.

    Returns:
        The problem, or None for a relative POSIX name that stays inside the folder it is extracted to.
    """
    if not name or len(name) > 1024:
        return "an empty or over-long name"
    if name.startswith("/") or re.match(r"[A-Za-z]:", name) or "\\" in name:
        return "an absolute or non-POSIX path"
    if any(ord(char) < 32 or ord(char) == 127 for char in name):
        return "a control character in the name"
    if any(part in ("", ".", "..") for part in name.split("/")):
        return "a '.' or '..' part"
    return None


def inside(root: Path, relative: str | Path) -> Path:
    """Return ``root / relative`` after checking that it stays under ``root`` once symbolic links are resolved.

    Args:
        root: the folder given on the command line.
        relative: a path read from an archive.

    Returns:
        The joined path.

    Raises:
        ArchiveError: the path leaves ``root``.
    """
    if member_problem(str(relative)) or Path(relative).is_absolute():
        raise ArchiveError(f"path {str(relative)[:200]!r} read from the archive leaves {root}")
    path = root / relative
    if not path.resolve().is_relative_to(root.resolve()):
        raise ArchiveError(f"{path} leads outside {root} (symbolic link)")
    return path


def open_regular(path: Path, root: Path) -> BinaryIO:
    """Open a file for reading only if it is a regular file under ``root`` (never a FIFO, device or outside link).

    Args:
        path: the file.
        root: the folder it must stay in.

    Returns:
        The open binary file.

    Raises:
        ArchiveError: it is missing, not a regular file, or outside ``root``.
    """
    if not path.resolve().is_relative_to(root.resolve()):
        raise ArchiveError(f"{path} leads outside {root} (symbolic link)")
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)  # a FIFO does not block the open
    except OSError as exc:
        raise ArchiveError(f"cannot read {path}: {exc.strerror or exc}") from None
    if not stat.S_ISREG(os.fstat(fd).st_mode):
        os.close(fd)
        raise ArchiveError(f"{path} is not a regular file")
    fcntl.fcntl(fd, fcntl.F_SETFL, fcntl.fcntl(fd, fcntl.F_GETFL) & ~os.O_NONBLOCK)
    return os.fdopen(fd, "rb")


def read_bounded(stream: BinaryIO, limit: int, where: str) -> bytes:
    """Read a whole stream, refusing it past ``limit`` bytes.

    Args:
        stream: what to read.
        limit: the most bytes accepted.
        where: the member or file, for the error.

    Returns:
        The bytes.
    """
    data = stream.read(limit + 1)
    if len(data) > limit:
        raise ArchiveError(f"{where}: larger than the limit of {limit:,} bytes")
    return data


def read_file(path: Path, root: Path, limit: int) -> bytes:
    """Return a regular file's bytes under ``root``, at most ``limit`` of them (see ``open_regular``)."""
    with open_regular(path, root) as stream:
        return read_bounded(stream, limit, str(path))


def load_json(data: bytes, where: str, kind: type = dict) -> Any:
    """Parse JSON read from an archive: valid UTF-8, at most ``MAX_JSON_DEPTH`` deep, of the expected type.

    Args:
        data: the document.
        where: the member or file, for the error.
        kind: the type the top-level value must have.

    Returns:
        The value.
    """
    try:
        value = json.loads(data)
    except RecursionError:
        raise ArchiveError(f"{where}: JSON nested deeper than {MAX_JSON_DEPTH} levels") from None
    except ValueError as exc:
        raise ArchiveError(f"{where}: not JSON ({str(exc)[:100]})") from None
    if _depth(value) > MAX_JSON_DEPTH:
        raise ArchiveError(f"{where}: JSON nested deeper than {MAX_JSON_DEPTH} levels")
    if not isinstance(value, kind):
        raise ArchiveError(f"{where}: a JSON {type(value).__name__} where a {kind.__name__} was expected")
    return value


def _depth(value: Any) -> int:
    """Return how deeply lists and objects nest in a JSON value (iteratively: no recursion limit)."""
    deepest, pending = 0, [(value, 1)]
    while pending:
        item, level = pending.pop()
        if isinstance(item, (dict, list)):
            deepest = max(deepest, level)
            if level <= MAX_JSON_DEPTH:
                pending.extend((child, level + 1) for child in (item.values() if isinstance(item, dict) else item))
    return deepest


def expect(record: dict[str, Any], key: str, kind: type | tuple[type, ...], where: str, *,
           optional: bool = False) -> Any:
    """Return ``record[key]`` after checking its JSON type (``bool`` is not an ``int``).

    Args:
        record: a JSON object.
        key: the field.
        kind: the accepted type(s).
        where: the member or file, for the error.
        optional: a missing or null field gives None instead of an error.

    Returns:
        The value.
    """
    value = record.get(key)
    if value is None and optional:
        return None
    kinds = kind if isinstance(kind, tuple) else (kind,)
    if not isinstance(value, kinds) or (isinstance(value, bool) and bool not in kinds):
        names = "/".join(k.__name__ for k in kinds)
        raise ArchiveError(f"{where}: field {key!r} is {type(value).__name__}, expected {names}")
    return value


def string_list(record: dict[str, Any], key: str, where: str) -> list[str]:
    """Return a field that must be a list of strings (missing: empty)."""
    value = record.get(key, [])
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise ArchiveError(f"{where}: field {key!r} is not a list of strings")
    return value


def split_lines(pieces: Iterator[bytes], limit: int, where: str) -> Iterator[bytes]:
    """Yield the lines (without their newline) of a byte stream given in pieces, each at most ``limit`` bytes.

    Args:
        pieces: the content, in order.
        limit: the longest line accepted.
        where: the member or file, for the error.

    Returns:
        The lines, in bounded memory.
    """
    parts: list[bytes] = []
    size = 0
    for piece in pieces:
        start = 0
        while (cut := piece.find(b"\n", start)) >= 0:
            if size + cut - start > limit:
                raise ArchiveError(f"{where}: a line longer than the limit of {limit:,} bytes")
            yield b"".join([*parts, piece[start:cut]])
            parts, size, start = [], 0, cut + 1
        parts.append(piece[start:])
        size += len(piece) - start
        if size > limit:
            raise ArchiveError(f"{where}: a line longer than the limit of {limit:,} bytes")
    if size:
        yield b"".join(parts)


@dataclass(frozen=True)
class WarcHead:
    """One WARC record as checked before parsing: where its gzip member is and its WARC headers."""

    offset: int
    length: int
    headers: dict[str, str]


def scan_warc(stream: BinaryIO, where: str) -> Iterator[WarcHead]:
    """Check a ``.warc.gz`` gzip member by gzip member, in bounded memory, and yield each record's headers.

    Every member must inflate to one record of at most ``MAX_RECORD`` bytes whose header lines are at most
    ``MAX_HEADER_LINE`` long, with a WARC-Type, a ``<…>`` WARC-Record-ID, an ISO 8601 WARC-Date and a
    Content-Length equal to the block it holds.

    Args:
        stream: the file, at the start.
        where: the file's name, for the errors.

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
        member, size, head, fed = zlib.decompressobj(31), 0, b"", 0
        while True:
            try:
                out = member.decompress(pending, CHUNK)  # never more than CHUNK bytes out of one call
            except zlib.error as exc:
                raise ArchiveError(f"{where}: gzip member at offset {offset}: {exc}") from None
            fed += len(pending) - len(member.unconsumed_tail) - len(member.unused_data)
            size += len(out)
            if size > MAX_RECORD:
                raise ArchiveError(f"{where}: record at offset {offset} inflates past the limit of "
                                   f"{MAX_RECORD:,} bytes")
            if len(head) <= MAX_HEADER_BLOCK and b"\r\n\r\n" not in head:
                head += out
            if member.eof:
                pending = member.unused_data
                break
            pending = member.unconsumed_tail or stream.read(CHUNK)
            if not pending:
                raise ArchiveError(f"{where}: gzip member at offset {offset} is truncated")
        yield WarcHead(offset, fed, _warc_headers(head, size, f"{where}: record at offset {offset}"))
        offset += fed


def _warc_headers(head: bytes, size: int, where: str) -> dict[str, str]:
    """Parse and check the WARC header block of one record that inflated to ``size`` bytes."""
    end = head.find(b"\r\n\r\n")
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


def check_warc(path: Path, root: Path) -> list[WarcHead]:
    """Check a WARC file of an archive (a regular file under ``root``, sound records); return its records.

    Args:
        path: the ``.warc.gz`` file.
        root: the folder it must stay in.

    Returns:
        Its records' headers, in order.
    """
    if not _WARC_NAME.fullmatch(path.name):
        raise ArchiveError(f"{path}: not a WARC file name (*.warc.gz)")
    with open_regular(path, root) as stream:
        if os.fstat(stream.fileno()).st_size > MAX_WARC:
            raise ArchiveError(f"{path}: larger than the limit of {MAX_WARC:,} bytes")
        records = list(scan_warc(stream, str(path)))
    if not records:
        raise ArchiveError(f"{path} holds no WARC record")
    return records


def decode_body(body: bytes, encoding: str, where: str, limit: int = MAX_PAGE) -> bytes:
    """Remove a Content-Encoding (gzip, deflate, br) from a body, refusing more than ``limit`` decoded bytes.

    Args:
        body: the body as archived.
        encoding: the Content-Encoding (anything else is returned as it is).
        where: the record, for the error.
        limit: the most decoded bytes accepted (the crawl's page limit).

    Returns:
        The decoded body.
    """
    encoding = encoding.strip().lower()
    too_big = ArchiveError(f"{where}: {encoding} body inflates past the limit of {limit:,} bytes")
    try:
        if encoding == "br":
            decoder = brotli.Decompressor()
            out = decoder.process(body, output_buffer_limit=limit + 1)
            if len(out) > limit:
                raise too_big
            return out
        if encoding in ("gzip", "x-gzip", "deflate"):
            decoder = zlib.decompressobj(47 if encoding != "deflate" else (-15 if body[:1] and body[0] & 0x0F != 8
                                                                            else 15))
            out = decoder.decompress(body, limit + 1)
            if len(out) > limit:
                raise too_big
            return out
    except (zlib.error, brotli.error):
        return body  # as the crawl's reader does: a body that does not decode is kept as it was
    return body


class Wacz:
    """A WACZ opened for reading as hostile input: every member's name and size checked before anything is read."""

    def __init__(self, path: Path) -> None:
        """Open the zip and check its members (``problems`` lists what is wrong; nothing is raised for them).

        Args:
            path: the ``.wacz`` file.

        Raises:
            ArchiveError: it is not a regular file or not a readable zip.
        """
        self.path = path
        self.handle = open_regular(path, path.resolve().parent)  # the file named on the command line, wherever
        try:
            self.zip = zipfile.ZipFile(self.handle)
        except (zipfile.BadZipFile, OSError, ValueError, EOFError) as exc:
            self.handle.close()
            raise ArchiveError(f"{path} is not a readable zip file ({exc})") from None
        infos = self.zip.infolist()
        self.problems: list[str] = []
        self.infos: dict[str, zipfile.ZipInfo] = {}
        if len(infos) > MAX_MEMBERS:
            self.problems.append(f"{len(infos):,} members, over the limit of {MAX_MEMBERS:,}")
        for info in infos[:MAX_MEMBERS]:
            problem = self._problem(info)
            if problem:
                self.problems.append(f"{info.filename[:200]!r}: {problem}")
            else:
                self.infos[info.filename] = info

    def _problem(self, info: zipfile.ZipInfo) -> str | None:
        """Return what is wrong with one member: its name, kind, declared size or compression ratio."""
        if info.filename in self.infos:
            return "a duplicate member name (readers disagree on which copy counts)"
        if problem := member_problem(info.filename):
            return problem
        mode = info.external_attr >> 16
        if info.create_system == 3 and stat.S_IFMT(mode) not in (0, stat.S_IFREG):
            return "not a regular file (symbolic link, folder or device)"
        if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            return f"compression method {info.compress_type} is not stored or deflate"
        if info.file_size > MAX_MEMBER:
            return f"declares {info.file_size:,} bytes, over the limit of {MAX_MEMBER:,}"
        if info.compress_type == zipfile.ZIP_DEFLATED and info.file_size > MAX_RATIO * max(info.compress_size, 1024):
            return f"inflates {info.file_size // max(info.compress_size, 1):,} times, over the limit of {MAX_RATIO}"
        return None

    def require_safe(self) -> None:
        """Raise the first member problem as a one-line error."""
        if self.problems:
            raise ArchiveError(f"{self.path}: member {self.problems[0]}")

    @property
    def names(self) -> list[str]:
        """The safe member names, in zip order."""
        return list(self.infos)

    def open(self, name: str, limit: int) -> Iterator[bytes]:
        """Yield a member's bytes in pieces, checking its declared size, its actual size and its CRC.

        Args:
            name: a safe member.
            limit: the most bytes accepted for it.

        Returns:
            The content, in pieces of at most ``CHUNK`` bytes.
        """
        info = self.infos.get(name)
        if info is None:
            raise ArchiveError(f"{self.path}: no member {name}")
        if info.file_size > limit:
            raise ArchiveError(f"{self.path}: member {name} declares {info.file_size:,} bytes, over the limit of "
                               f"{limit:,}")
        return self._pieces(info)

    def _pieces(self, info: zipfile.ZipInfo) -> Iterator[bytes]:
        """Yield a member's bytes, stopping with an error past its declared size or on a bad CRC."""
        total = 0
        try:
            with self.zip.open(info) as member:
                while piece := member.read(CHUNK):
                    total += len(piece)
                    if total > info.file_size:
                        raise ArchiveError(f"{self.path}: member {info.filename} holds more than the "
                                           f"{info.file_size:,} bytes it declares")
                    yield piece
        except (zipfile.BadZipFile, zlib.error, OSError, EOFError) as exc:
            raise ArchiveError(f"{self.path}: member {info.filename} is damaged ({exc}); `souverain verify {self.path}` "
                               "checks every member") from None
        if total != info.file_size:
            raise ArchiveError(f"{self.path}: member {info.filename} holds {total:,} bytes, it declares "
                               f"{info.file_size:,}")

    def read(self, name: str, limit: int) -> bytes:
        """Return a member's bytes (see ``open``)."""
        return b"".join(self.open(name, limit))

    def json(self, name: str, kind: type = dict, limit: int = MAX_JSON) -> Any:
        """Return a JSON member, checked (see ``load_json``)."""
        return load_json(self.read(name, limit), f"{self.path}: member {name}", kind)

    def lines(self, name: str, limit: int = MAX_JSON) -> Iterator[bytes]:
        """Yield a member's lines one at a time (see ``split_lines``)."""
        return split_lines(self.open(name, MAX_MEMBER), limit, f"{self.path}: member {name}")

    def warc_names(self) -> list[str]:
        """Return the WARC members (``archive/*.warc.gz``), sorted."""
        return sorted(name for name in self.infos if name.startswith("archive/") and name.endswith(".warc.gz"))

    def extract_warcs(self, folder: Path) -> list[Path]:
        """Copy the WARC members into a folder (flat, by their base name) and check each one.

        Args:
            folder: an empty folder that the caller removes.

        Returns:
            The copied WARC files, sorted by name.
        """
        self.require_safe()
        paths = []
        for name in self.warc_names():
            target = folder / PurePosixPath(name).name
            if target.exists():
                raise ArchiveError(f"{self.path}: two WARC members named {target.name}")
            with open(target, "xb") as out:
                for piece in self.open(name, MAX_WARC):
                    out.write(piece)
            check_warc(target, folder)
            paths.append(target)
        return paths

    def close(self) -> None:
        """Close the zip and its file."""
        self.zip.close()
        self.handle.close()

    def __enter__(self) -> Wacz:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


def is_wacz(path: Path) -> bool:
    """True when ``path`` is a regular file that looks like a zip (never opens a FIFO or device)."""
    try:
        return stat.S_ISREG(os.stat(path).st_mode) and zipfile.is_zipfile(path)
    except OSError:
        return False


def out_warcs(out_dir: Path) -> list[Path]:
    """Return the closed WARC files of an output folder, each checked (see ``check_warc``), oldest first.

    Args:
        out_dir: the output folder given on the command line.

    Returns:
        The ``warc/*.warc.gz`` files, sorted by name.
    """
    folder = out_dir / "warc"
    paths = sorted(folder.glob("*.warc.gz")) if folder.is_dir() else []
    for path in paths:
        check_warc(path, out_dir)
    return paths


def article_jsons(out_dir: Path) -> Iterator[tuple[Path, dict[str, Any]]]:
    """Yield every dated JSON file of an output folder with its record, checked, in path order.

    Each record must be a JSON object with a string ``url`` and ``text`` beside its ``.txt`` file; a file
    outside ``OUT`` (through a link), too large or of the wrong type stops with a one-line error.

    Args:
        out_dir: the output folder.

    Returns:
        (path, record) pairs.
    """
    folder = out_dir / "articles"
    if folder.is_symlink() or (folder.exists() and not folder.resolve().is_relative_to(out_dir.resolve())):
        raise ArchiveError(f"{folder} leads outside {out_dir} (symbolic link)")
    for path in sorted(folder.rglob("*.json")) if folder.is_dir() else []:
        if path.name.startswith("."):
            continue  # a temp file of an interrupted writer
        record = load_json(read_file(path, out_dir, MAX_JSON), str(path))
        expect(record, "url", str, str(path))
        expect(record, "text", str, str(path))
        yield path, record


@contextmanager
def open_source(source: Path) -> Iterator[Wacz | None]:
    """Open a command's input: a WACZ (yielded, checked) or an output folder (None is yielded).

    Args:
        source: a ``.wacz`` file or an output folder.

    Returns:
        A context manager.
    """
    if is_wacz(source):
        with Wacz(source) as wacz:
            wacz.require_safe()
            yield wacz
        return
    if source.is_dir():
        yield None
        return
    raise ArchiveError(f"{source} is neither a .wacz snapshot nor an output folder")
