"""The README's Scrapyd section, for real: a Scrapyd on 127.0.0.1 gets the project with ``scrapyd-deploy``, runs
both spiders on the mirror (alone, then as two Redis workers of one run), and their WARCs and dated files are
checked."""

from __future__ import annotations

import json
import shutil
import signal
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from warcio.archiveiterator import ArchiveIterator

from crawler.distributed.runs import worker_settings
from crawler.mirror.process import MirrorProcess
from tests.conftest import REPO, free_port, warcio
from tests.redisserver import redis_server

BIN = Path(sys.executable).parent


@pytest.fixture(scope="module")
def scrapyd(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A real Scrapyd on 127.0.0.1 with the project deployed by scrapyd-deploy; yields its URL."""
    if not (BIN / "scrapyd").exists() or not (BIN / "scrapyd-deploy").exists():
        pytest.skip("scrapyd and scrapyd-client are not installed (pip install -e '.[test]')")
    home, port = tmp_path_factory.mktemp("scrapyd"), free_port()
    (home / "scrapyd.conf").write_text(f"[scrapyd]\nbind_address = 127.0.0.1\nhttp_port = {port}\n"
                                       "eggs_dir = eggs\nlogs_dir = logs\nitems_dir =\ndbs_dir = dbs\n"
                                       "max_proc = 4\npoll_interval = 0.2\n", encoding="utf-8")
    log = home / "scrapyd.log"
    server = subprocess.Popen([str(BIN / "scrapyd"), "--nodaemon", "--logfile", str(log)], cwd=home,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    while not log.exists() or f"Site starting on {port}" not in log.read_text(encoding="utf-8"):
        assert server.poll() is None, f"scrapyd exited with status {server.returncode}"  # the event: it listens
        time.sleep(0.05)
    url = f"http://127.0.0.1:{port}/"
    # The project as the README deploys it: scrapy.cfg names the settings; the code is souverain, installed in
    # Scrapyd's environment (its profiles are files, which a zipped egg cannot hold).
    project = tmp_path_factory.mktemp("project")
    shutil.copyfile(REPO / "scrapy.cfg", project / "scrapy.cfg")
    with (project / "scrapy.cfg").open("a", encoding="utf-8") as cfg:
        cfg.write(f"url = {url}\n")
    (project / "setup.py").write_text("from setuptools import setup\nsetup(name='souverain-project', version='1.0', "
                                      "entry_points={'scrapy': ['settings = crawler.settings']})\n", encoding="utf-8")
    deployed = subprocess.run([str(BIN / "scrapyd-deploy")], cwd=project, capture_output=True, text=True, timeout=300)
    assert deployed.returncode == 0 and '"status": "ok"' in deployed.stdout, deployed.stdout + deployed.stderr
    try:
        yield url
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=60)


def schedule(url: str, spider: str, settings: dict[str, object]) -> str:
    """Schedule a spider of the project with settings; return the job id."""
    fields = [("project", "souverain"), ("spider", spider)]
    fields += [("setting", f"{k}={json.dumps(v) if isinstance(v, dict) else v}") for k, v in settings.items()]
    with urllib.request.urlopen(url + "schedule.json", urllib.parse.urlencode(fields).encode()) as answer:
        reply = json.load(answer)
    assert reply["status"] == "ok", reply
    return str(reply["jobid"])


def wait_finished(url: str, jobs: list[str]) -> None:
    """Wait until Scrapyd lists every job as finished."""
    deadline = time.monotonic() + 600
    while True:
        with urllib.request.urlopen(url + "listjobs.json?project=souverain") as answer:
            finished = {job["id"] for job in json.load(answer)["finished"]}
        if set(jobs) <= finished:
            return
        assert time.monotonic() < deadline, "the Scrapyd jobs did not finish"
        time.sleep(0.2)


def archived(out: Path) -> tuple[set[str], int]:
    """Return the hosts with responses in the WARCs (each checked by warcio) and the number of dated files."""
    hosts = set()
    for warc in (out / "warc").glob("*.warc.gz"):
        assert warcio("check", str(warc)).returncode == 0
        with warc.open("rb") as stream:
            hosts |= {urllib.parse.urlsplit(r.rec_headers.get_header("WARC-Target-URI")).netloc
                      for r in ArchiveIterator(stream) if r.rec_type == "response"}
    return hosts, sum(1 for _ in (out / "articles").rglob("*.txt"))


def test_scrapyd_runs_both_spiders_and_both_as_redis_workers(scrapyd: str, tmp_path: Path) -> None:
    with MirrorProcess(articles=120) as mirror, redis_server() as redis:
        base = {"SOUVERAIN_SITE_ROOTS": dict(mirror.roots), "DOWNLOAD_DELAY": 0, "AUTOTHROTTLE_ENABLED": False,
                "PROGRESS_INTERVAL": 0}
        alone = tmp_path / "alone"
        wait_finished(scrapyd, [schedule(scrapyd, spider, {**base, "SOUVERAIN_OUT_DIR": alone})
                                for spider in ("clubic", "numerama")])
        hosts, texts = archived(alone)
        assert hosts == {urllib.parse.urlsplit(root).netloc for root in mirror.roots.values()} and texts > 0
        shared = {**base, **worker_settings(redis.url, "scrapyd-run", 0.0)}
        jobs = [schedule(scrapyd, spider, {**shared, "SOUVERAIN_OUT_DIR": tmp_path / f"worker{n}"})
                for n in range(2) for spider in ("clubic", "numerama")]
        wait_finished(scrapyd, jobs)
        workers = [archived(tmp_path / f"worker{n}") for n in range(2)]
        assert set().union(*(h for h, _ in workers)) == hosts
        assert sum(t for _, t in workers) == texts  # the two workers kept what one job per spider kept
