"""Benchmark: the mirror's corpus build time and its concurrent serving rate (figures once timed in tests).

Run from the repository root: ``.venv/bin/python -m benchmarks.mirror [--articles 2000]``. The baseline, measured
in the same run, is a corpus a tenth the size (build) and one client thread (serving): the figures to read are the
ratios, which stay meaningful on a loaded machine.
"""

from __future__ import annotations

import argparse
import threading
import time
import urllib.request

from crawler.mirror import MirrorServer, build_corpus
from crawler.mirror.corpus import Corpus


def build_seconds(articles: int) -> float:
    """Return the seconds ``build_corpus(articles)`` takes."""
    started = time.perf_counter()
    build_corpus(articles=articles)
    return time.perf_counter() - started


def pages_per_second(corpus: Corpus, threads: int, pages: int) -> float:
    """Return the pages per second the two mirror servers serve to ``threads`` client threads (gzip asked)."""
    servers = {site: MirrorServer(site, corpus).start() for site in ("clubic", "numerama")}
    try:
        urls = [servers[a.site].root + a.path for a in corpus.articles[:pages]]

        def worker(chunk: list[str]) -> None:
            for url in chunk:
                request = urllib.request.Request(url, headers={"Accept-Encoding": "gzip"})
                with urllib.request.urlopen(request, timeout=60) as reply:
                    reply.read()

        clients = [threading.Thread(target=worker, args=(urls[n::threads],)) for n in range(threads)]
        started = time.perf_counter()
        for client in clients:
            client.start()
        for client in clients:
            client.join()
        return len(urls) / (time.perf_counter() - started)
    finally:
        for server in servers.values():
            server.stop()


def main() -> int:
    """Print the build time and the serving rate beside their baselines."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=2000)
    parser.add_argument("--pages", type=int, default=200)
    args = parser.parse_args()
    small, full = build_seconds(args.articles // 10), build_seconds(args.articles)
    print(f"build_corpus({args.articles}): {full:.2f} s; baseline build_corpus({args.articles // 10}): {small:.2f} s "
          f"(ratio {full / small:.1f} for 10x the articles)")
    corpus = build_corpus(articles=args.articles)
    one, four = pages_per_second(corpus, 1, args.pages), pages_per_second(corpus, 4, args.pages)
    print(f"serving {args.pages} pages: {four:.0f} pages/s with 4 client threads; baseline 1 thread: {one:.0f} "
          f"pages/s (ratio {four / one:.2f})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
