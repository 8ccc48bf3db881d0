"""RobotsOnce: a host's robots.txt archived once a run, whichever crawler fetches it first.

Each site crawler reads a host's robots.txt for itself (Scrapy's RobotsTxtMiddleware: it obeys the rules it
fetched), so the CDN host serving both sites, or every worker of a distributed run, fetches the same robots.txt.
The first fetch of a run is archived; the others are read and not written again, so no URL of a run has two
response records. In-process claims are a set; a distributed run's are ``SET NX`` keys in its Redis, run-scoped.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from crawler.runid import run_id

if TYPE_CHECKING:
    from redis import Redis
    from scrapy.settings import BaseSettings

LOGGER = logging.getLogger(__name__)
CLAIM_DAYS = 30  # how long a run's claims stay in Redis
_CLAIMED: set[tuple[str, str]] = set()  # (run, URL) archived by a crawler of this process


class RobotsOnce:
    """Tells whether this crawler is the first of the run to archive a robots.txt URL (and claims it)."""

    def __init__(self, run: str, server: Redis | None = None) -> None:
        self.run = run
        self.server = server

    @classmethod
    def from_settings(cls, settings: BaseSettings) -> RobotsOnce:
        """Return the claims of the crawl's run: in this process, and in its Redis for a distributed run."""
        url = settings.get("SOUVERAIN_REDIS_URL")
        if not url:
            return cls(run_id(settings))
        from crawler.distributed.runs import connect

        return cls(run_id(settings), connect(url))

    def claim(self, url: str) -> bool:
        """Claim the archiving of one robots.txt URL for this run.

        Args:
            url: the robots.txt URL fetched.

        Returns:
            True when no crawler of the run archived it before (archive it); while Redis is unreachable, True
            (a second copy is better than none).
        """
        if (self.run, url) in _CLAIMED:
            return False
        if self.server is not None:
            from crawler.distributed.scheduler import UNREACHABLE

            try:
                won = bool(self.server.set(f"souverain:{self.run}:robots:{url}", "1", nx=True, ex=CLAIM_DAYS * 86400))
            except UNREACHABLE as exc:
                LOGGER.info("%s archived without asking the other workers (Redis did not answer: %s)", url, exc)
                won = True
            if not won:
                return False
        _CLAIMED.add((self.run, url))
        return True
