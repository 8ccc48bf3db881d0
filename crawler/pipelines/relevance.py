"""RelevancePipeline: scores each article against the topic file; off-topic ones are dropped with the reason."""

from __future__ import annotations

from typing import TYPE_CHECKING

from scrapy.exceptions import DropItem, NotConfigured

from archive.relevance import Topic
from crawler.topic import topic_path

if TYPE_CHECKING:
    from scrapy.crawler import Crawler

    from crawler.items import ArticleItem


class RelevancePipeline:
    """Adds ``relevance`` to the article record; raises DropItem below the topic's threshold."""

    def __init__(self, crawler: Crawler, topic: Topic) -> None:
        self.crawler = crawler
        self.topic = topic

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> RelevancePipeline:
        """Build the pipeline for ``SOUVERAIN_TOPIC``; ``RELEVANCE_ENABLED=False`` switches it off."""
        if not crawler.settings.getbool("RELEVANCE_ENABLED", True):
            raise NotConfigured("RELEVANCE_ENABLED is off")
        return cls(crawler, Topic.load(topic_path(crawler.settings.get("SOUVERAIN_TOPIC", "cloud-souverain"))))

    def process_item(self, item: ArticleItem) -> ArticleItem:
        """Score the article; keep it when on topic."""
        relevance = self.topic.score(item.record.get("title") or "", item.record.get("text") or "")
        item.record["relevance"] = relevance.to_dict()
        if not relevance.on_topic:
            self.crawler.stats.inc_value("relevance/rejected/off_topic")
            raise DropItem(f"off-topic: {relevance.reason}")
        self.crawler.stats.inc_value("relevance/kept")
        return item
