"""CDXJ index of WARC files, as ``cdxj-indexer --sort`` writes it (lines sorted as with ``LC_ALL=C sort``)."""

from __future__ import annotations

import io
from pathlib import Path

from cdxj_indexer.main import CDXJIndexer


def cdxj_index(warcs: list[Path]) -> bytes:
    """Index WARC files into one sorted CDXJ index.

    Args:
        warcs: ``.warc.gz`` files; each line's ``filename`` is the file's name (no folder).

    Returns:
        The UTF-8 CDXJ lines, sorted by code point (the byte order of ``LC_ALL=C sort``), no duplicates.
    """
    out = io.StringIO()
    CDXJIndexer(output=out, inputs=[str(path) for path in warcs], sort=True).process_all()
    lines = sorted(set(out.getvalue().splitlines(keepends=True)))
    return "".join(lines).encode("utf-8")
