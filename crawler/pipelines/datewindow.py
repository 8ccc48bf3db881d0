"""DateWindowPipeline: drops articles published outside ``--since``/``--until`` (after extraction)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from scrapy.exceptions import NotConfigured

from archive.reasons import Category, Reason
from crawler.discovery.window import DateWindow
from crawler.items import Dropped

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
            raise Dropped(Reason(Category.OUT_OF_DATE_WINDOW, f"published {published}"))
        return item
