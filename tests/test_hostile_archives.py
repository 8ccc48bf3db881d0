"""Hostile archives: every offline command on every case of ``tests/hostile_archives.py`` (built here from one
small real crawl of the mirror) ends as the case says (verify FAIL naming the member, or one line
``souverain: error: …``, never a traceback), reads and writes nothing outside the paths it was given, stays
under 500 MB of peak RSS (the child's ``ru_maxrss`` from ``os.wait4``, workers included) and within 60 s."""

from __future__ import annotations

import csv
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import crawl_and_snapshot, small_tmpfs
from tests.hostile_archives import CANARY, OUTSIDE, Case, cases, make_outside

MAX_RSS_MB = 500
MAX_SECONDS = 600  # a hang guard: a command still running then is stuck, however loaded the machine
CORPUS = cases()
RUNS = [(case, command) for case in CORPUS for command in case.expect]


def run_measured(args: list[str], cwd: Path, env: dict[str, str]) -> tuple[int, str, str, float, float]:
    """Run ``souverain ARGS``; return exit status, stdout, stderr, peak RSS (MB, workers included) and seconds."""
    script = Path(sys.executable).with_name("souverain")
    out, err = cwd / ".stdout", cwd / ".stderr"
    started = time.monotonic()
    with out.open("wb") as stdout, err.open("wb") as stderr:
        process = subprocess.Popen([str(script), *args], cwd=cwd, env=env, stdout=stdout, stderr=stderr,
                                   stdin=subprocess.DEVNULL, start_new_session=True)
    while True:  # wait for the exit (polled), with MAX_SECONDS as a hard stop, not a timing assertion
        pid, status, usage = os.wait4(process.pid, os.WNOHANG)
        if pid:
            break
        if time.monotonic() - started > MAX_SECONDS:
            os.killpg(process.pid, signal.SIGKILL)
            pid, status, usage = os.wait4(process.pid, 0)
            pytest.fail(f"souverain {' '.join(args)} ran longer than {MAX_SECONDS} s")
        time.sleep(0.02)
    process.returncode = os.waitstatus_to_exitcode(status)
    texts = out.read_text(errors="replace"), err.read_text(errors="replace")
    out.unlink()
    err.unlink()
    return process.returncode, *texts, usage.ru_maxrss / 1024, time.monotonic() - started


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """One small real crawl of the mirror and its snapshot: what every case is made from."""
    return crawl_and_snapshot(tmp_path_factory.mktemp("hostile-base"), 40)


_BUILT: dict[str, tuple[Path, Path]] = {}


