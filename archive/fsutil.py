"""Atomic file writes: a temp file in the same folder, fsync, then rename."""

from __future__ import annotations

import os
import re
import shutil
import tempfile
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from functools import cache
from pathlib import Path

from archive.lock import pid_alive

# ``.<name>.<pid>.<random>.tmp`` (atomic writes, snapshots) and ``[.]<job>-<pid>-<random>`` (scratch folders).
_OWNED = re.compile(r"^\.?.*?[.-](?P<pid>\d+)[.-][a-z0-9_]{8}(?:\.tmp)?$")


def temp_prefix(name: str) -> str:
    """Return the prefix of a temp file for ``name``: hidden, with this process's pid (see ``remove_orphans``)."""
    return f".{name[:40]}.{os.getpid()}."


@cache
def umask_mode() -> int:
    """Return the mode a new file gets from ``open()`` under the process umask (``0o644`` for umask 022).

    ``mkstemp`` creates its temp files ``0o600`` whatever the umask; a file renamed into place from one is given
    this mode first, so that archives and exports are as readable as any other file the user creates.
    """
    try:  # Linux ≥ 4.7 shows the umask without changing it (``os.umask`` would, for every thread, for a moment)
        status = Path("/proc/self/status").read_text(encoding="ascii", errors="replace")
        return 0o666 & ~int(next(line.split()[1] for line in status.splitlines() if line.startswith("Umask:")), 8)
    except (OSError, StopIteration, ValueError, IndexError):
        mask = os.umask(0o022)
        os.umask(mask)
        return 0o666 & ~mask


def atomic_write_bytes(path: Path, data: bytes, *, durable: bool = True) -> None:
    """Write ``data`` to ``path`` so that readers see the old file or the new one, never a part.

    Args:
        path: destination file; its parent folders are created.
        data: the whole content.
        durable: fsync the file before the rename (a crash then leaves the old or the new file, never an
            empty one); bulk writers that can be re-run pass False and call ``os.sync()`` once at the end.
    """
    atomic_write_chunks(path, (data,), durable=durable)


def atomic_write_chunks(path: Path, chunks: Iterable[bytes], *, durable: bool = True) -> None:
    """Write the chunks, one after the other, to ``path`` atomically: content produced as it is written.

    Args:
        path: destination file; its parent folders are created.
        chunks: the content, in order.
        durable: as for ``atomic_write_bytes``.
    """
    try:
        fd, tmp = tempfile.mkstemp(prefix=temp_prefix(path.name), suffix=".tmp", dir=path.parent)
    except FileNotFoundError:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=temp_prefix(path.name), suffix=".tmp", dir=path.parent)
    try:
        os.fchmod(fd, umask_mode())
        with os.fdopen(fd, "wb") as handle:
            for chunk in chunks:
                handle.write(chunk)
            if durable:
                handle.flush()
                os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def atomic_write_text(path: Path, text: str, *, durable: bool = True) -> None:
    """Write ``text`` as UTF-8 to ``path`` atomically.

    Args:
        path: destination file; its parent folders are created.
        text: the whole content.
        durable: as for ``atomic_write_bytes``.
    """
    atomic_write_bytes(path, text.encode("utf-8"), durable=durable)


def remove_orphans(folder: Path, prefix: str = ".", *, recursive: bool = False) -> list[Path]:
    """Remove the temp files and scratch folders whose owner (the pid in their name) is dead.

    Args:
        folder: where they are.
        prefix: only names starting with this (e.g. ``.snap.wacz.`` for one snapshot's temp files).
        recursive: search the sub-folders too (for a folder the program owns, such as ``DIR2/articles``).

    Returns:
        What was removed.
    """
    if not folder.is_dir() or folder.is_symlink():
        return []
    removed = []
    for path in (folder.rglob(f"{prefix}*") if recursive else folder.glob(f"{prefix}*")):
        match = _OWNED.match(path.name)
        if match is None or path.is_symlink() or pid_alive(int(match["pid"]), path.lstat().st_mtime):
            continue
        if path.is_dir():
            shutil.rmtree(path, ignore_errors=True)
        else:
            path.unlink(missing_ok=True)
        removed.append(path)
    return removed


def fsync_path(path: Path) -> None:
    """Flush one file's data (or a folder's entries, after a rename in it) to disk.

    Args:
        path: a file or a folder.
    """
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def fsync_paths(paths: list[Path], *, threads: int = 8) -> None:
    """Flush many files to disk at once (fsync releases the GIL, so threads overlap the waits).

    Args:
        paths: files written with ``durable=False``.
        threads: fsyncs in flight.
    """
    with ThreadPoolExecutor(threads) as pool:
        list(pool.map(fsync_path, paths))
