"""Benchmark: ``souverain crawl`` on a 2,000-article mirror vs ``wget --warc-file`` and a plain trafilatura loop.

Run from the repository root: ``.venv/bin/python -m benchmarks.crawl [--articles 2000]``. The crawl uses a topic that keeps every article,
so that all 2,000 pass through fetch, WARC, extraction, scoring and dated files (the real topic fetches only the
~500 promising pages: see ``benchmarks/discovery.py``). All three are measured in the same run on the same pages;
the figures to read are the ratios.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import trafilatura
from warcio.archiveiterator import ArchiveIterator

from benchmarks.everything import everything_topic
from crawler.mirror.process import MirrorProcess

SOUVERAIN = Path(sys.executable).with_name("souverain")


def run_souverain(roots: list[str], out: Path, topic: Path) -> tuple[float, dict]:
    """Crawl the mirror (``roots``: its ``--root`` options) with souverain; return the wall time and the report."""
    args = [str(SOUVERAIN), "crawl", "--out", str(out), "--delay", "0", "--concurrency", "8", "--topic", str(topic),
            *roots]
    start = time.perf_counter()
    subprocess.run(args, check=True, capture_output=True)
    elapsed = time.perf_counter() - start
    return elapsed, json.loads(next((out / "runs").glob("*/report.json")).read_text(encoding="utf-8"))


def archived_responses(out: Path) -> list[tuple[str, bytes]]:
    """Return (URL, decoded HTML body) of every 200 HTML response souverain archived."""
    pages = []
    for warc in sorted((out / "warc").glob("*.warc.gz")):
        with warc.open("rb") as stream:
            for record in ArchiveIterator(stream):
                if record.rec_type != "response" or record.http_headers.get_statuscode() != "200":
                    continue
                if "html" in (record.http_headers.get_header("Content-Type") or ""):
                    pages.append((record.rec_headers.get_header("WARC-Target-URI"), record.content_stream().read()))
    return pages


def run_wget(urls: list[str], work: Path) -> float:
    """Fetch the same URLs with ``wget --warc-file``; return the wall time."""
    url_file = work / "urls.txt"
    url_file.write_text("\n".join(urls) + "\n")
    start = time.perf_counter()
    subprocess.run(["wget", "-q", "--warc-file", str(work / "wget"), "-i", str(url_file), "-O", "/dev/null",
                    "--header", "Accept-Encoding: gzip, br"], check=False, cwd=work)
    return time.perf_counter() - start


def run_trafilatura(pages: list[tuple[str, bytes]]) -> float:
    """Extract the same pages with trafilatura in one process; return the wall time."""
    start = time.perf_counter()
    for url, body in pages:
        trafilatura.extract(body, url=url, with_metadata=True, output_format="json")
    return time.perf_counter() - start


def main() -> int:
    """Run the three measurements and print them side by side."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=2000)
    args = parser.parse_args()
    if not shutil.which("wget"):
        print("benchmarks.crawl needs wget (apt-get install wget)", file=sys.stderr)
        return 1
    with tempfile.TemporaryDirectory() as tmp, MirrorProcess(articles=args.articles) as mirror:
        work = Path(tmp)
        crawl_time, report = run_souverain(mirror.root_args(), work / "out", everything_topic(work))
        pages_fetched, kept = report["totals"]["pages_fetched"], report["totals"]["articles_kept"]
        pages = archived_responses(work / "out")
        wget_time = run_wget([url for url, _ in pages], work)
        trafilatura_time = run_trafilatura(pages)
    article_pages = len(pages)
    print(f"mirror: {args.articles} articles; souverain fetched {pages_fetched} pages, kept {kept} articles")
    print(f"{'':34}{'time s':>9}{'pages/s':>10}{'articles/s':>12}")
    print(f"{'souverain crawl (fetch+WARC+extract)':34}{crawl_time:9.1f}{pages_fetched / crawl_time:10.1f}"
          f"{article_pages / crawl_time:12.1f}")
    print(f"{'wget --warc-file (fetch+WARC)':34}{wget_time:9.1f}{article_pages / wget_time:10.1f}{'-':>12}")
    print(f"{'trafilatura loop (extract only)':34}{trafilatura_time:9.1f}{'-':>10}"
          f"{article_pages / trafilatura_time:12.1f}")
    requisites = report["totals"].get("requisites", {})
    print(f"page requisites (--requisites all, default): {requisites.get('responses', 0)} extra requests, "
          f"{requisites.get('responses', 0) / kept if kept else 0:.2f} per kept article "
          f"({requisites.get('fetched', 0)} requisites, each once, and the requisite hosts' robots.txt), "
          f"{requisites.get('bytes', 0):,} bytes; skipped {requisites.get('skipped') or 'none'}")
    print(f"ratios: souverain pages/s ÷ wget pages/s = {(pages_fetched / crawl_time) / (article_pages / wget_time):.2f}; "
          f"souverain articles/s ÷ trafilatura articles/s = "
          f"{(article_pages / crawl_time) / (article_pages / trafilatura_time):.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
