"""The state shared between components: the ledger extension, reasons, captures, the settings' defaults."""

from __future__ import annotations

import pickle

import pytest
from scrapy.exceptions import DropItem
from scrapy.utils.test import get_crawler

from archive.reasons import Category, Reason
from archive.store.state import UrlState
from archive.text.cleanup import SiteCleanup
from archive.text.extract import extract
from archive.text.notarticle import NotAnArticle, page_problem
from archive.warc.writer import Capture
from crawler.addon import ADDON
from crawler.discovery.ledger import Ledger
from crawler.items import ArticleItem, Dropped, dropped_reason

URL = "https://www.numerama.com/tech/1-a.html"
CAPTURE = Capture(warc_file="souverain-1.warc.gz", offset=120, length=900, record_id="<urn:uuid:1>",
                  payload_digest="sha1:ABC", fetch_time="2026-12-01T10:00:00Z", status=200, url=URL)


def item(sources: list[str]) -> ArticleItem:
    return ArticleItem(site="numerama", url=URL, pages=[], discovered_via=sources,
                       record={"discovered_via": sources})


def test_the_ledger_is_the_crawlers_extension_and_follows_the_verdicts():
    crawler = get_crawler(settings_dict={"ADDONS": {ADDON: 0}, "EXTENSIONS": {Ledger: 0}})
    ledger = crawler.get_extension(Ledger)
    assert isinstance(ledger, Ledger)
    ledger.discover(URL, "sitemap", 1.0)
    ledger.fetch(URL)
    ledger.item_dropped(item(["sitemap"]), Dropped(Reason(Category.UNCHANGED, "same text as version 1")))
    assert ledger.get(URL).state == "unchanged"
    assert next(ledger.rejected_and_skipped())["reason"] == "unchanged: same text as version 1"
    with pytest.raises(TypeError):
        dropped_reason(DropItem("unchanged: a string protocol"))


def test_late_sources_are_those_found_after_the_files_were_written():
    ledger = Ledger()
    ledger.discover(URL, "sitemap", 1.0)
    ledger.fetch(URL)
    ledger.item_scraped(item(["sitemap"]))
    assert ledger.late_sources() == {}
    ledger.discover(URL, "tag", 5.0)
    ledger.discover(URL, "sitemap", 1.0)
    assert ledger.late_sources() == {URL: ["sitemap", "tag"]}
    ledger.item_scraped(ArticleItem(site="numerama", url="https://h/unknown", pages=[], discovered_via=[]))
    assert "https://h/unknown" not in ledger.late_sources()  # never offered: not the ledger's


def test_a_reason_is_its_text_and_knows_its_category():
    reason = Reason(Category.OFF_TOPIC, "score 2.0 < 12.0")
    assert reason == "off-topic: score 2.0 < 12.0" and reason.category is Category.OFF_TOPIC
    assert reason.key == "off-topic" and Reason(Category.HTTP_ERROR, "404").key == "http_error"
    assert Reason(Category.PIPELINE_ERROR) == "pipeline error"
    again = pickle.loads(pickle.dumps(reason))
    assert again == reason and again.category is Category.OFF_TOPIC and again.detail == "score 2.0 < 12.0"
    # The archive library says why with a Reason too: nothing parses the words back.
    empty = page_problem(b"  ", "text/html")
    assert empty == "bad page: empty response" and empty is not None and empty.category is Category.BAD_PAGE
    with pytest.raises(NotAnArticle) as refused:
        extract([(b"<html><body><p>x</p></body></html>", "https://h/a", "application/pdf")], SiteCleanup())
    assert refused.value.reason.category is Category.BAD_PAGE and refused.value.reason.detail == "not html (application/pdf)"


def test_a_capture_is_a_dict_only_at_the_json_boundary():
    assert "revisit" not in CAPTURE.to_dict()
    revisit = Capture(**{**CAPTURE.to_dict(), "revisit": "server-not-modified"})
    assert revisit.to_dict()["revisit"] == "server-not-modified"
    assert Capture.from_dict(revisit.to_dict()) == revisit and Capture.from_dict(CAPTURE.to_dict()) == CAPTURE


def test_the_state_of_a_url_gives_back_the_capture_it_recorded():
    state = UrlState(url=URL, site="numerama", kind="article", first_seen="2026-12-01T10:00:00+00:00")
    assert state.capture() is None
    state.record(CAPTURE)
    assert (state.record_date, state.warc_offset) == (CAPTURE.fetch_time, CAPTURE.offset)
    assert state.capture() == Capture(**{**CAPTURE.to_dict(), "length": None})


def test_defaults_come_from_the_addon_under_the_project_settings():
    defaults = get_crawler(settings_dict={"ADDONS": {ADDON: 0}}).settings
    assert defaults.getint("WARC_MAX_SIZE") == 1_000_000_000 and defaults["SOUVERAIN_TOPIC"] == "cloud-souverain"
    assert defaults.getbool("WARC_ENABLED") and defaults.getint("RETRY_SITE_PAUSE_AFTER") == 10
    chosen = get_crawler(settings_dict={"ADDONS": {ADDON: 0}, "WARC_MAX_SIZE": 5, "SOUVERAIN_TOPIC": "x"}).settings
    assert chosen.getint("WARC_MAX_SIZE") == 5 and chosen["SOUVERAIN_TOPIC"] == "x"
