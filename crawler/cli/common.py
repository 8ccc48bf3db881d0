"""Shared by the commands: the console, the one-line user error, ``--root`` and ``-s`` parsing."""

from __future__ import annotations

import sys

from rich.console import Console

# Wide enough for the summary table when the output is a file or a pipe (cron mails, CI logs).
CONSOLE = Console(highlight=False, soft_wrap=True, width=None if sys.stdout.isatty() else 160)


class UserError(Exception):
    """A mistake in what the user asked: reported in one line, exit status 1."""


def parse_roots(values: list[str], option: str = "--root") -> dict[str, str]:
    """Parse ``--root NAME=URL`` (or ``--cdn-root``) options.

    Args:
        values: the option values.
        option: the option's name, for the error message.

    Returns:
        site name → root URL.
    """
    roots = {}
    for value in values:
        name, sep, url = value.partition("=")
        if not sep or not name or not url:
            raise UserError(f"bad {option} {value!r}: expected NAME=URL, e.g. clubic=http://127.0.0.1:8000")
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

def plural(count: int, noun: str) -> str:
    """Return ``1 WARC file``, ``3 WARC files``."""
    return f"{count} {noun}{'' if count == 1 else 's'}"

