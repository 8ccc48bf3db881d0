"""Baseline of benchmarks/discovery.py: a plain breadth-first crawl (every same-host link, depth-limited).

Run from the repository root: ``.venv/bin/python -m benchmarks.bfs_spider --out DIR --root clubic=URL --root numerama=URL [--depth 3]``.
Every page whose URL matches the site profile's article patterns goes through souverain's own pipelines
(extraction, relevance, dated files, WARC, run report); ``DIR/runs/<run-id>/report.json`` holds the totals.
"""

from __future__ import annotations

import argparse
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import scrapy
from scrapy.crawler import CrawlerProcess
from scrapy.http import HtmlResponse
from scrapy.linkextractors import LinkExtractor
from scrapy.settings import Settings

from crawler.cli.common import parse_roots
from crawler.items import ArticleItem, PageData
from crawler.profiles import SiteProfile, get_profile
from crawler.run import CrawlOptions, write_report

if TYPE_CHECKING:
    from collections.abc import AsyncIterator, Iterator

    from scrapy.crawler import Crawler
    from scrapy.http import Response


class BreadthFirstSpider(scrapy.Spider):
    """Starts at a site's root, follows every link to the same site, yields every article-shaped page."""

    name = "bfs"
    custom_settings = {
        "DEPTH_PRIORITY": 1,
        "SCHEDULER_DISK_QUEUE": "scrapy.squeues.PickleFifoDiskQueue",
        "SCHEDULER_MEMORY_QUEUE": "scrapy.squeues.FifoMemoryQueue",
        "DEPTH_STATS_VERBOSE": True,
    }
    profile: SiteProfile
    links: LinkExtractor

    @classmethod
    def from_crawler(cls, crawler: Crawler, *args: Any, **kwargs: Any) -> BreadthFirstSpider:
        """Build the spider for the site it is named after (``name=...``), at its ``SOUVERAIN_SITE_ROOTS`` root."""
        spider = super().from_crawler(crawler, *args, **kwargs)
        spider.profile = get_profile(spider.name, crawler.settings.getdict("SOUVERAIN_SITE_ROOTS"))
        spider.links = LinkExtractor()
        return spider

    async def start(self) -> AsyncIterator[scrapy.Request]:
        """Start at the site's root page."""
        yield scrapy.Request(self.profile.url("/"))

    def parse(self, response: Response, **kwargs: Any) -> Iterator[Any]:
        """Yield the page as a one-page article when its URL is one, then follow its same-site links."""
        if self.profile.match_article(response.url) is not None:
            yield ArticleItem(site=self.name, url=response.url, discovered_via=["bfs"], pages=[PageData(
                url=response.url,
                body=response.body,
                content_type=response.headers.get("Content-Type", b"").decode("latin-1") or None,
                capture=response.meta.get("capture"),
            )])
        if isinstance(response, HtmlResponse):
            for link in self.links.extract_links(response):
                if self.profile.is_own(link.url):
                    yield scrapy.Request(link.url)


def main() -> int:
    """Crawl every ``--root`` site breadth-first in one process and write the run report."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--root", action="append", required=True, metavar="NAME=URL")
    parser.add_argument("--depth", type=int, default=3, help="DEPTH_LIMIT: links followed from the root")
    args = parser.parse_args()
    roots = parse_roots(args.root)
    options = CrawlOptions(out=args.out, sites=sorted(roots), roots=roots, delay=0, concurrency=8)
    options.check()
    settings = Settings()
    settings.setmodule("crawler.settings", priority="project")
    settings.setdict({**options.settings(), "DEPTH_LIMIT": args.depth, "PROGRESS_INTERVAL": 0,
                      "LOG_LEVEL": "WARNING"}, priority="cmdline")
    options.run_dir.mkdir(parents=True, exist_ok=True)
    started = datetime.now(UTC)
    process = CrawlerProcess(settings)
    for site in options.sites:
        process.crawl(BreadthFirstSpider, name=site)
    process.start()
    write_report(options, started)
    return 0


if __name__ == "__main__":
    sys.exit(main())
