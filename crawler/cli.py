"""The ``souverain`` command: crawl, demo, extract, snapshot… profile check, mirror serve."""

from __future__ import annotations

import argparse
import json
import os
import signal
import sys
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from archive.errors import ArchiveError
from archive.fsutil import atomic_write_text
from crawler.argtypes import PORT, OneLineParser, seconds, whole
from crawler.discovery.window import WindowError
from crawler.workprogress import human_bytes, human_seconds
from crawler.mirror.__main__ import add_arguments as add_mirror_arguments
from crawler.profiles import ProfileError, find_profiles
from crawler.topic import TopicError

# Wide enough for the summary table when the output is a file or a pipe (cron mails, CI logs).
CONSOLE = Console(highlight=False, soft_wrap=True, width=None if sys.stdout.isatty() else 160)


class UserError(Exception):
    """A mistake in what the user asked: reported in one line, exit status 1."""


def parse_roots(values: list[str]) -> dict[str, str]:
    """Parse ``--root NAME=URL`` options.

    Args:
        values: the option values.

    Returns:
        site name → root URL.
    """
    roots = {}
    for value in values:
        name, sep, url = value.partition("=")
        if not sep or not name or not url:
            raise UserError(f"bad --root {value!r}: expected NAME=URL, e.g. clubic=http://127.0.0.1:8000")
        roots[name] = url
    return roots


def parse_settings(values: list[str]) -> dict[str, str]:
    """Parse ``-s NAME=VALUE`` options.

    Args:
        values: the option values.

    Returns:
        setting name → value (as text: Scrapy's getters convert it).
    """
    settings = {}
    for value in values:
        name, sep, text = value.partition("=")
        if not sep or not name.strip().isidentifier() or name.strip() != name.strip().upper():
            raise UserError(f"bad -s {value!r}: expected NAME=VALUE, e.g. DOWNLOAD_MAXSIZE=2097152")
        settings[name.strip()] = text
    return settings


