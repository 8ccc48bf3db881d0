"""Page requisites end to end: the mirror serves them in every skin, a crawl archives each once, a later run
re-checks them with conditional GETs only (revisit records), and ``--requisites`` chooses what is fetched."""

from __future__ import annotations

import json
import urllib.request
from collections import Counter
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from warcio.archiveiterator import ArchiveIterator

from crawler.mirror.process import MirrorProcess, free_port_pair
from crawler.mirror.skins import SKIN_NAMES
from crawler.requisites import FONT, IMAGE, STYLESHEET, css_requisites, page_requisites
from tests.conftest import souverain

ARTICLES = 60
SHARED = ("/assets/site.css", "/assets/logo.png", "/assets/lazy.js", "/favicon.ico", "/cdn/clubic/display.ttf",
          "/cdn/clubic/fonts.css")


def get(url: str, **headers: str) -> tuple[int, dict[str, str], bytes]:
    """GET a URL; return status, headers and body (a 304 too)."""
    try:
        with urllib.request.urlopen(urllib.request.Request(url, headers=headers), timeout=30) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


def records(out: Path, run: int | None = None) -> list[dict]:
    """Every response and revisit record of the output folder's WARCs (of the ``run``-th WARC file when given)."""
    found = []
    warcs = sorted((out / "warc").glob("*.warc.gz"))
    for path in warcs if run is None else [warcs[run]]:
        with path.open("rb") as stream:
            for record in ArchiveIterator(stream):
                if record.rec_type in ("response", "revisit", "request"):
                    found.append({"type": record.rec_type, "uri": record.rec_headers.get_header("WARC-Target-URI"),
                                  "status": record.http_headers.get_statuscode() if record.http_headers else None,
                                  "headers": dict(record.http_headers.headers) if record.http_headers else {}})
    return found


def report(out: Path) -> dict:
    """The newest run's report."""
    return json.loads(sorted((out / "runs").glob("*/report.json"))[-1].read_text(encoding="utf-8"))


def is_requisite(uri: str) -> bool:
    """Whether a URL is one of the mirror's requisites (its own assets or the CDN's)."""
    path = urlsplit(uri).path
    return path.startswith(("/assets/", "/cdn/")) or path == "/favicon.ico"


@pytest.mark.parametrize("skin", SKIN_NAMES)
def test_mirror_serves_requisites_in_every_skin(skin: str) -> None:
    """Each skin's article links a style sheet (importing the CDN's fonts.css, whose font loads), srcset and lazy
    images on the CDN host (another port), a favicon and a script; the CDN answers conditional GETs with 304."""
    with MirrorProcess(articles=40, skin=skin) as mirror:
        truth = next(t for t in mirror.truth() if t["site"] == "numerama")
        url = mirror.roots["numerama"] + truth["url_path"]
        status, _, body = get(url)
        assert status == 200
        found = page_requisites(body, url)
        kinds = {r.kind for r in found}
        assert {STYLESHEET, IMAGE, "icon", "script"} <= kinds
        assert b"srcset=" in body and b"data-src=" in body and b"<picture>" in body
        cdn = [r.url for r in found if r.url.startswith(mirror.cdn)]
        assert len(cdn) == 3 and urlsplit(mirror.cdn).port not in {urlsplit(r).port for r in mirror.roots.values()}
        for requisite in found:
            assert get(requisite.url)[0] == 200, requisite.url
        sheet = next(r.url for r in found if r.kind == STYLESHEET and "/assets/" in r.url)
        imported = css_requisites(get(sheet)[2].decode(), sheet)
        fonts_css = next(r.url for r in imported if r.kind == STYLESHEET)
        assert fonts_css.startswith(mirror.cdn)
        font = next(r.url for r in css_requisites(get(fonts_css)[2].decode(), fonts_css) if r.kind == FONT)
        status, headers, data = get(font)
        assert status == 200 and headers["Content-Type"] == "font/ttf" and data[:4] == b"\x00\x01\x00\x00"
        assert get(font, **{"If-None-Match": headers["ETag"]})[0] == 304


