"""RelevancePipeline: scores each article against the topic file; off-topic ones are dropped with the reason."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from scrapy.exceptions import NotConfigured

from archive.text.relevance import Topic
from crawler.items import Dropped
from crawler.shared import acquire_pool, pool_size, release_pool, run_in_pool
from crawler.topic import topic_path

if TYPE_CHECKING:
    from scrapy.crawler import Crawler

    from crawler.items import ArticleItem


@cache
def _topic(path: str) -> Topic:
    """Return a topic file, read once per process."""
    return Topic.load(Path(path))


def score_article(path: str, title: str, text: str) -> dict[str, Any]:
    """Score an article against a topic file (runs in a worker process: ~1 ms of regexes per article).

    Args:
        path: the topic file.
        title: the article's title.
        text: the article's text.

    Returns:
        The relevance verdict as a dict.
    """
    return _topic(path).score(title, text).to_dict()


class RelevancePipeline:
    """Adds ``relevance`` to the article record; raises Dropped below the topic's threshold."""

    def __init__(self, crawler: Crawler, topic_file: Path, workers: int) -> None:
        self.crawler = crawler
        self.topic_file = str(topic_file)
        self.workers = workers

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> RelevancePipeline:
        """Build the pipeline for ``SOUVERAIN_TOPIC``; ``RELEVANCE_ENABLED=False`` switches it off, and so does
        ``EXTRACT_ENABLED=False`` (there is no text to score)."""
        settings = crawler.settings
        if not (settings.getbool("RELEVANCE_ENABLED") and settings.getbool("EXTRACT_ENABLED")):
            raise NotConfigured("RELEVANCE_ENABLED or EXTRACT_ENABLED is off")
        path = topic_path(settings["SOUVERAIN_TOPIC"])
        _topic(str(path))  # a broken topic file fails here, before the crawl starts
        return cls(crawler, path, pool_size(settings))

    def open_spider(self) -> None:
        """Take the process-wide CPU pool."""
        acquire_pool(self.workers)

    def close_spider(self) -> None:
        """Let go of the pool."""
        release_pool(self.workers)

    async def process_item(self, item: ArticleItem) -> ArticleItem:
        """Score the article in the pool; keep it when on topic."""
        record = item.record
        relevance = await run_in_pool(self.workers, score_article, self.topic_file, record.get("title") or "",
                                      record.get("text") or "")
        record["relevance"] = relevance
        if not relevance["on_topic"]:
            self.crawler.stats.inc_value("relevance/rejected/off_topic")
            raise Dropped(relevance["reason"])  # a Reason, from the topic's verdict
        self.crawler.stats.inc_value("relevance/kept")
        return item
