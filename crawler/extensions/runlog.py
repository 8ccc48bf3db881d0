"""RunLog: writes the crawl's configuration and the list of kept articles into the WARC as metadata records.

With them a snapshot is self-describing and every dated file can be rebuilt from the WARCs alone (as Heritrix
stores its crawl configuration in metadata records):

- ``urn:x-souverain:run:<run-id>:<site>:config`` (``application/json``), when the spider opens: site and root,
  the profile file used and its SHA-256, the profile's cleanup rules, the topic file's text, the date window, discovery entry points, politeness
  settings, software versions;
- ``urn:x-souverain:run:<run-id>:<site>:articles`` (``application/x-ndjson``), when it closes: one line per kept
  article, in the order the dated files were written: URL, site, discovered_via, record ids of its pages, version, stem of its dated files.
"""

from __future__ import annotations

import json
import logging
from typing import TYPE_CHECKING, Any, cast

from scrapy import signals
from scrapy.exceptions import NotConfigured

from archive.wacz.software import versions
from crawler.discovery.ledger import Ledger
from crawler.diskfull import stop_if_disk_full
from crawler.runid import run_id
from crawler.topic import topic_path
from crawler.warcwriters import acquire_writer, release_writer

if TYPE_CHECKING:
    from pathlib import Path

    from scrapy import Spider
    from scrapy.crawler import Crawler

    from archive.warc.writer import WarcWriter
    from crawler.spiders.base import ProfileSpider

LOGGER = logging.getLogger(__name__)
URN = "urn:x-souverain:run:{run}:{site}:{part}"
SETTINGS_RECORDED = (
    "USER_AGENT", "ROBOTSTXT_OBEY", "DOWNLOAD_DELAY", "AUTOTHROTTLE_ENABLED", "CONCURRENT_REQUESTS_PER_DOMAIN",
    "DOWNLOAD_TIMEOUT", "DOWNLOAD_MAXSIZE", "RETRY_TIMES", "PAGEBUDGET_PAGES", "DISCOVERY_MIN_HINT",
    "SOUVERAIN_SINCE", "SOUVERAIN_UNTIL", "SOUVERAIN_TOPIC",
)


def run_config(spider: ProfileSpider, settings: Any) -> dict[str, Any]:
    """Return what a run of one site was asked to do: enough to re-extract and to cite it."""
    profile, plan = spider.profile, spider.plan
    path = topic_path(settings["SOUVERAIN_TOPIC"])
    return {
        "run_id": run_id(settings),
        "site": spider.name,
        "root": profile.root,
        "profile": {"name": profile.name, "file": profile.file, "sha256": profile.sha256},
        "cleanup": profile.cleanup,
        "topic": {"name": path.stem, "file": str(path), "toml": path.read_text(encoding="utf-8")},
        "discovery": {
            "robots_sitemaps": profile.robots_sitemaps, "sitemaps": list(profile.sitemaps),
            "feeds": list(profile.feeds), "tag_page": profile.tag_page, "tag_feed": profile.tag_feed,
            "search": profile.search, "queries": list(plan.queries), "tags": list(plan.tags),
        },
        "settings": {name: settings.get(name) for name in SETTINGS_RECORDED},
        "versions": versions(),
    }


class RunLog:
    """Records the run's configuration and kept articles in the WARC (setting ``RUNLOG_ENABLED``)."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.directory: Path | None = None
        self.writer: WarcWriter | None = None
        self.kept: list[dict[str, Any]] = []

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> RunLog:
        """Build the extension; off when ``RUNLOG_ENABLED`` or ``WARC_ENABLED`` is false."""
        settings = crawler.settings
        if not (settings.getbool("RUNLOG_ENABLED") and settings.getbool("WARC_ENABLED")):
            raise NotConfigured
        ext = cls(crawler)
        crawler.signals.connect(ext.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(ext.item_scraped, signal=signals.item_scraped)
        crawler.signals.connect(ext.spider_closed, signal=signals.spider_closed)
        return ext

    def urn(self, part: str) -> str:
        """Return the URI of one of this run's records."""
        assert self.crawler.spider is not None
        return URN.format(run=run_id(self.crawler.settings), site=self.crawler.spider.name, part=part)

    def spider_opened(self, spider: Spider) -> None:
        """Take the process's WARC writer and record the run's configuration."""
        self.directory, self.writer = acquire_writer(self.crawler.settings)
        if hasattr(spider, "profile"):  # a ProfileSpider
            payload = json.dumps(run_config(cast("ProfileSpider", spider), self.crawler.settings), ensure_ascii=False, sort_keys=True)
            self.writer.write_metadata(self.urn("config"), payload.encode("utf-8"), "application/json")

    def item_scraped(self, item: Any) -> None:
        """Remember a kept article and the records of its pages."""
        self.kept.append({"url": item.url, "site": item.site, "discovered_via": item.record.get("discovered_via", []),
                          "pages": [c["record_id"] for c in item.record.get("capture", [])],
                          "version": item.record.get("version", 1), "stem": item.record.get("stem")})

    def spider_closed(self, spider: Spider) -> None:
        """Record the kept articles (with every source that found them) and let go of the writer."""
        if self.writer is None:
            return
        ledger = self.crawler.get_extension(Ledger)
        late = ledger.late_sources() if ledger is not None else {}
        lines = [json.dumps({**entry, "discovered_via": late.get(entry["url"], sorted(entry["discovered_via"]))},
                            ensure_ascii=False, sort_keys=True) for entry in self.kept]
        payload = "".join(line + "\n" for line in lines).encode("utf-8")
        try:
            self.writer.write_metadata(self.urn("articles"), payload, "application/x-ndjson")
        except OSError as exc:
            # Without it the WARCs still hold every page; `souverain crawl --resume` writes it again.
            stop_if_disk_full(self.crawler, exc, str(self.writer.current_file))
            LOGGER.error("could not record the kept articles in the WARC: %s", exc)
        assert self.directory is not None
        release_writer(self.directory)
        self.writer = None