@pytest.fixture(scope="module")
def two_runs(tmp_path_factory: pytest.TempPathFactory) -> dict:
    """A crawl of the mirror, then a second run over the unchanged mirror re-checking every article."""
    out = tmp_path_factory.mktemp("requisites") / "out"
    with MirrorProcess(articles=ARTICLES, port=free_port_pair()) as mirror:
        for extra in ([], ["--recheck"]):
            done = souverain("crawl", "--out", str(out), "--delay", "0", "-q", *mirror.root_args(), *extra)
            assert done.returncode == 0, done.stderr[-3000:]
        return {"out": out, "cdn": mirror.cdn, "roots": dict(mirror.roots),
                "first": json.loads(sorted((out / "runs").glob("*/report.json"))[0].read_text(encoding="utf-8")),
                "second": report(out)}


def test_each_requisite_is_archived_once_per_run(two_runs: dict) -> None:
    out = two_runs["out"]
    first = [r for r in records(out, 0) if r["type"] == "response" and is_requisite(r["uri"])]
    counts = Counter(r["uri"] for r in first)
    assert counts and max(counts.values()) == 1, counts.most_common(3)
    assert all(r["status"] == "200" for r in first)
    root = two_runs["roots"]["clubic"]
    for path in SHARED:  # the style sheet, logo, script, favicon and font every Clubic page shares
        url = (two_runs["cdn"] if path.startswith("/cdn/") else root) + path
        assert counts[url] == 1, url
    figures = two_runs["first"]["totals"]["requisites"]
    assert figures["fetched"] == figures["requested"] == len(first) and figures["bytes"] > 0
    kept = two_runs["first"]["totals"]["articles_kept"]
    assert kept > 0 and figures["skipped"] == {}
    # The page figures count pages only: requisites are apart.
    for site in two_runs["first"]["sites"].values():
        summary = site["summary"]
        pages = [r for r in records(out, 0) if r["type"] in ("response", "revisit") and not is_requisite(r["uri"])
                 and urlsplit(r["uri"]).netloc == urlsplit(two_runs["roots"][site["site"]]).netloc]
        # A robots.txt read again (by the spider and by the robots middleware) is fetched, not archived twice.
        site_file = sorted((out / "runs").glob("*/report.json"))[0].parent / "sites" / f"{site['site']}.json"
        again = json.loads(site_file.read_text(encoding="utf-8"))["stats"].get("warc/robots_archived_already", 0)
        assert len(pages) <= summary["pages_fetched"] <= len(pages) + again
        assert summary["harvest_rate"] == round(summary["articles_kept"] / summary["pages_fetched"], 4)


def test_second_unchanged_run_rechecks_requisites_with_conditional_gets_only(two_runs: dict) -> None:
    out = two_runs["out"]
    second = [r for r in records(out, 1) if is_requisite(r["uri"])]
    first = {r["uri"] for r in records(out, 0) if r["type"] == "response" and is_requisite(r["uri"])}
    assert {r["uri"] for r in second if r["type"] == "revisit"} == first
    assert not [r for r in second if r["type"] == "response"]  # no full copy: every one answered 304
    requests = [r for r in second if r["type"] == "request"]
    assert requests and all("If-None-Match" in r["headers"] for r in requests)
    figures = two_runs["second"]["totals"]["requisites"]
    assert figures["not_modified"] == figures["fetched"] == len(first) and figures["bytes"] == 0
    assert two_runs["second"]["totals"]["unchanged"] > 0


@pytest.mark.parametrize(("level", "expected"), [("none", set()), ("images", {".png", ".ico"})])
def test_requisites_option_chooses_what_is_fetched(level: str, expected: set[str], tmp_path: Path) -> None:
    with MirrorProcess(articles=40) as mirror:
        done = souverain("crawl", "--out", str(tmp_path), "--delay", "0", "-q", "--requisites", level,
                         *mirror.root_args())
        assert done.returncode == 0, done.stderr[-3000:]
    fetched = {Path(urlsplit(r["uri"]).path).suffix for r in records(tmp_path)
               if r["type"] == "response" and is_requisite(r["uri"])}
    assert fetched == expected
    assert report(tmp_path)["totals"]["articles_kept"] > 0


def test_bad_cdn_root_is_one_line(tmp_path: Path) -> None:
    done = souverain("crawl", "--out", str(tmp_path), "--site", "clubic", "--cdn-root", "clubic=ftp://x")
    assert done.returncode == 1 and done.stderr.startswith("souverain: error: ") and "Traceback" not in done.stderr
    done = souverain("crawl", "--out", str(tmp_path), "--site", "clubic", "--cdn-root", "numerama=http://127.0.0.1:9")
    assert done.returncode == 1 and "--cdn-root given for numerama, which is not crawled" in done.stderr