def build_parser() -> argparse.ArgumentParser:
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
    crawl.add_argument("--resume", action="store_true",
                       help="continue the last unfinished run (killed or crashed) without fetching again what it archived")
    crawl.add_argument("-s", "--set", action="append", default=[], metavar="NAME=VALUE", dest="set",
                       help="set a Scrapy setting, e.g. -s DOWNLOAD_MAXSIZE=2097152 (repeatable)")
    crawl.add_argument("--strict-profile", action="store_true",
                       help="exit non-zero when a profile rule matched nothing (the site's markup drifted)")
    crawl.add_argument("--recheck", action="store_true",
                       help="re-check every known article now, whatever the revisit policy says")

    demo = commands.add_parser("demo", help="start the bundled mirror of both sites on 127.0.0.1 and crawl it")
    add_crawl_options(demo)
    demo.add_argument("--articles", type=whole(20), default=360, help="size of the mirror (default: 360)")

    extract = commands.add_parser("extract", help="extract one saved HTML page into the article JSON")
    extract.add_argument("file", type=Path, metavar="FILE.html")
    extract.add_argument("--url", help="the page's URL (default: its canonical link); picks the site's cleanup")
    extract.add_argument("--profile", action="append", default=[], dest="profiles", metavar="FILE",
                         help="a site profile file, looked in first for the URL's site (repeatable)")
    extract.add_argument("--json", action="store_true", help="print the article JSON (default: title, date, text)")
    extract.add_argument("--topic", default="cloud-souverain", help="topic to score against")

    snapshot = commands.add_parser("snapshot", help="build a reproducible WACZ snapshot of an output folder")
    snapshot.add_argument("--out", type=Path, default=Path("out"), help="the output folder (default: ./out)")
    cut = snapshot.add_mutually_exclusive_group()
    cut.add_argument("--run", metavar="RUN_ID", help="only this run's WARCs and articles")
    cut.add_argument("--until", metavar="YYYY-MM-DD", help="only what was captured up to this day (UTC)")
    snapshot.add_argument("-o", "--output", type=Path, required=True, metavar="NAME.wacz", help="the WACZ to write")

    verify = commands.add_parser("verify", help="check every hash and digest of a snapshot")
    verify.add_argument("snapshot", type=Path, metavar="NAME.wacz")

    reextract = commands.add_parser("reextract", help="rebuild every dated file from the WARCs alone, offline")
    reextract.add_argument("source", type=Path, metavar="SNAPSHOT_OR_DIR", help="a .wacz snapshot or an output folder")
    reextract.add_argument("--out", type=Path, required=True, metavar="DIR2", help="where to write articles/")
    reextract.add_argument("--workers", type=whole(0, 256), default=0, help="worker processes (default: one per core)")

    export = commands.add_parser("export", help="one row per article, for pandas and DuckDB")
    export.add_argument("--out", type=Path, default=Path("out"), help="the output folder (default: ./out)")
    export.add_argument("--format", choices=("jsonl", "csv", "parquet"), default=None,
                        help="the table format (default: from the -o name: .jsonl, .csv, .parquet; jsonl for -)")
    export.add_argument("-o", "--output", required=True, metavar="FILE", help="the file to write, - for stdout")
    export.add_argument("--latest", action="store_true", help="only the latest version of each article")

    replay = commands.add_parser("replay", help="serve archived pages with pywb, with a list of the articles")
    replay.add_argument("source", type=Path, nargs="?", default=Path("out"), metavar="SNAPSHOT|OUT",
                        help="a .wacz snapshot or an output folder (default: ./out)")
    replay.add_argument("--port", type=PORT, default=8090, help="port to serve on (default: 8090)")
    replay.add_argument("--host", default="127.0.0.1", help="address to bind (default: 127.0.0.1 only)")

    diff = commands.add_parser("diff", help="word-level diff between the stored versions of an article")
    diff.add_argument("url", help="the article's URL")
    diff.add_argument("--out", type=Path, default=Path("out"), help="the output folder (default: ./out)")

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
    check.add_argument("--topic", default="cloud-souverain", metavar="NAME|FILE", help="topic name or file")

    sketch = profile_commands.add_parser("sketch", help="the same visit, then a draft profile with every guess commented")
    sketch.add_argument("--root", required=True, metavar="URL", help="the site's root, http(s)://host[:port]")
    sketch.add_argument("-o", "--output", type=Path, required=True, metavar="FILE", help="the profile file to write")
    sketch.add_argument("--name", help="the site name (default: from the host name)")
    sketch.add_argument("--delay", type=seconds, default=None, metavar="SECONDS",
                        help="delay between requests (default: 1.0, or robots.txt's Crawl-delay when longer)")
    sketch.add_argument("--topic", default="cloud-souverain", metavar="NAME|FILE",
                        help="topic whose tags show the tag page's shape")

    mirror = commands.add_parser("mirror", help="the local mirror of the sites")
    mirror_commands = mirror.add_subparsers(dest="mirror_command", required=True, metavar="COMMAND")
    serve = mirror_commands.add_parser("serve", help="serve the mirror (clubic on PORT, numerama on PORT+1)")
    add_mirror_arguments(serve)
    return parser


def add_crawl_options(parser: argparse.ArgumentParser) -> None:
    """Add the options shared by ``crawl`` and ``demo``."""
    parser.add_argument("--out", type=Path, default=None, help="output folder (default: ./out, demo: ./demo-out)")
    parser.add_argument("--topic", default="cloud-souverain", metavar="NAME|FILE", help="topic name or file")
    parser.add_argument("--max-pages", type=whole(0), default=0, metavar="N", help="stop each site after N pages")
    parser.add_argument("--delay", type=seconds, default=None, metavar="SECONDS",
                        help="delay between requests to a site (default: 1.0 with autothrottle; demo: 0)")
    parser.add_argument("--concurrency", type=whole(1, 64), default=None, metavar="N", help="requests at once per site")
    parser.add_argument("--timeout", type=whole(1), default=None, metavar="SECONDS",
                        help="give up a download after this long (default: 30; it is then retried)")
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


