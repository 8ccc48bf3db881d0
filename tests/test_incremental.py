"""Incremental runs on the mirror: an unchanged site costs only conditional requests; changed texts make new
versions, changed ads and dates do not; ``souverain diff`` shows the changed words. Nothing mocked."""

from __future__ import annotations

import json
import socket
from collections import Counter
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from warcio.archiveiterator import ArchiveIterator

from archive.store.state import open_state
from crawler.discovery.revisit import age_discovery_pages
from crawler.mirror.corpus import build_corpus
from crawler.mirror.process import MirrorProcess
from crawler.profiles import get_profile
from tests.conftest import souverain, warcio

ARTICLES = 2000


def free_port_pair() -> int:
    """Return a port P such that P and P+1 are free now."""
    for _ in range(50):
        with socket.socket() as first:
            first.bind(("127.0.0.1", 0))
            port = first.getsockname()[1]
            with socket.socket() as second:
                try:
                    second.bind(("127.0.0.1", port + 1))
                except OSError:
                    continue
        return port
    raise RuntimeError("no free pair of ports")


def crawl(mirror: MirrorProcess, out: Path, *extra: str) -> dict:
    result = souverain("crawl", "--out", str(out), "--delay", "0", "--concurrency", "8", *mirror.root_args(), *extra)
    assert result.returncode == 0, result.stderr[-3000:]
    return json.loads(max((out / "runs").glob("*/report.json"), key=lambda p: p.parent.name).read_text("utf-8"))


def newest_warc_records(out: Path) -> Counter:
    """Count (record type, is article URL, HTTP status) in the newest run's WARC files."""
    counts = Counter()
    run_files = sorted((out / "warc").glob("*.warc.gz"))[-1:]
    profiles = {name: get_profile(name) for name in ("clubic", "numerama")}
    for warc in run_files:
        assert warcio("check", str(warc)).returncode == 0
        with warc.open("rb") as stream:
            for record in ArchiveIterator(stream):
                if record.rec_type in ("response", "revisit"):
                    path = urlsplit(record.rec_headers.get_header("WARC-Target-URI")).path
                    article = any(p.article_patterns[0].match(path) or p.article_patterns[-1].match(path)
                                  for p in profiles.values())
                    counts[(record.rec_type, article, record.http_headers.get_statuscode())] += 1
    return counts


def dated_files(out: Path) -> dict[str, float]:
    return {p.relative_to(out).as_posix(): p.stat().st_mtime for p in (out / "articles").rglob("*") if p.is_file()}


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    """First run, second run on the unchanged mirror, then (a day later) edition 1 without and with --recheck."""
    out, port = tmp_path_factory.mktemp("incremental") / "out", free_port_pair()
    results = {}
    with MirrorProcess(articles=ARTICLES, port=port) as mirror:
        results["first"] = (crawl(mirror, out), dated_files(out), None)
        results["second"] = (crawl(mirror, out), dated_files(out), newest_warc_records(out))
    store = open_state(out)  # a day later: the discovery pages read once are due again
    age_discovery_pages(store, ("clubic", "numerama"), timedelta(days=1))
    store.close()
    with MirrorProcess(articles=ARTICLES, port=port, edition=1) as mirror:
        results["edited"] = (crawl(mirror, out), dated_files(out), newest_warc_records(out))
        results["rechecked"] = (crawl(mirror, out, "--recheck"), dated_files(out), newest_warc_records(out))
    return out, mirror.roots, results


def test_second_run_on_an_unchanged_site_only_rechecks(runs):
    _, _, results = runs
    first, first_files, _ = results["first"]
    second, second_files, records = results["second"]
    assert second_files == first_files, "no dated file written again"
    assert not [key for key in records if key[0] == "response" and key[1]], "no article body fetched again"
    assert not [key for key in records if key[0] == "response" and key[2] == "200"], f"only revisits: {records}"
    assert records[("revisit", False, "304")] > 0
    ratio = second["totals"]["elapsed_seconds"] / first["totals"]["elapsed_seconds"]
    print(f"first run {first['totals']['elapsed_seconds']:.2f} s, {first['totals']['pages_fetched']} pages; "
          f"second {second['totals']['elapsed_seconds']:.2f} s, {second['totals']['pages_fetched']} pages ({ratio:.1%})")
    # The time saved is measured in benchmarks/incremental.py; here the work saved: no body fetched again above,
    # and a tenth of the bytes archived.
    assert second["totals"]["warc_bytes"] < first["totals"]["warc_bytes"] / 10


def test_changed_texts_become_new_versions_and_chrome_changes_do_not(runs):
    out, _, results = runs
    _, before, _ = results["second"]
    report, after, _ = results["edited"]
    changes = build_corpus(seed=0, articles=ARTICLES, edition=1).edition_changes()
    new_files = sorted(set(after) - set(before))
    versions = [p for p in new_files if ".v2." in p]
    assert len(versions) == 2 * len(changes["text"]) == 10, new_files
    assert report["totals"]["articles_kept"] == 5
    for path in versions:
        record = json.loads((out / path.replace(".txt", ".json")).read_text(encoding="utf-8")) \
            if path.endswith(".txt") else json.loads((out / path).read_text(encoding="utf-8"))
        assert urlsplit(record["url"]).path in changes["text"] and record["version"] == 2
    _, rechecked_files, records = results["rechecked"]
    assert rechecked_files == after, "ads and dates changed, not the text: no new version"
    assert records[("response", True, "200")] == len(changes["chrome"])  # the bytes did change
    assert records[("revisit", True, "304")] > 0


def test_diff_shows_the_changed_words(runs):
    out, roots, _ = runs
    changed = build_corpus(seed=0, articles=ARTICLES, edition=1).edition_changes()["text"][0]
    site = "clubic" if changed in {a["url_path"] for a in build_corpus(seed=0, articles=ARTICLES).truth()
                                    if a["site"] == "clubic"} else "numerama"
    result = souverain("diff", roots[site] + changed, "--out", str(out), timeout=60)
    assert result.returncode == 0, result.stderr
    assert "2 version(s)" in result.stdout and "--- v1 (" in result.stdout and "+++ v2 (" in result.stdout
    assert "{+" in result.stdout


def test_diff_of_an_unknown_url_is_one_line(tmp_path):
    (tmp_path / "articles").mkdir()
    result = souverain("diff", "http://example.org/x.html", "--out", str(tmp_path), timeout=60)
    assert result.returncode == 1 and "no stored article" in result.stderr and "Traceback" not in result.stderr


def test_a_snapshot_holds_every_version_of_each_article(runs, tmp_path):
    import zipfile

    out, _, _ = runs
    snapshot = tmp_path / "s.wacz"
    assert souverain("snapshot", "--out", str(out), "-o", str(snapshot), timeout=300).returncode == 0
    with zipfile.ZipFile(snapshot) as wacz:
        manifest = json.loads(wacz.read("souverain/manifest.json"))
    changed = set(build_corpus(seed=0, articles=ARTICLES, edition=1).edition_changes()["text"])
    versions: dict[str, set[str]] = {}
    for article in manifest["articles"]:
        versions.setdefault(urlsplit(article["url"]).path, set()).add(article["dated_json"].rsplit("/", 1)[-1])
    assert {path for path, dated in versions.items() if len(dated) == 2} == changed
    assert all(len(dated) == 1 for path, dated in versions.items() if path not in changed)
