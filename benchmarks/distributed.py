"""Benchmark: one ``souverain crawl`` process vs N ``souverain crawl --redis`` workers on the same mirror.

Run from the repository root: ``.venv/bin/python -m benchmarks.distributed [--articles 360] [--delay 0.2]
[--workers 3]``. One mirror with an access log, one redis-server (127.0.0.1, persistence off) per distributed
crawl; in the same run: a single process (the baseline), N workers sharing the run, and N workers with the shared
per-host schedule off (``-s DISTRIBUTED_POLITENESS=0 -s DOWNLOAD_DELAY=…``: Scrapy's per-process delays). For each it prints
the wall time, pages fetched, duplicate fetches (URLs with more than one response record over all WARCs) and, per
host counted at the mirror, the busiest 10-second window against the limit ``1.1 × 10 s / delay``; then the
re-extraction rate of the workers' snapshot with the local pool and with ``--dask local``.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from crawler.mirror.accesslog import busiest_window, read_access_log
from crawler.mirror.process import MirrorProcess
from tests.redisserver import redis_server, responses

SOUVERAIN = Path(sys.executable).with_name("souverain")


@dataclass
class Crawl:
    """What one crawl (one process or N workers) cost."""

    label: str
    wall_seconds: float
    pages: int
    duplicates: int
    busiest: dict[str, int]
    outs: list[Path]


def crawl(label: str, mirror: MirrorProcess, log: Path, base: Path, delay: float, workers: int,
          *extra: str) -> Crawl:
    """Run one process (``workers`` 0) or N workers of a fresh shared run; measure it at the mirror."""
    start_line = len(read_access_log(log)) if log.exists() else 0
    outs = [base / label.replace(" ", "-") / f"w{n}" for n in range(max(workers, 1))]
    started = time.monotonic()
    if workers == 0:
        subprocess.run([str(SOUVERAIN), "crawl", "--out", str(outs[0]), "--delay", str(delay), "-q",
                        *mirror.root_args(), *extra])
    else:
        with redis_server() as redis:
            procs = [subprocess.Popen([str(SOUVERAIN), "crawl", "--out", str(out), "--delay", str(delay), "-q",
                                       "--redis", redis.url, *mirror.root_args(), *extra]) for out in outs]
            for proc in procs:
                proc.wait()
    wall = time.monotonic() - started
    requests = read_access_log(log)[start_line:]
    busiest = {site: busiest_window([float(r["t"]) for r in requests if r["site"] == site])  # type: ignore[arg-type]
               for site in sorted({str(r["site"]) for r in requests})}
    counts = responses(*outs)
    return Crawl(label, wall, sum(counts.values()), sum(1 for n in counts.values() if n > 1), busiest, outs)


def reextract_rates(outs: list[Path], base: Path, workers: int) -> dict[str, float]:
    """Snapshot the workers' folders, re-extract the snapshot locally and on ``--dask local``: articles a second
    each (the same ``workers`` processes both times)."""
    wacz = base / "workers.wacz"
    subprocess.run([str(SOUVERAIN), "snapshot", *[a for out in outs for a in ("--out", str(out))], "-o", str(wacz)],
                   check=True, capture_output=True)
    rates = {}
    for label, extra in (("local pool", []), ("--dask local", ["--dask", "local"])):
        dest = base / f"reextract-{len(rates)}"
        started = time.monotonic()
        subprocess.run([str(SOUVERAIN), "reextract", str(wacz), "--out", str(dest), "--workers", str(workers),
                        *extra], check=True, capture_output=True)
        articles = sum(1 for _ in (dest / "articles").rglob("*.txt"))
        rates[label] = articles / (time.monotonic() - started)
    return rates


def main() -> int:
    """Run the crawls and print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=360)
    parser.add_argument("--delay", type=float, default=0.2)
    parser.add_argument("--workers", type=int, default=3)
    args = parser.parse_args()
    limit = 1.1 * 10 / args.delay
    with tempfile.TemporaryDirectory(prefix="souverain-distributed-") as folder:
        base, log = Path(folder), Path(folder) / "access.jsonl"
        with MirrorProcess(articles=args.articles, access_log=log) as mirror:
            crawls = [
                crawl("1 process", mirror, log, base, args.delay, 0),
                crawl(f"{args.workers} workers", mirror, log, base, args.delay, args.workers),
                crawl(f"{args.workers} workers, per-process delays", mirror, log, base, args.delay, args.workers,
                      "-s", "DISTRIBUTED_POLITENESS=0", "-s", f"DOWNLOAD_DELAY={args.delay}",
                      "-s", "AUTOTHROTTLE_ENABLED=1"),
            ]
        rates = reextract_rates(crawls[1].outs, base, os.cpu_count() or 1)
    print(f"mirror of {args.articles} articles, --delay {args.delay}: limit {limit:.0f} requests per host per 10 s")
    print(f"{'crawl':<34} {'wall s':>7} {'pages':>6} {'dup. fetches':>12}  busiest 10-s window per host")
    for c in crawls:
        windows = ", ".join(f"{site} {n}" for site, n in c.busiest.items())
        print(f"{c.label:<34} {c.wall_seconds:7.1f} {c.pages:6d} {c.duplicates:12d}  {windows}")
    print("reextract of the workers' snapshot (process start included): "
          + ", ".join(f"{label} {rate:.1f} articles/s" for label, rate in rates.items()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
