"""Export: one row per article (JSON Lines, CSV or Parquet) with a stable id, for pandas and DuckDB users."""

from __future__ import annotations

import csv
import hashlib
import io
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from archive.errors import ArchiveError
from archive.fsutil import atomic_write_bytes
from archive.source import article_jsons, expect, string_list
from archive.store.textstore import text_sha256

COLUMNS = (
    "id", "site", "url", "canonical_url", "version", "title", "description", "authors", "published",
    "published_source", "modified", "modified_source", "section", "tags", "language", "word_count",
    "relevance_score", "relevance_reason", "discovered_via", "capture_time", "warc_file", "warc_offset", "record_id",
    "payload_digest", "text_sha256", "path", "text",
)
LIST_COLUMNS = ("authors", "tags", "discovered_via")
TIME_COLUMNS = ("published", "modified", "capture_time")  # ISO 8601 text in JSONL and CSV, UTC timestamps in Parquet
FORMATS = {".jsonl": "jsonl", ".csv": "csv", ".parquet": "parquet"}
STDOUT = "-"
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")  # OWASP's list for CSV injection
INT_COLUMNS = ("version", "word_count", "warc_offset")
# The JSON type of every scalar column, checked on each row before it is written.
COLUMN_TYPES: dict[str, type | tuple[type, ...]] = {
    name: int if name in INT_COLUMNS else (int, float) if name == "relevance_score" else str
    for name in COLUMNS if name not in LIST_COLUMNS
}


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
    relevance = record.get("relevance") or {}
    score = relevance.get("score")
    digest = text_sha256(record["text"])
    identity = "\n".join((record["url"], capture.get("fetch_time", ""), digest))
    return {
        **{name: record.get(name) for name in COLUMNS},
        "id": hashlib.sha256(identity.encode("utf-8")).hexdigest()[:32],
        "version": record.get("version", 1),
        "relevance_score": score,
        "relevance_reason": relevance.get("reason"),
        "capture_time": capture.get("fetch_time"),
        "warc_file": capture.get("warc_file"),
        "warc_offset": capture.get("offset"),
        "record_id": capture.get("record_id"),
        "payload_digest": capture.get("payload_digest"),
        "text_sha256": digest,
        "path": path,
    }


def read_rows(out_dir: Path, *, latest: bool = False) -> list[dict[str, Any]]:
    """Return the rows of every article of an output folder, in path order.

    Args:
        out_dir: the output folder.
        latest: keep only the latest version of each URL.

    Returns:
        One row per dated file (per version of each article).
    """
    folder = out_dir / "articles"
    if not folder.is_dir():
        raise ArchiveError(f"no articles/ folder in {out_dir}: nothing to export")
    rows = []
    for json_path, record in article_jsons(out_dir):
        where = str(json_path)
        captures = record.get("capture") or [{}]
        if not isinstance(captures, list) or not isinstance(captures[0], dict) or not isinstance(
                captures[0].get("fetch_time", ""), str):
            raise ArchiveError(f"{where}: field 'capture' is not a list of capture objects")
        expect(record, "relevance", dict, where, optional=True)
        for name in LIST_COLUMNS:
            string_list(record, name, where)
        row = article_row(record, json_path.with_suffix(".txt").relative_to(out_dir).as_posix())
        for name, kind in COLUMN_TYPES.items():  # what the row took from the record, as the Parquet schema has it
            expect(row, name, kind, where, optional=True)
        if row["relevance_score"] is not None:
            row["relevance_score"] = float(row["relevance_score"])
        rows.append(row)
    if latest:
        newest: dict[str, dict[str, Any]] = {}
        for row in rows:
            if row["url"] not in newest or row["version"] > newest[row["url"]]["version"]:
                newest[row["url"]] = row
        rows = [row for row in rows if newest[row["url"]] is row]
    return rows


