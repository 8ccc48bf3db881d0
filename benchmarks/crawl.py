"""Benchmark: ``souverain crawl`` on a 2,000-article mirror vs trafilatura on every core and ``wget --warc-file``.

Run from the repository root: ``.venv/bin/python -m benchmarks.crawl [--articles 2000] [--profile]``. The crawl
uses a topic that keeps every article, so that all of them pass through fetch, WARC, extraction, scoring and dated
files (the real topic fetches only the ~500 promising pages: see ``benchmarks/discovery.py``). Measured in the
same run on the same pages:

- souverain end to end (``--delay 0``): kept articles/s and pages/s;
- the trafilatura limit: ``trafilatura.extract`` of the same articles' pages in a pool of one process per core
  (started before the clock starts);
- ``wget --warc-file`` fetching the same HTML pages: pages/s;
- souverain ``--archive-only`` (fetch, discovery and WARC, no extraction): pages/s;
- Scrapy's own ceiling: ``benchmarks/bare_scrapy.py`` (a spider that keeps nothing) requesting every URL each
  souverain crawl requested (its WARC request records): pages/s and CPU seconds.

The figures to read are the two ratios, printed against their thresholds (issue 13: ≥ 0.6 and ≥ 0.5), each beside
the ceiling Scrapy itself sets: the bare spider's pages/s ÷ wget's, and for the end-to-end crawl the kept articles/s
of a crawl that would cost only the bare spider's CPU plus the trafilatura pool's (both on the same cores).
``--profile`` runs the end-to-end crawl under ``py-spy record --subprocesses`` and prints where the time goes
(top functions by own and cumulative time, the reactor process and the extraction workers apart; only threads
holding the GIL are sampled, so idle waits do not count); the figures of that run include py-spy's cost.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

import trafilatura
from warcio.archiveiterator import ArchiveIterator

from benchmarks.everything import everything_topic
from benchmarks.stacks import read_stacks, report
from crawler.mirror.process import MirrorProcess

SOUVERAIN = Path(sys.executable).with_name("souverain")
PY_SPY = Path(sys.executable).with_name("py-spy")
PROFILE_RATE = 100  # py-spy samples per second
EXTRACT_RATIO, ARCHIVE_RATIO = 0.6, 0.5  # the thresholds of issue 13


def run_souverain(roots: list[str], out: Path, topic: Path, *options: str,
                  profile: Path | None = None) -> tuple[float, dict[str, Any]]:
    """Crawl the mirror (``roots``: its ``--root`` options) with souverain; return the wall time and the report."""
    args = [str(SOUVERAIN), "crawl", "--out", str(out), "--delay", "0", "--concurrency", "8", "--topic", str(topic),
            "--quiet", *options, *roots]
    if profile is not None:
        args = [str(PY_SPY), "record", "--format", "raw", "--subprocesses", "--gil", "--rate", str(PROFILE_RATE),
                "--output", str(profile), "--", *args]
    start = time.perf_counter()
    subprocess.run(args, check=True, capture_output=True)
    elapsed = time.perf_counter() - start
    return elapsed, json.loads(next((out / "runs").glob("*/report.json")).read_text(encoding="utf-8"))


def archived_responses(out: Path) -> dict[str, bytes]:
    """Return URL -> decoded HTML body of every 200 HTML response souverain archived."""
    pages = {}
    for warc in sorted((out / "warc").glob("*.warc.gz")):
        with warc.open("rb") as stream:
            for record in ArchiveIterator(stream):
                if record.rec_type != "response" or record.http_headers.get_statuscode() != "200":
                    continue
                if "html" in (record.http_headers.get_header("Content-Type") or ""):
                    pages[record.rec_headers.get_header("WARC-Target-URI")] = record.content_stream().read()
    return pages


def kept_articles(out: Path, pages: dict[str, bytes]) -> list[list[tuple[str, bytes]]]:
    """Return the (URL, body) of each page of each kept article, from its dated JSON's captures."""
    articles = []
    for path in sorted((out / "articles").rglob("*.json")):
        captures = json.loads(path.read_text(encoding="utf-8"))["capture"]
        articles.append([(c["url"], pages[c["url"]]) for c in captures if c["url"] in pages])
    return articles


