"""PageBudget: a hard cap on the requests a spider sends (``souverain crawl --max-pages N``)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from scrapy.exceptions import IgnoreRequest, NotConfigured
from scrapy.utils.defer import deferred_from_coro

if TYPE_CHECKING:
    from scrapy import Request
    from scrapy.crawler import Crawler


class BudgetSpent(IgnoreRequest):
    """A request refused because the page budget is spent (the crawl ends: not an error)."""


class PageBudget:
    """Downloader middleware: lets ``PAGEBUDGET_PAGES`` requests through, then ignores the rest and closes."""

    def __init__(self, crawler: Crawler, pages: int) -> None:
        self.crawler = crawler
        self.pages = pages
        self.sent = 0
        self.closing = False

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> PageBudget:
        """Build the middleware; ``PAGEBUDGET_PAGES=0`` (the default) switches it off."""
        pages = crawler.settings.getint("PAGEBUDGET_PAGES")
        if pages <= 0:
            raise NotConfigured  # off by default: no warning
        return cls(crawler, pages)

    def process_request(self, request: Request) -> None:
        """Count a request on its way to the network; refuse it once the budget is spent (a page requisite is no
        page: it is not counted, and not refused while the crawl winds down)."""
        if request.meta.get("kind") == "requisite":
            return
        if self.sent < self.pages:
            self.sent += 1
            return
        self.crawler.stats.inc_value("pagebudget/ignored")
        if not self.closing:
            self.closing = True
            deferred_from_coro(self.crawler.engine.close_spider_async(reason="page_budget"))
        raise BudgetSpent(f"page budget of {self.pages} reached")
