"""Errors of the archive library that a user can fix (a wrong path, an empty folder, a bad option)."""

from __future__ import annotations


class ArchiveError(Exception):
    """A user-facing error: the command line prints it in one line and exits non-zero."""
