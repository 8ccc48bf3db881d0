"""Benchmark: ``souverain snapshot`` and ``verify`` on a 1 GB set of WARCs vs ``sha256sum`` of the same bytes.

Run from the repository root: ``nice -n 10 .venv/bin/python -m benchmarks.offline [--gigabytes 1] [--out DIR]``.
The set is built from one keep-everything crawl of the mirror (or the output folder ``--out`` names): its WARC
files are copied under new serial numbers (``…-00001-…``, ``…-00002-…``) until the set holds the size asked, beside
the crawl's ``articles/``; the copies repeat the same records, which is what an archive of many runs looks like to
the snapshot's readers. ``sha256sum`` reads the WARCs (for snapshot) and the WACZ (for verify) in the same run:
the figures to read are the ratios (the issue asks for at least 0.5). Beside them, what reading the records at all
costs, in the same run: ``gzip -dc`` of the WARCs (zlib's inflate in C, one core: every record is its own gzip
member, and the index, the run log and the checks need the records' bytes), warcio's record iteration (one core,
no record read) and ``cdxj-indexer`` (the index a snapshot ships). Each sets a ceiling: a command that must hash
every byte (the manifest, the digests) and inflate every record can do no better, on every core, than
cores × sha256sum's time ÷ (sha256sum's time + the reader's).
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

from warcio.archiveiterator import ArchiveIterator

from archive.warc.naming import parse_warc_name
from benchmarks.reextract import SOUVERAIN, keep_everything_crawl

CDXJ_INDEXER = SOUVERAIN.with_name("cdxj-indexer")


def build_set(crawl: Path, dest: Path, size: int) -> list[Path]:
    """Copy a crawl's WARC files under new serials into ``dest/warc`` until they hold ``size`` bytes; copy its
    dated files to ``dest/articles``; return the WARC files."""
    sources = sorted((crawl / "warc").glob("*.warc.gz"))
    (dest / "warc").mkdir(parents=True)
    shutil.copytree(crawl / "articles", dest / "articles")
    copies, total, serial = [], 0, 0
    while total < size:
        for source in sources:
            name = parse_warc_name(source.name)
            if name is None:
                raise SystemExit(f"{source.name}: not a souverain WARC name")
            serial += 1
            target = dest / "warc" / str(replace(name, serial=name.serial + serial))
            shutil.copyfile(source, target)
            copies.append(target)
            total += target.stat().st_size
    return copies


def timed(args: list[str]) -> float:
    """Run a command (its output discarded) and return its wall time; stop the benchmark if it fails."""
    start = time.perf_counter()
    done = subprocess.run(args, capture_output=True, text=True)
    if done.returncode:
        raise SystemExit(f"{' '.join(args[:3])}… failed: {done.stderr.strip()[-500:]}")
    return time.perf_counter() - start


def warcio_iteration(warcs: list[Path]) -> float:
    """Iterate over every record of the WARCs with warcio, reading none; return the wall time."""
    start = time.perf_counter()
    for warc in warcs:
        with warc.open("rb") as stream:
            for _record in ArchiveIterator(stream):
                pass
    return time.perf_counter() - start


def main() -> int:
    """Build the set, then time sha256sum, snapshot and verify side by side."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=2000, help="mirror size of the crawl the set copies")
    parser.add_argument("--gigabytes", type=float, default=1.0, help="size of the WARC set")
    parser.add_argument("--out", type=Path, help="an existing crawl's output folder to copy (no crawl then)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        crawl = args.out or keep_everything_crawl(args.articles, work)
        warcs = build_set(crawl, work / "set", int(args.gigabytes * 1e9))
        megabytes = sum(path.stat().st_size for path in warcs) / 1e6
        wacz = work / "set.wacz"
        sha_warcs = timed(["sha256sum", *map(str, warcs)])
        snapshot = timed([str(SOUVERAIN), "snapshot", "--out", str(work / "set"), "-o", str(wacz)])
        wacz_mb = wacz.stat().st_size / 1e6
        sha_wacz = timed(["sha256sum", str(wacz)])
        verify = timed([str(SOUVERAIN), "verify", str(wacz)])
        inflate = timed(["sh", "-c", 'gzip -dc "$@" > /dev/null', "gzip", *map(str, warcs)])
        iteration = warcio_iteration(warcs)
        indexer = timed([str(CDXJ_INDEXER), "-o", str(work / "index.cdxj"), *map(str, warcs)])
    cores = len(os.sched_getaffinity(0))
    print(f"{len(warcs)} WARC files, {megabytes:,.0f} MB; WACZ {wacz_mb:,.0f} MB")
    print(f"{'':40}{'time s':>8}{'MB/s':>9}{'vs sha256sum':>14}")
    print(f"{'sha256sum of the WARCs':40}{sha_warcs:8.1f}{megabytes / sha_warcs:9.1f}")
    print(f"{'souverain snapshot':40}{snapshot:8.1f}{megabytes / snapshot:9.1f}{sha_warcs / snapshot:14.2f}")
    print(f"{'sha256sum of the WACZ':40}{sha_wacz:8.1f}{wacz_mb / sha_wacz:9.1f}")
    print(f"{'souverain verify':40}{verify:8.1f}{wacz_mb / verify:9.1f}{sha_wacz / verify:14.2f}")
    readers = (("gzip -dc of the WARCs", inflate), ("warcio record iteration", iteration),
               ("cdxj-indexer", indexer))
    for label, seconds in readers:
        print(f"{label + ' (one core)':40}{seconds:8.1f}{megabytes / seconds:9.1f}{sha_warcs / seconds:14.2f}")
    print(f"ceilings on {cores} cores (hash every byte and read every record), × sha256sum:")
    for label, seconds in readers:
        print(f"  reading with {label}: snapshot {cores * sha_warcs / (sha_warcs + seconds):.2f}, "
              f"verify {cores * sha_wacz / (sha_wacz + seconds):.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