def extract_article(article: list[tuple[str, bytes]]) -> int:
    """Extract every page of one article with plain trafilatura; return how many gave text."""
    return sum(trafilatura.extract(body, url=url, with_metadata=True, output_format="json") is not None
               for url, body in article)


def run_trafilatura(articles: list[list[tuple[str, bytes]]], workers: int) -> float:
    """Extract the articles with trafilatura in a pool of ``workers`` processes (warmed up first); return the
    wall time."""
    with ProcessPoolExecutor(workers) as pool:
        list(pool.map(extract_article, articles[:workers]))  # every worker started, trafilatura imported
        start = time.perf_counter()
        list(pool.map(extract_article, articles, chunksize=8))
        return time.perf_counter() - start


def requested_urls(out: Path) -> list[str]:
    """Return the target URI of every request record of a crawl's WARCs, in order."""
    urls: list[str] = []
    for warc in sorted((out / "warc").glob("*.warc.gz")):
        with warc.open("rb") as stream:
            urls.extend(record.rec_headers.get_header("WARC-Target-URI") for record in ArchiveIterator(stream)
                        if record.rec_type == "request")
    return urls


def run_bare_scrapy(urls: list[str], work: Path) -> dict[str, Any]:
    """Request the URLs with ``benchmarks/bare_scrapy.py``; return its figures (``seconds``, ``cpu_seconds``...)."""
    url_file = work / "bare-urls.txt"
    url_file.write_text("\n".join(urls) + "\n", encoding="utf-8")
    done = subprocess.run([sys.executable, "-m", "benchmarks.bare_scrapy", str(url_file)], check=True,
                          capture_output=True, text=True, cwd=Path(__file__).resolve().parents[1])
    figures: dict[str, Any] = json.loads(done.stdout.splitlines()[-1])
    return figures


def run_wget(urls: list[str], work: Path) -> float:
    """Fetch the same URLs with ``wget --warc-file``; return the wall time."""
    url_file = work / "urls.txt"
    url_file.write_text("\n".join(urls) + "\n")
    start = time.perf_counter()
    subprocess.run(["wget", "-q", "--warc-file", str(work / "wget"), "-i", str(url_file), "-O", "/dev/null",
                    "--header", "Accept-Encoding: gzip, deflate"], check=False, cwd=work)
    return time.perf_counter() - start


