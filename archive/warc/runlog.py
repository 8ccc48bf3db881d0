"""Reading the run log back from WARCs: run configurations, kept articles, and where each response is."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from warcio.limitreader import LimitReader

from archive.errors import ArchiveError
from archive.source import MAX_RECORD, expect, load_json, string_list
from archive.store.textstore import STEM
from archive.warc.records import RECORD_ID, Record, WarcHead, WarcRecords
from archive.warc.writer import Capture

RUN_URN = "urn:x-souverain:run:"
MAX_URL = 8192
MAX_VERSION = 100_000
_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,99}")  # a run id or a site (profile) name


@dataclass(frozen=True)
class RecordRef:
    """Where a response record is: WARC file, offset and length of its gzip member, and its headers."""

    path: Path
    offset: int
    length: int
    record_id: str
    date: str
    url: str
    status: int
    payload_digest: str
    content_type: str | None
    revisit: str | None = None  # the revisit profile's last word, for a revisit record

    def capture(self) -> Capture:
        """Return the record as a capture (as the WARC extension made it when it wrote the record)."""
        return Capture(warc_file=self.path.name, offset=self.offset, length=self.length, record_id=self.record_id,
                       payload_digest=self.payload_digest, fetch_time=self.date, status=self.status, url=self.url,
                       revisit=self.revisit)


@dataclass
class RunLog:
    """What a set of WARCs says about its runs."""

    configs: dict[tuple[str, str], dict[str, Any]] = field(default_factory=dict)
    articles: list[dict[str, Any]] = field(default_factory=list)
    responses: dict[str, RecordRef] = field(default_factory=dict)
    warcinfo: dict[str, dict[str, str]] = field(default_factory=dict)


def scan_warcs(paths: list[Path], *, progress: Callable[[int, int], None] | None = None,
               visit: Callable[[Path, Record], None] | None = None,
               content: Callable[[str, str], bool] | None = None) -> RunLog:
    """Read WARC files (in the given order) for run configurations, kept articles and response records.

    Args:
        paths: closed ``.warc.gz`` files, oldest first; from an archive, the ones ``archive.warc.records`` has
            checked (``out_warcs``, ``Wacz.extract_warcs``), which bounds what warcio reads here.
        progress: called with (files read, files in all) after each file.
        visit: also called with every record, in the same pass (a snapshot dates its files so).
        content: given (WARC-Type, WARC-Target-URI), whether ``visit`` needs a record's content besides the
            warcinfo and run-log records.

    Returns:
        The run log: configs by (run id, site), articles in the order they were written (each with ``run_id``),
        response records by record id, and each file's warcinfo fields.

    Raises:
        ArchiveError: a file holds a malformed record, or a run-log record does not
            follow the schema (each article's ``stem`` that is not one ``archive.store.textstore`` could have chosen
            is dropped, so that it is recomputed).
    """
    log = RunLog()
    also = content or (lambda kind, uri: False)
    for done, path in enumerate(paths, 1):
        with path.open("rb") as stream:
            records = WarcRecords(stream, content=lambda kind, uri: _logged(kind, uri) or also(kind, uri))
            try:
                for record in records:
                    _scan(log, path, record)
                    if visit is not None:
                        visit(path, record)
            except ArchiveError:
                raise
            except Exception as exc:  # warcio and int() raise many kinds on a malformed record
                raise ArchiveError(f"{path}: record at offset {records.offset} is malformed "
                                   f"({type(exc).__name__}: {str(exc)[:100]})") from None
        if progress is not None:
            progress(done, len(paths))
    return log


def scan_logged(warcs: dict[Path, list[WarcHead]], *, content: Callable[[str, str], bool] | None = None,
                visit: Callable[[Path, Record], None] | None = None) -> RunLog:
    """Read the run configurations, kept articles and warcinfo of checked WARC files, parsing only those records.

    The headers ``warc_heads`` checked say which records they are, so the walk seeks to the few warcinfo and
    run-log records instead of parsing every record (``responses`` is left empty: the heads say where they are).

    Args:
        warcs: closed ``.warc.gz`` files, oldest first, each with its checked records (``checked_warcs``).
        content: given (WARC-Type, WARC-Target-URI), whether ``visit`` wants a record, read with its content.
        visit: called with each record ``content`` wants.

    Returns:
        The run log, without ``responses``.

    Raises:
        ArchiveError: a run-log record is malformed or does not follow the schema (see ``scan_warcs``).
    """
    log = RunLog()
    also = content or (lambda kind, uri: False)
    for path, heads in warcs.items():
        with path.open("rb") as stream:
            for head in heads:
                kind, uri = head.headers["warc-type"], head.headers.get("warc-target-uri", "")
                logged, wanted = _logged(kind, uri), also(kind, uri)
                if not logged and not wanted:
                    continue
                stream.seek(head.offset)
                try:
                    record = replace(next(iter(WarcRecords(LimitReader(stream, head.length),
                                                           content=lambda kind, uri: True))), offset=head.offset)
                    if logged:
                        _scan(log, path, record)
                    if wanted and visit is not None:
                        visit(path, record)
                except ArchiveError:
                    raise
                except Exception as exc:  # warcio raises many kinds on a malformed record
                    raise ArchiveError(f"{path}: record at offset {head.offset} is malformed "
                                       f"({type(exc).__name__}: {str(exc)[:100]})") from None
    return log


def _logged(kind: str, uri: str) -> bool:
    """True for the records whose content the run log reads: warcinfo, and souverain's run-log metadata."""
    return kind == "warcinfo" or (kind == "metadata" and uri.startswith(RUN_URN))


