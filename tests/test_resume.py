"""A crawl killed with SIGKILL three times at random points, resumed each time, ends like an uninterrupted one.

Real mirror, real ``souverain crawl`` processes, real SIGKILL of the whole process group (extraction workers too).
"""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest
from warcio.archiveiterator import ArchiveIterator

from crawler.mirror.process import MirrorProcess
from tests.conftest import dated_files, souverain, warcio

ARTICLES = 1200
SOUVERAIN = Path(sys.executable).with_name("souverain")


@pytest.fixture(scope="module")
def mirror():
    with MirrorProcess(articles=ARTICLES) as running:
        yield running


def crawl_args(mirror, out: Path) -> list[str]:
    return ["crawl", "--out", str(out), "--delay", "0", "--concurrency", "2", *mirror.root_args()]


def kill_after(args: list[str], seconds: float) -> int:
    """Start ``souverain`` and SIGKILL its whole process group after ``seconds``; return its exit status."""
    process = subprocess.Popen([str(SOUVERAIN), *args], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                               start_new_session=True)
    try:
        return process.wait(timeout=seconds)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        return process.wait()


def test_three_sigkills_and_resumes_end_like_an_uninterrupted_run(mirror, tmp_path):
    reference = tmp_path / "reference"
    started = time.perf_counter()
    assert souverain(*crawl_args(mirror, reference)).returncode == 0
    duration = time.perf_counter() - started

    out, rng = tmp_path / "killed", random.Random(20261121)
    # Random points, early enough that no run can finish first (a resumed run replays what was archived).
    statuses = [kill_after(crawl_args(mirror, out), max(1.0, rng.uniform(0.25, 0.6) * duration))]
    for _ in range(2):
        statuses.append(kill_after([*crawl_args(mirror, out), "--resume"], max(1.0, rng.uniform(0.25, 0.6) * duration)))
    assert statuses == [-signal.SIGKILL] * 3, "each run must be killed mid-crawl"
    final = souverain(*crawl_args(mirror, out), "--resume")
    assert final.returncode == 0, final.stderr[-3000:]
    assert "resuming" in final.stdout

    assert dated_files(out) == dated_files(reference)

    responses = Counter()
    for warc in sorted((out / "warc").glob("*.warc.gz")):
        check = warcio("check", str(warc))
        assert check.returncode == 0, check.stdout + check.stderr
        with warc.open("rb") as stream:
            responses.update(r.rec_headers.get_header("WARC-Target-URI") for r in ArchiveIterator(stream)
                             if r.rec_type == "response")
    assert not list((out / "warc").glob("*.open"))
    twice = {url: n for url, n in responses.items() if n > 1}
    assert twice == {}, "no page fetched twice once archived"
    runs = list((out / "runs").iterdir())
    assert len(runs) == 1 and json.loads((runs[0] / "report.json").read_text(encoding="utf-8"))["totals"]


def test_resume_without_an_unfinished_run_is_one_clear_line(tmp_path):
    result = souverain("crawl", "--out", str(tmp_path), "--resume", "--site", "clubic", "--root",
                       "clubic=http://127.0.0.1:9", timeout=60)
    assert result.returncode == 1 and "nothing to resume" in result.stderr and "Traceback" not in result.stderr
