"""The checks of ``souverain verify`` that read a member's content: a WARC's records and digests, pages.jsonl."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any, BinaryIO

from warcio.limitreader import LimitReader

from archive.errors import ArchiveError
from archive.source import load_json
from archive.wacz.package import PAGES_HEADER
from archive.warc.records import WarcRecords, warc_heads

PAGES = "pages/pages.jsonl"


@dataclass(frozen=True)
class Check:
    """One verification: its name, whether it passed, and what is wrong when it did not."""

    name: str
    ok: bool
    detail: str = ""


def guarded(name: str, check: Callable[[], Check | list[Check]]) -> list[Check]:
    """Run a check; a malformed input it meets (or any error) is that check's failure, not the end of verify."""
    try:
        result = check()
    except ArchiveError as exc:
        return [Check(name, False, str(exc))]
    except Exception as exc:  # warcio, zipfile and json raise many kinds on hostile input
        return [Check(name, False, short(exc))]
    return result if isinstance(result, list) else [result]


def check_warc(handle: BinaryIO, offset: int, size: int, name: str, listed: list[object]) -> Check:
    """Check a WARC member's records (gzip members, sizes, headers), then each block and payload digest.

    Args:
        handle: the WACZ file.
        offset: where the member's data starts in it.
        size: the member's (stored) size.
        name: the member, for the verdict.
        listed: the record counts the manifest gives for this member (its first one is checked).

    Returns:
        The check, with the offset of any damaged record.
    """
    handle.seek(offset)
    try:
        heads = list(warc_heads(LimitReader(handle, size), name))
    except ArchiveError as exc:  # warcio cannot say more about a file with a broken record
        return Check(f"WARC digests {name}", False, str(exc))
    problems, count = [], 0
    handle.seek(offset)
    records = WarcRecords(LimitReader(handle, size), check_digests=True)
    try:
        for record in records:
            count += 1
            if record.digest_problems:
                problems.append(f"record at offset {record.offset} {record.header('WARC-Record-ID')}: "
                                + "; ".join(record.digest_problems))
    except Exception as exc:  # warcio raises many kinds on a malformed record
        problems.append(f"record at offset {records.offset} unreadable ({short(exc)})")
    if not problems and count != len(heads):
        problems.append(f"{len(heads)} gzip members but {count} records read")
    if listed and listed[0] != count:
        problems.append(f"{count} records, the manifest says {str(listed[0])[:20]}")
    return Check(f"WARC digests {name} ({count} records)", not problems, "; ".join(problems))


def check_pages(lines: Iterator[bytes], articles: list[dict[str, Any]]) -> Check:
    """Check pages.jsonl: its header, one entry per article version (URL and capture time), each text's SHA-256.

    Args:
        lines: the member's lines (bounded, see ``archive.source.split_lines``).
        articles: the manifest's article versions.

    Returns:
        The check.
    """
    expected = {(article.get("url"), article.get("captured")): article.get("text_sha256") for article in articles}
    problems, seen = [], set()
    for number, line in enumerate(lines, 1):
        entry = _json(line)
        if number == 1:
            if entry != PAGES_HEADER:
                problems.append(f"{PAGES} line 1: not the json-pages-1.0 header")
            continue
        if not isinstance(entry, dict) or not isinstance(entry.get("text"), str) or not isinstance(
                entry.get("url"), str):
            problems.append(f"{PAGES} line {number}: not a JSON page entry")
            continue
        key = (entry.get("url"), entry.get("ts"))
        seen.add(key)
        text_hash = hashlib.sha256(entry["text"].encode("utf-8")).hexdigest()
        if expected.get(key) != text_hash:
            problems.append(f"{PAGES} line {number}: text SHA-256 differs from the manifest ({entry.get('url')})")
    problems += [f"{PAGES}: no entry for {url} captured {ts}" for url, ts in sorted(set(expected) - seen, key=str)]
    return Check(f"{PAGES} ({len(seen)} pages)", not problems, "; ".join(problems))


def _json(data: bytes | None) -> Any:
    """Parse one checked JSON line (see ``archive.source.load_json``), or return None."""
    try:
        return load_json(data, PAGES, object) if data is not None else None
    except ArchiveError:
        return None


def short(exc: Exception) -> str:
    """Return an exception as one short printable line (warcio quotes the raw bytes it could not parse)."""
    text = repr(" ".join(str(exc).split(", first line:")[0].split()))[1:-1]
    return f"{type(exc).__name__}: {text[:120]}{'…' if len(text) > 120 else ''}"
