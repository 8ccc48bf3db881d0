"""Benchmark: a crawl offered a million URLs by the sitemaps, its peak memory and its time to read them.

Run from the repository root: ``nice -n 10 .venv/bin/python -m benchmarks.scale [--articles 100000]
[--extra 1000000] [--max-pages 300]``. It starts the procedural mirror (``crawler.mirror.procedural``) twice,
with and without ``--extra-sitemap-urls EXTRA`` (off-topic post URLs in Numerama's sitemaps), prints each start-up
time, reads every sitemap once so that the mirror's own writing is not timed, then crawls Numerama on each (the
real topic, ``--delay 0``, a page budget so that discovery dominates) while sampling the PSS of the crawl's whole
process tree. The run without the extra URLs is the baseline of the same run: memory per offered URL =
(peak PSS − baseline peak PSS) ÷ (URLs offered − baseline URLs offered), and the time to read the extra
sitemaps = the difference of the two crawls' wall times.
"""

from __future__ import annotations

import argparse
import gzip
import json
import re
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from benchmarks.pss import Sampled, run_sampled
from crawler.mirror.process import MirrorProcess

_LOC = re.compile(r"<loc>([^<]+)</loc>")


def read_sitemaps(root: str) -> int:
    """Fetch Numerama's sitemap index and every sitemap it lists (gzip asked, as a crawler does).

    Returns:
        The number of sitemaps read.
    """
    def get(url: str) -> str:
        request = urllib.request.Request(url, headers={"Accept-Encoding": "gzip"})
        with urllib.request.urlopen(request, timeout=600) as reply:
            body = reply.read()
            return (gzip.decompress(body) if reply.headers.get("Content-Encoding") == "gzip" else body).decode()

    children = _LOC.findall(get(root + "/sitemap_index.xml"))
    for child in children:
        get(child)
    return len(children)


def crawl(mirror: MirrorProcess, out: Path, max_pages: int) -> tuple[Sampled, dict[str, object]]:
    """Crawl the mirror's Numerama once, sampling the PSS of the crawl's process tree.

    Returns:
        The sampled run and the site's summary in its report.
    """
    script = Path(sys.executable).with_name("souverain")
    command = [str(script), "crawl", "--out", str(out), "--site", "numerama", "--root",
               f"numerama={mirror.roots['numerama']}", "--cdn-root", f"numerama={mirror.cdn}", "--delay", "0",
               "--max-pages", str(max_pages), "-q"]
    run = run_sampled(command)
    if run.returncode != 0:
        raise SystemExit(f"crawl failed ({run.returncode}): {run.stderr[-2000:]}")
    report = json.loads(next(out.glob("runs/*/report.json")).read_text(encoding="utf-8"))
    summary: dict[str, object] = report["sites"]["numerama"]["summary"]
    return run, summary


def measure(articles: int, extra: int, max_pages: int) -> tuple[float, Sampled, int]:
    """Start a mirror, warm its sitemaps, crawl it.

    Returns:
        The mirror's start-up seconds, the sampled crawl, the URLs it was offered.
    """
    started = time.perf_counter()
    with MirrorProcess(articles=articles, procedural=True, extra_sitemap_urls=extra, startup_timeout=120) as mirror:
        startup = time.perf_counter() - started
        warm = time.perf_counter()
        files = read_sitemaps(mirror.roots["numerama"])
        print(f"  mirror ({articles:,} articles, {extra:,} extra URLs): listening after {startup:.2f} s; "
              f"{files} sitemaps written and read once in {time.perf_counter() - warm:.1f} s", flush=True)
        with tempfile.TemporaryDirectory(prefix="scale-") as out:
            run, summary = crawl(mirror, Path(out), max_pages)
    offered = int(summary.get("discovered", 0))  # type: ignore[call-overload]
    print(f"  crawl: {offered:,} URLs offered, {summary.get('pages_fetched')} pages fetched, "
          f"peak PSS {run.peak_kib / 1024:.0f} MiB, {run.seconds:.1f} s", flush=True)
    return startup, run, offered


def main() -> int:
    """Print peak PSS, time to read the sitemaps and memory per offered URL beside the baseline."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=100_000)
    parser.add_argument("--extra", type=int, default=1_000_000)
    parser.add_argument("--max-pages", type=int, default=300)
    args = parser.parse_args()
    print("baseline: no extra URLs")
    _, base, base_offered = measure(args.articles, 0, args.max_pages)
    print(f"measured: {args.extra:,} extra URLs")
    startup, run, offered = measure(args.articles, args.extra, args.max_pages)
    more = max(offered - base_offered, 1)
    per_url = (run.peak_kib - base.peak_kib) * 1024 / more
    seconds = run.seconds - base.seconds
    print(f"peak PSS of the crawl's process tree: {run.peak_kib / 1024:.0f} MiB offered {offered:,} URLs; "
          f"baseline {base.peak_kib / 1024:.0f} MiB offered {base_offered:,} (limit 500 MB: "
          f"{'met' if run.peak_kib * 1024 < 500e6 else 'NOT met'})")
    print(f"memory per offered URL: {per_url:.0f} bytes ({more:,} more URLs)")
    print(f"time to read the extra sitemaps: {seconds:.1f} s ({seconds / more * 1e6:.0f} µs a URL; crawl "
          f"{run.seconds:.1f} s, baseline {base.seconds:.1f} s)")
    print(f"mirror start-up at {args.articles:,} articles: {startup:.2f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
