"""Repair of `.open` WARC files left by a dead writer: cut after the last complete record, or quarantine."""

from __future__ import annotations

import os
import shutil
import socket
from dataclasses import dataclass
from pathlib import Path

from archive.errors import ArchiveError
from archive.fsutil import fsync_path
from archive.lock import pid_alive
from archive.warc.naming import OPEN_SUFFIX, SUFFIX, WarcName, host_part, parse_warc_name
from archive.warc.records import warc_heads

__all__ = ["Repair", "repair_open_warcs"]

# Records warcio writes before the request record that completes them.
FIRST_OF_PAIR = {"response", "revisit"}


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
    for path in sorted(Path(warc_dir).glob("*" + SUFFIX + OPEN_SUFFIX)):
        size = path.stat().st_size
        name = parse_warc_name(path.name)
        if name is None:
            repairs.append(Repair(path, "left (unknown writer)", 0, size, size,
                                  f"left {path.name}: its name does not say which process writes it"))
        elif _writer_alive(name):
            repairs.append(Repair(path, "left (writer alive)", 0, size, size,
                                  f"left {path.name}: its writer (pid {name.pid}) is still running"))
        else:
            repairs.append(_repair(path, size, quarantine))
    return repairs


def _repair(path: Path, size: int, quarantine: Path) -> Repair:
    """Cut one dead writer's file after its last complete pair, or quarantine it."""
    records = _complete_records(path)
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


def _complete_records(path: Path) -> list[tuple[str, int]]:
    """Return (WARC-Type, end offset) of each record, up to the first member that is cut or not one whole record."""
    records = []
    with open(path, "rb") as stream:
        try:
            for head in warc_heads(stream, path.name, max_record=None):
                if not head.closed:
                    break
                records.append((head.headers["warc-type"], head.offset + head.length))
        except ArchiveError:
            pass  # what follows the last complete record is what the repair cuts
    return records


def _writer_alive(name: WarcName) -> bool:
    """True when the pid runs on this host and started before the file it named (so it is not a reused pid)."""
    return name.host == host_part(socket.gethostname()) and pid_alive(name.pid, name.named_at.timestamp())
