"""The checks of ``souverain verify`` that read a member's content: a WARC's hash, records and digests, pages.jsonl."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any, BinaryIO, cast

from warcio.limitreader import LimitReader

from archive.errors import ArchiveError
from archive.source import load_json
from archive.wacz.package import PAGES_HEADER, ChunkHasher, Digest, read_chunks
from archive.warc.records import TeeReader, WarcRecords, warc_heads

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


@dataclass(frozen=True)
class WarcReading:
    """What one read of a WARC member found: its digest, its records, and what is wrong with them."""

    digest: Digest
    count: int
    problems: list[str]
    readable: bool = True  # False: a gzip member or record header is broken, so no record was parsed


def read_warc_member(wacz: str, offset: int, size: int, name: str) -> WarcReading:
    """Hash a stored WARC member and check its records and digests (a worker's job: it opens the WACZ itself).

    Args:
        wacz: the WACZ file's path.
        offset: where the member's data starts in it.
        size: the member's (stored) size.
        name: the member, for the verdict.

    Returns:
        The member's digest, its record count and problems.
    """
    with open(wacz, "rb") as handle:
        return _read_warc(handle, offset, size, name)


def _read_warc(handle: BinaryIO, offset: int, size: int, name: str) -> WarcReading:
    """Check a WARC member's gzip members, sizes and headers while hashing it (one read), then each block and
    payload digest.

    Args:
        handle: the WACZ file.
        offset: where the member's data starts in it.
        size: the member's (stored) size.
        name: the member, for the verdict.

    Returns:
        The member's digest (``digest_chunks`` of its bytes), its record count and problems.
    """
    hasher = ChunkHasher()
    handle.seek(offset)
    member = LimitReader(handle, size)
    try:
        heads = sum(1 for _ in warc_heads(cast(BinaryIO, TeeReader(member, hasher.update)), name))
    except ArchiveError as exc:  # warcio cannot say more about a file with a broken record
        for piece in read_chunks(cast(BinaryIO, member)):
            hasher.update(piece)
        return WarcReading(hasher.digest(), 0, [str(exc)], readable=False)
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
    if not problems and count != heads:
        problems.append(f"{heads} gzip members but {count} records read")
    return WarcReading(hasher.digest(), count, problems)


def warc_check(reading: WarcReading, name: str, listed: list[object]) -> Check:
    """Return the verdict on a WARC member read by ``read_warc_member``, its record count checked against the manifest's.

    Args:
        reading: what reading the member found.
        name: the member.
        listed: the record counts the manifest gives for this member (its first one is checked).

    Returns:
        The check, with the offset of any damaged record.
    """
    problems = list(reading.problems)
    if not reading.readable:
        return Check(f"WARC digests {name}", False, "; ".join(problems))
    if listed and listed[0] != reading.count:
        problems.append(f"{reading.count} records, the manifest says {str(listed[0])[:20]}")
    return Check(f"WARC digests {name} ({reading.count} records)", not problems, "; ".join(problems))


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
