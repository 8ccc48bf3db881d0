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


def kept_articles(out: Path) -> int:
    """Return how many articles the crawl has kept so far (their dated JSON records, written once archived)."""
    return sum(1 for _ in (out / "articles").rglob("*.json")) if (out / "articles").is_dir() else 0


def kill_when_kept(args: list[str], out: Path, kept: int) -> int:
    """Start ``souverain`` and SIGKILL its whole process group as soon as ``kept`` articles are kept under ``out``
    (however slow the machine); return its exit status (0 if it finished first)."""
    process = subprocess.Popen([str(SOUVERAIN), *args], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                               start_new_session=True)
    while process.poll() is None:
        if kept_articles(out) >= kept:
            os.killpg(process.pid, signal.SIGKILL)
            break
        time.sleep(0.02)
    return process.wait()


def test_three_sigkills_and_resumes_end_like_an_uninterrupted_run(mirror, tmp_path):
    reference = tmp_path / "reference"
    assert souverain(*crawl_args(mirror, reference)).returncode == 0
    total = kept_articles(reference)
    assert total >= 20

    out, rng = tmp_path / "killed", random.Random(20261121)
    # Random points: after a quarter to two thirds of the articles are kept, each later than the one before, so
    # every run (a resumed one replays what was archived) is killed mid-crawl, whatever the machine's load.
    points = sorted(round(rng.uniform(0.25, 0.65) * total) for _ in range(3))
    points = [max(point, previous + 1) for point, previous in zip(points, [0, *points[:-1]], strict=True)]
    statuses = [kill_when_kept(crawl_args(mirror, out), out, points[0])]
    for point in points[1:]:
        statuses.append(kill_when_kept([*crawl_args(mirror, out), "--resume"], out, point))
    assert statuses == [-signal.SIGKILL] * 3, "each run must be killed mid-crawl"
    final = souverain(*crawl_args(mirror, out), "--resume")
    assert final.returncode == 0, final.stderr[-3000:]
    assert "resuming" in final.stdout

    assert dated_files(out) == dated_files(reference)

    responses = Counter()
    warcs = sorted((out / "warc").glob("*.warc.gz"))
    assert warcs
    for warc in warcs:
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
