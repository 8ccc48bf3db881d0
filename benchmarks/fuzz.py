"""Fuzz the sitemap parser, the feed parser and the extractor wrapper with hypothesis, each for a time budget.

Run from the repository root: ``.venv/bin/python -m benchmarks.fuzz [--seconds 20] [--target sitemap|feed|extract]``. Inputs are random
bytes, random text, XML-shaped token soup, and real mirror pages (sitemaps, feeds, articles, served by
``MirrorServer.dispatch`` without a socket) mutated by cuts, insertions, duplications and byte flips. A crash is
any exception escaping the function (``extract_article`` may return None); the run then stops, prints the
shrunk input's repr (truncated) and exits 1.
"""

from __future__ import annotations

import argparse
import sys
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from archive.text.cleanup import SiteCleanup
from archive.text.extract import extract_article
from crawler.discovery.parsers import parse_feed, parse_sitemap
from crawler.mirror.corpus import build_corpus
from crawler.mirror.server import MirrorServer
from crawler.profiles import load_profiles

if TYPE_CHECKING:
    from collections.abc import Callable

BATCH = 200  # examples per hypothesis run; runs repeat, each with fresh randomness, until the budget is spent
SHOWN = 600  # characters of a crashing input's repr printed
XML_TOKENS = [
    '<?xml version="1.0" encoding="UTF-8"?>', '<?xml version="1.0" encoding="latin-1"?>', "<urlset>", "</urlset>",
    '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">', "<sitemapindex>", "</sitemapindex>", "<url>",
    "</url>", "<sitemap>", "</sitemap>", "<loc>", "</loc>", "<lastmod>", "</lastmod>", "<news:news>", "</news:news>",
    "<news:publication_date>", "</news:publication_date>", "<news:title>", "</news:title>", '<rss version="2.0">',
    "</rss>", "<channel>", "</channel>", "<item>", "</item>", "<entry>", "</entry>", "<link>", "</link>",
    '<link rel="alternate" href="https://h/a"/>', '<link href="javascript:x"/>', "<pubDate>", "</pubDate>",
    "<title>", "</title>", "<description>", "</description>", "<published>", "</published>", "<updated>",
    "</updated>", '<feed xmlns="http://www.w3.org/2005/Atom">', "</feed>", "https://h/a", "file:///etc/passwd",
    "Thu, 03 Dec 2015 11:04:00 +0100", "2015-12-03T11:04:00+01:00", "2015-13-45", "&amp;", "&lol;", "&#0;",
    "&#x110000;", "<![CDATA[", "]]>", "<!--", "-->", '<!DOCTYPE x [<!ENTITY lol "lol">]>',
    '<!DOCTYPE x [<!ENTITY % p SYSTEM "http://127.0.0.1:9/x"> %p;]>', '<!ENTITY xxe SYSTEM "file:///etc/passwd">',
    "<xi:include href='file:///etc/passwd'/>", "\x00", "\ufeff", "\u202e", "é", " ", "\n", "<", ">", "/", "&",
]


@dataclass
class Target:
    """One function under fuzz, and the real documents its mutations start from."""

    name: str
    call: Callable[[bytes], object]
    seeds: list[bytes]


def mirror_documents() -> dict[str, list[bytes]]:
    """Return real sitemaps, feeds and article pages of both mirror sites, keyed ``sitemap``/``feed``/``page``."""
    corpus = build_corpus(articles=120)
    documents: dict[str, list[bytes]] = {"sitemap": [], "feed": [], "page": []}
    for site, sitemaps, feeds in (("clubic", ["/sitemap.xml"], ["/feed/news.rss", "/feed/news-pro.rss"]),
                                  ("numerama", ["/sitemap_index.xml", "/post-sitemap.xml"], ["/feed/"])):
        server = MirrorServer(site, corpus)
        try:
            get = lambda path, server=server: server.dispatch("GET", path, {}).body  # noqa: E731
            documents["sitemap"] += [get(path) for path in sitemaps]
            documents["sitemap"] += [get(urlsplit(e.url).path) for e in parse_sitemap(get(sitemaps[0])).entries[:3]]
            documents["feed"] += [get(path) for path in feeds]
            documents["page"] += [get(article.path) for article in corpus.site_articles(site)[:15]]
        finally:
            server.stop()
    return documents


