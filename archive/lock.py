"""One run per output folder: an exclusive lock on ``OUT/.souverain.lock`` that dies with its holder."""

from __future__ import annotations

import fcntl
import json
import os
import shlex
import sys
from datetime import datetime
from pathlib import Path

from archive.errors import ArchiveError

__all__ = ["LOCK_NAME", "RunLock", "pid_alive"]

LOCK_NAME = ".souverain.lock"

# Lock files this process holds. A POSIX lock is dropped when the process closes *any* descriptor of the
# file, so a second lock on the same folder is refused here, without opening the file again.
_HELD: dict[Path, dict[str, object]] = {}


class RunLock:
    """Exclusive, non-blocking lock of an output folder, held by one souverain run at a time.

    It is a POSIX record lock (``fcntl.lockf``), not ``flock``: the kernel drops it when the holder dies,
    even by SIGKILL, and fork()ed children such as extraction pool workers do not inherit it, so an
    orphaned worker cannot keep a dead run's folder locked.
    """

    def __init__(self, out_dir: Path) -> None:
        """Prepare the lock of ``out_dir`` (nothing is taken until ``acquire``).

        Args:
            out_dir: the output folder the run writes to.
        """
        self.out_dir = Path(out_dir)
        self.path = self.out_dir / LOCK_NAME
        self._fd: int | None = None

    def acquire(self) -> None:
        """Take the lock, then record this process (pid, start time, command line) in the lock file.

        Raises:
            ArchiveError: another run holds the lock, or the folder cannot be written.
        """
        key = self.path.absolute()
        if key in _HELD:
            raise ArchiveError(self._busy(_HELD[key]))
        try:
            self.out_dir.mkdir(parents=True, exist_ok=True)
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
        except OSError as exc:
            raise ArchiveError(f"cannot lock {self.out_dir}: {exc.strerror or exc}") from None
        try:
            fcntl.lockf(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            holder = _read_holder(fd)
            os.close(fd)
            raise ArchiveError(self._busy(holder)) from None
        holder = {
            "pid": os.getpid(),
            "started": datetime.now().astimezone().isoformat(timespec="seconds"),
            "command": shlex.join(sys.argv),
        }
        os.ftruncate(fd, 0)
        os.pwrite(fd, (json.dumps(holder) + "\n").encode("utf-8"), 0)
        self._fd = fd
        _HELD[key] = holder

    def release(self) -> None:
        """Empty the lock file and drop the lock (the file stays: removing it would race the next run)."""
        if self._fd is None:
            return
        os.ftruncate(self._fd, 0)
        os.close(self._fd)
        self._fd = None
        _HELD.pop(self.path.absolute(), None)

    def _busy(self, holder: dict[str, object]) -> str:
        """The one-line message given to a run that finds the folder locked."""
        who = f"pid {holder.get('pid', '?')}, started {holder.get('started', '?')}"
        return f"another souverain run ({who}) is using {self.out_dir}; wait for it or stop it"

    def __enter__(self) -> RunLock:
        self.acquire()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.release()


def _read_holder(fd: int) -> dict[str, object]:
    """What the lock file says about its holder (empty while the holder is still writing it)."""
    try:
        holder = json.loads(os.pread(fd, 4096, 0).decode("utf-8"))
    except (OSError, ValueError):
        return {}
    return holder if isinstance(holder, dict) else {}


def pid_alive(pid: int, since: float | None = None) -> bool:
    """True when a process with this pid runs here and, if ``since`` is given, started by then (pid not reused).

    Args:
        pid: the process id written in a file name.
        since: epoch seconds at which the process was known to exist (the file's name time or mtime).

    Returns:
        Whether the owner may still be at work, so its files must be left alone.
    """
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass
    if _zombie(pid):  # killed, not reaped yet: it writes nothing more
        return False
    started = process_start(pid)
    return since is None or started is None or started <= since + 2


def _stat_fields(pid: int) -> list[str]:
    """The fields of /proc/PID/stat after the name (which may hold ``)``: only the last one ends it); [] where /proc
    cannot say."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return []


def _zombie(pid: int) -> bool:
    """True when a process has ended and waits to be reaped (state ``Z`` in /proc); False where /proc cannot say."""
    return _stat_fields(pid)[:1] == ["Z"]


def process_start(pid: int) -> float | None:
    """Start time (epoch seconds) of a process, from /proc; None where /proc cannot say."""
    try:
        boot = next(line for line in Path("/proc/stat").read_text().splitlines() if line.startswith("btime "))
    except (OSError, StopIteration):
        return None
    fields = _stat_fields(pid)
    if len(fields) < 20:
        return None
    return int(boot.split()[1]) + int(fields[19]) / os.sysconf("SC_CLK_TCK")
