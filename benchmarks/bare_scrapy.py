"""Scrapy's own ceiling for ``benchmarks/crawl.py``: a spider that fetches a list of URLs and keeps nothing.

Run from the repository root: ``.venv/bin/python -m benchmarks.bare_scrapy URL_FILE [--concurrency 16]``. Every URL
of the file (one a line) is requested once, with Scrapy's default components (no robots.txt, no cookies, no delay,
no pipeline, no WARC): what is left is the cost of Scrapy's engine, downloader and Twisted for each request, which
bounds any Scrapy crawler of the same URLs on the same machine. Prints one JSON line: ``requests``, ``responses``,
``seconds`` (wall, from the engine's start to its stop) and ``cpu_seconds`` (this process's, start-up excluded).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

import scrapy
from scrapy import signals
from scrapy.crawler import CrawlerProcess

if TYPE_CHECKING:
    from collections.abc import AsyncIterator

    from scrapy.crawler import Crawler
    from scrapy.http import Response


class BareSpider(scrapy.Spider):
    """Requests every URL it is given once and drops each response."""

    name = "bare"
    urls: list[str]
    responses = 0
    started: tuple[float, float] = (0.0, 0.0)
    stopped: tuple[float, float] = (0.0, 0.0)

    @classmethod
    def from_crawler(cls, crawler: Crawler, *args: Any, **kwargs: Any) -> BareSpider:
        """Build the spider and clock the engine's start and stop (wall and CPU)."""
        spider = super().from_crawler(crawler, *args, **kwargs)
        crawler.signals.connect(spider.engine_started, signal=signals.engine_started)
        crawler.signals.connect(spider.engine_stopped, signal=signals.engine_stopped)
        return spider

    def engine_started(self) -> None:
        """Remember when the engine started."""
        self.started = (time.perf_counter(), time.process_time())

    def engine_stopped(self) -> None:
        """Remember when the engine stopped."""
        self.stopped = (time.perf_counter(), time.process_time())

    async def start(self) -> AsyncIterator[scrapy.Request]:
        """Request every URL once."""
        for url in self.urls:
            yield scrapy.Request(url, dont_filter=True)

    def parse(self, response: Response, **kwargs: Any) -> None:
        """Count the response and keep nothing of it."""
        self.responses += 1


def main() -> int:
    """Fetch the file's URLs and print the JSON line."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("url_file", type=Path)
    parser.add_argument("--concurrency", type=int, default=16)
    args = parser.parse_args()
    urls = args.url_file.read_text(encoding="utf-8").split()
    process = CrawlerProcess({
        "LOG_LEVEL": "WARNING", "ROBOTSTXT_OBEY": False, "COOKIES_ENABLED": False, "TELNETCONSOLE_ENABLED": False,
        "CONCURRENT_REQUESTS": args.concurrency, "CONCURRENT_REQUESTS_PER_DOMAIN": args.concurrency,
        "HTTPERROR_ALLOW_ALL": True, "RETRY_ENABLED": False, "REDIRECT_ENABLED": False,
    })
    crawler = process.create_crawler(BareSpider)
    process.crawl(crawler, urls=urls)
    process.start()
    spider = crawler.spider
    assert isinstance(spider, BareSpider)
    print(json.dumps({"requests": len(urls), "responses": spider.responses,
                      "seconds": spider.stopped[0] - spider.started[0],
                      "cpu_seconds": spider.stopped[1] - spider.started[1]}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
