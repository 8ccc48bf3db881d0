"""Tests of the run lock (archive/lock.py) against real second processes."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from datetime import datetime
from pathlib import Path

import psutil
import pytest

from archive.errors import ArchiveError
from archive.fsutil import remove_orphans
from archive.lock import LOCK_NAME, RunLock, pid_alive, process_start
from tests.conftest import alive, until

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
    assert f"(pid {process.pid}, started {recorded['started']}) is using" in message  # the holder's own start time


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


# Locks a file with fcntl alone, writing CONTENT into it first (a holder caught before or after writing itself).
BARE_HOLDER = """
import fcntl, os, sys, time
fd = os.open(sys.argv[1], os.O_RDWR | os.O_CREAT)
os.write(fd, sys.argv[2].encode())
fcntl.lockf(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
print("locked", flush=True); time.sleep(60)
"""


@pytest.mark.parametrize("content", ["", "[1, 2]", "{not json", '{"pid": 4242}'])
def test_a_holder_that_says_nothing_useful_is_shown_as_unknown(tmp_path: Path, content: str) -> None:
    process = subprocess.Popen([sys.executable, "-c", BARE_HOLDER, str(tmp_path / LOCK_NAME), content],
                               stdout=subprocess.PIPE, text=True)
    try:
        assert process.stdout is not None and process.stdout.readline().strip() == "locked"
        with pytest.raises(ArchiveError) as caught:
            RunLock(tmp_path).acquire()
        pid = "4242" if "4242" in content else "?"
        assert str(caught.value) == f"another souverain run (pid {pid}, started ?) is using {tmp_path}; wait for " \
                                    "it or stop it"
        assert (tmp_path / LOCK_NAME).read_text() == content  # a refused run leaves the holder's file alone
    finally:
        process.kill()
        process.wait()


def test_the_lock_file_records_this_process(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "argv", ["souverain", "crawl", "--out", "a b"])
    before = datetime.now().astimezone().replace(microsecond=0)
    with RunLock(tmp_path / "out") as lock:
        recorded = json.loads(lock.path.read_text())
        assert lock.path.read_text().endswith("}\n") and lock.path.stat().st_mode & 0o777 == 0o644
    assert set(recorded) == {"pid", "started", "command"}
    assert recorded["pid"] == os.getpid() and recorded["command"] == "souverain crawl --out 'a b'"
    started = datetime.fromisoformat(recorded["started"])
    assert started.tzinfo is not None and before <= started <= datetime.now().astimezone()
    assert started.microsecond == 0


def test_a_shorter_record_leaves_nothing_of_a_longer_one(tmp_path: Path) -> None:
    (tmp_path / LOCK_NAME).write_text(json.dumps({"pid": 1, "started": "x" * 500, "command": "y" * 500}) + "\n")
    with RunLock(tmp_path) as lock:
        text = lock.path.read_text()
        assert json.loads(text)["pid"] == os.getpid()  # one document (json.loads refuses trailing bytes)
        assert "x" * 50 not in text and "y" * 50 not in text  # the old bytes were cut


def test_release_twice_and_relock_in_the_same_process(tmp_path: Path) -> None:
    lock = RunLock(tmp_path)
    lock.release()  # never acquired: nothing to do
    lock.acquire()
    lock.release()
    lock.release()
    assert lock.path.read_text() == ""
    lock.acquire()
    assert json.loads(lock.path.read_text())["pid"] == os.getpid()
    lock.release()


def test_pid_alive_and_process_start() -> None:
    assert not pid_alive(0) and not pid_alive(-1)
    assert pid_alive(os.getpid()) and pid_alive(os.getpid(), since=time.time())
    started = process_start(os.getpid())
    assert started is not None and started <= time.time()
    assert pid_alive(os.getpid(), since=started - 1)  # within the 2 s slack of a name's time
    assert pid_alive(os.getpid(), since=started - 2)  # the slack's edge
    assert not pid_alive(os.getpid(), since=started - 2.5)
    assert not pid_alive(os.getpid(), since=started - 10)  # a pid reused: this process started later
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    assert not pid_alive(dead.pid) and process_start(dead.pid) is None
    assert pid_alive(1)  # init: another user's process (EPERM for a non-root user) is alive all the same


def test_a_killed_process_not_yet_reaped_is_not_alive(tmp_path):
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    until(lambda: not alive(child.pid), "the child to end")  # a zombie: ended, not reaped (no wait yet)
    try:
        assert Path(f"/proc/{child.pid}").exists()
        assert not pid_alive(child.pid)
        orphan = tmp_path / f".x.{child.pid}.abcdefgh.tmp"
        orphan.write_bytes(b"")
        assert remove_orphans(tmp_path) == [orphan]  # what a SIGKILLed worker left, even before it is reaped
    finally:
        child.wait()
    assert pid_alive(os.getpid())


def test_a_process_whose_name_holds_a_parenthesis_is_read_right():
    """/proc/PID/stat gives the name in parentheses, and a name may hold ') Z': only the last ')' ends it."""
    code = ("open('/proc/self/comm', 'w').write('a) Z 1 2 3')\n"
            "import sys, time\nsys.stdout.write('named\\n')\nsys.stdout.flush()\ntime.sleep(600)")
    child = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE)
    try:
        assert child.stdout is not None and child.stdout.readline() == b"named\n"
        assert " (a) Z 1 2 3) " in Path(f"/proc/{child.pid}/stat").read_text()
        assert pid_alive(child.pid) and pid_alive(child.pid, since=time.time())  # running, not a zombie
        assert process_start(child.pid) == pytest.approx(psutil.Process(child.pid).create_time(), abs=0.05)
    finally:
        child.kill()
        child.wait()
