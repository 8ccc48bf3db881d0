"""JSON documents whose long lists are written as they are produced, never held whole in memory.

A run's report lists every URL it did not keep: a million rows for a site whose sitemaps offer a million posts.
``Streamed`` wraps an iterator of such rows; ``write_json`` writes a document holding it atomically, row by row,
with the bytes ``json.dumps(..., indent=2)`` would give for the same list.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING, Any

from archive.fsutil import atomic_write_chunks

if TYPE_CHECKING:
    from pathlib import Path

CHUNK = 1 << 16  # bytes gathered before a write


class Streamed(list):  # type: ignore[type-arg]  # a list to json's encoder, an iterator in truth
    """A JSON array whose items come from an iterator, read once, while the document is written."""

    def __init__(self, items: Iterable[Any]) -> None:
        """Wrap the items (nothing is read yet).

        Args:
            items: the array's items, in order.
        """
        super().__init__()
        self.items = iter(items)
        self.head: list[Any] = []

    def __iter__(self) -> Iterator[Any]:
        """Yield the items (once)."""
        return itertools.chain(self.head, self.items)

    def __bool__(self) -> bool:
        """Tell whether there is an item, reading the first one ahead (json's encoder asks first)."""
        if not self.head:
            self.head = list(itertools.islice(self.items, 1))
        return bool(self.head)


def json_chunks(value: Any, *, indent: int = 2, sort_keys: bool = False) -> Iterator[bytes]:
    """Encode a JSON document (``Streamed`` lists included) as UTF-8 chunks.

    Args:
        value: the document.
        indent: spaces a level.
        sort_keys: sort the objects' keys.

    Returns:
        Chunks of about ``CHUNK`` bytes, the last one ending the document with a newline.
    """
    encoder = json.JSONEncoder(ensure_ascii=False, indent=indent, sort_keys=sort_keys)
    buffer: list[str] = []
    size = 0
    for part in encoder.iterencode(value):  # not one-shot: the pure-Python encoder, which iterates lists
        buffer.append(part)
        size += len(part)
        if size >= CHUNK:
            yield "".join(buffer).encode("utf-8")
            buffer, size = [], 0
    buffer.append("\n")
    yield "".join(buffer).encode("utf-8")


def write_json(path: Path, value: Any, *, sort_keys: bool = False) -> None:
    """Write a JSON document (``Streamed`` lists included) atomically, indented by 2.

    Args:
        path: destination file; its parent folders are created.
        value: the document.
        sort_keys: sort the objects' keys.
    """
    atomic_write_chunks(path, json_chunks(value, sort_keys=sort_keys))


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