def mutated(seeds: list[bytes]) -> st.SearchStrategy[bytes]:
    """Real documents with a few random cuts, insertions, duplications and byte flips."""
    edit = st.tuples(st.sampled_from(["cut", "insert", "duplicate", "flip", "truncate"]),
                     st.floats(0, 1), st.floats(0, 1), st.binary(max_size=64))

    def apply(seed: bytes, edits: list[tuple[str, float, float, bytes]]) -> bytes:
        data = bytearray(seed)
        for op, where, span, payload in edits:
            start = int(where * len(data))
            end = min(len(data), start + int(span * 2048))
            if op == "cut":
                del data[start:end]
            elif op == "insert":
                data[start:start] = payload
            elif op == "duplicate":
                data[start:start] = data[start:end]
            elif op == "flip" and start < len(data):
                data[start] ^= 1 << int(span * 7.99)
            elif op == "truncate":
                del data[start:]
        return bytes(data)

    return st.builds(apply, st.sampled_from(seeds), st.lists(edit, max_size=8))


def inputs(seeds: list[bytes]) -> st.SearchStrategy[bytes]:
    """Random bytes, random text, XML token soup and mutated real documents."""
    return st.one_of(
        st.binary(max_size=4096),
        st.text(max_size=2000).map(lambda text: text.encode("utf-8", "surrogatepass")),
        st.lists(st.sampled_from(XML_TOKENS), max_size=200).map(lambda tokens: "".join(tokens).encode("utf-8")),
        mutated(seeds),
    )


def fuzz(target: Target, seconds: float) -> tuple[int, str | None]:
    """Call a target on generated inputs for ``seconds``; return the examples run and the crash (None if none)."""
    runs, crashing = 0, []

    @settings(max_examples=BATCH, deadline=None, database=None, derandomize=False, phases=[Phase.generate, Phase.shrink],
              suppress_health_check=list(HealthCheck), report_multiple_bugs=False)
    @given(data=inputs(target.seeds))
    def once(data: bytes) -> None:
        nonlocal runs
        runs += 1
        try:
            target.call(data)
        except Exception:
            crashing[:] = [repr(data)[:SHOWN]]
            raise

    stop = time.monotonic() + seconds
    while time.monotonic() < stop:
        try:
            once()
        except Exception as exc:  # the shrunk input is the last one recorded
            return runs, f"{type(exc).__name__}: {exc}\n  input: {crashing[0] if crashing else '?'}"
    return runs, None


def main() -> int:
    """Fuzz each target for its budget and report examples run and crashes; exit 1 on a crash."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=20, help="budget per target (default 20: 60 s in all)")
    parser.add_argument("--target", choices=["sitemap", "feed", "extract"], action="append",
                        help="fuzz only this target (repeatable; default all three)")
    args = parser.parse_args()
    documents = mirror_documents()
    cleanup = SiteCleanup.from_dict(load_profiles()["numerama"].cleanup)
    targets = [
        Target("sitemap", parse_sitemap, documents["sitemap"] + documents["feed"]),
        Target("feed", parse_feed, documents["feed"] + documents["sitemap"]),
        Target("extract", lambda body: extract_article(body, "https://www.numerama.com/tech/1-a.html",
                                                       content_type="text/html", cleanup=cleanup), documents["page"]),
    ]
    crashed = False
    for target in targets:
        if args.target and target.name not in args.target:
            continue
        start = time.monotonic()
        runs, crash = fuzz(target, args.seconds)
        elapsed = time.monotonic() - start
        print(f"{target.name:8} {runs:7d} examples in {elapsed:5.1f} s ({runs / elapsed:6.0f}/s)  "
              f"{'CRASH ' + crash if crash else 'no crash'}", flush=True)
        crashed |= crash is not None
    return 1 if crashed else 0


if __name__ == "__main__":
    sys.exit(main())
