"""``souverain crawl --archive-only`` (every page in WARC, no extraction) and a crawl whose extraction worker dies
(a pipeline error at most, never a hang). Real mirror, real ``souverain`` processes, WARCs read with warcio."""

from __future__ import annotations

import json
import os
import signal
import subprocess
from pathlib import Path

import pytest
from warcio.archiveiterator import ArchiveIterator

from benchmarks.everything import everything_topic
from crawler.mirror.process import MirrorProcess
from tests.conftest import souverain
from tests.test_interrupt import SOUVERAIN, WAIT, until, workers_of, written

ARTICLES = 60


@pytest.fixture(scope="module")
def mirror():
    with MirrorProcess(articles=ARTICLES) as running:
        yield running


def report_of(out: Path) -> dict:
    return json.loads(max((out / "runs").glob("*/report.json")).read_text(encoding="utf-8"))


def archived_articles(out: Path) -> set[str]:
    """Return the URLs of the article pages (200 HTML) archived in the output folder's WARCs."""
    urls = set()
    for warc in (out / "warc").glob("*.warc.gz"):
        with warc.open("rb") as stream:
            for record in ArchiveIterator(stream):
                if record.rec_type == "response" and record.http_headers.get_statuscode() == "200" \
                        and "html" in (record.http_headers.get_header("Content-Type") or ""):
                    urls.add(record.rec_headers.get_header("WARC-Target-URI"))
    return urls


def test_archive_only_writes_every_page_to_warc_and_no_dated_file(mirror, tmp_path):
    out = tmp_path / "out"
    result = souverain("crawl", "--out", str(out), "--delay", "0", "--concurrency", "8", "--archive-only",
                       "--topic", str(everything_topic(tmp_path)), *mirror.root_args())
    assert result.returncode == 0, result.stderr[-3000:]
    assert not list((out / "articles").rglob("*.json")) and not list((out / "articles").rglob("*.txt"))
    truth = {mirror.roots[a["site"]] + a["url_path"] for a in mirror.truth()}
    assert truth <= archived_articles(out)  # discovery still found and fetched every article
    report = report_of(out)
    assert report["totals"]["articles_kept"] == 0 and report["totals"]["errors"] == 0
    assert report["totals"]["rejected"] == {"not written": len(truth)}
    reasons = {entry["reason"] for site in report["sites"].values() for entry in site["not_kept"]
               if entry["url"] in truth}
    assert reasons == {"not written: archive-only crawl"}
    # A later full crawl of the same folder extracts what the archive-only one fetched.
    again = souverain("crawl", "--out", str(out), "--delay", "0", "--concurrency", "8",
                      "--topic", str(everything_topic(tmp_path)), *mirror.root_args())
    assert again.returncode == 0, again.stderr[-3000:]
    assert len(list((out / "articles").rglob("*.json"))) == len(truth)


def test_a_dead_extraction_worker_is_reported_and_the_crawl_completes(mirror, tmp_path):
    out = tmp_path / "out"
    process = subprocess.Popen([str(SOUVERAIN), "crawl", "--out", str(out), "--delay", "0.02", "--concurrency", "2",
                                "--topic", str(everything_topic(tmp_path)), "-s", "EXTRACT_WORKERS=1",
                                *mirror.root_args()], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    until(lambda: written(out) >= 2 or process.poll() is not None, "two dated files")
    workers = workers_of(process.pid)
    assert process.poll() is None and workers
    for worker in workers:  # as the kernel's OOM killer would
        os.kill(worker, signal.SIGKILL)
    stdout, stderr = process.communicate(timeout=WAIT)
    assert process.returncode == 0, stderr[-3000:]
    log = next((out / "runs").glob("*/crawl.log")).read_text(encoding="utf-8")
    assert "a worker of the CPU pool died" in log
    report = report_of(out)
    assert report["totals"]["not_completed"] == 0
    kept, failed = report["totals"]["articles_kept"], report["totals"]["rejected"].get("pipeline error", 0)
    assert kept + failed == ARTICLES and kept >= ARTICLES - 2  # only the task that was running may fail
    assert len(list((out / "articles").rglob("*.json"))) == kept
