"""A full disk (a 1.5 MB tmpfs as OUT) stops the crawl with one clear line and leaves every closed file valid."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from crawler.mirror.process import MirrorProcess
from tests.conftest import small_tmpfs, souverain, warcio


@pytest.fixture
def small_disk(tmp_path):
    with small_tmpfs(tmp_path / "small", "1500k") as mount:
        yield mount


def test_full_disk_stops_the_run_cleanly(small_disk: Path):
    out = small_disk / "out"
    with MirrorProcess(articles=400) as mirror:
        result = souverain("crawl", "--out", str(out), "--delay", "0", "--quiet", *mirror.root_args(), timeout=300)
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("souverain: error: disk full: cannot write "), result.stderr[-2000:]
    assert "--resume" in lines[0] and "Traceback" not in result.stderr
    warcs = list((out / "warc").glob("*.warc.gz"))
    assert warcs and not list((out / "warc").glob("*.open"))
    for warc in warcs:
        check = warcio("check", str(warc))
        assert check.returncode == 0, check.stdout + check.stderr
    records = list((out / "articles").rglob("*.json"))
    assert records
    for path in records:
        record = json.loads(path.read_text(encoding="utf-8"))
        assert path.with_suffix(".txt").read_text(encoding="utf-8").strip() == record["text"].strip()
    assert not [p for p in out.rglob(".*.tmp")]
