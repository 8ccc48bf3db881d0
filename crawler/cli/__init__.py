"""The ``souverain`` command: crawl, demo, extract, snapshot… profile check, mirror serve."""

from __future__ import annotations

import os
import signal
import sys

from archive.errors import ArchiveError
from crawler.cli.common import UserError
from crawler.cli.crawl import cmd_crawl, cmd_demo
from crawler.cli.offline import (
    cmd_diff,
    cmd_export,
    cmd_extract,
    cmd_reextract,
    cmd_replay,
    cmd_report,
    cmd_snapshot,
    cmd_verify,
)
from crawler.cli.parser import build_parser
from crawler.cli.tools import cmd_mirror, cmd_profile, cmd_schedule
from crawler.discovery.window import WindowError
from crawler.profiles import ProfileError
from crawler.topic import TopicError


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


COMMANDS = {
    "crawl": cmd_crawl, "demo": cmd_demo, "extract": cmd_extract, "mirror": cmd_mirror, "snapshot": cmd_snapshot,
    "verify": cmd_verify, "reextract": cmd_reextract, "export": cmd_export, "replay": cmd_replay,
    "diff": cmd_diff, "report": cmd_report, "schedule": cmd_schedule, "profile": cmd_profile,
}
