"""Tests of the run lock (archive/lock.py) against real second processes."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from archive.errors import ArchiveError
from archive.lock import LOCK_NAME, RunLock

REPO = Path(__file__).resolve().parents[1]

# Takes the lock, forks a child that outlives it (as an extraction pool worker would), says "locked", waits.
HOLDER = """
import os, sys, time
from archive.lock import RunLock
lock = RunLock(sys.argv[1]); lock.acquire()
if os.fork() == 0:
    time.sleep(60); os._exit(0)
print("locked", flush=True); time.sleep(60)
"""


@pytest.fixture
def holder(tmp_path: Path):
    """A real process holding the lock of ``tmp_path/out`` (and a forked child of it), killed at the end."""
    out = tmp_path / "out"
    process = subprocess.Popen([sys.executable, "-c", HOLDER, str(out)], stdout=subprocess.PIPE, text=True,
                               cwd=REPO)
    assert process.stdout is not None and process.stdout.readline().strip() == "locked"
    yield out, process
    if process.poll() is None:
        process.kill()
    process.wait()
    for pid in children_of(process.pid):
        os.kill(pid, signal.SIGKILL)


def children_of(pid: int) -> list[int]:
    """Pids of a process's children, or of the orphans it left (parent 1 and same command line)."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                cmdline = (entry / "cmdline").read_bytes()
            except OSError:
                continue
            if HOLDER.encode() in cmdline and int(entry.name) != pid:
                found.append(int(entry.name))
    return found


def test_second_run_gets_a_clear_error(holder) -> None:
    out, process = holder
    with pytest.raises(ArchiveError) as caught:
        RunLock(out).acquire()
    message = str(caught.value)
    assert message.startswith(f"another souverain run (pid {process.pid}, started ")
    assert message.endswith(f") is using {out}; wait for it or stop it")
    assert "\n" not in message
    recorded = json.loads((out / LOCK_NAME).read_text())
    assert recorded["pid"] == process.pid and "-c" in recorded["command"]


def test_lock_is_free_again_after_sigkill_even_with_a_forked_child_alive(holder) -> None:
    out, process = holder
    process.send_signal(signal.SIGKILL)
    process.wait()
    assert children_of(process.pid), "the forked child should outlive its parent"
    with RunLock(out) as lock:
        assert json.loads(lock.path.read_text())["pid"] == os.getpid()


def test_release_lets_the_next_run_in_and_empties_the_file(tmp_path: Path) -> None:
    with RunLock(tmp_path / "new" / "out") as lock:
        assert lock.path.exists()
    assert lock.path.read_text() == ""
    with RunLock(tmp_path / "new" / "out"):
        pass


def test_same_process_cannot_lock_twice(tmp_path: Path) -> None:
    with RunLock(tmp_path):
        with pytest.raises(ArchiveError, match=f"another souverain run \\(pid {os.getpid()}, "):
            RunLock(tmp_path).acquire()
        # the refused attempt did not drop the lock held above
        result = subprocess.run([sys.executable, "-c", "import sys; from archive.lock import RunLock; "
                                 "RunLock(sys.argv[1]).acquire()", str(tmp_path)],
                                capture_output=True, text=True, cwd=REPO)
        assert result.returncode == 1 and "another souverain run" in result.stderr


def test_unwritable_folder_is_one_line(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("")
    with pytest.raises(ArchiveError, match=f"^cannot lock {blocker / 'out'}: "):
        RunLock(blocker / "out").acquire()
