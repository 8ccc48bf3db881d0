"""Benchmark: a second ``souverain crawl`` of an unchanged mirror vs the first one (time, pages, WARC bytes, files).

Run from the repository root: ``.venv/bin/python -m benchmarks.incremental [--articles 2000] [--delay 0] [--no-recheck]``. One mirror,
three crawls into the same output folder in the same run: the first (the baseline), a second on the unchanged
mirror (only conditional requests where the revisit policy says so, revisit records, no new dated file), and a
third with ``--recheck`` (every known article re-checked with a conditional GET), the cost of a full re-check.
With ``--delay 0`` the times measure the crawler's own work. With a politeness delay (e.g. ``--delay 0.2``) each
request waits its turn, so the crawl time should follow the number of requests and the time ratio the pages
ratio; ``--delay > 0`` also turns AutoThrottle on, which starts at ``AUTOTHROTTLE_START_DELAY`` and never
shortens the delay on a 304, so a gap between the two ratios is time spent waiting, not working.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from warcio.archiveiterator import ArchiveIterator

from crawler.mirror.process import MirrorProcess
from crawler.profiles import SiteProfile, get_profile

SOUVERAIN = Path(sys.executable).with_name("souverain")
RECORD_TYPES = ("response", "revisit", "request")


@dataclass
class Run:
    """What one crawl cost and wrote."""

    label: str
    wall_seconds: float
    crawl_seconds: float
    pages_fetched: int
    warc_bytes: int
    new_files: int
    changed_files: int
    records: Counter


def tree(folder: Path, pattern: str) -> dict[Path, tuple[int, float]]:
    """Return (size, mtime) of every file under ``folder`` matching ``pattern``."""
    return {p: (p.stat().st_size, p.stat().st_mtime) for p in folder.rglob(pattern) if p.is_file()}


def count_records(warcs: list[Path], profiles: list[SiteProfile]) -> Counter:
    """Count records by type, and responses and revisits of article URLs as ``"<type> (article)"``."""
    counts: Counter = Counter()
    for warc in warcs:
        with warc.open("rb") as stream:
            for record in ArchiveIterator(stream):
                counts[record.rec_type] += 1
                url = record.rec_headers.get_header("WARC-Target-URI") or ""
                if record.rec_type in ("response", "revisit") and any(p.match_article(url) for p in profiles):
                    counts[f"{record.rec_type} (article)"] += 1
    return counts


def crawl(label: str, mirror: MirrorProcess, out: Path, delay: float, *extra: str) -> Run:
    """Run one ``souverain crawl`` into ``out``; measure it and what it added to ``warc/`` and ``articles/``."""
    warcs_before, files_before = tree(out / "warc", "*.warc*"), tree(out / "articles", "*")
    reports_before = set((out / "runs").glob("*/report.json"))
    args = [str(SOUVERAIN), "crawl", "--out", str(out), "--delay", str(delay), "--concurrency", "8", *extra,
            *mirror.root_args()]
    start = time.perf_counter()
    done = subprocess.run(args, capture_output=True, text=True)
    wall = time.perf_counter() - start
    if done.returncode:
        raise RuntimeError(f"{label}: souverain crawl exited with {done.returncode}:\n{done.stderr[-3000:]}")
    report_path, = set((out / "runs").glob("*/report.json")) - reports_before
    totals = json.loads(report_path.read_text(encoding="utf-8"))["totals"]
    warcs_after, files_after = tree(out / "warc", "*.warc*"), tree(out / "articles", "*")
    new_warcs = sorted(set(warcs_after) - set(warcs_before))
    profiles = [get_profile(name, mirror.roots) for name in mirror.roots]
    return Run(label, wall, totals["elapsed_seconds"], totals["pages_fetched"],
               sum(warcs_after[p][0] for p in new_warcs), len(set(files_after) - set(files_before)),
               sum(1 for p, stat in files_before.items() if files_after.get(p) != stat),
               count_records(new_warcs, profiles))


def main() -> int:
    """Crawl the mirror twice (and once more with ``--recheck``) and print the runs side by side."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=2000)
    parser.add_argument("--delay", type=float, default=0.0, help="politeness delay of every crawl (default: 0)")
    parser.add_argument("--no-recheck", action="store_true", help="skip the third crawl with --recheck")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp, MirrorProcess(articles=args.articles) as mirror:
        out = Path(tmp, "out")
        runs = [crawl("first run", mirror, out, args.delay),
                crawl("second run (unchanged)", mirror, out, args.delay)]
        if not args.no_recheck:
            runs.append(crawl("third run, --recheck", mirror, out, args.delay, "--recheck"))
    print(f"mirror: {args.articles} articles, unchanged between runs; --delay {args.delay} --concurrency 8")
    print("wall = subprocess time; crawl = totals.elapsed_seconds (no start-up); WARC bytes = size of the WARC "
          "files the run created; files = dated files under articles/ created / existing ones modified")
    print(f"{'':24}{'wall s':>8}{'crawl s':>9}{'pages':>7}{'WARC bytes':>12}{'new files':>11}{'modified':>10}"
          + "".join(f"{kind:>10}" for kind in RECORD_TYPES) + f"{'resp art.':>11}{'rev. art.':>11}")
    for run in runs:
        print(f"{run.label:24}{run.wall_seconds:8.2f}{run.crawl_seconds:9.2f}{run.pages_fetched:7d}"
              f"{run.warc_bytes:12d}{run.new_files:11d}{run.changed_files:10d}"
              + "".join(f"{run.records[kind]:10d}" for kind in RECORD_TYPES)
              + f"{run.records['response (article)']:11d}{run.records['revisit (article)']:11d}")
    first = runs[0]
    for run in runs[1:]:
        print(f"ratios {run.label} / first run: crawl time {run.crawl_seconds / first.crawl_seconds:.1%}, "
              f"wall time {run.wall_seconds / first.wall_seconds:.1%}, "
              f"pages {run.pages_fetched / first.pages_fetched:.1%}, WARC bytes {run.warc_bytes / first.warc_bytes:.1%}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
