"""TextStorePipeline: writes each kept article as dated ``.txt`` + ``.json`` files under OUT/articles."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from scrapy.exceptions import NotConfigured

from archive.textstore import write_article

if TYPE_CHECKING:
    from scrapy.crawler import Crawler

    from crawler.items import ArticleItem


class TextStorePipeline:
    """Writes the article record atomically; the item's ``record`` gets the paths written."""

    def __init__(self, crawler: Crawler, root: Path) -> None:
        self.crawler = crawler
        self.root = root

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> TextStorePipeline:
        """Build the pipeline; ``TEXTSTORE_ENABLED=False`` switches it off."""
        settings = crawler.settings
        if not settings.getbool("TEXTSTORE_ENABLED", True):
            raise NotConfigured("TEXTSTORE_ENABLED is off")
        return cls(crawler, Path(settings.get("TEXTSTORE_DIR") or settings.get("SOUVERAIN_OUT_DIR", "out")))

    def process_item(self, item: ArticleItem) -> ArticleItem:
        """Write the article's files."""
        txt_path, _ = write_article(self.root, item.site, item.record)
        item.record["path"] = txt_path.relative_to(self.root).as_posix()
        self.crawler.stats.inc_value("textstore/written")
        return item
