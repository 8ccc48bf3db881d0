"""Benchmark: recall, precision, harvest rate and pages fetched of ``souverain crawl`` vs a plain breadth-first crawl.

Run from the repository root: ``.venv/bin/python -m benchmarks.discovery [--articles 2000] [--depth 3]``. Both crawl the same mirror
(``exclusive_share=0.2``: a fifth of the on-topic articles are reachable only through search, a tag listing or
a related link) in the same run, keep what souverain's pipelines keep, and are scored against the mirror's
ground truth; the baseline is ``benchmarks/bfs_spider.py``.
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
from urllib.parse import urlsplit

from crawler.mirror.corpus import build_corpus
from crawler.mirror.process import MirrorProcess

SOUVERAIN = Path(sys.executable).with_name("souverain")
REPO = Path(__file__).resolve().parents[1]
EXCLUSIVE_SHARE = 0.2


@dataclass
class Run:
    """What one crawler kept and fetched, and how long it took."""

    label: str
    seconds: float
    pages_fetched: int
    kept: set[int]
    kept_unknown: int


def run_crawler(args: list[str], roots: list[str], out: Path) -> tuple[float, int]:
    """Run a crawl command against the mirror; return its wall time and ``totals.pages_fetched`` of its report."""
    start = time.perf_counter()
    done = subprocess.run([*args, *roots, "--out", str(out)], capture_output=True, text=True, cwd=REPO)
    elapsed = time.perf_counter() - start
    if done.returncode:
        raise RuntimeError(f"{' '.join(args)} exited with {done.returncode}:\n{done.stderr}")
    report = json.loads(next((out / "runs").glob("*/report.json")).read_text(encoding="utf-8"))
    return elapsed, report["totals"]["pages_fetched"]


def kept_articles(out: Path, pages: dict[tuple[str, str], int]) -> tuple[set[int], int]:
    """Return the truth indices of the articles kept under ``out/articles`` and the count of unknown ones."""
    kept, unknown = set(), 0
    for path in (out / "articles").rglob("*.json"):
        record = json.loads(path.read_text(encoding="utf-8"))
        index = pages.get((record["site"], urlsplit(record["url"]).path))
        if index is None:
            unknown += 1
        else:
            kept.add(index)
    return kept, unknown


def measure(label: str, args: list[str], roots: list[str], out: Path,
            pages: dict[tuple[str, str], int]) -> Run:
    """Crawl, then collect what was kept."""
    seconds, fetched = run_crawler(args, roots, out)
    kept, unknown = kept_articles(out, pages)
    return Run(label, seconds, fetched, kept, unknown)


def main() -> int:
    """Crawl the mirror with souverain and breadth-first, print both against the ground truth."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=2000)
    parser.add_argument("--depth", type=int, default=3, help="depth limit of the breadth-first crawl")
    args = parser.parse_args()
    truth = build_corpus(seed=0, articles=args.articles, exclusive_share=EXCLUSIVE_SHARE).truth()
    # Every page of an article maps to it: the baseline keeps each page of a multi-page piece on its own.
    pages = {(a["site"], path): i for i, a in enumerate(truth) for path in a["page_paths"]}
    on_topic = {i for i, a in enumerate(truth) if a["on_topic"]}
    souverain = [str(SOUVERAIN), "crawl", "--delay", "0", "--concurrency", "8"]
    # As a module from the repository root: run as a script, benchmarks/incremental.py would shadow the
    # `incremental` package Twisted imports.
    bfs = [sys.executable, "-m", "benchmarks.bfs_spider", "--depth", str(args.depth)]
    with tempfile.TemporaryDirectory() as tmp, \
            MirrorProcess(articles=args.articles, exclusive_share=EXCLUSIVE_SHARE) as mirror:
        runs = [measure("souverain (topical discovery)", souverain, mirror.root_args(), Path(tmp, "souverain"), pages),
                measure(f"breadth-first, depth {args.depth} (all links)", bfs, mirror.root_args(), Path(tmp, "bfs"), pages)]
    print(f"mirror: {args.articles} articles (exclusive_share={EXCLUSIVE_SHARE}), {len(on_topic)} on topic")
    print("recall = on-topic articles kept / on-topic articles in the mirror; "
          "precision = kept articles on topic / articles kept;")
    print("harvest rate = on-topic articles kept / pages fetched; pages fetched = every HTTP response "
          "(robots.txt, sitemaps, listings, redirects and errors included)")
    print(f"{'':40}{'recall':>8}{'precision':>11}{'harvest':>9}{'pages':>8}{'kept':>6}{'time s':>8}")
    for run in runs:
        hits = len(run.kept & on_topic)
        kept = len(run.kept) + run.kept_unknown
        print(f"{run.label:40}{hits / len(on_topic):8.3f}{hits / kept if kept else 0:11.3f}"
              f"{hits / run.pages_fetched:9.4f}{run.pages_fetched:8d}{kept:6d}{run.seconds:8.1f}")
    project, baseline = runs
    harvest = [len(r.kept & on_topic) / r.pages_fetched for r in runs]
    print(f"ratios souverain / breadth-first: harvest rate ×{harvest[0] / harvest[1]:.2f}, "
          f"pages fetched ×{project.pages_fetched / baseline.pages_fetched:.2f}")
    print("recall by discovery channels of the on-topic articles (truth `channels`):")
    groups = Counter(tuple(truth[i]["channels"]) for i in on_topic)
    print(f"  {'channels':38}{'articles':>9}{'souverain':>15}{'breadth-first':>15}")
    for channels, count in sorted(groups.items(), key=lambda g: (len(g[0]), g[0])):
        members = {i for i in on_topic if tuple(truth[i]["channels"]) == channels}
        cells = "".join(f"{f'{len(r.kept & members)} ({len(r.kept & members) / count:.2f})':>15}" for r in runs)
        print(f"  {'+'.join(channels):38}{count:9d}{cells}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
