"""Export: one row per article (JSON Lines, CSV or Parquet) with a stable id, for pandas and DuckDB users."""

from __future__ import annotations

import csv
import hashlib
import io
import json
from pathlib import Path
from typing import Any

from archive.errors import ArchiveError
from archive.fsutil import atomic_write_bytes
from archive.source import article_jsons, expect, string_list

COLUMNS = (
    "id", "site", "url", "canonical_url", "title", "authors", "published", "published_source", "modified",
    "section", "tags", "language", "word_count", "relevance_score", "discovered_via", "capture_time", "warc_file",
    "warc_offset", "record_id", "payload_digest", "text_sha256", "path", "text",
)
LIST_COLUMNS = ("authors", "tags", "discovered_via")
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")  # OWASP's list for CSV injection


def article_row(record: dict[str, Any], path: str) -> dict[str, Any]:
    """Return the export row of one article record.

    The id is stable across exports and machines: SHA-256 of URL, capture time of the first page and SHA-256 of
    the text, so a new capture or a changed text gets a new id.

    Args:
        record: the article's JSON record.
        path: its dated ``.txt`` path, relative to the output folder.

    Returns:
        The row, keyed by ``COLUMNS``.
    """
    capture = (record.get("capture") or [{}])[0]
    text_sha256 = hashlib.sha256(record["text"].encode("utf-8")).hexdigest()
    identity = "\n".join((record["url"], capture.get("fetch_time", ""), text_sha256))
    return {
        **{name: record.get(name) for name in COLUMNS},
        "id": hashlib.sha256(identity.encode("utf-8")).hexdigest()[:32],
        "relevance_score": (record.get("relevance") or {}).get("score"),
        "capture_time": capture.get("fetch_time"),
        "warc_file": capture.get("warc_file"),
        "warc_offset": capture.get("offset"),
        "record_id": capture.get("record_id"),
        "payload_digest": capture.get("payload_digest"),
        "text_sha256": text_sha256,
        "path": path,
    }


def read_rows(out_dir: Path) -> list[dict[str, Any]]:
    """Return the rows of every article of an output folder, in path order."""
    folder = out_dir / "articles"
    if not folder.is_dir():
        raise ArchiveError(f"no articles/ folder in {out_dir}: nothing to export")
    rows = []
    for json_path, record in article_jsons(out_dir):
        captures = record.get("capture") or [{}]
        if not isinstance(captures, list) or not isinstance(captures[0], dict) or not isinstance(
                captures[0].get("fetch_time", ""), str):
            raise ArchiveError(f"{json_path}: field 'capture' is not a list of capture objects")
        expect(record, "relevance", dict, str(json_path), optional=True)
        for name in LIST_COLUMNS:
            string_list(record, name, str(json_path))
        for name in set(COLUMNS) - {"text", "url", *LIST_COLUMNS}:
            expect(record, name, (str, int, float), str(json_path), optional=True)
        rows.append(article_row(record, json_path.with_suffix(".txt").relative_to(out_dir).as_posix()))
    return rows


def export_articles(out_dir: Path, dest: Path, fmt: str) -> int:
    """Write every article of an output folder as one row to a JSON Lines, CSV or Parquet file.

    Args:
        out_dir: the output folder.
        dest: the file to write (atomically).
        fmt: ``jsonl``, ``csv`` or ``parquet``.

    Returns:
        The number of rows written.
    """
    rows = read_rows(out_dir)
    if not dest.parent.is_dir():
        raise ArchiveError(f"cannot write {dest}: folder {dest.parent} does not exist")
    writers = {"jsonl": _jsonl, "csv": _csv, "parquet": _parquet}
    if fmt not in writers:
        raise ArchiveError(f"unknown export format {fmt!r} (known: {', '.join(writers)})")
    atomic_write_bytes(dest, writers[fmt](rows))
    return len(rows)


def _jsonl(rows: list[dict[str, Any]]) -> bytes:
    """Encode rows as JSON Lines (lists stay lists)."""
    return "".join(json.dumps(row, ensure_ascii=False, sort_keys=True) + "\n" for row in rows).encode("utf-8")


def _csv(rows: list[dict[str, Any]]) -> bytes:
    """Encode rows as CSV (UTF-8, header, lists joined with ``; ``)."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=COLUMNS, lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({k: _cell("; ".join(v or []) if k in LIST_COLUMNS else v) for k, v in row.items()})
    return buffer.getvalue().encode("utf-8")


def _cell(value: Any) -> Any:
    """Quote a text cell that a spreadsheet would run as a formula (``= + - @``, tab, CR) with a leading ``'``."""
    return f"'{value}" if isinstance(value, str) and value[:1] in FORMULA_START else value


def _parquet(rows: list[dict[str, Any]]) -> bytes:
    """Encode rows as Parquet (needs pyarrow: the ``parquet`` extra)."""
    try:
        import pyarrow as pa
        import pyarrow.parquet as pq
    except ImportError:
        raise ArchiveError("parquet export needs pyarrow: pip install 'souverain[parquet]'") from None
    table = pa.Table.from_pylist(rows, schema=_schema(pa))
    sink = pa.BufferOutputStream()
    pq.write_table(table, sink)
    return sink.getvalue().to_pybytes()


def _schema(pa: Any) -> Any:
    """Return the Parquet schema of the rows (typed, so empty exports keep their columns)."""
    types = {"word_count": pa.int64(), "warc_offset": pa.int64(), "relevance_score": pa.float64()}
    return pa.schema([(name, pa.list_(pa.string()) if name in LIST_COLUMNS else types.get(name, pa.string()))
                      for name in COLUMNS])
