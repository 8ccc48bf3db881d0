"""Progress of the offline commands (snapshot, reextract) on stderr: a bar on a terminal, else a line now and then."""

from __future__ import annotations

import os
import sys
import time
from typing import TYPE_CHECKING, TextIO

from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TaskID, TextColumn, TimeRemainingColumn

if TYPE_CHECKING:
    from types import TracebackType

BYTES = "bytes"
INTERVAL_VARIABLE = "SOUVERAIN_PROGRESS_INTERVAL"  # seconds between plain lines (default 5; 0: none)


def human_bytes(count: float) -> str:
    """Return a byte count as ``12.3 MB``."""
    for unit in ("B", "kB", "MB", "GB"):
        if count < 1000 or unit == "GB":
            return f"{count:.0f} {unit}" if unit == "B" else f"{count:.1f} {unit}"
        count /= 1000
    return f"{count:.1f} GB"


def human_seconds(seconds: float) -> str:
    """Return a duration as ``45 s``, ``3 min 05 s`` or ``1 h 02 min``."""
    seconds = round(seconds)
    if seconds < 60:
        return f"{seconds} s"
    minutes, secs = divmod(seconds, 60)
    return f"{minutes} min {secs:02d} s" if minutes < 60 else f"{minutes // 60} h {minutes % 60:02d} min"


class WorkProgress:
    """Shows how far a long offline job is, with its rate and the time left.

    On a terminal it is a rich bar per step, removed at the end. Elsewhere (a pipe, a cron log, CI) it prints a
    plain line every ``interval`` seconds, ``reextract: articles 120/360 (33%), 45.2/s, ETA 5 s``, so a job done
    sooner prints none. A step starts when the one before it ended (or when the job started).
    """

    def __init__(self, command: str, *, interval: float | None = None, stream: TextIO | None = None) -> None:
        self.command = command
        self.interval = progress_interval() if interval is None else interval
        self.stream = stream or sys.stderr
        self.bar: Progress | None = None
        if self.stream.isatty():
            self.bar = Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                                TimeRemainingColumn(), console=Console(file=self.stream), transient=True)
        self.tasks: dict[str, TaskID] = {}
        self.step: str | None = None
        self.started = self.printed = self.last = time.monotonic()

    def __enter__(self) -> WorkProgress:
        if self.bar is not None:
            self.bar.start()
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        if self.bar is not None:
            self.bar.stop()

    def update(self, step: str, done: int, total: int, unit: str = "") -> None:
        """Report that ``done`` of ``total`` units of a step are done.

        Args:
            step: what is being done (``articles``, ``reading WARC files``…); a new name starts a new step.
            done: units done so far.
            total: units in all.
            unit: ``bytes`` to show the figures as ``12.3 MB``; else they are counts.
        """
        now = time.monotonic()
        if step != self.step:
            self.step, self.started = step, self.last
        self.last = now
        if self.bar is not None:
            if step not in self.tasks:
                self.tasks[step] = self.bar.add_task(escape(f"{self.command}: {step}"), total=total)
            self.bar.update(self.tasks[step], completed=done, total=total)
            return
        if self.interval <= 0 or now - self.printed < self.interval:
            return
        self.printed = now
        print(self.line(step, done, total, unit, now - self.started), file=self.stream, flush=True)

    def line(self, step: str, done: int, total: int, unit: str, elapsed: float) -> str:
        """Return the plain progress line of a step."""
        shown = human_bytes if unit == BYTES else str
        line = f"{self.command}: {step} {shown(done)}/{shown(total)}"
        if total:
            line += f" ({done / total:.0%})"
        if done and elapsed > 0:
            rate = done / elapsed
            line += f", {shown(rate) if unit == BYTES else f'{rate:.1f}'}/s"
            line += f", ETA {(total - done) / rate:.0f} s" if done < total else f", {elapsed:.1f} s"
        return line


def progress_interval() -> float:
    """Return the seconds between plain progress lines: ``$SOUVERAIN_PROGRESS_INTERVAL``, else 5 (0: no lines)."""
    try:
        return max(0.0, float(os.environ.get(INTERVAL_VARIABLE, "5")))
    except ValueError:
        return 5.0
