"""``souverain crawl`` and ``souverain demo``: run the crawl, print the summary, say why it failed."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rich.markup import escape
from rich.table import Table

from archive.fsutil import atomic_write_text
from crawler.cli.common import CONSOLE, UserError, parse_roots, parse_settings, plural
from crawler.defaults import SOUVERAIN_OUT_DIR
from crawler.profiles import find_profiles
from crawler.workprogress import human_bytes, human_seconds

if TYPE_CHECKING:
    from crawler.run import CrawlOptions


def crawl_options(args: argparse.Namespace) -> CrawlOptions:
    """Return the checked `CrawlOptions` of ``souverain crawl`` arguments (raises in one line on a mistake)."""
    from crawler.run import CrawlOptions

    profiles = find_profiles(args.profiles)
    given = {str(Path(f).resolve()) for f in args.profiles}
    sites = args.sites or [name for name, p in profiles.items() if p.file in given] or sorted(profiles)
    options = CrawlOptions(
        out=args.out or Path(SOUVERAIN_OUT_DIR), sites=sites, roots=parse_roots(args.root),
        cdn_roots=parse_roots(args.cdn_roots, "--cdn-root"), requisites=args.requisites, archive_only=args.archive_only, topic=args.topic, max_pages=args.max_pages, delay=args.delay, concurrency=args.concurrency,
        since=args.since, until=args.until, resume=args.resume, recheck=args.recheck, timeout=args.timeout,
        strict_profile=args.strict_profile, progress="off" if args.quiet else args.progress, verbose=args.verbose,
        extra_settings=parse_settings(args.set), profiles=args.profiles, redis=args.redis,
    )
    options.check()
    return options


def cmd_crawl(args: argparse.Namespace) -> int:
    """``souverain crawl``; with ``--redis``, as one worker of the run shared there."""
    options = crawl_options(args)
    if not options.redis:
        return crawl_and_report(options, quiet=args.quiet, again="continue with --resume")
    from crawler.distributed import reports
    from crawler.distributed.runs import RedisUrlError, check_redis_url, connect, joined_run
    from crawler.distributed.scheduler import UNREACHABLE, worker_id

    if options.resume:
        raise UserError("--resume and --redis: a shared run resumes by itself (start its workers again)")

    def merge_parts(server: Any, run: str) -> None:  # the last worker: one report.json for the run
        reports.write_merged(options.run_dir, reports.parts_in_redis(server, run))

    try:
        check_redis_url(options.redis)
        with joined_run(options.redis, lease_seconds(options), merge_parts) as run:
            options.run_id = run
            status = crawl_and_report(options, quiet=args.quiet, again="start the workers again to continue")
            part = reports.part_path(options.run_dir, worker_id())
            if part.is_file():
                reports.publish(connect(options.redis), run, worker_id(), json.loads(part.read_text(encoding="utf-8")))
            return status
    except RedisUrlError as exc:
        raise UserError(str(exc)) from None
    except UNREACHABLE as exc:
        raise UserError(f"cannot reach Redis at {options.redis}: {exc}") from None


def lease_seconds(options: Any) -> float:
    """Return the lease time of a worker (``DISTRIBUTED_LEASE_SECONDS``, maybe given with ``-s``)."""
    from crawler import defaults

    return float(options.extra_settings.get("DISTRIBUTED_LEASE_SECONDS", defaults.DISTRIBUTED_LEASE_SECONDS))


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
    from crawler.run import (
        drift_warnings,
        last_unfinished_run,
        run_crawl,
        unreachable_sites,
    )

    say = speaker(quiet)
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
    failures = unreachable_sites(report, worker=bool(options.redis))
    for line in failures:
        print(f"souverain: error: {line}", file=sys.stderr)
    if drift and options.strict_profile:
        print(f"souverain: error: --strict-profile: {len(drift)} profile rule(s) matched nothing "
              f"({'; '.join(drift)})", file=sys.stderr)
    return 1 if failures or (drift and options.strict_profile) else 0


def speaker(quiet: bool) -> Callable[[str], None]:
    """Return how progress lines are said: printed, or not at all with ``--quiet``."""
    def say(text: str) -> None:
        if not quiet:
            CONSOLE.print(text)
    return say


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
    requisites = totals.get("requisites", {})
    if requisites.get("requested"):
        CONSOLE.print(escape(f"requisites: {requisites.get('fetched', 0)} fetched "
                             f"({requisites.get('not_modified', 0)} not modified), "
                             f"{human_bytes(requisites.get('bytes', 0))}; skipped: "
                             f"{reasons(requisites.get('skipped', {}))}"))
    CONSOLE.print(escape(f"report:   {run_dir / 'report.json'}   log: {run_dir / 'crawl.log'}"))


def harvest(figures: dict[str, Any]) -> str:
    """Return the harvest rate, or ``-`` for an incremental run that found nothing new (its articles unchanged
    or not due): a rate of 0 would read as a crawl that found nothing."""
    if not figures.get("articles_kept") and (figures.get("unchanged") or figures.get("skipped", {}).get("not due")):
        return "-"
    return f"{figures.get('harvest_rate', 0.0):.2f}"


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
        raise UserError(f"the previous demo in {out} served the mirror on ports {previous} to {previous + 2}, which "
                        "are busy now: free them, or use another --out (other ports would make every article URL "
                        "new and store it again)")
    mirror = MirrorProcess(articles=args.articles, port=previous or free_port_pair()).start()
    try:
        atomic_write_text(out / DEMO_FILE, json.dumps({"port": mirror.port}) + "\n")
        say = speaker(args.quiet)
        say(escape("souverain: mirror serving " + ", ".join(f"{k} at {v}" for k, v in mirror.roots.items())
                   + f", their CDN at {mirror.cdn}"))
        options = CrawlOptions(
            out=out, sites=sorted(mirror.roots), roots=dict(mirror.roots), topic=args.topic,
            cdn_roots=dict.fromkeys(mirror.roots, mirror.cdn), requisites=args.requisites,
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