def export_format(dest: str, fmt: str | None) -> str:
    """Return the format to write: the one asked for, else the one the file name ends with.

    Args:
        dest: the file to write, or ``-`` for standard output (JSON Lines unless asked otherwise).
        fmt: ``--format``, or None.

    Returns:
        ``jsonl``, ``csv`` or ``parquet``.

    Raises:
        ArchiveError: a folder given, no format asked and none to read from the name, or Parquet for stdout.
    """
    if dest != STDOUT and Path(dest).is_dir():
        raise ArchiveError(f"cannot write {dest}: it is a folder; give a file name, e.g. {Path(dest) / 'articles.csv'}")
    if fmt is None:
        fmt = "jsonl" if dest == STDOUT else FORMATS.get(Path(dest).suffix.lower())
    if fmt is None:
        raise ArchiveError(f"cannot tell the format of {dest}: name it .jsonl, .csv or .parquet, or give --format")
    if fmt == "parquet" and dest == STDOUT:
        raise ArchiveError("parquet is not written to standard output: give a file, e.g. -o articles.parquet")
    return fmt


def export_bytes(out_dir: Path, fmt: str, *, latest: bool = False) -> tuple[bytes, int]:
    """Return every article of an output folder as a JSON Lines, CSV or Parquet document, one row each.

    Args:
        out_dir: the output folder.
        fmt: ``jsonl``, ``csv`` or ``parquet``.
        latest: keep only the latest version of each URL.

    Returns:
        The document and its number of rows.
    """
    rows = read_rows(out_dir, latest=latest)
    writers = {"jsonl": _jsonl, "csv": _csv, "parquet": _parquet}
    if fmt not in writers:
        raise ArchiveError(f"unknown export format {fmt!r} (known: {', '.join(writers)})")
    return writers[fmt](rows), len(rows)


def export_articles(out_dir: Path, dest: Path, fmt: str, *, latest: bool = False) -> int:
    """Write every article of an output folder as one row to a JSON Lines, CSV or Parquet file.

    Args:
        out_dir: the output folder.
        dest: the file to write (atomically, with the umask's mode).
        fmt: ``jsonl``, ``csv`` or ``parquet``.
        latest: keep only the latest version of each URL.

    Returns:
        The number of rows written.
    """
    if not dest.parent.is_dir():
        raise ArchiveError(f"cannot write {dest}: folder {dest.parent} does not exist")
    data, count = export_bytes(out_dir, fmt, latest=latest)
    try:
        atomic_write_bytes(dest, data)
    except OSError as exc:
        raise ArchiveError(f"cannot write {dest}: {exc.strerror or exc}") from None
    return count


def _jsonl(rows: list[dict[str, Any]]) -> bytes:
    """Encode rows as JSON Lines (lists stay lists)."""
    return "".join(json.dumps(row, ensure_ascii=False) + "\n" for row in rows).encode("utf-8")  # COLUMNS order


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
    typed = [{**row, **{name: utc_time(row[name]) for name in TIME_COLUMNS}} for row in rows]
    table = pa.Table.from_pylist(typed, schema=_schema(pa))
    sink = pa.BufferOutputStream()
    pq.write_table(table, sink)
    data: bytes = sink.getvalue().to_pybytes()
    return data


def _schema(pa: Any) -> Any:
    """Return the Parquet schema of the rows (typed, so empty exports keep their columns)."""
    types = {**{name: pa.int64() for name in INT_COLUMNS}, "relevance_score": pa.float64(),
             **{name: pa.timestamp("us", tz="UTC") for name in TIME_COLUMNS}}
    return pa.schema([(name, pa.list_(pa.string()) if name in LIST_COLUMNS else types.get(name, pa.string()))
                      for name in COLUMNS])


def utc_time(value: object) -> datetime | None:
    """Return an ISO 8601 date or time as an aware UTC datetime (no offset: taken as UTC), None if unreadable.

    Args:
        value: ``published``, ``modified`` or a WARC-Date as stored in the article record.

    Returns:
        The time in UTC, or None.
    """
    try:
        moment = datetime.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        return None
    if moment is None:
        return None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