def main(argv: list[str] | None = None) -> int:
    """Run the ``souverain`` command.

    Args:
        argv: the arguments (default: ``sys.argv[1:]``).

    Returns:
        The exit status.
    """
    args = build_parser().parse_or_exit(argv)
    try:
        status = COMMANDS[args.command](args)
        sys.stdout.flush()  # here, not at exit, so that a closed pipe is met below
        return status
    except (UserError, ProfileError, TopicError, WindowError, ArchiveError) as exc:
        print(f"souverain: error: {exc}", file=sys.stderr)
        return 1
    except BrokenPipeError:  # an OSError, but no error: the reader of stdout is gone
        return stdout_closed()
    except OSError as exc:  # a read-only or full output folder, a file that vanished: said in one line
        print(f"souverain: error: {f'{exc.filename}: ' if exc.filename else ''}{exc.strerror or exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("souverain: interrupted", file=sys.stderr)
        return 130


def stdout_closed() -> int:
    """Stop quietly when the reader of stdout went away (``souverain extract page.html | head -1``).

    As tools killed by SIGPIPE do: no message, exit status 128 + 13; stdout is pointed at /dev/null so that
    Python's own flush at exit does not complain again.

    Returns:
        The exit status.
    """
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
    os.close(devnull)
    return 128 + signal.SIGPIPE


def crawl_options(args: argparse.Namespace) -> Any:
    """Return the checked `CrawlOptions` of ``souverain crawl`` arguments (raises in one line on a mistake)."""
    from crawler.run import CrawlOptions

    profiles = find_profiles(args.profiles)
    given = {str(Path(f).resolve()) for f in args.profiles}
    sites = args.sites or [name for name, p in profiles.items() if p.file in given] or sorted(profiles)
    options = CrawlOptions(
        out=args.out or Path("out"), sites=sites, roots=parse_roots(args.root),
        topic=args.topic, max_pages=args.max_pages, delay=args.delay, concurrency=args.concurrency,
        since=args.since, until=args.until, resume=args.resume, recheck=args.recheck, timeout=args.timeout,
        strict_profile=args.strict_profile, progress="off" if args.quiet else args.progress, verbose=args.verbose,
        extra_settings=parse_settings(args.set), profiles=args.profiles,
    )
    options.check()
    return options


def cmd_crawl(args: argparse.Namespace) -> int:
    """``souverain crawl``."""
    return crawl_and_report(crawl_options(args), quiet=args.quiet, again="continue with --resume")


# Exit status of a run stopped by a signal: 128 + the signal's number, as a shell reports it.
INTERRUPTED_STATUS = {"SIGINT": 130, "SIGTERM": 143}


def crawl_and_report(options: Any, *, quiet: bool = False, again: str) -> int:
    """Crawl, print the summary; non-zero when a site answered nothing or the run was interrupted.

    Args:
        options: the checked crawl options.
        quiet: print only errors.
        again: what to do after an interruption (``continue with --resume``).

    Returns:
        The exit status.
    """
    from archive.fsutil import remove_orphans
    from archive.lock import RunLock
    from archive.warc.repair import repair_open_warcs
    from crawler.run import drift_warnings, last_unfinished_run, run_crawl, unreachable_sites

    say = (lambda _text: None) if quiet else CONSOLE.print
    prepare_out(options.out)
    with RunLock(options.out):
        for repair in repair_open_warcs(options.out / "warc"):
            say(escape(f"souverain: {repair.message}"))
        if stale := remove_orphans(options.out, recursive=True):  # temp files of dead writers, whoever they were
            say(f"souverain: removed {len(stale)} partly written file(s) left by a stopped run")
        if options.resume:
            options.run_id = last_unfinished_run(options.out)
        verb = "resuming" if options.resume else "crawling"
        say(escape(f"souverain: run {options.run_id}: {verb} {', '.join(options.sites)} into {options.out}/"))
        try:
            report = run_crawl(options)
        except KeyboardInterrupt:  # before the crawl could stop gracefully (Ctrl-C while it starts)
            print(f"souverain: interrupted: {again}", file=sys.stderr)
            return INTERRUPTED_STATUS["SIGINT"]
    if report["stopped"]:
        print(f"souverain: error: {report['stopped'][0]}; the run stopped and every closed file is valid; free "
              f"some space and continue it with `souverain crawl --resume`", file=sys.stderr)
        return 1
    drift = drift_warnings(report)
    if not quiet:
        print_summary(report, options)
        for line in drift:
            CONSOLE.print(f"souverain: warning: {line}", markup=False)
    if report["interrupted"]:
        print(f"souverain: interrupted: {again}", file=sys.stderr)
        return INTERRUPTED_STATUS.get(report["interrupted"], 1)
    failures = unreachable_sites(report)
    for line in failures:
        print(f"souverain: error: {line}", file=sys.stderr)
    if drift and options.strict_profile:
        print(f"souverain: error: --strict-profile: {len(drift)} profile rule(s) matched nothing "
              f"({'; '.join(drift)})", file=sys.stderr)
    return 1 if failures or (drift and options.strict_profile) else 0


def prepare_out(out: Path) -> None:
    """Create the output folder or say in one line why it cannot be."""
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise UserError(f"cannot use output folder {out}: {exc.strerror or exc}") from None
    if not out.is_dir():
        raise UserError(f"output folder {out} is not a folder")


def print_summary(report: dict[str, Any], options: Any) -> None:
    """Print the run's one-screen summary: per site, what was found, fetched, kept or found unchanged, what was
    rejected or skipped and why, what the run did not complete; then where everything went."""
    totals = report["totals"]
    table = Table(title=escape(f"run {report['run_id']}, {human_seconds(totals.get('elapsed_seconds', 0.0))}"),
                  title_justify="left")
    columns = ("site", "discovered", "pages fetched", "kept", "unchanged", "harvest", "rejected", "skipped",
               "not completed", "WARC", "errors")
    for column in columns:
        table.add_column(column, justify="left" if column in ("site", "rejected", "skipped") else "right")
    rows = [(name, site.get("summary", {})) for name, site in report["sites"].items()]
    rows.append(("total", totals))
    for name, figures in rows:
        table.add_row(
            escape(name), str(figures.get("discovered", "-")), str(figures.get("pages_fetched", 0)),
            str(figures.get("articles_kept", 0)), str(figures.get("unchanged", 0)), harvest(figures),
            escape(reasons(figures.get("rejected", {}))), escape(reasons(figures.get("skipped", {}))),
            str(figures.get("not_completed", 0)), human_bytes(figures.get("warc_bytes", 0)),
            str(figures.get("errors", 0)),
        )
    CONSOLE.print(table)
    out, run_dir = options.out, options.run_dir
    articles = sum(1 for _ in (out / "articles").rglob("*.txt"))
    warcs = sum(1 for _ in (out / "warc").glob("*.warc.gz"))
    CONSOLE.print(escape(f"articles: {plural(articles, 'dated text file')} (+ .json) under {out / 'articles'}/ "
                         f"({totals.get('articles_kept', 0)} written by this run)"))
    CONSOLE.print(escape(f"WARC:     {plural(warcs, 'WARC file')} under {out / 'warc'}/"))
    CONSOLE.print(escape(f"report:   {run_dir / 'report.json'}   log: {run_dir / 'crawl.log'}"))


def harvest(figures: dict[str, Any]) -> str:
    """Return the harvest rate, or ``-`` for an incremental run that found nothing new (its articles unchanged
    or not due): a rate of 0 would read as a crawl that found nothing."""
    if not figures.get("articles_kept") and (figures.get("unchanged") or figures.get("skipped", {}).get("not due")):
        return "-"
    return f"{figures.get('harvest_rate', 0.0):.2f}"


def plural(count: int, noun: str) -> str:
    """Return ``1 WARC file``, ``3 WARC files``."""
    return f"{count} {noun}{'' if count == 1 else 's'}"


def reasons(counts: dict[str, int]) -> str:
    """Return reason counts as ``off-topic 12, http error 1``."""
    return ", ".join(f"{reason} {count}" for reason, count in counts.items()) or "-"


def cmd_demo(args: argparse.Namespace) -> int:
    """``souverain demo``: mirror on free ports (the previous demo's, when OUT has one), crawl it, say where
    everything went."""
    from crawler.mirror.process import MirrorProcess, free_port_pair, pair_is_free
    from crawler.run import CrawlOptions

    out = args.out or Path("demo-out")
    prepare_out(out)
    previous = demo_port(out)
    if previous is not None and not pair_is_free(previous):
        raise UserError(f"the previous demo in {out} served the mirror on ports {previous} and {previous + 1}, which "
                        "are busy now: free them, or use another --out (other ports would make every article URL "
                        "new and store it again)")
    mirror = MirrorProcess(articles=args.articles, port=previous or free_port_pair()).start()
    try:
        atomic_write_text(out / DEMO_FILE, json.dumps({"port": mirror.port}) + "\n")
        say = (lambda _text: None) if args.quiet else CONSOLE.print
        say(escape("souverain: mirror serving " + ", ".join(f"{k} at {v}" for k, v in mirror.roots.items())))
        options = CrawlOptions(
            out=out, sites=sorted(mirror.roots), roots=dict(mirror.roots), topic=args.topic,
            max_pages=args.max_pages, delay=0.0 if args.delay is None else args.delay,
            concurrency=args.concurrency or 8, since=args.since, until=args.until, timeout=args.timeout,
            progress="off" if args.quiet else args.progress, verbose=args.verbose,
        )
        options.check()
        return crawl_and_report(options, quiet=args.quiet, again="run the same `souverain demo` again to continue")
    finally:
        mirror.stop()


# Where a demo remembers its mirror's ports: the next demo into that folder serves the same URLs, so its crawl
# is an incremental run of the same sites instead of a crawl of new ones.
DEMO_FILE = "demo.json"


def demo_port(out: Path) -> int | None:
    """Return clubic's port of the previous demo into ``out`` (numerama's is the next), or None."""
    try:
        port = json.loads((out / DEMO_FILE).read_text(encoding="utf-8"))["port"]
    except (OSError, ValueError, TypeError, KeyError):
        return None
    return port if isinstance(port, int) and 1024 <= port < 65535 else None


def cmd_extract(args: argparse.Namespace) -> int:
    """``souverain extract``: one saved page → the article JSON on stdout."""
    from archive.text.extract import SiteCleanup, extract_article
    from archive.text.relevance import Topic
    from crawler.profiles import profile_for_url
    from crawler.topic import check_topic

    try:
        body = args.file.read_bytes()
    except OSError as exc:
        raise UserError(f"cannot read {args.file}: {exc.strerror or exc}") from None
    url = args.url or canonical_url(body) or args.file.resolve().as_uri()
    profile = profile_for_url(url, args.profiles)
    cleanup = SiteCleanup.from_dict(profile.cleanup) if profile else SiteCleanup()
    article = extract_article(body, url, cleanup=cleanup)
    if article is None:
        raise UserError(f"no article text found in {args.file}")
    record = {**article.to_dict(), "url": url, "site": profile.name if profile else None}
    record["relevance"] = Topic.load(check_topic(args.topic)).score(record["title"] or "", record["text"]).to_dict()
    if args.json:
        print(json.dumps(record, ensure_ascii=False, indent=2, sort_keys=True))
    else:
        print(f"{record['title']}\n{record.get('published') or 'undated'} · {', '.join(record['authors'])}\n")
        print(record["text"])
    return 0


def canonical_url(body: bytes) -> str | None:
    """Return the canonical (or og:url) link of a page, if any."""
    import lxml.html

    try:
        tree = lxml.html.fromstring(body)
    except (ValueError, lxml.etree.ParserError):
        return None
    found = tree.xpath("//link[@rel='canonical']/@href | //meta[@property='og:url']/@content")
    return str(found[0]).strip() if found else None


def cmd_profile(args: argparse.Namespace) -> int:
    """``souverain profile check|sketch``."""
    return cmd_profile_sketch(args) if args.profile_command == "sketch" else cmd_profile_check(args)


def cmd_profile_sketch(args: argparse.Namespace) -> int:
    """``souverain profile sketch``: a draft profile from a bounded visit, checked as any profile is."""
    from crawler.profiles import SiteProfile, check_root
    from crawler.profilesketch import sketch_profile
    from crawler.settings import DOWNLOAD_DELAY
    from crawler.topic import TopicDiscovery, check_topic

    root = check_root("--root", args.root)
    if args.output.is_dir():
        raise UserError(f"-o {args.output} is a folder: give the profile file to write")
    text = sketch_profile(root, TopicDiscovery.load(check_topic(args.topic)).tags,
                          DOWNLOAD_DELAY if args.delay is None else args.delay, args.name)
    atomic_write_text(args.output, text)
    profile = SiteProfile.from_file(args.output)  # what was written is a profile souverain takes
    CONSOLE.print(escape(f"profile sketch: {args.output} (site {profile.name}, {len(profile.article_patterns)} "
                         f"article pattern(s)); edit it, then run `souverain profile check {profile.name} "
                         f"--profile {args.output}`"))
    return 0


def cmd_profile_check(args: argparse.Namespace) -> int:
    """``souverain profile check``: every rule's matches on a bounded visit; non-zero when one matched nothing."""
    from archive.text.relevance import Topic
    from crawler.profilecheck import MAX_REQUESTS, check_profile, fallback_of
    from crawler.profiles import get_profile
    from crawler.settings import DOWNLOAD_DELAY
    from crawler.topic import TopicDiscovery, check_topic

    profile = get_profile(args.name, {args.name: args.root} if args.root else {}, args.profiles)
    path = check_topic(args.topic)
    report = check_profile(profile, Topic.load(path), TopicDiscovery.load(path),
                           DOWNLOAD_DELAY if args.delay is None else args.delay)
    out = lambda text: CONSOLE.print(text, markup=False, highlight=False)  # noqa: E731
    out(f"profile {profile.name}: {profile.file} (sha256 {profile.sha256[:16]}…), visited {profile.root} with "
        f"{report.requests} requests (at most {MAX_REQUESTS})")
    for rule, tried in sorted(report.tally.tried.items()):
        matched = report.tally.matched[rule]
        out(f"rule {rule}: matched {matched} of {tried} page{'s' if tried > 1 else ''}"
            + ("" if matched else f": {fallback_of(rule)}"))
    for rule in report.unset:
        out(f"not set {rule}: {'trafilatura cleans alone' if rule.startswith('cleanup.') else 'read generically'}")
    for number, article in enumerate(report.articles, 1):
        out(f"article {number}: {article['url']}")
        if "error" in article:
            out(f"  {article['error']}")
            continue
        out(f"  title: {article['title']}\n  date: {article['published'] or 'undated'} "
            f"({article['published_source'] or 'no source'})\n  authors: {', '.join(article['authors']) or '-'}")
        out(f"  first words: {article['first_words']}\n  last words: {article['last_words']}\n"
            f"  relevance: {article['relevance']:g}")
    if report.idle:
        out(f"removal rules that removed nothing on these pages (not counted): {', '.join(report.idle)}")
    if not report.articles:
        print(f"souverain: error: profile check {profile.name}: no article could be sampled at {profile.root}",
              file=sys.stderr)
        return 1
    if report.failing:
        print(f"souverain: error: profile check {profile.name}: {len(report.failing)} rule(s) matched nothing: "
              f"{', '.join(report.failing)}", file=sys.stderr)
        return 1
    return 0


def cmd_mirror(args: argparse.Namespace) -> int:
    """``souverain mirror serve``: run the bundled mirror until interrupted."""
    from crawler.mirror.__main__ import serve

    return serve(args)


def cmd_snapshot(args: argparse.Namespace) -> int:
    """``souverain snapshot``: a deterministic WACZ of an output folder."""
    from archive.wacz.snapshot import build_snapshot
    from crawler.workprogress import WorkProgress

    with WorkProgress("snapshot") as progress:
        summary = build_snapshot(args.out, args.output, run_id=args.run, until=args.until, progress=progress.update)
    CONSOLE.print(escape(f"snapshot: {args.output} ({plural(summary['warc_files'], 'WARC file')}, "
                         f"{plural(summary['articles'], 'article version')}, "
                         f"{human_bytes(summary['bytes'])}, cut-off {summary['cutoff']})"))
    CONSOLE.print(f"sha256:   {summary['sha256']}")
    return 0


def cmd_verify(args: argparse.Namespace) -> int:
    """``souverain verify``: pass/fail per check; exit 0 only when every check passes."""
    from archive.wacz.verify import verify_snapshot

    checks = verify_snapshot(args.snapshot)
    for check in checks:
        detail = "" if check.ok else f": {check.detail}"
        CONSOLE.print(escape(f"{'PASS' if check.ok else 'FAIL'} {check.name}{detail}"))
    failed = sum(not check.ok for check in checks)
    CONSOLE.print(f"{len(checks) - failed} passed, {failed} failed")
    return 1 if failed else 0


def cmd_reextract(args: argparse.Namespace) -> int:
    """``souverain reextract``: dated files rebuilt from the WARCs alone."""
    from archive.store.reextract import reextract
    from crawler.workprogress import WorkProgress

    with WorkProgress("reextract") as progress:
        summary = reextract(args.source, args.out, workers=args.workers or None,
                            progress=lambda done, total: progress.update("articles", done, total))
    CONSOLE.print(escape(f"reextract: {plural(summary['articles'], 'article')} from "
                         f"{plural(summary['warc_files'], 'WARC file')} "
                         f"written under {args.out / 'articles'}/ in {summary['seconds']:.1f} s"))
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    """``souverain export``: one row per article."""
    from archive.store.export import STDOUT, export_articles, export_bytes, export_format

    fmt = export_format(args.output, args.format)
    if args.output == STDOUT:
        data, rows = export_bytes(args.out, fmt, latest=args.latest)
        sys.stdout.buffer.write(data)
        sys.stdout.flush()
        print(f"export: {plural(rows, 'article')} written to stdout ({fmt})", file=sys.stderr)
        return 0
    rows = export_articles(args.out, Path(args.output), fmt, latest=args.latest)
    CONSOLE.print(escape(f"export: {plural(rows, 'article')} written to {args.output} ({fmt})"))
    return 0


def cmd_replay(args: argparse.Namespace) -> int:
    """``souverain replay``: pywb on the archive until interrupted."""
    from archive.replay.server import serve_replay

    return serve_replay(args.source, host=args.host, port=args.port, announce=lambda text: CONSOLE.print(escape(text)))


def cmd_diff(args: argparse.Namespace) -> int:
    """``souverain diff URL``: what changed between the versions of an article."""
    from archive.store.diff import diff_article

    print(diff_article(args.out, args.url), end="")
    return 0


def cmd_schedule(args: argparse.Namespace) -> int:
    """``souverain schedule install``."""
    from crawler.schedule import install_schedule

    return install_schedule(every=args.every, at=args.at, kind=args.kind, crawl_args=args.crawl_args,
                            dry_run=args.print, announce=CONSOLE.print)


COMMANDS = {
    "crawl": cmd_crawl, "demo": cmd_demo, "extract": cmd_extract, "mirror": cmd_mirror, "snapshot": cmd_snapshot,
    "verify": cmd_verify, "reextract": cmd_reextract, "export": cmd_export, "replay": cmd_replay,
    "diff": cmd_diff, "schedule": cmd_schedule, "profile": cmd_profile,
}

if __name__ == "__main__":
    sys.exit(main())
