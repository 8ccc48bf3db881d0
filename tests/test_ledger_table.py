"""The ledger's candidates in SQLite: what is written is read back, whatever reached the table or not."""

from __future__ import annotations

from archive.jsonlines import read_lines, write_lines
from archive.reasons import Category, Reason
from crawler.discovery.candidates import RECENT
from crawler.discovery.ledger import Ledger


def test_candidates_read_back_by_url_after_the_recent_ones_reach_sqlite():
    ledger = Ledger()
    urls = [f"https://h/{n:06d}.html" for n in range(3 * RECENT)]
    for url in reversed(urls):
        ledger.discover(url, "sitemap", 0.0, "2020-01-01", "hint 0")
        ledger.skip(url, Reason(Category.UNPROMISING, "hint 0 <= 0"))
    ledger.discover(urls[0], "tag", 5.0, None, "listed on tag page numergy")  # long written to SQLite
    ledger.fetch(urls[0])
    first = ledger.get(urls[0])
    assert first is not None and first.sources == ["sitemap", "tag"] and first.lastmod == "2020-01-01"
    assert first.promise == "listed on tag page numergy" and first.reason is None
    assert len(ledger.candidates) == len(urls) and urls[5] in ledger.candidates
    assert [c.url for c in ledger.requested()] == [urls[0]]
    rows = list(ledger.rejected_and_skipped())
    assert [row["url"] for row in rows] == urls[1:]  # by URL; the fetched one is pending without a reason yet
    assert rows[0]["reason"] == "unpromising: hint 0 <= 0" and rows[0]["reason"].category is Category.UNPROMISING
    ledger.unfinished(Reason(Category.NOT_COMPLETED, "crawl ended (closespider)"))
    assert next(ledger.rejected_and_skipped())["state"] == "pending"
    assert ledger.summary()["total"]["skipped"] == {"unpromising": len(urls) - 1}
    ledger.close()


def test_json_lines_are_written_and_read_one_at_a_time(tmp_path):
    path = tmp_path / "rows.jsonl"
    assert write_lines(path, ({"n": n, "é": "ü"} for n in range(5))) == 5
    assert [row["n"] for row in read_lines(path)] == list(range(5))
    assert list(read_lines(tmp_path / "missing.jsonl")) == []
