"""LeasingScheduler: scrapy-redis's Scheduler whose pops take a lease (``leases.py``) instead of losing the request.

Its queue is scrapy-redis's ``PriorityQueue`` (a sorted set: no blocking pop, whatever
``SCHEDULER_IDLE_BEFORE_CLOSE`` says) and its dupefilter scrapy-redis's ``RFPDupeFilter``; what it adds is the lease
on every request it hands to the engine, and a worker that keeps crawling while Redis is unreachable for a while:
requests it makes meanwhile wait in memory, and it asks the queue again once Redis answers.

Scrapy's ``request_to_dict`` stores a callback by its name on the spider; a request whose callback is a method of
one of the crawler's extensions (a page requisite's, ``PageRequisites.fetched``) goes into the queue with its
extension's class path and method names in ``meta["extension_callback"]``, and comes out bound to that crawler's
extension again (only an extension the crawler runs: nothing else is looked up).
"""

from __future__ import annotations

import logging
import os
import socket
from typing import TYPE_CHECKING

from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError
from scrapy.utils.request import request_from_dict
from scrapy_redis.scheduler import Scheduler

from crawler.distributed.leases import Leases

if TYPE_CHECKING:
    from scrapy import Request, Spider
    from scrapy.crawler import Crawler

LOGGER = logging.getLogger(__name__)
UNREACHABLE = (RedisConnectionError, RedisTimeoutError, OSError)
EXTENSION_CALLBACK = "extension_callback"  # meta key: (extension class path, callback name, errback name or "")


def worker_id() -> str:
    """Return this worker's id: host name and pid (the pid is in its WARC names too)."""
    return f"{socket.gethostname()}-{os.getpid()}"


