"""Command line of the mirror: ``python -m crawler.mirror [--port P] [--articles N] [--seed S] ...``."""

from __future__ import annotations

import argparse
import signal
import sys
import threading

from crawler.mirror.corpus import build_corpus
from crawler.mirror.server import MirrorServer


def main(argv: list[str] | None = None) -> int:
    """Serve both sites until SIGTERM or SIGINT.

    Prints ``clubic=ROOT`` then ``numerama=ROOT`` (one line each, flushed) once both listen.

    Args:
        argv: command-line arguments (default: ``sys.argv[1:]``).

    Returns:
        The exit status (0 after a clean stop).
    """
    parser = argparse.ArgumentParser(prog="python -m crawler.mirror", description="Serve the local mirror of both sites.")
    parser.add_argument("--port", type=int, default=0, help="clubic port; numerama gets PORT+1 (0: two free ports)")
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    parser.add_argument("--articles", type=int, default=360, help="number of articles over both sites")
    parser.add_argument("--seed", type=int, default=0, help="seed of the corpus")
    parser.add_argument("--exclusive-share", type=float, default=0.0,
                        help="share of on-topic articles reachable through one non-sitemap channel only")
    parser.add_argument("--verbose", action="store_true", help="log every request to stderr")
    args = parser.parse_args(argv)
    corpus = build_corpus(args.seed, args.articles, args.exclusive_share)
    servers = [
        MirrorServer("clubic", corpus, args.host, args.port, args.verbose),
        MirrorServer("numerama", corpus, args.host, args.port + 1 if args.port else 0, args.verbose),
    ]
    stop = threading.Event()
    previous = {sig: signal.signal(sig, lambda *_: stop.set()) for sig in (signal.SIGTERM, signal.SIGINT)}
    try:
        for server in servers:
            server.start()
        for server in servers:
            print(f"{server.site}={server.root}", flush=True)
        while not stop.wait(0.1):
            pass
    finally:
        for server in servers:
            server.stop()
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    return 0


if __name__ == "__main__":
    sys.exit(main())
