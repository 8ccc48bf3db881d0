"""Where a profiled run spent its time: py-spy's collapsed stacks (``--format raw``) summed per function.

``py-spy record --subprocesses --format raw`` writes one line per distinct stack, ``frame;frame;…;frame COUNT``,
root first, each process's stacks under a ``process PID:"command"`` root. A function's own time is the samples
where it is the innermost frame, its cumulative time those where it is anywhere on the stack (counted once per
stack, so recursion does not count twice). The crawl's process (the reactor) and its extraction workers (stacks
through ``concurrent.futures.process._process_worker``) are summed apart: they run on different cores.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

_LINE = re.compile(r"^(?P<stack>.*) (?P<count>\d+)$")
_FRAME_LINE = re.compile(r":\d+\)$")  # "name (file.py:123)" -> "name (file.py)": one entry per function
WORKER_FRAME = "_process_worker"


@dataclass
class Profile:
    """Samples per function, own and cumulative, of one kind of process."""

    samples: int = 0
    own: Counter[str] = field(default_factory=Counter)
    cumulative: Counter[str] = field(default_factory=Counter)


def function_name(frame: str) -> str:
    """Return a frame without its line number: ``extract (archive/text/extract.py)``."""
    return _FRAME_LINE.sub(")", frame)


def read_stacks(path: Path) -> dict[str, Profile]:
    """Sum a py-spy raw file into a ``Profile`` for the crawl process (``"reactor"``) and one for its workers.

    Args:
        path: the file ``py-spy record --format raw`` wrote.

    Returns:
        ``{"reactor": Profile, "workers": Profile}``.
    """
    profiles = {"reactor": Profile(), "workers": Profile()}
    for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
        match = _LINE.match(line)
        if not match:
            continue
        frames = [function_name(f) for f in match["stack"].split(";") if not f.startswith("process ")]
        if not frames:
            continue
        count = int(match["count"])
        worker = next((i for i, f in enumerate(frames) if WORKER_FRAME in f), None)
        if worker is not None:
            frames = frames[worker + 1:] or frames[worker:]  # a forked worker's stack starts with its parent's
        profile = profiles["reactor" if worker is None else "workers"]
        profile.samples += count
        profile.own[frames[-1]] += count
        for name in set(frames):
            profile.cumulative[name] += count
    return profiles


def report(profiles: dict[str, Profile], top: int = 25, rate: int = 100) -> str:
    """Return the top functions of each process kind by own and by cumulative time, as text.

    Args:
        profiles: what ``read_stacks`` returned.
        top: how many functions per table.
        rate: py-spy's sampling rate (samples per second), to turn samples into seconds.

    Returns:
        The tables, one line per function: seconds, share of the process kind's samples, function.
    """
    lines: list[str] = []
    for kind, profile in profiles.items():
        if not profile.samples:
            continue
        lines.append(f"{kind}: {profile.samples / rate:.1f} s of CPU sampled")
        for title, counter in (("own time", profile.own), ("cumulative time", profile.cumulative)):
            lines.append(f"  top {top} by {title}:")
            for name, count in counter.most_common(top):
                lines.append(f"  {count / rate:8.2f} s {100 * count / profile.samples:5.1f} %  {name}")
    return "\n".join(lines)
