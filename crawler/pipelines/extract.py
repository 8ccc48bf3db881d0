"""ExtractPipeline: trafilatura extraction of each article, in a process pool so the reactor keeps going."""

from __future__ import annotations

from typing import TYPE_CHECKING

from scrapy.exceptions import NotConfigured

from archive.store.textstore import article_record
from archive.text.cleanup import SiteCleanup
from archive.text.extract import extract
from archive.text.notarticle import NotAnArticle
from crawler.items import Dropped
from crawler.profiles import find_profiles
from crawler.shared import acquire_pool, pool_size, release_pool, run_in_pool

if TYPE_CHECKING:
    from scrapy.crawler import Crawler

    from crawler.items import ArticleItem


class ExtractPipeline:
    """Turns an ArticleItem's pages into an article record (``item.record``), or drops it."""

    def __init__(self, crawler: Crawler, workers: int) -> None:
        self.crawler = crawler
        self.workers = workers
        profiles = find_profiles(crawler.settings.getlist("SOUVERAIN_PROFILES"))
        self.cleanups = {name: SiteCleanup.from_dict(p.cleanup) for name, p in profiles.items()}

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ExtractPipeline:
        """Build the pipeline; ``EXTRACT_ENABLED=False`` switches it off."""
        if not crawler.settings.getbool("EXTRACT_ENABLED"):
            raise NotConfigured("EXTRACT_ENABLED is off")
        return cls(crawler, pool_size(crawler.settings))

    def open_spider(self) -> None:
        """Take the process-wide extraction pool (one for every crawler of the process)."""
        acquire_pool(self.workers)

    def close_spider(self) -> None:
        """Let go of the pool; the last crawler shuts it down."""
        release_pool(self.workers)

    async def process_item(self, item: ArticleItem) -> ArticleItem:
        """Extract the article in the pool and fill ``item.record``; drop pages that hold no article, with why."""
        stats = self.crawler.stats
        pages = [(p.body, p.url, p.content_type) for p in item.pages]
        cleanup = self.cleanups.get(item.site, SiteCleanup())
        try:
            article = await run_in_pool(self.workers, extract, pages, cleanup)
        except NotAnArticle as refused:
            stats.inc_value("extract/failed")
            raise Dropped(refused.reason) from None
        stats.inc_value("extract/ok")
        item.record = article_record(article.to_dict(), url=item.url, site=item.site,
                                     discovered_via=item.discovered_via,
                                     captures=[p.capture for p in item.pages if p.capture])
        return item

