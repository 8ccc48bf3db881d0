"""The tool commands: profile sketch/check, mirror serve, schedule install."""

from __future__ import annotations

import argparse
import sys

from rich.markup import escape

from archive.fsutil import atomic_write_text
from crawler.cli.common import CONSOLE, UserError


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
    def out(text: str) -> None:
        CONSOLE.print(text, markup=False, highlight=False)

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


def cmd_schedule(args: argparse.Namespace) -> int:
    """``souverain schedule install``."""
    from crawler.schedule import install_schedule

    return install_schedule(every=args.every, at=args.at, kind=args.kind, crawl_args=args.crawl_args,
                            dry_run=args.print, announce=CONSOLE.print)