def main() -> int:
    """Run the four measurements and print them side by side, with the two ratios."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=2000)
    parser.add_argument("--requisites", choices=("none", "images", "all"), default="all",
                        help="the end-to-end crawl's --requisites (default: all, the crawl's default)")
    parser.add_argument("--profile", action="store_true",
                        help="run the end-to-end crawl under py-spy and print where its time goes")
    args = parser.parse_args()
    if not shutil.which("wget"):
        print("benchmarks.crawl needs wget (apt-get install wget)", file=sys.stderr)
        return 1
    if args.profile and not PY_SPY.exists():
        print(f"--profile needs py-spy in the virtual environment ({PY_SPY.parent}/pip install py-spy)", file=sys.stderr)
        return 1
    cores = os.cpu_count() or 1
    with tempfile.TemporaryDirectory() as tmp, MirrorProcess(articles=args.articles) as mirror:
        work = Path(tmp)
        topic = everything_topic(work)
        profile = work / "profile.txt" if args.profile else None
        crawl_time, crawl_report = run_souverain(mirror.root_args(), work / "out", topic, "--requisites",
                                                 args.requisites, profile=profile)
        archive_time, archive_report = run_souverain(mirror.root_args(), work / "archive", topic, "--archive-only")
        pages = archived_responses(work / "out")
        articles = kept_articles(work / "out", pages)
        wget_time = run_wget(list(pages), work)
        trafilatura_time = run_trafilatura(articles, cores)
        bare_crawl = run_bare_scrapy(requested_urls(work / "out"), work)
        bare_archive = run_bare_scrapy(requested_urls(work / "archive"), work)
        stacks = read_stacks(profile) if profile is not None else None
    fetched, kept = crawl_report["totals"]["pages_fetched"], crawl_report["totals"]["articles_kept"]
    archive_fetched = archive_report["totals"]["pages_fetched"]
    crawl_rate, trafilatura_rate = kept / crawl_time, len(articles) / trafilatura_time
    wget_rate, archive_rate = len(pages) / wget_time, archive_fetched / archive_time
    print(f"mirror: {args.articles} articles; souverain fetched {fetched} pages, kept {kept} articles "
          f"({sum(map(len, articles))} pages); {cores} cores")
    requisites = crawl_report["totals"].get("requisites", {})
    print(f"end to end with --requisites {args.requisites}: {requisites.get('responses', 0)} more requests "
          f"(page requisites, each once, and their hosts' robots.txt); --archive-only fetches none")
    print(f"{'':44}{'time s':>8}{'pages/s':>10}{'articles/s':>12}")
    print(f"{'souverain crawl (fetch+WARC+extract+files)':44}{crawl_time:8.1f}{fetched / crawl_time:10.1f}"
          f"{crawl_rate:12.1f}")
    print(f"{f'trafilatura on {cores} cores (extract only)':44}{trafilatura_time:8.1f}{'-':>10}{trafilatura_rate:12.1f}")
    print(f"{'wget --warc-file (fetch+WARC)':44}{wget_time:8.1f}{wget_rate:10.1f}{'-':>12}")
    print(f"{'souverain crawl --archive-only':44}{archive_time:8.1f}{archive_rate:10.1f}{'-':>12}")
    for label, bare in (("end-to-end", bare_crawl), ("archive-only", bare_archive)):
        print(f"{f'bare Scrapy, the {label} crawl URLs':44}{bare['seconds']:8.1f}"
              f"{bare['requests'] / bare['seconds']:10.1f}{'-':>12}   ({bare['requests']} requests, "
              f"{bare['cpu_seconds']:.1f} CPU s)")
    extract_ratio, archive_ratio = crawl_rate / trafilatura_rate, archive_rate / wget_rate
    # A crawl costing only the bare spider's CPU and the trafilatura pool's, spread over every core:
    extract_ceiling = kept / ((bare_crawl["cpu_seconds"] + cores * trafilatura_time) / cores) / trafilatura_rate
    archive_ceiling = bare_archive["requests"] / bare_archive["seconds"] / wget_rate
    print(f"Scrapy's ceilings on this machine: end to end {extract_ceiling:.2f} × the trafilatura limit "
          f"(bare Scrapy's CPU for the same requests + the trafilatura pool, on {cores} cores); "
          f"archive-only {archive_ceiling:.2f} × wget (bare Scrapy's pages/s)")
    print(f"ratios: souverain articles/s ÷ trafilatura limit = {extract_ratio:.2f} (≥ {EXTRACT_RATIO}: "
          f"{'met' if extract_ratio >= EXTRACT_RATIO else 'NOT met'}); souverain --archive-only pages/s ÷ wget "
          f"pages/s = {archive_ratio:.2f} (≥ {ARCHIVE_RATIO}: {'met' if archive_ratio >= ARCHIVE_RATIO else 'NOT met'})")
    if stacks is not None:
        print("where the end-to-end crawl's time goes (py-spy, every process of the crawl):")
        print(report(stacks, rate=PROFILE_RATE))
    return 0


if __name__ == "__main__":
    sys.exit(main())
