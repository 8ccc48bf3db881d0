"""DistributedWorker: the extension that makes a crawler one worker of a shared run (``SOUVERAIN_REDIS_URL``).

Every ``DISTRIBUTED_HEARTBEAT_SECONDS`` it drops the leases of requests the engine is done with, renews the others,
puts expired leases of dead workers back in the queue, and asks a Redis that went away whether it is back. The
spider stays open while the run has requests queued or leased anywhere: a worker leaving early could leave a dead
worker's requests to nobody. At the end, the site's report gets the run's take-overs.
"""

from __future__ import annotations

import json
import logging
from dataclasses import asdict
from pathlib import Path
from typing import TYPE_CHECKING, Any

from scrapy import signals
from scrapy.exceptions import DontCloseSpider, NotConfigured
from twisted.internet import task

from archive.fsutil import atomic_write_text
from crawler.discovery.ledger import OTHER_WORKER, Ledger
from crawler.distributed.runs import worker_key
from crawler.distributed.scheduler import UNREACHABLE, LeasingScheduler, worker_id
from crawler.runid import run_id

if TYPE_CHECKING:
    from scrapy import Request, Spider
    from scrapy.crawler import Crawler

LOGGER = logging.getLogger(__name__)


class DistributedWorker:
    """Keeps this worker's leases alive, takes over the dead ones', and holds the spider open for the run."""

    def __init__(self, crawler: Crawler, interval: float) -> None:
        self.crawler = crawler
        self.interval = interval
        self.loop: task.LoopingCall | None = None
        self.finished_once: set[str] = set()  # leases seen done at the last beat: dropped if still done now

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> DistributedWorker:
        """Build the extension; off unless ``SOUVERAIN_REDIS_URL`` is set."""
        settings = crawler.settings
        if not settings.get("SOUVERAIN_REDIS_URL"):
            raise NotConfigured  # not a distributed run: no message, which Scrapy would log as a warning
        interval = settings.getfloat("DISTRIBUTED_HEARTBEAT_SECONDS") or settings.getfloat(
            "DISTRIBUTED_LEASE_SECONDS") / 3
        ext = cls(crawler, interval)
        crawler.signals.connect(ext.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(ext.spider_idle, signal=signals.spider_idle)
        crawler.signals.connect(ext.request_dropped, signal=signals.request_dropped)
        crawler.signals.connect(ext.spider_closed, signal=signals.spider_closed)
        return ext

    @property
    def scheduler(self) -> LeasingScheduler:
        """Return the engine's scheduler (``SCHEDULER`` is the leasing one in a distributed run)."""
        scheduler = self.crawler.engine._slot.scheduler  # type: ignore[union-attr]  # no public accessor
        if not isinstance(scheduler, LeasingScheduler):
            raise NotConfigured("SOUVERAIN_REDIS_URL is set but SCHEDULER is not crawler.distributed's")
        return scheduler

    def in_flight(self) -> set[Request]:
        """Return the requests the engine still works on: downloading, or their callbacks and items running."""
        return set(self.crawler.engine._slot.inprogress)  # type: ignore[union-attr]  # from pop to last item

    def spider_opened(self, spider: Spider) -> None:
        """Start the heartbeat."""
        self.loop = task.LoopingCall(self.beat)
        self.loop.start(self.interval, now=False)

    def beat(self) -> None:
        """Drop finished leases, renew the others, return expired ones; see whether Redis is back."""
        scheduler = self.scheduler
        try:
            if scheduler.unreachable:
                scheduler.server.ping()
                scheduler.came_back()
            settings = self.crawler.settings
            scheduler.server.set(worker_key(run_id(settings), worker_id()), "1",
                                 ex=max(int(settings.getfloat("DISTRIBUTED_LEASE_SECONDS")), 1))
            self.settle(scheduler, self.in_flight())
            if returned := scheduler.leases.return_expired():
                LOGGER.warning("took over %d request(s) of a worker that stopped renewing its leases", returned)
                self.crawler.stats.inc_value("distributed/taken_over", returned)
        except UNREACHABLE as exc:
            scheduler.went_away(exc)

    def settle(self, scheduler: LeasingScheduler, in_flight: set[Request]) -> None:
        """Drop the leases of requests done at this beat and the last one (a request passes from the downloader
        to the scraper within a beat), renew the rest."""
        done = {lease for lease, request in scheduler.leased.items() if request not in in_flight}
        self.drop(scheduler, done & self.finished_once)
        self.finished_once = done - self.finished_once
        scheduler.leases.renew(sorted(scheduler.leased))

    @staticmethod
    def drop(scheduler: LeasingScheduler, leases: set[str]) -> None:
        """Drop the leases of requests this worker is done with."""
        scheduler.leases.release(sorted(leases))
        for lease in leases:
            del scheduler.leased[lease]

    def spider_idle(self, spider: Spider) -> None:
        """Keep the spider open while the run has requests queued or leased by any worker, or Redis is away."""
        scheduler = self.scheduler
        try:
            if not scheduler.unreachable:
                self.drop(scheduler, set(scheduler.leased))  # idle: nothing of this worker is in flight
                self.finished_once = set()
                if scheduler.leases.pending() == 0 and not scheduler.has_pending_requests():
                    return
        except UNREACHABLE as exc:
            scheduler.went_away(exc)
        raise DontCloseSpider("the shared run still has requests queued or in flight at other workers")

    def request_dropped(self, request: Request, spider: Spider) -> None:
        """An article request the shared dupefilter refused was offered by another worker first: skipped here."""
        ledger = self.crawler.get_extension(Ledger)
        if request.meta.get("kind") == "article" and ledger is not None and ledger.get(request.url):
            ledger.skip(request.url, OTHER_WORKER)

    def spider_closed(self, spider: Spider, reason: str) -> None:
        """Stop the heartbeat; write the run's take-overs beside the site's report."""
        if self.loop is not None and self.loop.running:
            self.loop.stop()
        try:
            takeovers = [asdict(t) for t in self.scheduler.leases.takeovers()]
        except UNREACHABLE as exc:
            LOGGER.warning("Redis unreachable at the end (%s): take-overs not reported", exc)
            return
        settings = self.crawler.settings
        folder = Path(settings["SOUVERAIN_OUT_DIR"]) / "runs" / run_id(settings) / "sites"
        record: dict[str, Any] = {"site": spider.name, "worker": worker_id(), "taken_over": takeovers}
        atomic_write_text(folder / f"{spider.name}.distributed.json", json.dumps(record, indent=2) + "\n")
