"""A crawl stopped as a user stops one: Ctrl-C in a terminal, SIGTERM from systemd, ``kill -9``.

Real mirror, real ``souverain crawl`` processes; Ctrl-C is typed into a pseudo-terminal (the terminal driver sends
SIGINT to the foreground process group, extraction workers included). Every signal is sent when an event is
seen (progress lines of both sites, dated files written, worker processes started), never after a guessed sleep.
"""

from __future__ import annotations

import json
import os
import pty
import select
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from crawler.mirror.process import MirrorProcess
from tests.conftest import WAIT, alive, dated_files, souverain, until

ARTICLES = 600
SOUVERAIN = Path(sys.executable).with_name("souverain")


@pytest.fixture(scope="module")
def mirror():
    with MirrorProcess(articles=ARTICLES) as running:
        yield running


def crawl_args(mirror, out: Path) -> list[str]:
    return ["crawl", "--out", str(out), "--delay", "0.01", "--concurrency", "2", *mirror.root_args()]


@pytest.fixture(scope="module")
def reference(mirror, tmp_path_factory) -> Path:
    """An uninterrupted crawl of the mirror."""
    out = tmp_path_factory.mktemp("reference") / "out"
    result = souverain(*crawl_args(mirror, out))
    assert result.returncode == 0, result.stderr[-3000:]
    return out


def texts(out: Path) -> dict[str, str]:
    """Return the dated text files by path."""
    return {path: text for path, text in dated_files(out).items() if path.endswith(".txt")}


def written(out: Path) -> int:
    """Return how many dated text files a crawl has written so far."""
    return sum(1 for _ in (out / "articles").rglob("*.txt")) if (out / "articles").is_dir() else 0


class Terminal:
    """``souverain`` run in a pseudo-terminal, as in an interactive shell."""

    def __init__(self, args: list[str]) -> None:
        self.pid, self.fd = pty.fork()
        if self.pid == 0:  # the child: its controlling terminal is the pty
            os.execv(str(SOUVERAIN), [str(SOUVERAIN), *args])
        self.output = b""

    def read(self, timeout: float = 0.05) -> bool:
        """Read what the terminal shows; False at its end (the process closed it)."""
        if not select.select([self.fd], [], [], timeout)[0]:
            return True
        try:
            chunk = os.read(self.fd, 65536)
        except OSError:  # EIO: the child exited and the pty is closed
            return False
        self.output += chunk
        return bool(chunk)

    def wait_for(self, condition, what: str) -> None:
        """Read until ``condition(text)`` holds."""
        deadline = time.monotonic() + WAIT
        while not condition(self.text):
            assert time.monotonic() < deadline, f"timed out waiting for {what}; terminal: {self.text[-2000:]}"
            assert self.read(), f"the crawl ended before {what}; terminal: {self.text[-2000:]}"

    def type(self, keys: bytes) -> None:
        """Type keys (``b"\\x03"`` is Ctrl-C)."""
        os.write(self.fd, keys)

    def finish(self) -> int:
        """Read to the end; return the exit status as a shell shows it."""
        deadline = time.monotonic() + WAIT
        while self.read(0.2):
            assert time.monotonic() < deadline, f"the crawl did not stop; terminal: {self.text[-2000:]}"
        _, status = os.waitpid(self.pid, 0)
        os.close(self.fd)
        return os.waitstatus_to_exitcode(status)

    @property
    def text(self) -> str:
        return self.output.decode("utf-8", "replace").replace("\r\n", "\n")


def progress_lines(text: str, site: str) -> list[str]:
    return [line for line in text.splitlines() if line.startswith(f"[{site}] ") and "pages fetched" in line]


