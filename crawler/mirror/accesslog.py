"""The mirror's access log: one JSON line per request (time, site, path), to count what crawlers asked and when.

Politeness is measured where it matters, at the server: ``busiest_window`` gives the most requests one site got
within any window of N seconds, whichever crawler processes sent them.
"""

from __future__ import annotations

import json
import threading
import time
from pathlib import Path
from typing import IO


class AccessLog:
    """Appends a line per request to a JSON-lines file; both sites' threads share one log."""

    def __init__(self, path: str | Path) -> None:
        self._file: IO[str] = Path(path).open("a", encoding="utf-8")
        self._lock = threading.Lock()

    def record(self, site: str, method: str, path: str) -> None:
        """Append one request."""
        line = json.dumps({"t": round(time.time(), 6), "site": site, "method": method, "path": path})
        with self._lock:
            self._file.write(line + "\n")
            self._file.flush()

    def close(self) -> None:
        """Close the file."""
        with self._lock:
            self._file.close()


def read_access_log(path: str | Path) -> list[dict[str, object]]:
    """Return the requests of an access log, in order."""
    return [json.loads(line) for line in Path(path).read_text(encoding="utf-8").splitlines() if line.strip()]


def busiest_window(times: list[float], seconds: float = 10.0) -> int:
    """Return the most requests within any window of ``seconds`` (two pointers over the sorted times).

    Args:
        times: request times in seconds.
        seconds: the window's length.

    Returns:
        The request count of the busiest window.
    """
    ordered, best, first = sorted(times), 0, 0
    for last, t in enumerate(ordered):
        while t - ordered[first] >= seconds:
            first += 1
        best = max(best, last - first + 1)
    return best
