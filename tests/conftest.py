"""Shared fixtures: the souverain command, the shared/ folder."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
WAIT = 120.0  # seconds an awaited event may take on a loaded machine before the test fails


def souverain(*args: str, timeout: float = 600, cwd: Path | None = None,
              **options: Any) -> subprocess.CompletedProcess[str]:
    """Run the installed ``souverain`` console script in a subprocess (``options`` go to ``subprocess.run``)."""
    script = Path(sys.executable).with_name("souverain")
    command = [str(script)] if script.exists() else [sys.executable, "-m", "crawler.cli"]
    options.setdefault("capture_output", "stdout" not in options and "stderr" not in options)
    return subprocess.run([*command, *args], text=True, timeout=timeout, cwd=cwd, **options)


def dated_files(out: Path) -> dict[str, object]:
    """Return every dated file under ``OUT/articles`` by path: the text, or the JSON record without its capture
    (times, offsets)."""
    found: dict[str, object] = {}
    for path in (out / "articles").rglob("*"):
        if path.suffix == ".json":
            found[path.relative_to(out).as_posix()] = {
                k: v for k, v in json.loads(path.read_text(encoding="utf-8")).items() if k != "capture"}
        elif path.is_file():
            found[path.relative_to(out).as_posix()] = path.read_text(encoding="utf-8")
    return found


def free_port() -> int:
    """Return a port on 127.0.0.1 that nobody listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def warcio(*args: str) -> subprocess.CompletedProcess[str]:
    """Run warcio's command line (``warcio check``, ``warcio index``…) in a subprocess."""
    script = Path(sys.executable).with_name("warcio")
    command = [str(script)] if script.exists() else [sys.executable, "-c", "from warcio.cli import main; main()"]
    return subprocess.run([*command, *args], capture_output=True, text=True)


def crawl_and_snapshot(folder: Path, articles: int) -> tuple[Path, Path]:
    """Crawl the mirror (``souverain demo``) into ``folder/out`` and snapshot it to ``folder/base.wacz``."""
    done = souverain("demo", "--out", str(folder / "out"), "--articles", str(articles))
    assert done.returncode == 0, done.stderr[-2000:]
    done = souverain("snapshot", "--out", str(folder / "out"), "-o", str(folder / "base.wacz"))
    assert done.returncode == 0, done.stderr[-2000:]
    return folder / "out", folder / "base.wacz"


@contextmanager
def small_tmpfs(mount: Path, size: str) -> Iterator[Path]:
    """Mount a small tmpfs at ``mount`` for a full-disk test (``mount`` needs CAP_SYS_ADMIN: a skip elsewhere)."""
    mount.mkdir()
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(mount)], capture_output=True)
    if done.returncode:
        pytest.skip(f"cannot mount a small tmpfs here (mount needs CAP_SYS_ADMIN, which root in a container may "
                    f"lack): {done.stderr.decode().strip()}")
    try:
        yield mount
    finally:
        subprocess.run(["umount", str(mount)], check=True)


@pytest.fixture(scope="session")
def realpages() -> Path:
    """The real pages of ../shared/realpages, or a skip when that folder is absent."""
    folder = SHARED / "realpages"
    if not folder.is_dir():
        pytest.skip(f"{folder} is absent: real-page tests need the shared/ folder beside the repository")
    return folder


def until(condition, what: str) -> None:
    """Poll ``condition`` until it holds, or fail saying what did not happen."""
    deadline = time.monotonic() + WAIT
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.02)


def alive(pid: int) -> bool:
    """Tell whether a process exists and is no zombie."""
    try:
        return (Path("/proc") / str(pid) / "stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False
