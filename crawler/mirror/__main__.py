"""Command line of the mirror: ``python -m crawler.mirror [--port P] [--articles N] [--seed S] ...``.

``--edition N`` serves a later state of the site (see ``editions``), ``--faults SPEC`` injects faults
(see ``faults``), ``--crawl-delay S`` adds a Crawl-delay line to robots.txt, ``--hostile DIR`` serves a corpus of
hostile inputs (see ``hostile``), ``--skin NAME`` renders the sites with other markup, file names and slugs (see
``skins``), ``--extra-sitemap-urls N`` adds N off-topic post URLs to Numerama's sitemaps (see ``extras``). All are
off by default.
"""

from __future__ import annotations

import argparse
import signal
import sys
import threading
from pathlib import Path

from crawler.argtypes import PORT, OneLineParser, seconds, share, whole
from crawler.mirror.accesslog import AccessLog
from crawler.mirror.corpus import build_corpus
from crawler.mirror.extras import MAX_URLS, PER_FILE
from crawler.mirror.faults import FaultPlan, parse_spec
from crawler.mirror.hostile import HostileSite, load_cases
from crawler.mirror.procedural import MAX_ARTICLES, Procedural
from crawler.mirror.server import MirrorServer
from crawler.mirror.skins import SKIN_NAMES, get_skin

BUILT_MAX = 100_000  # articles of a corpus drawn up front (build_corpus)


def _fault_spec(value: str) -> str:
    """Validate a --faults value for argparse."""
    try:
        parse_spec(value)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None
    return value


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Add the mirror's options to a parser (``python -m crawler.mirror`` and ``souverain mirror serve``)."""
    parser.add_argument("--port", type=PORT, default=0, help="clubic port; numerama gets PORT+1, the CDN PORT+2 (0: free ports)")
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    parser.add_argument("--articles", type=whole(20, MAX_ARTICLES), default=360,
                        help=f"number of articles over both sites (up to {BUILT_MAX:,}; up to {MAX_ARTICLES:,} "
                             "with --procedural)")
    parser.add_argument("--procedural", action="store_true",
                        help="write each article when it is asked for: starts at once whatever the size, for "
                             "benchmarks (sitemaps, articles, home and main feed; no tag, author or search listing)")
    parser.add_argument("--seed", type=int, default=0, help="seed of the corpus")
    parser.add_argument("--exclusive-share", type=share, default=0.0,
                        help="share of on-topic articles reachable through one non-sitemap channel only")
    parser.add_argument("--edition", type=int, default=0, choices=(0, 1, 2),
                        help="state of the sites: 0 as first crawled, 1 with 5 texts and 5 chromes changed, "
                             "2 also with 10 new articles")
    parser.add_argument("--skin", default="default", choices=SKIN_NAMES,
                        help="markup, sitemap names and slugs the sites are drawn with (default: default, the "
                             "markup the profiles were written on)")
    parser.add_argument("--faults", type=_fault_spec, default="", metavar="SPEC",
                        help="faults to inject, e.g. all=0.2 or 5xx=0.1,429=0.05,reset=0.05 (types: 5xx, 429, "
                             "timeout, reset, truncated, trickle, redirect_loop)")
    parser.add_argument("--fault-seed", type=int, default=0, help="seed of the fault draws")
    parser.add_argument("--fault-timeout", type=seconds, default=20.0,
                        help="seconds a timeout fault keeps the connection silent (default 20)")
    parser.add_argument("--fault-log", default=None, metavar="PATH",
                        help="append every injected fault to this JSON-lines file")
    parser.add_argument("--crawl-delay", type=seconds, default=None, metavar="SECONDS",
                        help="add a Crawl-delay line to robots.txt")
    parser.add_argument("--hostile", default=None, metavar="DIR",
                        help="also serve the hostile corpus of DIR (its cases.toml; see crawler.mirror.hostile)")
    parser.add_argument("--hostile-canary", default="http://127.0.0.1:9", metavar="URL",
                        help="URL the hostile inputs point at, which no crawler request may reach")
    parser.add_argument("--extra-sitemap-urls", type=whole(0, MAX_URLS), default=0, metavar="N",
                        help=f"add N off-topic post URLs to Numerama's sitemap index, {PER_FILE:,} a sitemap "
                             "(computed when asked for; their pages answer 404)")
    parser.add_argument("--verbose", action="store_true", help="log every request to stderr")
    parser.add_argument("--access-log", default=None, metavar="PATH",
                        help="append every request (time, site, path) to this JSON-lines file")


def main(argv: list[str] | None = None) -> int:
    """Parse the options and serve both sites (see ``serve``).

    Args:
        argv: command-line arguments (default: ``sys.argv[1:]``).

    Returns:
        The exit status.
    """
    parser = OneLineParser(prog="python -m crawler.mirror", description="Serve the local mirror of both sites.")
    add_arguments(parser)
    return serve(parser.parse_or_exit(argv))


def serve(args: argparse.Namespace) -> int:
    """Serve both sites until SIGTERM or SIGINT.

    Prints ``clubic=ROOT``, ``numerama=ROOT`` then ``cdn=ROOT`` (one line each, flushed) once all three listen:
    the CDN host the pages' images and font come from (the port after numerama's when ``--port`` is given).

    Args:
        args: the options added by ``add_arguments``.

    Returns:
        The exit status (0 after a clean stop, 1 when a port cannot be bound).
    """
    if args.articles > BUILT_MAX and not args.procedural:
        print(f"souverain: error: more than {BUILT_MAX:,} articles need --procedural", file=sys.stderr)
        return 2
    corpus = Procedural(args.seed, args.articles) if args.procedural else build_corpus(
        args.seed, args.articles, args.exclusive_share, args.edition, args.skin)
    faults = FaultPlan(args.faults, args.fault_seed, args.fault_timeout, args.fault_log) if args.faults else None
    try:
        cases = load_cases(Path(args.hostile)) if args.hostile else []
    except ValueError as exc:
        print(f"souverain: error: {exc}", file=sys.stderr)
        return 1
    servers: list[MirrorServer] = []
    cdn = ""
    access_log = AccessLog(args.access_log) if args.access_log else None
    for offset, site in ((2, "cdn"), (0, "clubic"), (1, "numerama")):
        port = args.port + offset if args.port else 0
        try:
            hostile = HostileSite(site, Path(args.hostile), cases, args.hostile_canary,
                                  get_skin(args.skin)) if args.hostile and site != "cdn" else None
            servers.append(MirrorServer(site, corpus, args.host, port, args.verbose, None if site == "cdn" else faults,
                                        args.crawl_delay, hostile, cdn, args.extra_sitemap_urls, access_log))
            cdn = cdn or servers[-1].root
        except OSError as exc:
            print(f"souverain: error: cannot serve {site} on {args.host}:{port}: {exc.strerror or exc}",
                  file=sys.stderr)
            for server in servers:
                server.stop()
            if faults is not None:
                faults.close()
            return 1
    stop = threading.Event()
    previous = {sig: signal.signal(sig, lambda *_: stop.set()) for sig in (signal.SIGTERM, signal.SIGINT)}
    try:
        for server in servers:
            server.start()
        for server in sorted(servers, key=lambda server: server.site == "cdn"):  # the sites first, then the CDN
            print(f"{server.site}={server.root}", flush=True)
        while not stop.wait(0.1):
            pass
    finally:
        for server in servers:
            server.stop()
        if faults is not None:
            faults.close()
        if access_log is not None:
            access_log.close()
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    return 0

if __name__ == "__main__":
    sys.exit(main())
