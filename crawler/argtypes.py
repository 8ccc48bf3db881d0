"""Command-line argument types and a parser whose errors are one line (no usage block, no traceback)."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from typing import Any, NoReturn


class OptionError(Exception):
    """A mistake in the command line, in one line (``souverain: error: …``, exit status 2)."""


class OneLineParser(argparse.ArgumentParser):
    """ArgumentParser that reports a mistake in one line: ``souverain: error: message (see PROG --help)``.

    Options are never abbreviated (``--sit`` is no ``--site``). ``error`` raises `OptionError`, so a caller that
    checks options for later (``schedule install -- CRAWL OPTIONS``) can say where they came from; ``main``
    prints it and exits 2.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("allow_abbrev", False)
        super().__init__(*args, **kwargs)

    def error(self, message: str) -> NoReturn:
        """Raise the mistake as an `OptionError` naming the help to read."""
        raise OptionError(f"{message} (see {self.prog} --help)")

    def parse_or_exit(self, argv: list[str] | None = None) -> argparse.Namespace:
        """Parse the arguments; on a mistake print one line and exit 2."""
        try:
            return self.parse_args(argv)
        except OptionError as exc:
            print(f"souverain: error: {exc}", file=sys.stderr)
            sys.exit(2)


def whole(minimum: int, maximum: int | None = None) -> Callable[[str], int]:
    """Return an argument type for a whole number in [minimum, maximum]."""

    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
        if value < minimum or (maximum is not None and value > maximum):
            bound = f"from {minimum} to {maximum}" if maximum is not None else f"of at least {minimum}"
            raise argparse.ArgumentTypeError(f"{value} is out of range: a number {bound} is expected")
        return value

    return parse


def seconds(text: str) -> float:
    """Argument type: a duration in seconds, 0 or more."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of seconds") from None
    if not value >= 0 or value == float("inf"):
        raise argparse.ArgumentTypeError(f"{text!r}: a number of seconds of 0 or more is expected")
    return value


def share(text: str) -> float:
    """Argument type: a share between 0 and 1."""
    value = seconds(text)
    if value > 1:
        raise argparse.ArgumentTypeError(f"{text!r}: a share between 0 and 1 is expected")
    return value


PORT = whole(0, 65535)
