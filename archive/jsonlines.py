"""JSON-lines files written and read one value at a time, never held whole in memory.

A run's report lists every URL it did not keep: a million rows for a site whose sitemaps offer a million posts.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from archive.fsutil import atomic_write_chunks

if TYPE_CHECKING:
    from collections.abc import Iterable, Iterator
    from pathlib import Path


def read_lines(path: Path) -> Iterator[Any]:
    """Yield the values of a JSON-lines file one at a time (nothing when it does not exist).

    Args:
        path: the file.

    Returns:
        One decoded value a line (blank lines skipped).
    """
    try:
        handle = path.open(encoding="utf-8")
    except FileNotFoundError:
        return
    with handle:
        for line in handle:
            if line.strip():
                yield json.loads(line)


def write_lines(path: Path, values: Iterable[Any]) -> int:
    """Write values as JSON lines atomically, one at a time.

    Args:
        path: destination file; its parent folders are created.
        values: the values.

    Returns:
        The number of lines written.
    """
    count = 0

    def lines() -> Iterator[bytes]:
        nonlocal count
        for value in values:
            count += 1
            yield (json.dumps(value, ensure_ascii=False, sort_keys=True) + "\n").encode("utf-8")

    atomic_write_chunks(path, lines())
    return count
