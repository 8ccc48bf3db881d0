"""Faults injected on demand: which request gets which fault, deterministically, and the fault log.

A spec such as ``all=0.2`` or ``5xx=0.1,429=0.05,reset=0.05`` gives each fault type a rate; ``all=R`` shares
R equally among the seven types, later entries override (``all=0.2,reset=0``). For the n-th request of a
target (path and query) on a site, ``u = sha256(seed|site|target|n)`` mapped to [0, 1) picks the type whose
slice of the cumulated rates (in TYPES order) holds u, or none. A retry is the next n: a fresh, independent
chance, so every page is served eventually. What each type does on the wire (see ``server``):

- ``5xx``: 500, 502 or 503 (from the same hash) with an nginx HTML error page;
- ``429``: Too Many Requests with ``Retry-After: 1`` or ``2``;
- ``timeout``: nothing sent for ``timeout`` seconds, then the connection is closed;
- ``reset``: the connection is aborted (RST, SO_LINGER 0) before any byte of response;
- ``truncated``: status and headers with the full Content-Length, half the body, then close;
- ``trickle``: the complete, valid response, its body sent in small chunks over about TRICKLE_SECONDS;
- ``redirect_loop``: 302 to the same target with ``loop=1`` added to the query, which redirects to ``loop=2``
  and so on forever (any request carrying ``loop`` is such a hop: never drawn, never logged).

robots.txt only ever gets ``5xx`` and ``429`` (the other draws serve it normally). Scrapy fetches robots.txt
through its downloader middlewares, so both are retried (RETRY_HTTP_CODES); if every attempt fails, its
RobotsTxtMiddleware parses the error page as an empty robots.txt (allow all), as it does after a download
error. Transport faults there would only stall every request of the site behind the robots.txt download
(up to three timeouts) and log errors, which no real crawl test needs.
Bodiless replies (HEAD, 304) are not truncated or trickled: such draws serve normally and are not logged.
The log (``--fault-log``) has one JSON object a line: site, method, target, n, fault and status (null for
timeout and reset; a redirect loop is logged once, at its first 302).
"""

from __future__ import annotations

import hashlib
import json
import threading
from pathlib import Path
from urllib.parse import parse_qsl, urlencode, urlsplit

TYPES = ("5xx", "429", "timeout", "reset", "truncated", "trickle", "redirect_loop")
ALIASES = {"500": "5xx", "502": "5xx", "503": "5xx", "redirect": "redirect_loop", "loop": "redirect_loop"}
ROBOTS_TYPES = frozenset({"5xx", "429"})
BODY_TYPES = frozenset({"truncated", "trickle"})
TRICKLE_SECONDS = 3.0
TRICKLE_CHUNKS = 30
LOOP_PARAM = "loop"
_REASONS = {500: "Internal Server Error", 502: "Bad Gateway", 503: "Service Temporarily Unavailable",
            429: "Too Many Requests"}


def parse_spec(spec: str) -> dict[str, float]:
    """Parse a fault spec into rates.

    Args:
        spec: comma-separated ``TYPE=RATE`` entries; TYPE is one of TYPES, an alias (500, 502, 503, redirect,
            loop) or ``all`` (R shared equally among the types); later entries override.

    Returns:
        Fault type -> rate, types of rate 0 left out.

    Raises:
        ValueError: unknown type, rate outside [0, 1] or rates summing above 1.
    """
    rates: dict[str, float] = {}
    for item in filter(None, (part.strip() for part in spec.split(","))):
        name, sep, value = item.partition("=")
        name = ALIASES.get(name.strip().lower(), name.strip().lower())
        try:
            rate = float(value)
        except ValueError:
            raise ValueError(f"bad fault entry {item!r}: expected TYPE=RATE") from None
        if not sep or not 0.0 <= rate <= 1.0:
            raise ValueError(f"bad fault entry {item!r}: expected TYPE=RATE with 0 <= RATE <= 1")
        if name == "all":
            rates.update(dict.fromkeys(TYPES, rate / len(TYPES)))
        elif name in TYPES:
            rates[name] = rate
        else:
            raise ValueError(f"unknown fault type {name!r} (known: all, {', '.join(TYPES)})")
    if sum(rates.values()) > 1.0 + 1e-9:
        raise ValueError(f"fault rates sum to {sum(rates.values()):g} > 1")
    return {name: rates[name] for name in TYPES if rates.get(name)}


class FaultPlan:
    """Fault rates and state shared by the servers of one process: request counters and the fault log."""

    def __init__(self, spec: str = "", seed: int = 0, timeout: float = 20.0, log: str | Path | None = None) -> None:
        """Parse the spec and open the log.

        Args:
            spec: fault spec (see ``parse_spec``); empty for none.
            seed: seed of the draws.
            timeout: seconds a ``timeout`` fault keeps the connection silent.
            log: JSON-lines file appended with one line per injected fault (None: no log).
        """
        self.rates = parse_spec(spec)
        self.seed = seed
        self.timeout = timeout
        self._counts: dict[tuple[str, str], int] = {}
        self._lock = threading.Lock()
        self._log = open(log, "a", encoding="utf-8") if log else None  # noqa: SIM115 - closed by close()

    def draw(self, site: str, target: str) -> tuple[str | None, int, int]:
        """Count one request of a target and draw its fault.

        Args:
            site: "clubic" or "numerama".
            target: request target (path and query).

        Returns:
            (fault type or None, n: how many times this target was requested before, a variant number).
        """
        with self._lock:
            n = self._counts.get((site, target), 0)
            self._counts[(site, target)] = n + 1
        digest = hashlib.sha256(f"{self.seed}|{site}|{target}|{n}".encode()).digest()
        u = int.from_bytes(digest[:8], "big") / 2 ** 64
        variant = int.from_bytes(digest[8:12], "big")
        allowed = ROBOTS_TYPES if urlsplit(target).path == "/robots.txt" else None
        edge = 0.0
        for name, rate in self.rates.items():
            edge += rate
            if u < edge:
                return (name if allowed is None or name in allowed else None), n, variant
        return None, n, variant

    def record(self, **entry: object) -> None:
        """Append one injected fault to the log (if any).

        Args:
            entry: JSON-ready fields (site, method, target, n, fault, status).
        """
        if self._log is not None:
            with self._lock:
                self._log.write(json.dumps(entry, sort_keys=True) + "\n")
                self._log.flush()

    def close(self) -> None:
        """Close the log."""
        if self._log is not None:
            self._log.close()
            self._log = None


def error_page(status: int) -> bytes:
    """The nginx error page of a status.

    Args:
        status: 429, 500, 502 or 503.

    Returns:
        The HTML body.
    """
    title = f"{status} {_REASONS[status]}"
    return (f"<html>\r\n<head><title>{title}</title></head>\r\n<body>\r\n<center><h1>{title}</h1></center>\r\n"
            "<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n").encode()


def loop_hop(target: str) -> int | None:
    """The hop number of a redirect-loop target.

    Args:
        target: request target.

    Returns:
        N when the query carries ``loop=N``, else None.
    """
    for name, value in parse_qsl(urlsplit(target).query, keep_blank_values=True):
        if name == LOOP_PARAM:
            return int(value) if value.isdigit() else 0
    return None


def next_hop(target: str, hop: int) -> str:
    """The target a redirect-loop hop sends to.

    Args:
        target: request target.
        hop: the hop number to set.

    Returns:
        The same path and query with ``loop`` set to hop.
    """
    parts = urlsplit(target)
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k != LOOP_PARAM]
    return parts.path + "?" + urlencode([*query, (LOOP_PARAM, str(hop))])
