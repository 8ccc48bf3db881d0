"""DateWindowPipeline: drops articles published outside ``--since``/``--until`` (after extraction)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from scrapy.exceptions import DropItem, NotConfigured

from crawler.discovery.window import DateWindow

if TYPE_CHECKING:
    from scrapy.crawler import Crawler

    from crawler.items import ArticleItem


class DateWindowPipeline:
    """Checks the extracted publication date against the window (settings ``SOUVERAIN_SINCE/UNTIL``)."""

    def __init__(self, crawler: Crawler, window: DateWindow) -> None:
        self.crawler = crawler
        self.window = window

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> DateWindowPipeline:
        """Build the pipeline; without a window it switches itself off."""
        settings = crawler.settings
        window = DateWindow.from_strings(settings.get("SOUVERAIN_SINCE"), settings.get("SOUVERAIN_UNTIL"))
        if window.is_open:
            raise NotConfigured
        return cls(crawler, window)

    def process_item(self, item: ArticleItem) -> ArticleItem:
        """Keep the article when its publication date is in the window (or unknown)."""
        published = item.record.get("published")
        if not self.window.contains(published):
            self.crawler.stats.inc_value("datewindow/rejected")
            raise DropItem(f"out of date window: published {published}")
        return item