def built(case: Case, base: tuple[Path, Path], tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """Build a case once: (its folder, its input path)."""
    if case.name not in _BUILT:
        folder = tmp_path_factory.mktemp(case.name)
        make_outside(folder)
        _BUILT[case.name] = folder, case.build(*base, folder)
    return _BUILT[case.name]


def tree(folder: Path) -> dict[str, tuple[int, float, float]]:
    """Every path under a folder (links not followed) with its size, mtime and (for files outside) atime."""
    found = {}
    for root, dirs, files in os.walk(folder):
        for name in dirs + files:
            path = Path(root, name)
            info = path.lstat()
            read = info.st_atime if name in files and path.parent.name == OUTSIDE else 0  # a read changes it
            found[str(path.relative_to(folder))] = (info.st_size, info.st_mtime, read)
    return found


def command_args(command: str, source: Path, dest: Path, url: str) -> list[str]:
    """The command line of one command on one case."""
    return {
        "verify": ["verify", str(source)],
        "reextract": ["reextract", str(source), "--out", str(dest / "re"), "--workers", "1"],
        "replay": ["replay", str(source), "--port", "1"],
        "snapshot": ["snapshot", "--out", str(source), "-o", str(dest / "snap.wacz")],
        "export": ["export", "--out", str(source), "--format", "csv", "-o", str(dest / "rows.csv")],
        "diff": ["diff", url, "--out", str(source)],
    }[command]


@pytest.mark.parametrize(("case", "command"), RUNS, ids=[f"{case.name}-{command}" for case, command in RUNS])
def test_hostile_archive(case: Case, command: str, base: tuple[Path, Path],
                         tmp_path_factory: pytest.TempPathFactory) -> None:
    folder, source = built(case, base, tmp_path_factory)
    dest = folder / f"dest-{command}"
    (dest / "tmp").mkdir(parents=True)
    url = json.loads(sorted((base[0] / "articles").rglob("*.json"))[-1].read_text(encoding="utf-8"))["url"]
    before = tree(folder)
    env = {**os.environ, "TMPDIR": str(dest / "tmp"), "HOME": str(dest),
           "SOUVERAIN_REPLAY_VENV": str(folder / OUTSIDE / CANARY / "venv")}  # a file: pywb cannot be installed
    status, stdout, stderr, rss, seconds = run_measured(command_args(command, source, dest, url), dest, env)
    print(f"{case.name} {command}: exit {status}, peak RSS {rss:.0f} MB, {seconds:.1f} s")

    assert "Traceback" not in stderr + stdout, stderr[-3000:]
    expected, _, text = case.expect[command].partition(":")
    if expected == "ok":
        assert status == 0, (stdout + stderr)[-3000:]
    elif expected == "fail":
        assert status == 1, stdout[-2000:]
        assert any(line.startswith("FAIL ") and text in line for line in stdout.splitlines()), stdout[-3000:]
    else:
        lines = stderr.strip().splitlines()
        assert status == 1 and len(lines) == 1 and lines[0].startswith("souverain: error: "), stderr[-2000:]
        assert text in lines[0], lines[0]
    assert rss < MAX_RSS_MB

    after = tree(folder)
    changed = {path for path in set(before) | set(after) if before.get(path) != after.get(path)}
    outside_dest = {path for path in changed if not path.startswith(dest.name)}
    assert not outside_dest, f"changed or read outside {dest.name}: {sorted(outside_dest)[:10]}"
    if case.name == "csv-formula-title" and command == "export":
        rows = list(csv.DictReader((dest / "rows.csv").open(encoding="utf-8")))
        cells = [cell for row in rows for cell in row.values() if cell and cell[0] in "=+-@'"]
        assert any(cell.startswith("'=") for cell in cells), cells  # the planted =HYPERLINK(…) title, quoted
        assert not [cell for cell in cells if cell[0] in "=+-@"], cells


def test_the_corpus_holds_at_least_40_cases() -> None:
    assert len({case.name for case in CORPUS}) == len(CORPUS) >= 40  # each run bounds its own RSS (above)


@pytest.fixture
def small_mount(tmp_path: Path) -> Iterator[Path]:
    """A 256 KB tmpfs."""
    with small_tmpfs(tmp_path / "small", "256k") as mount:
        yield mount


@pytest.mark.parametrize("mode", ["full", "read-only"])
def test_full_or_read_only_output_folder_is_one_line(base: tuple[Path, Path], small_mount: Path, mode: str) -> None:
    out, wacz = base
    if mode == "full":
        with (small_mount / "filler").open("wb", buffering=0) as filler:  # fill the disk to the last block
            try:
                while True:
                    filler.write(b"x" * 4096)
            except OSError:
                pass
    else:
        subprocess.run(["mount", "-o", "remount,ro", str(small_mount)], check=True)
    runs = [["reextract", str(wacz), "--out", str(small_mount / "re"), "--workers", "1"],
            ["reextract", str(out), "--out", str(small_mount)],
            ["snapshot", "--out", str(out), "-o", str(small_mount / "snap.wacz")],
            ["export", "--out", str(out), "--format", "jsonl", "-o", str(small_mount / "rows.jsonl")]]
    for args in runs:
        status, stdout, stderr, rss, seconds = run_measured(args, small_mount.parent, dict(os.environ))
        lines = stderr.strip().splitlines()
        assert status == 1 and len(lines) == 1 and lines[0].startswith("souverain: error: "), (args, stderr[-2000:])
        assert ("No space left" if mode == "full" else "Read-only") in lines[0], lines[0]
    leftovers = [p.name for p in small_mount.rglob("*") if p.name != "filler" and p.is_file()]
    assert not leftovers, leftovers