class LeasingScheduler(Scheduler):  # type: ignore[misc]  # scrapy-redis is untyped
    """scrapy-redis's Scheduler with leases, and patience when Redis is down."""

    crawler: Crawler
    leases: Leases
    leased: dict[str, Request]  # lease id → the request handed to the engine
    waiting: list[Request]  # made while Redis was unreachable
    unsure: set[Request]  # of those, the ones whose dupefilter call may have reached Redis all the same
    unreachable: str  # why Redis is unreachable, "" while it answers

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> LeasingScheduler:
        """Build the scheduler with the crawler's settings and stats."""
        scheduler: LeasingScheduler = super().from_crawler(crawler)
        scheduler.crawler = crawler
        scheduler.leased, scheduler.waiting, scheduler.unsure, scheduler.unreachable = {}, [], set(), ""
        return scheduler

    def open(self, spider: Spider) -> None:
        """Open the queue and bind the leases to it."""
        super().open(spider)
        settings = self.crawler.settings
        self.leases = Leases(self.server, self.queue.key, worker_id(), settings.getfloat("DISTRIBUTED_LEASE_SECONDS"))

    def close(self, reason: str) -> None:
        """Put back what this worker still holds (an interrupted worker's requests go to the others at once)."""
        try:
            self.flush_waiting()
            if returned := self.leases.return_own():
                LOGGER.info("returned %d unfinished request(s) to the shared queue", returned)
        except UNREACHABLE as exc:
            LOGGER.warning("Redis unreachable while closing (%s): other workers take over this worker's requests "
                           "when their leases expire", exc)
        super().close(reason)

    def enqueue_request(self, request: Request) -> bool:
        """Queue a request unless the shared dupefilter saw it; keep it in memory while Redis is unreachable."""
        request = self.storable(request)
        if self.unreachable:
            self.waiting.append(request)
            return True
        try:
            return bool(super().enqueue_request(request))
        except UNREACHABLE as exc:  # a timed-out call may still run once Redis answers: the fingerprint then seen
            self.went_away(exc)
            self.waiting.append(request)
            self.unsure.add(request)
            return True

    def next_request(self) -> Request | None:
        """Take the queue's first request under a lease (None when the queue is empty or Redis unreachable)."""
        if self.unreachable:
            return None
        try:
            taken = self.leases.take()
        except UNREACHABLE as exc:
            self.went_away(exc)
            return None
        if taken is None:
            return None
        lease_id, data = taken
        if (request := self.decode(data)) is None:
            self.leases.release([lease_id])
            return None
        self.leased[lease_id] = request
        if self.stats:
            self.stats.inc_value("scheduler/dequeued/redis")
        return request

    def decode(self, data: str) -> Request | None:
        """Return a queued request rebuilt, or None (logged) for an entry that is none of ours."""
        try:
            return self.rebound(request_from_dict(self.queue.serializer.loads(data), spider=self.spider))
        except (ValueError, TypeError, KeyError, AttributeError) as exc:
            LOGGER.error("dropped a queued entry that is no request of this spider: %s", exc)
            self.crawler.stats.inc_value("distributed/bad_requests")
            return None

    def storable(self, request: Request) -> Request:
        """Return the request as the queue can store it: an extension's callbacks named in its meta."""
        owner = getattr(request.callback, "__self__", None)
        if owner is None or owner is self.spider:
            return request
        if owner not in self.crawler.extensions.middlewares:
            raise ValueError(f"{request}: its callback is a method of neither the spider nor an extension")
        names = (request.callback.__name__, getattr(request.errback, "__name__", ""))  # type: ignore[union-attr]
        path = f"{type(owner).__module__}.{type(owner).__qualname__}"
        return request.replace(callback=None, errback=None, meta={**request.meta, EXTENSION_CALLBACK: [path, *names]})

    def rebound(self, request: Request) -> Request:
        """Return a request read from the queue with its extension's callbacks bound again.

        Raises:
            ValueError: the extension named is not one this crawler runs, or has no such method.
        """
        if EXTENSION_CALLBACK not in request.meta:
            return request
        path, callback, errback = request.meta.pop(EXTENSION_CALLBACK)
        owner = next((ext for ext in self.crawler.extensions.middlewares
                      if f"{type(ext).__module__}.{type(ext).__qualname__}" == path), None)  # nothing imported
        names = [name for name in (callback, errback) if name]
        if owner is None or any(name.startswith("_") or not callable(getattr(owner, name, None)) for name in names):
            raise ValueError(f"no extension {path!r} with callbacks {callback!r}, {errback!r} in this crawler")
        return request.replace(callback=getattr(owner, callback), errback=getattr(owner, errback) if errback else None)

    def has_pending_requests(self) -> bool:
        """Tell whether the shared queue holds requests (or requests wait for Redis to come back)."""
        if self.unreachable or self.waiting:
            return True
        try:
            return bool(len(self) > 0)
        except UNREACHABLE as exc:
            self.went_away(exc)
            return True

    def went_away(self, exc: BaseException) -> None:
        """Say once that Redis stopped answering; the worker waits for it (``DistributedWorker`` asks again)."""
        if not self.unreachable:
            self.unreachable = str(exc) or type(exc).__name__
            LOGGER.warning("Redis unreachable (%s): waiting for it, the crawl goes on with what is in flight",
                           self.unreachable)
            self.crawler.stats.inc_value("distributed/redis_outages")

    def came_back(self) -> None:
        """Redis answers again: queue what waited in memory."""
        LOGGER.warning("Redis answers again after an outage: %d request(s) made meanwhile queued", len(self.waiting))
        self.unreachable = ""
        self.flush_waiting()

    def flush_waiting(self) -> None:
        """Queue the requests made while Redis was unreachable; one whose dupefilter call timed out is queued even
        if its fingerprint is there now (that call may have run late, without the push that followed it)."""
        while self.waiting:
            request = self.waiting[0]
            if request in self.unsure:
                self.df.request_seen(request)
                self.queue.push(request)
                self.unsure.discard(request)
            else:
                super().enqueue_request(request)
            self.waiting.pop(0)
