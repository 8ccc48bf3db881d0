"""A WACZ opened for reading as hostile input: every member's name, kind and size checked before it is read."""

from __future__ import annotations

import os
import stat
import zipfile
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path, PurePosixPath
from typing import Any

from archive.errors import ArchiveError
from archive.source import (
    CHUNK,
    MAX_JSON,
    MAX_MEMBER,
    MAX_MEMBERS,
    MAX_RATIO,
    MAX_WARC,
    load_json,
    member_problem,
    open_regular,
    split_lines,
)
from archive.warc.records import WarcHead, check_warc


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
        return list(self.extract_checked_warcs(folder))

    def extract_checked_warcs(self, folder: Path) -> dict[Path, list[WarcHead]]:
        """Copy the WARC members into a folder (see ``extract_warcs``); return each with its checked records.

        Args:
            folder: an empty folder that the caller removes.

        Returns:
            Each copied WARC file, sorted by name, with its records' headers in order.
        """
        self.require_safe()
        warcs = {}
        for name in self.warc_names():
            target = folder / PurePosixPath(name).name
            if target.exists():
                raise ArchiveError(f"{self.path}: two WARC members named {target.name}")
            with open(target, "xb") as out:
                for piece in self.open(name, MAX_WARC):
                    out.write(piece)
            warcs[target] = check_warc(target, folder)
        return warcs

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
