"""Workers sharing one crawl through a real redis-server, on the mirror, as real ``souverain crawl --redis`` processes:
they keep what one process keeps, fetch nothing twice, and a SIGKILLed worker's requests are taken over."""

from __future__ import annotations

import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from redis import Redis
from warcio.archiveiterator import ArchiveIterator

from crawler.mirror.accesslog import busiest_window, read_access_log
from crawler.mirror.process import MirrorProcess
from crawler.profiles import get_profile
from tests.conftest import dated_files, souverain
from tests.redisserver import RedisServer, redis_server, responses

ARTICLES = 200
DELAY = "0.2"


@pytest.fixture(scope="module")
def mirror(tmp_path_factory: pytest.TempPathFactory) -> Iterator[MirrorProcess]:
    log = tmp_path_factory.mktemp("mirror") / "access.jsonl"
    with MirrorProcess(articles=ARTICLES, access_log=log) as served:
        yield served


def busiest_windows(mirror: MirrorProcess, since: int) -> dict[str, int]:
    """Return, per site, the most requests the mirror got in any 10 s since its ``since``-th request."""
    requests = read_access_log(mirror.access_log)[since:]
    return {site: busiest_window([r["t"] for r in requests if r["site"] == site]) for site in ("clubic", "numerama")}


@pytest.fixture
def redis() -> Iterator[RedisServer]:
    with redis_server() as server:
        yield server


