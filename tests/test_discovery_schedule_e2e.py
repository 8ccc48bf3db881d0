"""Discovery pages revisited by how often they change, on the mirror at a non-zero delay: an unchanged second run
makes less than a tenth of the first run's requests, and a day later the changed listings, sitemap children and
articles of edition 2 are still found. Elapsed time is simulated by moving next checks through the state store."""

from __future__ import annotations

import json
import re
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from warcio.archiveiterator import ArchiveIterator

from archive.store.state import open_state
from crawler.discovery.revisit import age_discovery_pages
from crawler.mirror.process import MirrorProcess, free_port_pair
from tests.conftest import souverain

ARTICLES = 240
DELAY = "0.05"


def crawl(mirror: MirrorProcess, out: Path) -> tuple[dict, dict[str, int]]:
    """Run one crawl; return its site reports and the requests it made (WARC request records by status)."""
    before = set((out / "warc").glob("*.warc.gz")) if (out / "warc").exists() else set()
    result = souverain("crawl", "--out", str(out), "--delay", DELAY, "--concurrency", "8", *mirror.root_args())
    assert result.returncode == 0, result.stderr[-3000:]
    run = max((out / "runs").iterdir(), key=lambda p: p.name)
    sites = {p.stem: json.loads(p.read_text("utf-8")) for p in (run / "sites").glob("*.json")}
    counts = {"request": 0, "response": 0, "revisit": 0}
    for warc in sorted(set((out / "warc").glob("*.warc.gz")) - before):
        with warc.open("rb") as stream:
            for record in ArchiveIterator(stream):
                if record.rec_type in counts:
                    counts[record.rec_type] += 1
    return sites, counts


def a_day_later(out: Path) -> None:
    """Pretend a day has passed since the last run (the discovery pages' next checks move a day earlier)."""
    store = open_state(out)
    age_discovery_pages(store, ("clubic", "numerama"), timedelta(days=1))
    store.close()


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    """First run and an unchanged second run of edition 0; a day later, a run of edition 2."""
    out, port = tmp_path_factory.mktemp("schedule") / "out", free_port_pair()
    with MirrorProcess(articles=ARTICLES, port=port) as mirror:
        first, second = crawl(mirror, out), crawl(mirror, out)
    a_day_later(out)
    with MirrorProcess(articles=ARTICLES, port=port, edition=2) as mirror:
        later = crawl(mirror, out)
        changes = mirror.edition_changes()
        truth = {a["url_path"]: a for a in mirror.truth()}
    return out, first, second, later, changes, truth


def test_an_unchanged_second_run_makes_a_tenth_of_the_requests(runs):
    _, (_, first), (sites, second), *_ = runs
    print(f"requests: first run {first['request']}, unchanged second run {second['request']}")
    assert second["request"] < first["request"] / 10, (first, second)
    assert second["response"] == 0, "every page is a revisit (robots.txt, conditional)"
    not_read = [page for report in sites.values() for page in report["discovery_not_read"]]
    reasons = {re.sub(r"\d{4}-\d\d-\d\d", "DAY", page["reason"]) for page in not_read if page["source"] == "tag"}
    assert reasons == {"not due: read once, next check DAY", "not due: answered 404 on DAY, next check DAY"}, not_read
    assert any(page["source"] == "feed" for page in not_read) and any(page["source"] == "sitemap" for page in not_read)


def test_a_day_later_changed_listings_sitemaps_and_articles_are_found(runs):
    out, _, _, (sites, later), changes, truth = runs
    assert later["response"] > 0
    kept: dict[str, list[dict]] = {}
    for record_path in (out / "articles").rglob("*.json"):
        record = json.loads(record_path.read_text("utf-8"))
        kept.setdefault(urlsplit(record["url"]).path, []).append(record)
    new_on_topic = [path for path in changes["new"] if truth[path]["on_topic"]]
    assert new_on_topic and all(path in kept for path in new_on_topic), sorted(set(new_on_topic) - set(kept))
    for path in new_on_topic:
        sources = set(kept[path][0]["discovered_via"])
        assert {"sitemap", "feed"} <= sources and sources & {"tag", "search"}, (path, sources)
    assert all(len(kept[path]) == 2 for path in changes["text"]), "a changed text is a second version"
    not_read = [page for report in sites.values() for page in report["discovery_not_read"]]
    gone = [page for page in not_read if "answered 404" in page["reason"]]
    assert gone, "a tag that answered 404 is not asked again a day later"
