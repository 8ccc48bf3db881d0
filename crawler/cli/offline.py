"""The offline commands: extract, snapshot, verify, reextract, export, replay, diff (no Scrapy import)."""

from __future__ import annotations

import argparse
import json
import sys
from contextlib import ExitStack
from pathlib import Path

from rich.markup import escape

from crawler.cli.common import CONSOLE, UserError, plural
from crawler.defaults import SOUVERAIN_OUT_DIR
from crawler.workprogress import human_bytes


def cmd_extract(args: argparse.Namespace) -> int:
    """``souverain extract``: one saved page → the article JSON on stdout."""
    from archive.text.cleanup import SiteCleanup
    from archive.text.extract import extract
    from archive.text.notarticle import NotAnArticle
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
    try:
        article = extract([(body, url, None)], cleanup)
    except NotAnArticle as refused:
        raise UserError(f"{args.file}: {refused.reason}") from None
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
    return str(found[0]).strip() if isinstance(found, list) and found else None


def cmd_snapshot(args: argparse.Namespace) -> int:
    """``souverain snapshot``: a deterministic WACZ of an output folder."""
    from archive.wacz.snapshot import build_snapshot
    from crawler.workprogress import WorkProgress

    with WorkProgress("snapshot") as progress:
        summary = build_snapshot(args.out or [Path(SOUVERAIN_OUT_DIR)], args.output, run_id=args.run, until=args.until,
                                 progress=progress.update)
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

    with WorkProgress("reextract") as progress, ExitStack() as stack:
        executor = None
        if args.dask:
            from archive.store.daskrun import dask_executor

            executor = stack.enter_context(dask_executor(args.dask, args.workers or None))
        summary = reextract(args.source, args.out, workers=args.workers or None, executor=executor,
                            progress=lambda done, total: progress.update("articles", done, total))
    CONSOLE.print(escape(f"reextract: {plural(summary['articles'], 'article')} from "
                         f"{plural(summary['warc_files'], 'WARC file')} "
                         f"written under {args.out / 'articles'}/ in {summary['seconds']:.1f} s"))
    return 0


def cmd_report(args: argparse.Namespace) -> int:
    """``souverain report``: the worker reports of a distributed run, found in its output folders, merged."""
    from crawler.distributed.reports import parts_in_folders, write_merged
    from crawler.runid import is_run_id

    run = args.run or latest_worker_run(args.out)
    if not is_run_id(run):
        raise UserError(f"--run {run!r}: expected a run id such as 20261201T120000Z-1a2b")
    report = write_merged(args.out[0] / "runs" / run, parts_in_folders(args.out, run))
    kept = report.get("totals", {}).get("articles_kept", 0)
    CONSOLE.print(escape(f"report: run {run}: {plural(len(report['workers']), 'worker')}, "
                         f"{plural(kept, 'article')} kept, written to {args.out[0] / 'runs' / run / 'report.json'}"))
    return 0


def latest_worker_run(outs: list[Path]) -> str:
    """Return the newest run id with worker reports in any of the output folders."""
    from crawler.runid import is_run_id

    runs = sorted({path.parent.parent.name for out in outs for path in (out / "runs").glob("*/workers/*.json")
                   if is_run_id(path.parent.parent.name)})
    if not runs:
        raise UserError(f"no worker report in {', '.join(str(out / 'runs') for out in outs)} (give --run RUN_ID?)")
    return runs[-1]


def cmd_export(args: argparse.Namespace) -> int:
    """``souverain export``: one row per article."""
    from archive.store.export import (
        STDOUT,
        export_articles,
        export_bytes,
        export_format,
    )

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
