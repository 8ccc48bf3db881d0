"""Repair of `.open` WARC files left by a dead writer: cut after the last complete record, or quarantine."""

from __future__ import annotations

import os
import re
import shutil
import socket
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from io import BytesIO
from pathlib import Path
from typing import BinaryIO

from warcio.recordloader import ArcWarcRecordLoader

from archive.fsutil import fsync_path
from archive.lock import pid_alive
from archive.warc.writer import OPEN_SUFFIX

__all__ = ["Repair", "repair_open_warcs"]

# {prefix}-{timestamp17}-{serial:05d}-{pid}~{host}.warc.gz.open, as archive.warc.writer.WarcWriter names them.
OPEN_NAME = re.compile(r"^.+-(?P<stamp>\d{17})-\d{5}-(?P<pid>\d+)~(?P<host>.+)\.warc\.gz\.open$")
# Records warcio writes before the request record that completes them.
FIRST_OF_PAIR = {"response", "revisit"}
CHUNK = 1 << 20


@dataclass(frozen=True)
class Repair:
    """What was done to one `.open` file, and the line said to the user about it."""

    path: Path
    action: str
    kept_records: int
    bytes_before: int
    bytes_after: int
    message: str


def repair_open_warcs(warc_dir: Path, *, quarantine: Path | None = None) -> list[Repair]:
    """Repair every `.open` WARC file of a folder whose writer is dead.

    A writer is alive when the pid in the file name runs on this host and started before the file was
    named. A dead writer's file is cut after its last complete record (and before a response whose request
    record is missing), then renamed without `.open`; a file without a complete warcinfo record is moved
    to the quarantine folder.

    Args:
        warc_dir: the folder of the WARC files.
        quarantine: where unusable files go (default: ``warc_dir/quarantine``).

    Returns:
        One `Repair` per `.open` file, in name order.
    """
    quarantine = quarantine or Path(warc_dir) / "quarantine"
    repairs = []
    for path in sorted(Path(warc_dir).glob("*.warc.gz" + OPEN_SUFFIX)):
        size = path.stat().st_size
        match = OPEN_NAME.match(path.name)
        if match is None:
            repairs.append(Repair(path, "left (unknown writer)", 0, size, size,
                                  f"left {path.name}: its name does not say which process writes it"))
        elif _writer_alive(int(match["pid"]), match["host"], match["stamp"]):
            repairs.append(Repair(path, "left (writer alive)", 0, size, size,
                                  f"left {path.name}: its writer (pid {match['pid']}) is still running"))
        else:
            repairs.append(_repair(path, size, quarantine))
    return repairs


def _repair(path: Path, size: int, quarantine: Path) -> Repair:
    """Cut one dead writer's file after its last complete pair, or quarantine it."""
    with open(path, "rb") as stream:
        records = list(_complete_records(stream))
    if not records or records[0][0] != "warcinfo":
        quarantine.mkdir(parents=True, exist_ok=True)
        shutil.move(path, quarantine / path.name)
        return Repair(quarantine / path.name, "quarantined", 0, size, size,
                      f"quarantined {path.name} to {quarantine}/: no complete warcinfo record ({size:,} bytes)")
    keep = len(records) - (records[-1][0] in FIRST_OF_PAIR)
    end = records[keep - 1][1]
    final = path.with_name(path.name[: -len(OPEN_SUFFIX)])
    with open(path, "r+b") as stream:
        stream.truncate(end)
        os.fsync(stream.fileno())
    path.rename(final)
    fsync_path(path.parent)
    cut = [f"{records[-1][1] - end:,} bytes of a response without its request"] if keep < len(records) else []
    if size > records[-1][1]:
        cut.append(f"{size - records[-1][1]:,} bytes of an incomplete record")
    said = f"cut {' and '.join(cut)}" if cut else "nothing to cut"
    return Repair(final, "repaired", keep, size, end, f"repaired {path.name}: kept {keep:,} record{'s' * (keep != 1)}, {said}")


def _complete_records(stream: BinaryIO) -> Iterator[tuple[str, int]]:
    """Yield (WARC-Type, end offset) of each record, up to the first member that is cut or not one record."""
    for data, end in _gzip_members(stream):
        member = BytesIO(data)
        try:
            record = ArcWarcRecordLoader().parse_record_stream(member, known_format="warc")
            record.raw_stream.read()
        except Exception:  # whatever warcio cannot parse is not a complete record
            return
        if member.tell() != len(data) - 4 or not data.endswith(b"\r\n\r\n"):
            return
        yield record.rec_type, end


def _gzip_members(stream: BinaryIO) -> Iterator[tuple[bytes, int]]:
    """Yield (decompressed data, end offset) of each complete gzip member, stopping at the first cut one."""
    offset = 0
    pending = b""
    while True:
        member = zlib.decompressobj(wbits=31)
        parts = []
        fed = 0
        while not member.eof:
            pending = pending or stream.read(CHUNK)
            if not pending:
                return
            try:
                parts.append(member.decompress(pending))
            except zlib.error:
                return
            fed += len(pending)
            pending = member.unused_data
        offset += fed - len(pending)
        yield b"".join(parts), offset


def _writer_alive(pid: int, host: str, stamp: str) -> bool:
    """True when the pid runs on this host and started before the file it named (so it is not a reused pid)."""
    if host != socket.gethostname().replace("/", "_").replace("~", "_"):
        return False
    named = datetime.strptime(stamp[:14], "%Y%m%d%H%M%S").replace(tzinfo=UTC).timestamp()
    return pid_alive(pid, named)
