"""Benchmark: recall, precision, harvest rate and pages fetched of ``souverain crawl`` vs a plain breadth-first crawl.

Run from the repository root: ``.venv/bin/python -m benchmarks.discovery [--articles 2000] [--depth 3] [--skin NAME]…``.
For each skin of the mirror (default: all; the profiles were written for ``default`` only), both crawl the same
mirror (``exclusive_share=0.2``: a fifth of the on-topic articles are reachable only through search, a tag
listing or a related link) in the same run, keep what souverain's pipelines keep, and are scored against the
mirror's ground truth; the baseline is ``benchmarks/bfs_spider.py``. The profile drift of souverain's run
(rules that matched nothing on the skin) is printed under its figures.
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

from crawler.mirror.process import MirrorProcess
from crawler.mirror.skins import SKIN_NAMES

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


def on_skin(skin: str, args: argparse.Namespace) -> tuple[list[dict], list[Run], dict[str, dict[str, int]]]:
    """Crawl one skin of the mirror with souverain and breadth-first; return its truth, both runs and the drift."""
    souverain = [str(SOUVERAIN), "crawl", "--delay", "0", "--concurrency", "8"]
    # As a module from the repository root: run as a script, benchmarks/incremental.py would shadow the
    # `incremental` package Twisted imports.
    bfs = [sys.executable, "-m", "benchmarks.bfs_spider", "--depth", str(args.depth)]
    with tempfile.TemporaryDirectory() as tmp, \
            MirrorProcess(articles=args.articles, exclusive_share=EXCLUSIVE_SHARE, skin=skin) as mirror:
        truth = mirror.truth()
        # Every page of an article maps to it: the baseline keeps each page of a multi-page piece on its own.
        pages = {(a["site"], path): i for i, a in enumerate(truth) for path in a["page_paths"]}
        runs = [measure("souverain (topical discovery)", souverain, mirror.root_args(), Path(tmp, "souverain"), pages),
                measure(f"breadth-first, depth {args.depth}", bfs, mirror.root_args(), Path(tmp, "bfs"), pages)]
        report = json.loads(next(Path(tmp, "souverain", "runs").glob("*/report.json")).read_text(encoding="utf-8"))
    return truth, runs, {name: site.get("drift") or {} for name, site in report["sites"].items()}


def print_skin(skin: str, truth: list[dict], runs: list[Run], drift: dict[str, dict[str, int]]) -> None:
    """Print one skin's figures for both crawlers, the recall per discovery channel and the drift."""
    on_topic = {i for i, a in enumerate(truth) if a["on_topic"]}
    link_only = {i for i in on_topic if truth[i]["channels"] == ["related"]}
    silent = {i for i in on_topic if not truth[i].get("slug_names_topic", True)}
    print(f"\nskin {skin}: {len(truth)} articles, {len(on_topic)} on topic, {len(link_only)} reachable only through "
          f"related links, {len(silent)} whose slug does not name the topic")
    print(f"  {'':32}{'recall':>8}{'precision':>11}{'harvest':>9}{'pages':>7}{'pages/on-topic':>16}"
          f"{'link-only':>11}{'silent slugs':>14}{'time s':>8}")
    for run in runs:
        hits = len(run.kept & on_topic)
        kept = len(run.kept) + run.kept_unknown
        print(f"  {run.label:32}{hits / len(on_topic):8.3f}{hits / kept if kept else 0:11.3f}"
              f"{hits / run.pages_fetched:9.4f}{run.pages_fetched:7d}{run.pages_fetched / max(hits, 1):16.2f}"
              f"{f'{len(run.kept & link_only)}/{len(link_only)}':>11}{f'{len(run.kept & silent)}/{len(silent)}':>14}"
              f"{run.seconds:8.1f}")
    print("  recall by discovery channels of the on-topic articles (truth `channels`):")
    groups = Counter(tuple(truth[i]["channels"]) for i in on_topic)
    for channels, count in sorted(groups.items(), key=lambda g: (len(g[0]), g[0])):
        members = {i for i in on_topic if tuple(truth[i]["channels"]) == channels}
        cells = "".join(f"{f'{len(r.kept & members)} ({len(r.kept & members) / count:.2f})':>15}" for r in runs)
        print(f"    {'+'.join(channels):36}{count:6d}{cells}")
    lines = [f"{site} {rule} on {count} page{'s' if count > 1 else ''}" for site, rules in drift.items() for rule, count in rules.items()]
    print(f"  drift (profile rules that matched nothing, generic reading used): {'; '.join(lines) or 'none'}")


def main() -> int:
    """Crawl each skin of the mirror with souverain and breadth-first, print both against the ground truth."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=2000)
    parser.add_argument("--depth", type=int, default=3, help="depth limit of the breadth-first crawl")
    parser.add_argument("--skin", action="append", choices=SKIN_NAMES, dest="skins",
                        help=f"mirror skin to crawl, repeatable (default: all of {', '.join(SKIN_NAMES)})")
    args = parser.parse_args()
    print(f"mirror: {args.articles} articles, exclusive_share={EXCLUSIVE_SHARE}; souverain runs with the default "
          "profiles and topic, --delay 0 --concurrency 8")
    print("recall = on-topic articles kept / on-topic articles in the mirror; "
          "precision = kept articles on topic / articles kept;")
    print("harvest rate = on-topic articles kept / pages fetched; pages fetched = every HTTP response "
          "(robots.txt, sitemaps, listings, redirects and errors included)")
    for skin in args.skins or SKIN_NAMES:
        print_skin(skin, *on_skin(skin, args))
    return 0


if __name__ == "__main__":
    sys.exit(main())
