"""TextStorePipeline: writes each kept article as dated ``.txt`` + ``.json`` files under OUT/articles."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING

from scrapy.exceptions import DropItem, NotConfigured

from archive.fsutil import atomic_write_text
from archive.textstore import record_json, write_article

if TYPE_CHECKING:
    from scrapy.crawler import Crawler

    from crawler.items import ArticleItem


class TextStorePipeline:
    """Writes the article record atomically; the item's ``record`` gets the paths written."""

    def __init__(self, crawler: Crawler, root: Path) -> None:
        self.crawler = crawler
        self.root = root
        self.written: dict[str, tuple[Path, list[str]]] = {}  # URL -> (JSON path, discovered_via written)
        self.canonical: dict[str, str] = {}  # canonical URL -> URL written under it

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> TextStorePipeline:
        """Build the pipeline; ``TEXTSTORE_ENABLED=False`` switches it off."""
        settings = crawler.settings
        if not settings.getbool("TEXTSTORE_ENABLED", True):
            raise NotConfigured("TEXTSTORE_ENABLED is off")
        return cls(crawler, Path(settings.get("TEXTSTORE_DIR") or settings.get("SOUVERAIN_OUT_DIR", "out")))

    def process_item(self, item: ArticleItem) -> ArticleItem:
        """Write the article's files, unless this run already wrote the same article under another URL."""
        canonical = item.record.get("canonical_url") or item.url
        first = self.canonical.setdefault(canonical, item.url)
        if first != item.url:
            self.crawler.stats.inc_value("textstore/duplicates")
            raise DropItem(f"duplicate: same article as {first}")
        txt_path, json_path = write_article(self.root, item.site, item.record)
        self.written[item.url] = (json_path, list(item.record.get("discovered_via", [])))
        item.record["path"] = txt_path.relative_to(self.root).as_posix()
        self.crawler.stats.inc_value("textstore/written")
        return item

    def close_spider(self) -> None:
        """Add to ``discovered_via`` the sources that found an article after it was written."""
        frontier = getattr(self.crawler.spider, "frontier", None)
        if frontier is None:
            return
        for url, (json_path, recorded) in self.written.items():
            candidate = frontier.ledger.get(url)
            if candidate is None or set(candidate.sources) <= set(recorded):
                continue
            record = json.loads(json_path.read_text(encoding="utf-8"))
            record["discovered_via"] = sorted(set(candidate.sources) | set(recorded))
            atomic_write_text(json_path, record_json(record))
            self.crawler.stats.inc_value("textstore/sources_updated")
