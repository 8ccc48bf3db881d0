"""The ``souverain`` argument parser: every command and option."""

from __future__ import annotations

import argparse
import os
from pathlib import Path

from crawler.argtypes import PORT, OneLineParser, seconds, whole
from crawler.defaults import SOUVERAIN_OUT_DIR, SOUVERAIN_TOPIC
from crawler.mirror.__main__ import add_arguments as add_mirror_arguments


def build_parser() -> OneLineParser:
    """Return the argument parser of every subcommand."""
    parser = OneLineParser(prog="souverain", description="Topical web-archiving crawler.")
    parser.add_argument("--version", action="version", version=f"souverain {package_version()}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    crawl = commands.add_parser("crawl", help="crawl the sites, archive WARC and write dated article files")
    add_crawl_options(crawl)
    crawl.add_argument("--site", action="append", dest="sites", metavar="NAME",
                       help="site to crawl, repeatable (default: the --profile ones, else every profile found)")
    crawl.add_argument("--profile", action="append", default=[], dest="profiles", metavar="FILE",
                       help="a site profile file, looked in before the profile search path (repeatable)")
    crawl.add_argument("--root", action="append", default=[], metavar="NAME=URL",
                       help="point a site at another root, e.g. a mirror (repeatable)")
    crawl.add_argument("--cdn-root", action="append", default=[], metavar="NAME=URL", dest="cdn_roots",
                       help="fetch a site's page requisites from this host instead of its profile's CDN hosts, "
                            "e.g. a mirror's (repeatable)")
    crawl.add_argument("--resume", action="store_true",
                       help="continue the last unfinished run (killed or crashed) without fetching again what it archived")
    crawl.add_argument("-s", "--set", action="append", default=[], metavar="NAME=VALUE", dest="set",
                       help="set a Scrapy setting, e.g. -s DOWNLOAD_MAXSIZE=2097152 (repeatable)")
    crawl.add_argument("--strict-profile", action="store_true",
                       help="exit non-zero when a profile rule matched nothing (the site's markup drifted)")
    crawl.add_argument("--archive-only", action="store_true",
                       help="archive every fetched page in WARC, extract nothing (no dated files, no relevance "
                            "verdict: a later crawl extracts them); discovery works as usual")
    crawl.add_argument("--recheck", action="store_true",
                       help="re-check every known article and discovery page now, whatever the revisit policy says")
    crawl.add_argument("--redis", default=os.environ.get("SOUVERAIN_REDIS_URL", ""), metavar="URL",
                       help="be one worker of a crawl shared through the Redis at URL, redis://[:PASSWORD@]HOST:PORT/DB "
                            "(default: $SOUVERAIN_REDIS_URL; see docs/distributed.md)")

    demo = commands.add_parser("demo", help="start the bundled mirror of both sites on 127.0.0.1 and crawl it")
    add_crawl_options(demo)
    demo.add_argument("--articles", type=whole(20), default=360, help="size of the mirror (default: 360)")

    extract = commands.add_parser("extract", help="extract one saved HTML page into the article JSON")
    extract.add_argument("file", type=Path, metavar="FILE.html")
    extract.add_argument("--url", help="the page's URL (default: its canonical link); picks the site's cleanup")
    extract.add_argument("--profile", action="append", default=[], dest="profiles", metavar="FILE",
                         help="a site profile file, looked in first for the URL's site (repeatable)")
    extract.add_argument("--json", action="store_true", help="print the article JSON (default: title, date, text)")
    extract.add_argument("--topic", default=SOUVERAIN_TOPIC, help="topic to score against")

    snapshot = commands.add_parser("snapshot", help="build a reproducible WACZ snapshot of an output folder")
    snapshot.add_argument("--out", type=Path, action="append", default=None, metavar="DIR",
                          help="the output folder (default: ./out); repeat it for the folders of several workers")
    cut = snapshot.add_mutually_exclusive_group()
    cut.add_argument("--run", metavar="RUN_ID", help="only this run's WARCs and articles")
    cut.add_argument("--until", metavar="YYYY-MM-DD", help="only what was captured up to this day (UTC)")
    snapshot.add_argument("-o", "--output", type=Path, required=True, metavar="NAME.wacz", help="the WACZ to write")

    verify = commands.add_parser("verify", help="check every hash and digest of a snapshot")
    verify.add_argument("snapshot", type=Path, metavar="NAME.wacz")

    reextract = commands.add_parser("reextract", help="rebuild every dated file from the WARCs alone, offline")
    reextract.add_argument("source", type=Path, nargs="+", metavar="SNAPSHOT_OR_DIR",
                           help="a .wacz snapshot or an output folder, or several output folders (a distributed run's)")
    reextract.add_argument("--out", type=Path, required=True, metavar="DIR2", help="where to write articles/")
    reextract.add_argument("--workers", type=whole(0, 256), default=0, help="worker processes (default: one per core)")
    reextract.add_argument("--dask", default="", metavar="local|tcp://HOST:PORT",
                           help="run the jobs on a Dask cluster (local: a LocalCluster of --workers processes); its "
                                "workers must see the WARCs at the same path")

    report = commands.add_parser("report", help="merge the worker reports of a distributed run into its report.json")
    report.add_argument("--out", type=Path, action="append", required=True, metavar="DIR",
                        help="an output folder of the run's workers (repeat it); report.json goes in the first")
    report.add_argument("--run", metavar="RUN_ID", default=None, help="the run (default: the latest with worker reports)")

    export = commands.add_parser("export", help="one row per article, for pandas and DuckDB")
    export.add_argument("--out", type=Path, default=Path(SOUVERAIN_OUT_DIR), help="the output folder (default: ./out)")
    export.add_argument("--format", choices=("jsonl", "csv", "parquet"), default=None,
                        help="the table format (default: from the -o name: .jsonl, .csv, .parquet; jsonl for -)")
    export.add_argument("-o", "--output", required=True, metavar="FILE", help="the file to write, - for stdout")
    export.add_argument("--latest", action="store_true", help="only the latest version of each article")

    replay = commands.add_parser("replay", help="serve archived pages with pywb, with a list of the articles")
    replay.add_argument("source", type=Path, nargs="?", default=Path(SOUVERAIN_OUT_DIR), metavar="SNAPSHOT|OUT",
                        help="a .wacz snapshot or an output folder (default: ./out)")
    replay.add_argument("--port", type=PORT, default=8090, help="port to serve on (default: 8090)")
    replay.add_argument("--host", default="127.0.0.1", help="address to bind (default: 127.0.0.1 only)")

    diff = commands.add_parser("diff", help="word-level diff between the stored versions of an article")
    diff.add_argument("url", help="the article's URL")
    diff.add_argument("--out", type=Path, default=Path(SOUVERAIN_OUT_DIR), help="the output folder (default: ./out)")

    schedule = commands.add_parser("schedule", help="run crawls on a schedule (systemd user timer or crontab)")
    schedule_commands = schedule.add_subparsers(dest="schedule_command", required=True, metavar="COMMAND")
    install = schedule_commands.add_parser("install", help="install (or --print) a nightly crawl")
    install.add_argument("--every", choices=("hourly", "daily", "weekly"), default="daily")
    install.add_argument("--at", default="03:00", metavar="HH:MM", help="time of day (default: 03:00)")
    install.add_argument("--print", action="store_true", help="show what would be installed, install nothing")
    install.add_argument("--kind", choices=("auto", "systemd", "cron"), default="auto",
                         help="systemd user timer or crontab line (default: whichever the machine has)")
    install.add_argument("crawl_args", nargs="*", metavar="-- CRAWL ARGS",
                         help="options for the scheduled `souverain crawl` (after --)")

    profile = commands.add_parser("profile", help="site profiles: check one against the live site")
    profile_commands = profile.add_subparsers(dest="profile_command", required=True, metavar="COMMAND")
    check = profile_commands.add_parser("check", help="a bounded polite visit: which rules of a profile still match")
    check.add_argument("name", metavar="NAME", help="the profile's site name (search path, or a --profile file)")
    check.add_argument("--root", metavar="URL", help="visit this root instead of the profile's (a mirror)")
    check.add_argument("--profile", action="append", default=[], dest="profiles", metavar="FILE",
                       help="a site profile file, looked in before the profile search path (repeatable)")
    check.add_argument("--delay", type=seconds, default=None, metavar="SECONDS",
                       help="delay between requests (default: 1.0, or robots.txt's Crawl-delay when longer)")
    check.add_argument("--topic", default=SOUVERAIN_TOPIC, metavar="NAME|FILE", help="topic name or file")

    sketch = profile_commands.add_parser("sketch", help="the same visit, then a draft profile with every guess commented")
    sketch.add_argument("--root", required=True, metavar="URL", help="the site's root, http(s)://host[:port]")
    sketch.add_argument("-o", "--output", type=Path, required=True, metavar="FILE", help="the profile file to write")
    sketch.add_argument("--name", help="the site name (default: from the host name)")
    sketch.add_argument("--delay", type=seconds, default=None, metavar="SECONDS",
                        help="delay between requests (default: 1.0, or robots.txt's Crawl-delay when longer)")
    sketch.add_argument("--topic", default=SOUVERAIN_TOPIC, metavar="NAME|FILE",
                        help="topic whose tags show the tag page's shape")

    mirror = commands.add_parser("mirror", help="the local mirror of the sites")
    mirror_commands = mirror.add_subparsers(dest="mirror_command", required=True, metavar="COMMAND")
    serve = mirror_commands.add_parser("serve", help="serve the mirror (clubic on PORT, numerama on PORT+1, their CDN on PORT+2)")
    add_mirror_arguments(serve)
    return parser


def add_crawl_options(parser: argparse.ArgumentParser) -> None:
    """Add the options shared by ``crawl`` and ``demo``."""
    parser.add_argument("--out", type=Path, default=None, help="output folder (default: ./out, demo: ./demo-out)")
    parser.add_argument("--topic", default=SOUVERAIN_TOPIC, metavar="NAME|FILE", help="topic name or file")
    parser.add_argument("--max-pages", type=whole(0), default=0, metavar="N", help="stop each site after N pages")
    parser.add_argument("--delay", type=seconds, default=None, metavar="SECONDS",
                        help="delay between requests to a site (default: 1.0 with autothrottle; demo: 0)")
    parser.add_argument("--concurrency", type=whole(1, 64), default=None, metavar="N", help="requests at once per site")
    parser.add_argument("--timeout", type=whole(1), default=None, metavar="SECONDS",
                        help="give up a download after this long (default: 30; it is then retried)")
    parser.add_argument("--requisites", choices=("none", "images", "all"), default="all",
                        help="what kept articles' pages need to render that is fetched too: none, images (and "
                             "favicons), all (style sheets and what they import, fonts, images, scripts; default)")
    parser.add_argument("--since", default="", metavar="YYYY-MM-DD", help="keep articles published on or after")
    parser.add_argument("--until", default="", metavar="YYYY-MM-DD", help="keep articles published on or before")
    talk = parser.add_mutually_exclusive_group()
    talk.add_argument("-q", "--quiet", action="store_true", help="print only errors (no progress, no summary)")
    talk.add_argument("-v", "--verbose", action="store_true", help="print the crawl log on stderr too")
    parser.add_argument("--progress", choices=("text", "json"), default="text",
                        help="progress lines on stderr: text, or one JSON object a line for scripts (default: text)")


def package_version() -> str:
    """Return the installed version of souverain."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("souverain")
    except PackageNotFoundError:
        return "unknown (not installed)"
