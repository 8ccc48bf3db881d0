"""CDXJ index of WARC files, as ``cdxj-indexer --sort`` writes it (lines sorted as with ``LC_ALL=C sort``)."""

from __future__ import annotations

import io
from collections.abc import Iterable
from pathlib import Path

from cdxj_indexer.main import CDXJIndexer


def index_lines(warc: Path) -> list[str]:
    """Return the CDXJ lines of one WARC file, unsorted (a file's lines depend on that file alone: files can be
    indexed apart, in any order or process, then merged).

    Args:
        warc: a ``.warc.gz`` file; its lines' ``filename`` is its name.

    Returns:
        The lines, each with its newline.
    """
    out = io.StringIO()
    CDXJIndexer(output=out, inputs=[str(warc)]).process_all()
    return out.getvalue().splitlines(keepends=True)


def merge_indexes(indexes: Iterable[list[str]]) -> bytes:
    """Merge the lines of several files' indexes into one sorted index, as ``cdxj-indexer --sort`` writes it.

    Args:
        indexes: the lines of each file (``index_lines``).

    Returns:
        The UTF-8 CDXJ lines, sorted by code point (the byte order of ``LC_ALL=C sort``), no duplicates.
    """
    return "".join(sorted({line for lines in indexes for line in lines})).encode("utf-8")