def test_ctrl_c_in_a_terminal_then_resume_ends_like_an_uninterrupted_run(mirror, reference, tmp_path):
    out = tmp_path / "out"
    terminal = Terminal([*crawl_args(mirror, out), "-s", "PROGRESS_INTERVAL=0.5"])
    terminal.wait_for(lambda text: progress_lines(text, "clubic") and progress_lines(text, "numerama")
                      and written(out) >= 3, "a progress line of each site and three dated files")
    terminal.type(b"\x03")
    status = terminal.finish()

    assert status == 130, terminal.text[-3000:]
    assert "souverain: interrupted: continue with --resume" in terminal.text
    assert "Traceback" not in terminal.text
    line = progress_lines(terminal.text, "clubic")[0]  # the site in brackets, a rate per minute
    assert "/min)" in line and "articles kept" in line, line
    assert written(out) < written(reference), "the run must have been stopped before its end"
    report = json.loads(next((out / "runs").glob("*/report.json")).read_text(encoding="utf-8"))
    assert report["unfinished"] == "interrupted by SIGINT"

    resumed = souverain(*crawl_args(mirror, out), "--resume")
    assert resumed.returncode == 0, resumed.stderr[-3000:]
    assert f"run {report['run_id']}: resuming" in resumed.stdout
    assert dated_files(out) == dated_files(reference)
    assert len(list((out / "runs").iterdir())) == 1


def test_sigterm_then_a_plain_incremental_run_reaches_every_article(mirror, reference, tmp_path):
    """A run stopped by SIGTERM (systemd) leaves sitemaps read in part: the next run, not even --resume, reads
    them again instead of taking their 304 for "nothing new", and writes every article the first run missed."""
    out = tmp_path / "out"
    process = subprocess.Popen([str(SOUVERAIN), *crawl_args(mirror, out)], stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True)
    until(lambda: written(out) >= 3 or process.poll() is not None, "three dated files")
    process.send_signal(signal.SIGTERM)
    stdout, stderr = process.communicate(timeout=WAIT)
    assert process.returncode == 143, stderr[-3000:]
    assert stderr.strip().splitlines()[-1] == "souverain: interrupted: continue with --resume"
    assert written(out) < written(reference)

    later = souverain(*crawl_args(mirror, out))
    assert later.returncode == 0, later.stderr[-3000:]
    assert texts(out) == texts(reference)
    again = souverain(*crawl_args(mirror, out), "--recheck")
    assert again.returncode == 0, again.stderr[-3000:]
    assert texts(out) == texts(reference)


def children(pid: int) -> list[int]:
    """Return the pids of the processes whose parent is ``pid``."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                found.append(int(entry.name))
    return found


def workers_of(pid: int) -> list[int]:
    """Return the pids of a process's forked children (a crawl's extraction workers): those that run its own
    command line, not a short command it runs (Scrapy's start-up asks ``uname -p`` for the platform it logs)."""
    try:
        command = (Path("/proc") / str(pid) / "cmdline").read_bytes()
    except OSError:
        return []
    found = []
    for child in children(pid):
        try:
            if (Path("/proc") / str(child) / "cmdline").read_bytes() == command:
                found.append(child)
        except OSError:
            continue
    return found


def sigterm_handled(pid: int) -> bool:
    """Tell whether a process catches or ignores SIGTERM (its ``SigCgt`` and ``SigIgn`` masks)."""
    fields = dict(line.split(":\t", 1) for line in (Path("/proc") / str(pid) / "status").read_text().splitlines())
    return bool((int(fields["SigCgt"], 16) | int(fields["SigIgn"], 16)) & (1 << (signal.SIGTERM - 1)))


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc and relies on PR_SET_PDEATHSIG")
def test_no_process_of_a_crawl_killed_by_sigkill_survives_it(mirror, tmp_path):
    out = tmp_path / "out"
    process = subprocess.Popen([str(SOUVERAIN), *crawl_args(mirror, out), "-s", "EXTRACT_WORKERS=2"],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    workers: list[int] = []

    def started() -> bool:
        workers[:] = workers_of(process.pid)
        return bool(workers) or process.poll() is not None

    until(started, "an extraction worker")
    assert process.poll() is None and workers
    # Each worker sets SIGTERM back to its default (not Scrapy's handler, inherited by the fork, which only stops
    # a reactor the worker has not) in its initializer, a moment after it appears.
    until(lambda: not any(map(sigterm_handled, workers)), "the extraction workers to reset SIGTERM")
    process.kill()
    process.wait()
    until(lambda: not any(map(alive, workers)), "the extraction workers to die with the killed crawl")
