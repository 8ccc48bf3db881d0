"""SIGKILL of ``reextract`` and ``snapshot`` at a point drawn at random among observed events, then a rerun:
the output is identical to an uninterrupted run's and nothing is left behind (temp files and scratch folders
carry their owner's pid and the next run removes those of a dead owner)."""

from __future__ import annotations

import filecmp
import os
import random
import signal
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.conftest import crawl_and_snapshot, souverain

SEED = int(os.environ.get("SOUVERAIN_KILL_SEED", random.randrange(1 << 30)))


@pytest.fixture(scope="module")
def crawled(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A real crawl of the mirror and its snapshot."""
    return crawl_and_snapshot(tmp_path_factory.mktemp("kill"), 120)


def kill_at(args: list[str], event: Callable[[], bool]) -> bool:
    """Start ``souverain ARGS``, SIGKILL its whole process group as soon as ``event()`` holds.

    Returns:
        True when it was killed, False when it ended before the event was seen.
    """
    script = Path(sys.executable).with_name("souverain")
    process = subprocess.Popen([str(script), *args], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                               start_new_session=True)
    while process.poll() is None:  # polled as fast as the file system answers: the event, not a delay
        if event():
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
            return True
    return False


def files(folder: Path) -> dict[str, bytes]:
    """Every file under a folder (hidden ones included) with its bytes."""
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_killed_reextract_then_rerun_gives_identical_output(crawled: tuple[Path, Path], tmp_path: Path) -> None:
    out, wacz = crawled
    clean = tmp_path / "clean"
    assert souverain("reextract", str(wacz), "--out", str(clean), "--workers", "1").returncode == 0
    total = len(files(clean))
    rng = random.Random(SEED)
    killed = 0
    for trial in range(4):
        dest = tmp_path / f"killed-{trial}"
        threshold = rng.randrange(0, total)  # kill once the scratch folder exists and this many files are written

        def event(dest: Path = dest, threshold: int = threshold) -> bool:
            scratch = any(p.name.startswith(".reextract-") for p in dest.iterdir()) if dest.is_dir() else False
            written = sum(1 for _ in (dest / "articles").rglob("*")) if (dest / "articles").is_dir() else 0
            return scratch and written >= threshold

        if kill_at(["reextract", str(wacz), "--out", str(dest), "--workers", "1"], event):
            if [p for p in dest.iterdir() if p.name.startswith(".reextract-")]:
                killed += 1
            else:  # the run removed its scratch folder between the event and the kill: it had ended
                assert files(dest) == files(clean), f"seed {SEED}: a run that ended gave another output"
        done = souverain("reextract", str(wacz), "--out", str(dest), "--workers", "1")
        assert done.returncode == 0, f"seed {SEED}: {done.stderr[-2000:]}"
        assert files(dest) == files(clean), f"seed {SEED}, kill after {threshold} files: output differs"
    print(f"\nreextract: {killed} of 4 runs killed (seed {SEED}), reruns identical to a clean run ({total} files)")
    assert killed, f"seed {SEED}: no run was killed before it ended"


def test_killed_snapshot_then_rerun_gives_identical_bytes(crawled: tuple[Path, Path], tmp_path: Path) -> None:
    out, wacz = crawled
    size = wacz.stat().st_size
    rng = random.Random(SEED)
    killed = 0
    for trial in range(4):
        dest = tmp_path / f"trial-{trial}"
        dest.mkdir()
        threshold = rng.randrange(0, size)  # kill once the temp file holds this many bytes

        def event(dest: Path = dest, threshold: int = threshold) -> bool:
            temps = [p for p in dest.iterdir() if p.name.startswith(".snap.wacz.") and p.name.endswith(".tmp")]
            return any(p.stat().st_size >= threshold for p in temps if p.exists())

        if kill_at(["snapshot", "--out", str(out), "-o", str(dest / "snap.wacz")], event):
            if (dest / "snap.wacz").exists():  # the temp file was renamed between the event and the kill
                assert filecmp.cmp(dest / "snap.wacz", wacz, shallow=False), f"seed {SEED}: a renamed WACZ differs"
                assert not [p for p in dest.iterdir() if p.name.endswith(".tmp")], f"seed {SEED}: leftovers"
            else:
                killed += 1
                assert [p for p in dest.iterdir() if p.name.endswith(".tmp")], "the kill left no temp file"
        done = souverain("snapshot", "--out", str(out), "-o", str(dest / "snap.wacz"))
        assert done.returncode == 0, f"seed {SEED}: {done.stderr[-2000:]}"
        assert filecmp.cmp(dest / "snap.wacz", wacz, shallow=False), f"seed {SEED}: snapshot bytes differ"
        assert [p.name for p in dest.iterdir()] == ["snap.wacz"], f"seed {SEED}: leftovers"
    print(f"\nsnapshot: {killed} of 4 runs killed (seed {SEED}), reruns byte-identical ({size:,} bytes)")
    assert killed, f"seed {SEED}: no run was killed before it ended"