@pytest.fixture(scope="module")
def single_out(mirror: MirrorProcess, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The output folder of one process crawling the mirror at the same delay."""
    out = tmp_path_factory.mktemp("single") / "out"
    done = souverain("crawl", "--out", str(out), "--delay", DELAY, "-q", *mirror.root_args())
    assert done.returncode == 0, done.stderr[-3000:]
    return out


@pytest.fixture(scope="module")
def one_process(single_out: Path) -> set[str]:
    """The article paths one process keeps on the mirror at the same delay."""
    return kept(single_out)


def requisites(counts: Counter[str]) -> set[str]:
    """Return the page requisites (style sheets, fonts, images, scripts) among counted responses."""
    return {url for url in counts if "/assets/" in url or "/cdn/" in url}


def start_workers(count: int, redis: RedisServer, mirror: MirrorProcess, base: Path,
                  *extra: str) -> list[subprocess.Popen[str]]:
    """Start ``count`` workers of one shared run, each with its own output folder ``base/wN``."""
    script = Path(sys.executable).with_name("souverain")
    return [subprocess.Popen([str(script), "crawl", "--out", str(base / f"w{n}"), "--delay", DELAY, "-q",
                              "--redis", redis.url, *mirror.root_args(), *extra],
                             text=True, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
            for n in range(count)]


def finish(workers: list[subprocess.Popen[str]]) -> list[tuple[int, str]]:
    """Wait for every worker; return (exit status, stderr) of each."""
    return [(w.returncode, err) for w in workers for _out, err in [w.communicate(timeout=600)]]


def kept(*outs: Path) -> set[str]:
    """Return the URL paths of the articles kept in output folders (their dated JSON records)."""
    return {urlsplit(json.loads(p.read_text(encoding="utf-8"))["url"]).path
            for out in outs for p in (out / "articles").rglob("*.json")}


def worker_parts(*outs: Path) -> list[dict]:
    """Return the workers' parts of the run reports in output folders."""
    return [json.loads(p.read_text(encoding="utf-8")) for out in outs for p in (out / "runs").glob("*/workers/*.json")]


def merged_report(*outs: Path) -> tuple[Path, dict]:
    """Return the one ``report.json`` of a distributed run (written by its last worker) and its content."""
    paths = [path for out in outs for path in (out / "runs").glob("*/report.json")]
    assert len(paths) == 1, paths
    return paths[0], json.loads(paths[0].read_text(encoding="utf-8"))


def test_three_workers_keep_what_one_process_keeps_and_fetch_nothing_twice(
        mirror: MirrorProcess, redis: RedisServer, one_process: set[str], single_out: Path, tmp_path: Path) -> None:
    since = len(read_access_log(mirror.access_log))
    results = finish(start_workers(3, redis, mirror, tmp_path))
    assert all(status == 0 for status, _ in results), results
    windows = busiest_windows(mirror, since)  # politeness across workers, counted at the mirror
    assert all(0 < count <= 1.1 * 10 / float(DELAY) for count in windows.values()), windows
    outs = [tmp_path / f"w{n}" for n in range(3)]
    assert kept(*outs) == one_process and len(one_process) >= 10
    counts = responses(*outs)
    # No URL twice, robots.txt neither: each worker reads it for itself, the first of the run archives it.
    assert not {url: n for url, n in counts.items() if n > 1}
    # Requisite requests (an extension's callbacks) go through the shared queue too: the same ones are fetched.
    assert requisites(counts) == requisites(responses(single_out)) and requisites(counts)
    parts = worker_parts(*outs)
    assert len(parts) == 3 and len({part["run_id"] for part in parts}) == 1  # one shared run
    path, merged = merged_report(*outs)  # one report for the run, one line per worker
    assert sorted(line["worker"] for line in merged["workers"]) == sorted(part["worker"] for part in parts)
    assert merged["totals"]["articles_kept"] == len(one_process) == sum(
        line["totals"]["articles_kept"] for line in merged["workers"])
    assert merged["totals"]["pages_fetched"] == sum(part["totals"]["pages_fetched"] for part in parts)
    assert not any("requested by another worker" in entry["reason"]
                   for site in merged["sites"].values() for entry in site["not_kept"])
    # Each URL is judged once, by the worker that fetched it: the merge counts what one process counts.
    single = json.loads(next((single_out / "runs").glob("*/report.json")).read_text(encoding="utf-8"))
    for site, figures in single["sites"].items():
        judged = ("fetched", "kept", "unchanged", "rejected", "pending")
        one, shared = figures["discovery"]["total"], merged["sites"][site]["discovery"]["total"]
        assert {key: shared[key] for key in judged} == {key: one[key] for key in judged}, site
        assert merged["sites"][site]["summary"]["not_completed"] == 0 and "known" not in shared["skipped"], site
    written = path.read_bytes()
    done = souverain("report", *[arg for out in outs for arg in ("--out", str(out))])  # from the folders alone
    assert done.returncode == 0, done.stderr[-2000:]
    assert (outs[0] / "runs" / merged["run_id"] / "report.json").read_bytes() == written  # the same merge
    assert all(len(counts) > 0 for counts in (responses(out) for out in outs))  # every worker took part
    assert not Redis.from_url(redis.url).exists("souverain:open-run")  # the last worker closed the run
    snapshot_of_workers(outs, tmp_path)


def snapshot_of_workers(outs: list[Path], tmp_path: Path) -> None:
    """One snapshot over the workers' folders: valid, verified, reproducible, and re-extracted byte for byte."""
    folders = [arg for out in outs for arg in ("--out", str(out))]
    first, second = tmp_path / "run.wacz", tmp_path / "again.wacz"
    for dest in (first, second):
        done = souverain("snapshot", *folders, "-o", str(dest))
        assert done.returncode == 0, done.stderr[-2000:]
    assert first.read_bytes() == second.read_bytes()
    validate = subprocess.run([str(Path(sys.executable).with_name("wacz")), "validate", "-f", str(first)],
                              capture_output=True, text=True, timeout=300)
    assert validate.returncode == 0, validate.stdout[-2000:] + validate.stderr[-2000:]
    verify = souverain("verify", str(first))
    assert verify.returncode == 0, verify.stdout[-2000:]
    done = souverain("reextract", str(first), "--out", str(tmp_path / "reextracted"))
    assert done.returncode == 0, done.stderr[-2000:]
    crawled = {path: content for out in outs for path, content in dated_files(out).items()}
    assert dated_files(tmp_path / "reextracted") == crawled and crawled
    done = souverain("reextract", *map(str, outs), "--out", str(tmp_path / "from-folders"))  # the folders themselves
    assert done.returncode == 0, done.stderr[-2000:]
    assert tree_bytes(tmp_path / "from-folders") == tree_bytes(tmp_path / "reextracted")
    done = souverain("reextract", str(first), "--out", str(tmp_path / "on-dask"), "--dask", "local", "--workers", "2")
    assert done.returncode == 0, done.stderr[-2000:]
    assert tree_bytes(tmp_path / "on-dask") == tree_bytes(tmp_path / "reextracted")  # byte for byte


def tree_bytes(out: Path) -> dict[str, bytes]:
    return {p.relative_to(out).as_posix(): p.read_bytes() for p in (out / "articles").rglob("*") if p.is_file()}


def leased_articles(server: Redis, worker: str) -> list[str]:
    """Return the article URLs a worker holds leases on right now."""
    urls = []
    for key in server.scan_iter("souverain:*:requests:leases"):
        for raw in server.hvals(key):
            lease = json.loads(raw)
            request = json.loads(lease["data"])
            if lease["worker"] == worker and request["meta"].get("kind") == "article":
                urls.append(request["url"])
    return urls


def test_a_sigkilled_workers_requests_are_taken_over(mirror: MirrorProcess, redis: RedisServer,
                                                     one_process: set[str], tmp_path: Path) -> None:
    workers = start_workers(3, redis, mirror, tmp_path, "-s", "DISTRIBUTED_LEASE_SECONDS=4")
    server = Redis.from_url(redis.url)
    ids = {f"{socket.gethostname()}-{w.pid}": n for n, w in enumerate(workers)}
    deadline = time.monotonic() + 300
    held: list[str] = []
    while len(held) < 2:  # the event: some worker holds leases on two article requests
        assert all(w.poll() is None for w in workers) and time.monotonic() < deadline, "no worker held two articles"
        victim, held = max(((wid, leased_articles(server, wid)) for wid in ids), key=lambda found: len(found[1]))
        time.sleep(0.05)
    os.kill(workers[ids[victim]].pid, signal.SIGKILL)
    results = finish(workers)
    dead = ids[victim]
    assert results[dead][0] == -signal.SIGKILL, results
    assert all(status == 0 for n, (status, _) in enumerate(results) if n != dead), results
    outs = [tmp_path / f"w{n}" for n in range(3)]
    others = [out for n, out in enumerate(outs) if n != dead]
    assert kept(*outs) == one_process  # nothing on topic lost
    survivors = responses(*others)
    assert all(any(key.endswith(urlsplit(url).path + "?") for key in survivors) for url in held), held
    _path, merged = merged_report(*others)
    takeovers = [t for site in merged["sites"].values() for t in site["distributed"]["taken_over"]]
    assert set(held) <= {t["url"] for t in takeovers}
    assert all(t["worker"] == victim for t in takeovers)


def test_workers_wait_for_a_stopped_redis_and_lose_nothing(mirror: MirrorProcess, redis: RedisServer,
                                                           one_process: set[str], tmp_path: Path) -> None:
    workers = start_workers(2, redis, mirror, tmp_path)
    server = Redis.from_url(redis.url)
    logs = [tmp_path / f"w{n}" for n in range(2)]
    deadline = time.monotonic() + 300
    # The event: both sites' crawlers of both workers are open (their schedulers reached Redis), requests leased.
    while not (all(crawl_log(out).count("Spider opened") == 2 for out in logs)
               and any(server.hlen(key) for key in server.scan_iter("souverain:*:requests:leases"))):
        assert all(w.poll() is None for w in workers) and time.monotonic() < deadline, "no request ever leased"
        time.sleep(0.05)
    redis.pause()
    try:
        while not all(said_unreachable(out) for out in logs):  # the event: each worker noticed
            assert all(w.poll() is None for w in workers) and time.monotonic() < deadline, "nobody noticed"
            time.sleep(0.1)
        time.sleep(10)  # the outage the issue asks for: Redis stopped for 10 s
    finally:
        redis.resume()
    results = finish(workers)
    assert all(status == 0 for status, _ in results), results
    assert kept(*logs) == one_process
    for out in logs:
        assert 1 <= said_unreachable(out) <= 2, crawl_log(out)[-3000:]  # one line per site the worker crawls
        assert "Redis answers again" in crawl_log(out)


def crawl_log(out: Path) -> str:
    return "".join(p.read_text(encoding="utf-8") for p in (out / "runs").glob("*/crawl.log")) \
        if (out / "runs").is_dir() else ""


def said_unreachable(out: Path) -> int:
    """Return how many times a worker's schedulers logged that Redis went away (the stem reservations say it apart)."""
    return len(re.findall(r"Redis unreachable \([^\n]*\): waiting for it", crawl_log(out)))


def article_records(mirror: MirrorProcess, warcs: list[Path]) -> Counter[str]:
    """Count the records of article URLs (as the profiles say) by type (response, revisit) in WARC files."""
    profiles = [get_profile(name, mirror.roots) for name in mirror.roots]
    counts: Counter[str] = Counter()
    for warc in warcs:
        with warc.open("rb") as stream:
            for record in ArchiveIterator(stream):
                url = record.rec_headers.get_header("WARC-Target-URI") or ""
                if record.rec_type in ("response", "revisit") and any(p.match_article(url) for p in profiles):
                    counts[record.rec_type] += 1
    return counts


def test_a_second_run_of_three_workers_fetches_no_article_body_again(
        mirror: MirrorProcess, redis: RedisServer, one_process: set[str], tmp_path: Path) -> None:
    shared_warcs = ("-s", f"WARC_DIR={tmp_path / 'warc'}")  # on storage every worker sees (docs/distributed.md)
    first = finish(start_workers(3, redis, mirror, tmp_path, *shared_warcs))
    assert all(status == 0 for status, _ in first), first
    outs = [tmp_path / f"w{n}" for n in range(3)]
    assert kept(*outs) == one_process
    before = set((tmp_path / "warc").glob("*.warc.gz"))
    assert article_records(mirror, sorted(before))["response"] >= len(one_process)
    second = finish(start_workers(3, redis, mirror, tmp_path, *shared_warcs, "--recheck"))
    assert all(status == 0 for status, _ in second), second
    records = article_records(mirror, sorted(set((tmp_path / "warc").glob("*.warc.gz")) - before))
    assert records["response"] == 0 and records["revisit"] >= len(one_process), records
    assert kept(*outs) == one_process  # no new dated file either
