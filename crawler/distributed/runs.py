"""A shared run: workers started alike join one run id through Redis; the Scrapy settings of a worker.

The first worker of a run creates its id under ``souverain:open-run``; the others read it. The last worker to
leave (no other worker's heartbeat key left) closes the run, so the next ``souverain crawl --redis`` starts a new
one. Keys of a run are all under ``souverain:<run-id>:`` (the queue, dupefilter and leases per spider).
"""

from __future__ import annotations

import ipaddress
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs, urlsplit

from crawler.distributed.scheduler import UNREACHABLE, worker_id
from crawler.runid import is_run_id, new_run_id

if TYPE_CHECKING:
    from redis import Redis

OPEN_RUN = "souverain:open-run"
SCHEMES = ("redis", "rediss", "unix")
# Short socket timeouts: every scrapy-redis call blocks the reactor, a hung Redis must not block it for long.
REDIS_PARAMS = {"socket_timeout": 2, "socket_connect_timeout": 2, "retry_on_timeout": False, "encoding": "utf-8"}


class RedisUrlError(ValueError):
    """A Redis URL that is malformed or unsafe to use (no password on a non-loopback host)."""


def check_redis_url(url: str) -> None:
    """Refuse a Redis URL souverain would not use: an unknown scheme, or a host other than loopback without a
    password (the queue holds requests, the state store what every run fetched: Redis must stay private).

    Raises:
        RedisUrlError: with the reason in one line.
    """
    parts = urlsplit(url)
    if parts.scheme not in SCHEMES:
        raise RedisUrlError(f"--redis {url!r}: expected redis://[:PASSWORD@]HOST[:PORT][/DB] (or rediss://, unix://)")
    if parts.scheme == "unix":
        return
    try:
        host, _port = parts.hostname, parts.port
    except ValueError as exc:
        raise RedisUrlError(f"--redis {url!r}: {exc}") from None
    if not host:
        raise RedisUrlError(f"--redis {url!r}: no host")
    password = parts.password or parse_qs(parts.query).get("password", [""])[0]
    if not is_loopback(host) and not password:
        raise RedisUrlError(f"--redis {host}: a Redis off this machine needs a password in the URL "
                            "(redis://:PASSWORD@HOST:6379/0), and must not be reachable from the open web")


def is_loopback(host: str) -> bool:
    """Tell whether a host name is this machine (``localhost``, 127.0.0.0/8, ``::1``)."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def connect(url: str) -> Redis:
    """Return a client of the Redis at ``url`` (checked with ``check_redis_url``)."""
    from redis import Redis

    check_redis_url(url)
    return Redis.from_url(url, **REDIS_PARAMS, decode_responses=True)


def worker_key(run: str, worker: str) -> str:
    """Return the heartbeat key of a worker of a run (it expires when the worker stops renewing it)."""
    return f"souverain:{run}:worker:{worker}"


@contextmanager
def joined_run(url: str, ttl: float, closing: Callable[[Redis, str], None] | None = None) -> Iterator[str]:
    """Join the open run at ``url`` (opening one if there is none), yield its id, leave it at the end.

    Args:
        url: the Redis URL.
        ttl: seconds the worker's heartbeat key lives unrenewed (its lease time).
        closing: called with the client and the run id by the worker that closes the run (the last to leave).

    Yields:
        The run id.

    Raises:
        RedisUrlError: unsafe URL; ``ConnectionError`` when Redis cannot be reached.
    """
    server = connect(url)
    server.set(OPEN_RUN, new_run_id(), nx=True)
    run = str(server.get(OPEN_RUN))
    if not is_run_id(run):
        raise RedisUrlError(f"Redis at {url} holds {OPEN_RUN} = {run[:40]!r}, which is no run id: not joined")
    me = worker_id()
    server.sadd(f"souverain:{run}:workers", me)
    server.set(worker_key(run, me), "1", ex=max(int(ttl), 1))
    try:
        yield run
    finally:
        try:
            if leave_run(server, run, me) and closing is not None:
                closing(server, run)
        except UNREACHABLE:
            pass  # the run closes when the last worker that can reach Redis leaves


def leave_run(server: Redis, run: str, me: str) -> bool:
    """Leave a run; the last worker with a live heartbeat closes it (the next crawl opens a new run).

    Returns:
        Whether this worker closed the run (of workers leaving at once, only one does).
    """
    server.delete(worker_key(run, me))
    server.srem(f"souverain:{run}:workers", me)
    others = server.smembers(f"souverain:{run}:workers")
    if not any(server.exists(worker_key(run, str(other))) for other in others) and server.get(OPEN_RUN) == run:
        return bool(server.delete(OPEN_RUN))
    return False


def worker_settings(url: str, run: str, delay: float) -> dict[str, Any]:
    """Return the Scrapy settings of a worker of run ``run`` on the Redis at ``url``.

    Args:
        url: the Redis URL (checked).
        run: the shared run id.
        delay: the politeness delay per host of the whole run (``--delay``).

    Returns:
        scrapy-redis's scheduler, queue and dupefilter on run-scoped keys, JSON requests, persistence; the delay
        kept by the shared schedule (``politeness.py``) instead of each process's slots, which would space a
        request again after it took its start, bunching requests of several workers.
    """
    check_redis_url(url)
    prefix = f"souverain:{run}:%(spider)s"
    return {
        "DISTRIBUTED_DELAY": delay,
        "DOWNLOAD_DELAY": 0.0,
        "AUTOTHROTTLE_ENABLED": False,
        # A request that took its start in Redis must not then wait for a free slot of its own process.
        "CONCURRENT_REQUESTS_PER_DOMAIN": 8,
        "SOUVERAIN_REDIS_URL": url,
        "SOUVERAIN_RUN_ID": run,
        "REDIS_URL": url,
        "REDIS_PARAMS": dict(REDIS_PARAMS),
        "SCHEDULER": "crawler.distributed.scheduler.LeasingScheduler",
        "SCHEDULER_QUEUE_CLASS": "scrapy_redis.queue.PriorityQueue",  # a sorted set: no blocking pop
        "DUPEFILTER_CLASS": "scrapy_redis.dupefilter.RFPDupeFilter",
        "SCHEDULER_QUEUE_KEY": f"{prefix}:requests",
        "SCHEDULER_DUPEFILTER_KEY": f"{prefix}:dupefilter",
        "SCHEDULER_SERIALIZER": "crawler.distributed.serializer",
        "SCHEDULER_PERSIST": True,  # else the first worker to finish wipes the queue of the others
        "SCHEDULER_IDLE_BEFORE_CLOSE": 0,
    }
