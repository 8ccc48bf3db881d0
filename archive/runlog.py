"""Reading the run log back from WARCs: run configurations, kept articles, and where each response is."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from warcio.archiveiterator import ArchiveIterator

RUN_URN = "urn:x-souverain:run:"


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

    def capture(self) -> dict[str, Any]:
        """Return the record as the ``capture`` entry of an article record (same keys as at crawl time)."""
        capture = {
            "warc_file": self.path.name, "offset": self.offset, "length": self.length, "record_id": self.record_id,
            "payload_digest": self.payload_digest, "fetch_time": self.date, "status": self.status, "url": self.url,
        }
        return {**capture, "revisit": self.revisit} if self.revisit else capture


@dataclass
class RunLog:
    """What a set of WARCs says about its runs."""

    configs: dict[tuple[str, str], dict[str, Any]] = field(default_factory=dict)
    articles: list[dict[str, Any]] = field(default_factory=list)
    responses: dict[str, RecordRef] = field(default_factory=dict)
    warcinfo: dict[str, dict[str, str]] = field(default_factory=dict)


def scan_warcs(paths: list[Path], *, progress: Callable[[int, int], None] | None = None) -> RunLog:
    """Read WARC files (in the given order) for run configurations, kept articles and response records.

    Args:
        paths: closed ``.warc.gz`` files, oldest first.
        progress: called with (files read, files in all) after each file.

    Returns:
        The run log: configs by (run id, site), articles in the order they were written (each with ``run_id``),
        response records by record id, and each file's warcinfo fields.
    """
    log = RunLog()
    for done, path in enumerate(paths, 1):
        with path.open("rb") as stream:
            records = ArchiveIterator(stream)
            for record in records:
                kind = record.rec_type
                headers = record.rec_headers
                if kind in ("response", "revisit"):
                    offset, http = records.get_record_offset(), record.http_headers
                    records.read_to_end(record)
                    record_id = headers.get_header("WARC-Record-ID")
                    log.responses[record_id] = RecordRef(
                        path=path, offset=offset, length=records.get_record_length(), record_id=record_id,
                        date=headers.get_header("WARC-Date"), url=headers.get_header("WARC-Target-URI"),
                        status=int(http.get_statuscode()), payload_digest=headers.get_header("WARC-Payload-Digest"),
                        content_type=http.get_header("Content-Type"),
                        revisit=(headers.get_header("WARC-Profile") or "").rsplit("/", 1)[-1] if kind == "revisit"
                        else None,
                    )
                elif kind == "warcinfo":
                    log.warcinfo[path.name] = _fields(record.content_stream().read())
                elif kind == "metadata" and (headers.get_header("WARC-Target-URI") or "").startswith(RUN_URN):
                    _read_metadata(log, headers.get_header("WARC-Target-URI"), record.content_stream().read())
        if progress is not None:
            progress(done, len(paths))
    return log


def _fields(block: bytes) -> dict[str, str]:
    """Parse ``application/warc-fields``."""
    fields = {}
    for line in block.decode("utf-8", "replace").splitlines():
        name, sep, value = line.partition(":")
        if sep:
            fields[name.strip()] = value.strip()
    return fields


def _read_metadata(log: RunLog, uri: str, block: bytes) -> None:
    """Store a config or articles record of the run log."""
    run_id, site, part = uri[len(RUN_URN):].rsplit(":", 2)
    if part == "config":
        log.configs[(run_id, site)] = json.loads(block)
    elif part == "articles":
        log.articles.extend({**json.loads(line), "run_id": run_id} for line in block.decode("utf-8").splitlines()
                            if line.strip())


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
