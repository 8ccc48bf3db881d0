"""The ledger's candidates in SQLite: what is written is read back, whatever reached the table or not."""

from __future__ import annotations

from scrapy import Request

from archive.jsonlines import read_lines, write_lines
from archive.reasons import Category, Reason
from crawler.discovery.candidates import RECENT
from crawler.discovery.ledger import OTHER_WORKER, SHARED_QUEUE, Ledger


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


def test_a_worker_counts_what_it_judged_and_leaves_out_what_another_worker_judged():
    ledger = Ledger(shared_queue=True)
    for n, source in enumerate(("sitemap", "tag", "feed", "search", "related")):
        ledger.discover(f"https://h/{n}.html", source, 5.0)
    ledger.fetch("https://h/0.html")  # queued here, fetched by another worker: pending here at the end
    ledger.skip("https://h/1.html", OTHER_WORKER)  # queued by another worker first
    ledger.skip("https://h/2.html", Reason(Category.UNPROMISING, "hint 0 <= 0"))
    ledger.skip("https://h/3.html", OTHER_WORKER)
    ledger.fetch("https://h/4.html")  # queued and fetched here
    for url, meta in (("https://h/3.html", {"sources": ["sitemap"]}),  # then given to this worker by the queue
                      ("https://h/2.html", {"sources": ["tag"]}),  # another worker found it promising
                      ("https://h/5.html", {"sources": ["sitemap", "feed"], "lastmod": "2026-01-02"}),
                      ("https://h/6.html", {"sources": "sitemap"}), ("https://h/4.html", {"sources": ["feed"]}),
                      ("https://h/7.html", {"redirect_urls": ["https://h/8.html"]}), ("https://h/9.css", {})):
        kind = "page" if url.endswith(".css") else "article"
        ledger.request_reached_downloader(Request(url, meta={"kind": kind, **meta}))
    assert ledger.get("https://h/3.html").sources == ["search", "sitemap"]
    assert ledger.get("https://h/2.html").sources == ["feed", "tag"] and ledger.get("https://h/2.html").reason is None
    fetched_here = ledger.get("https://h/5.html")
    assert fetched_here.sources == ["sitemap", "feed"] and fetched_here.lastmod == "2026-01-02"
    assert ledger.get("https://h/6.html").sources == [SHARED_QUEUE]  # sources that are no list of names
    assert ledger.get("https://h/4.html").sources == ["related"]  # known here: left as it is
    assert ledger.get("https://h/7.html") is None and ledger.get("https://h/9.css") is None
    for url in ("https://h/3.html", "https://h/5.html", "https://h/6.html"):
        ledger.keep(url)
    ledger.reject("https://h/2.html", Reason(Category.OFF_TOPIC, "score 0"))
    ledger.reject("https://h/4.html", Reason(Category.OFF_TOPIC, "score 0"))
    ledger.handed_off()
    total = ledger.summary()["total"]
    assert (total["discovered"], total["fetched"], total["kept"], total["pending"]) == (5, 5, 3, 0)
    assert total["rejected"] == {"off-topic": 2} and total["skipped"] == {}
    assert [row["url"] for row in ledger.rejected_and_skipped()] == ["https://h/2.html", "https://h/4.html"]
    ledger.close()


def test_json_lines_are_written_and_read_one_at_a_time(tmp_path):
    path = tmp_path / "rows.jsonl"
    assert write_lines(path, ({"n": n, "é": "ü"} for n in range(5))) == 5
    assert [row["n"] for row in read_lines(path)] == list(range(5))
    assert list(read_lines(tmp_path / "missing.jsonl")) == []