def _scan(log: RunLog, path: Path, record: Record) -> None:
    """Add one record of a checked WARC file to the run log."""
    kind, http = record.type, record.http
    if kind in ("response", "revisit"):
        if http is None:
            raise ArchiveError(f"{path}: {kind} record at offset {record.offset} has no HTTP headers")
        record_id = record.header("WARC-Record-ID")
        log.responses[record_id] = RecordRef(
            path=path, offset=record.offset, length=record.length, record_id=record_id,
            date=record.header("WARC-Date"), url=record.header("WARC-Target-URI"),
            status=int(http.get_statuscode()), payload_digest=record.header("WARC-Payload-Digest"),
            content_type=http.get_header("Content-Type"),
            revisit=record.header("WARC-Profile").rsplit("/", 1)[-1] if kind == "revisit" else None,
        )
    elif record.content is not None and kind == "warcinfo":
        log.warcinfo[path.name] = _fields(record.content)
    elif record.content is not None and _logged(kind, record.header("WARC-Target-URI")):
        _read_metadata(log, record.header("WARC-Target-URI"), record.content,
                       f"{path}: record at offset {record.offset}")


def _fields(block: bytes) -> dict[str, str]:
    """Parse ``application/warc-fields``."""
    fields = {}
    for line in block.decode("utf-8", "replace").splitlines():
        name, sep, value = line.partition(":")
        if sep:
            fields[name.strip()] = value.strip()
    return fields


def _read_metadata(log: RunLog, uri: str, block: bytes, where: str) -> None:
    """Store a config or articles record of the run log, checked against its schema."""
    run_id, _, rest = uri[len(RUN_URN):].partition(":")
    site, _, part = rest.partition(":")
    if not _NAME.fullmatch(run_id) or not _NAME.fullmatch(site) or part not in ("config", "articles"):
        raise ArchiveError(f"{where}: run-log URI {uri[:120]!r} is not {RUN_URN}<run>:<site>:config|articles")
    if len(block) > MAX_RECORD:
        raise ArchiveError(f"{where}: run-log record larger than the limit of {MAX_RECORD:,} bytes")
    if part == "config":
        log.configs[(run_id, site)] = _config(load_json(block, where), where)
    else:
        log.articles.extend(_article(load_json(line, f"{where} line {number}"), run_id, f"{where} line {number}")
                            for number, line in enumerate(block.split(b"\n"), 1) if line.strip())


def _config(config: dict[str, Any], where: str) -> dict[str, Any]:
    """Check a run's config record: the fields re-extraction uses must have their types."""
    expect(config, "cleanup", dict, where)
    expect(expect(config, "topic", dict, where), "toml", str, where)
    return config


def _article(entry: dict[str, Any], run_id: str, where: str) -> dict[str, Any]:
    """Check one kept article of the run log; return it with its run id (and no stem when it is not a safe one)."""
    url = expect(entry, "url", str, where)
    try:
        parts = urlsplit(url)
    except ValueError:  # a bad IPv6 literal, a bad port
        parts = urlsplit("")
    if len(url) > MAX_URL or parts.scheme not in ("http", "https") or not parts.netloc:
        raise ArchiveError(f"{where}: url {url[:120]!r} is not an http(s) URL of at most {MAX_URL} characters")
    if not _NAME.fullmatch(expect(entry, "site", str, where)):
        raise ArchiveError(f"{where}: site {entry['site'][:60]!r} is not a site name")
    pages = string_list(entry, "pages", where)
    if not pages or len(pages) > 1000 or not all(RECORD_ID.fullmatch(page) for page in pages):
        raise ArchiveError(f"{where}: pages is not a list of 1 to 1000 WARC record ids")
    version = entry.get("version", 1)
    if type(version) is not int or not 1 <= version <= MAX_VERSION:
        raise ArchiveError(f"{where}: version {str(version)[:20]!r} is not a whole number from 1 to {MAX_VERSION}")
    stem = entry.get("stem")
    return {"url": url, "site": entry["site"], "pages": pages, "discovered_via": string_list(entry, "discovered_via",
            where), "version": version, "stem": stem if isinstance(stem, str) and STEM.fullmatch(stem) else None,
            "run_id": run_id}


def run_captures(paths: list[Path], run_id: str) -> dict[str, RecordRef]:
    """Return, by URL, the last response or revisit record that one run archived.

    Args:
        paths: WARC files, oldest first.
        run_id: the run (its warcinfo ``isPartOf``).

    Returns:
        URL → record.
    """
    log = scan_warcs(paths)
    return {ref.url: ref for ref in log.responses.values()
            if log.warcinfo.get(ref.path.name, {}).get("isPartOf") == run_id}
