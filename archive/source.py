"""Reading an archive someone else made (a WACZ or an output folder) as hostile input, with the crawl's bounds.

Every offline command (snapshot, verify, reextract, replay, export, diff) opens its input with these pieces and
limits: member and path names are checked (no ``..``, no absolute path), files are opened only when they are
regular files inside the folder given (a FIFO or a link to ``/dev/zero`` is refused, not read), JSON is parsed
with a size, depth and type check, bodies are decoded up to the page limit. A WACZ's members are checked by
``archive.wacz.reader``, WARC records gzip member by gzip member by ``archive.warc.records`` before warcio reads
them. Each refusal is one ``ArchiveError`` line naming the member or file and the limit.
"""

from __future__ import annotations

import fcntl
import json
import os
import re
import stat
import zlib
from collections.abc import Iterator
from pathlib import Path
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


def open_regular(path: Path, root: Path, *, real_root: Path | None = None) -> BinaryIO:
    """Open a file for reading only if it is a regular file under ``root`` (never a FIFO, device or outside link).

    Args:
        path: the file.
        root: the folder it must stay in.
        real_root: ``root.resolve()``, when the caller resolved it once for many files.

    Returns:
        The open binary file.

    Raises:
        ArchiveError: it is missing, not a regular file, or outside ``root``.
    """
    if not path.resolve().is_relative_to(real_root or root.resolve()):
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


def read_file(path: Path, root: Path, limit: int, *, real_root: Path | None = None) -> bytes:
    """Return a regular file's bytes under ``root``, at most ``limit`` of them (see ``open_regular``)."""
    with open_regular(path, root, real_root=real_root) as stream:
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
            out: bytes = decoder.process(body, output_buffer_limit=limit + 1)
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
