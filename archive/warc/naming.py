"""WARC file names, formatted and parsed here only: Heritrix's ``prefix-timestamp17-serial-pid~host.warc.gz``,
with ``.open`` while the file is written."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime

SUFFIX = ".warc.gz"
OPEN_SUFFIX = ".open"
# A WARC file name read from someone else's archive: one safe path part (a name souverain gives, or any other).
SAFE_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._~+-]{0,250}\.warc\.gz")
_NAME = re.compile(r"(?P<prefix>.+)-(?P<stamp>\d{17})-(?P<serial>\d{5})-(?P<pid>\d+)~(?P<host>.+)\.warc\.gz"
                   rf"(?P<open>{re.escape(OPEN_SUFFIX)})?")


@dataclass(frozen=True)
class WarcName:
    """The parts of a WARC file name: prefix, creation time (17 digits, UTC, milliseconds), serial, writer."""

    prefix: str
    stamp: str
    serial: int
    pid: int
    host: str
    open: bool = False

    def __str__(self) -> str:
        return (f"{self.prefix}-{self.stamp}-{self.serial:05d}-{self.pid}~{self.host}{SUFFIX}"
                + (OPEN_SUFFIX if self.open else ""))

    @property
    def named_at(self) -> datetime:
        """When the writer named the file (to the second, UTC)."""
        return datetime.strptime(self.stamp[:14], "%Y%m%d%H%M%S").replace(tzinfo=UTC)


def host_part(hostname: str) -> str:
    """Return a host name as it goes into a file name (no ``/``, and no ``~``, which ends the pid)."""
    return hostname.replace("/", "_").replace("~", "_")


def warc_name(prefix: str, moment: datetime, serial: int, pid: int, hostname: str) -> str:
    """Return the name of a closed WARC file.

    Args:
        prefix: the first part (``WARC_PREFIX``).
        moment: when the file is opened (any timezone; written in UTC with milliseconds).
        serial: the writer's file counter.
        pid: the writing process.
        hostname: the writing machine.

    Returns:
        ``prefix-YYYYmmddHHMMSSmmm-serial-pid~host.warc.gz``.
    """
    now = moment.astimezone(UTC)
    stamp = now.strftime("%Y%m%d%H%M%S") + f"{now.microsecond // 1000:03d}"
    return str(WarcName(prefix, stamp, serial, pid, host_part(hostname)))


def parse_warc_name(name: str) -> WarcName | None:
    """Return the parts of a WARC file name (closed or ``.open``), or None when souverain did not name it so.

    Args:
        name: a file name, without folder.

    Returns:
        Its parts, or None.
    """
    match = _NAME.fullmatch(name)
    if match is None:
        return None
    return WarcName(match["prefix"], match["stamp"], int(match["serial"]), int(match["pid"]), match["host"],
                    open=bool(match["open"]))
