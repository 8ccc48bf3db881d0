"""Pipelines built from a crawler and called directly (no reactor): date window, dated files, duplicates."""

from __future__ import annotations

import asyncio
import json

import pytest
from scrapy.exceptions import DropItem, NotConfigured
from scrapy.utils.test import get_crawler

from crawler.addon import ADDON
from crawler.items import ArticleItem
from crawler.pipelines.datewindow import DateWindowPipeline
from crawler.pipelines.textstore import TextStorePipeline


def item(url: str, canonical: str, published: str = "2015-06-01T10:00:00+02:00") -> ArticleItem:
    record = {"url": url, "canonical_url": canonical, "published": published, "text": "Numergy.", "title": "T",
              "discovered_via": ["sitemap"]}
    return ArticleItem(site="numerama", url=url, pages=[], discovered_via=["sitemap"], record=record)


def test_date_window_pipeline_is_off_without_a_window():
    with pytest.raises(NotConfigured):
        DateWindowPipeline.from_crawler(get_crawler(settings_dict={"ADDONS": {ADDON: 0}}))


def test_date_window_pipeline_drops_outside():
    crawler = get_crawler(settings_dict={"ADDONS": {ADDON: 0}, "SOUVERAIN_SINCE": "2015-01-01", "SOUVERAIN_UNTIL": "2015-12-31"})
    pipeline = DateWindowPipeline.from_crawler(crawler)
    crawler.stats.open_spider()
    kept = item("https://www.numerama.com/tech/1-a.html", "https://www.numerama.com/tech/1-a.html")
    assert pipeline.process_item(kept) is kept
    late = item("https://www.numerama.com/tech/2-b.html", "x", "2016-01-01T00:30:00+01:00")
    with pytest.raises(DropItem, match="out of date window: published 2016-01-01T00:30:00"):
        pipeline.process_item(late)


def test_textstore_refuses_the_same_article_under_a_second_url(tmp_path):
    crawler = get_crawler(settings_dict={"ADDONS": {ADDON: 0}, "SOUVERAIN_OUT_DIR": str(tmp_path)})
    pipeline = TextStorePipeline.from_crawler(crawler)
    crawler.stats.open_spider()
    first = item("https://www.numerama.com/tech/1-a.html", "https://www.numerama.com/tech/1-a.html")
    asyncio.run(pipeline.process_item(first))
    with pytest.raises(DropItem, match="duplicate: same article as https://www.numerama.com/tech/1-a.html"):
        asyncio.run(pipeline.process_item(item("https://www.numerama.com/?p=1", "https://www.numerama.com/tech/1-a.html")))
    pipeline.writers.shutdown()
    written = list((tmp_path / "articles").rglob("*.json"))
    assert len(written) == 1 and json.loads(written[0].read_text(encoding="utf-8"))["url"] == first.url
