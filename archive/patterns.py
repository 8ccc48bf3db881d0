"""Regular expressions from profiles, topics and archives, run with a time bound (the ``regex`` package).

A pattern read back from an archive's run log is untrusted: a catastrophic one such as ``(?:[a-z]+\\s?)+QQQ``
would hang a worker with ``re``. Every match here gives up after ``TIMEOUT`` seconds with a one-line error.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from functools import lru_cache
from typing import Any

import regex

from archive.errors import ArchiveError

TIMEOUT = 1.0  # seconds for one search over one text: the bundled patterns take microseconds
IGNORECASE = regex.IGNORECASE


class Pattern:
    """A compiled pattern whose every search, match and substitution is bounded in time."""

    def __init__(self, source: str, flags: int = 0) -> None:
        """Compile a pattern (``re`` syntax).

        Args:
            source: the pattern.
            flags: ``IGNORECASE`` or 0.

        Raises:
            ArchiveError: the pattern does not compile.
        """
        if not isinstance(source, str) or len(source) > 10_000:
            raise ArchiveError(f"pattern {str(source)[:80]!r}: not a string of at most 10,000 characters")
        try:
            self.compiled = regex.compile(source, flags | regex.VERSION0)
        except (regex.error, ValueError, OverflowError, RecursionError) as exc:
            raise ArchiveError(f"pattern {source[:80]!r} does not compile: {exc}") from None
        self.pattern = source

    def _bounded(self, call: Callable[..., Any], *args: Any) -> Any:
        """Run a search with the timeout (an iterator is read to its end); a timeout becomes a one-line error."""
        try:
            found = call(*args, timeout=TIMEOUT)
            return list(found) if isinstance(found, Iterator) else found
        except TimeoutError:
            raise ArchiveError(f"pattern {self.pattern[:80]!r} took more than {TIMEOUT} s on one text "
                               f"(catastrophic backtracking?)") from None

    def search(self, text: str) -> Any:
        """Return the first match anywhere, or None."""
        return self._bounded(self.compiled.search, text)

    def match(self, text: str) -> Any:
        """Return the match at the start, or None."""
        return self._bounded(self.compiled.match, text)

    def finditer(self, text: str) -> list[Any]:
        """Return every match, all found within the time bound."""
        found: list[Any] = self._bounded(self.compiled.finditer, text)
        return found

    def sub(self, replacement: str, text: str) -> str:
        """Replace every match."""
        replaced: str = self._bounded(self.compiled.sub, replacement, text)
        return replaced


# Only these patterns are safely joined into one alternation: no group numbers, back-references or global flags
# whose meaning would change next to other patterns (a non-capturing ``(?:`` is the only ``(?`` allowed).
_JOINABLE = regex.compile(r"(?:[^\\(]|\\[^0-9gN]|\((?![?])|\(\?:)*")


@lru_cache(maxsize=256)
def any_of(sources: tuple[str, ...], flags: int = 0) -> Pattern | None:
    """Return one pattern that matches where any of ``sources`` matches (a quick test before asking which).

    Args:
        sources: patterns (``re`` syntax).
        flags: ``IGNORECASE`` or 0, as each is compiled with.

    Returns:
        The alternation, or None when a source cannot be joined (it numbers groups, refers back to one or sets
        a global flag): then each has to be tried.
    """
    if not sources or not all(_JOINABLE.fullmatch(source) for source in sources):
        return None
    return compiled("|".join(f"(?:{source})" for source in sources), flags)


@lru_cache(maxsize=1024)
def compiled(source: str, flags: int = 0) -> Pattern:
    """Return the bounded pattern of a source, compiled once per process (profiles apply theirs to every page).

    Args:
        source: the pattern (``re`` syntax).
        flags: ``IGNORECASE`` or 0.

    Returns:
        The compiled pattern.
    """
    return Pattern(source, flags)
