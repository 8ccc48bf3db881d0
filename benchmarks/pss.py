"""Peak PSS of a process tree: a command run to its end while ``/proc/<pid>/smaps_rollup`` of it and of every
descendant is sampled (PSS shares each shared page between the processes mapping it: the tree's sum is what it
costs the machine)."""

from __future__ import annotations

import subprocess
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

SAMPLE_SECONDS = 0.05


def descendants(pid: int) -> list[int]:
    """Return ``pid`` and every live descendant of it (from ``/proc/<pid>/task/*/children``)."""
    found, queue = [], [pid]
    while queue:
        current = queue.pop()
        found.append(current)
        for task in Path(f"/proc/{current}/task").glob("*/children"):
            try:
                queue += [int(child) for child in task.read_text().split()]
            except OSError:
                continue
    return found


def pss_kib(pid: int) -> int:
    """Return the PSS of one process in KiB (0 once it is gone)."""
    try:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith("Pss:"):
                return int(line.split()[1])
    except (OSError, ValueError):
        pass
    return 0


def tree_pss_kib(pid: int) -> int:
    """Return the PSS of a process and its descendants in KiB."""
    return sum(pss_kib(p) for p in descendants(pid))


@dataclass
class Sampled:
    """What a sampled command did: exit code, peak PSS of its tree (KiB), wall seconds, output."""

    returncode: int
    peak_kib: int
    seconds: float
    stdout: str
    stderr: str


def run_sampled(command: list[str], **options: Any) -> Sampled:
    """Run a command to its end, sampling its tree's PSS every ``SAMPLE_SECONDS`` until it exits.

    Args:
        command: the command.
        options: more arguments of ``subprocess.Popen`` (env, cwd).

    Returns:
        Its exit code, peak PSS, wall time and output.
    """
    started = time.perf_counter()
    proc = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, **options)
    peak = 0
    output: dict[str, str] = {}

    def read(name: str, stream: Any) -> None:
        output[name] = stream.read()

    readers = [threading.Thread(target=read, args=(name, stream), daemon=True)
               for name, stream in (("stdout", proc.stdout), ("stderr", proc.stderr))]
    for reader in readers:
        reader.start()
    while proc.poll() is None:
        peak = max(peak, tree_pss_kib(proc.pid))
        time.sleep(SAMPLE_SECONDS)
    for reader in readers:
        reader.join()
    return Sampled(proc.returncode, peak, time.perf_counter() - started, output.get("stdout", ""),
                   output.get("stderr", ""))
