"""The ``souverain`` command end to end: crawl against the mirror, extract, mirror serve, user errors."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import urllib.request
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from warcio.archiveiterator import ArchiveIterator

from crawler.mirror.corpus import build_corpus
from crawler.mirror.process import MirrorProcess
from tests.conftest import free_port, souverain

ARTICLES = 120


@pytest.fixture(scope="module")
def mirror():
    with MirrorProcess(articles=ARTICLES) as running:
        yield running


def test_crawl_one_site_of_the_mirror(mirror, tmp_path):
    result = souverain("crawl", "--out", str(tmp_path), "--site", "numerama",
                       "--root", f"numerama={mirror.roots['numerama']}", "--delay", "0", "--concurrency", "8")
    assert result.returncode == 0, result.stderr[-3000:]
    assert "numerama" in result.stdout and "harvest" in result.stdout and "off-topic" in result.stdout
    expected = {a["url_path"] for a in build_corpus(seed=0, articles=ARTICLES).truth()
                if a["site"] == "numerama" and a["on_topic"]}
    kept = {urlsplit(json.loads(p.read_text(encoding="utf-8"))["url"]).path
            for p in (tmp_path / "articles" / "numerama").rglob("*.json")}
    assert kept == expected
    uris = set()
    for warc in (tmp_path / "warc").glob("*.warc.gz"):
        with warc.open("rb") as stream:
            uris |= {r.rec_headers.get_header("WARC-Target-URI") for r in ArchiveIterator(stream)
                     if r.rec_type == "response"}
    assert {urlsplit(u).path for u in uris} >= expected
    assert not any(urlsplit(u).netloc == urlsplit(mirror.roots["clubic"]).netloc for u in uris)
    report = json.loads(next((tmp_path / "runs").glob("*/report.json")).read_text(encoding="utf-8"))
    assert report["totals"]["articles_kept"] == len(expected)
    assert report["sites"]["numerama"]["summary"]["rejected"]["off-topic"] > 0
    assert all(r["reason"] for r in report["sites"]["numerama"]["not_kept"])


def test_max_pages_stops_early(mirror, tmp_path):
    result = souverain("crawl", "--out", str(tmp_path), "--site", "clubic", "--root",
                       f"clubic={mirror.roots['clubic']}", "--delay", "0", "--max-pages", "10")
    assert result.returncode == 0, result.stderr[-2000:]
    report = json.loads(next((tmp_path / "runs").glob("*/report.json")).read_text(encoding="utf-8"))
    assert report["totals"]["pages_fetched"] == 10
    assert report["sites"]["clubic"]["finish_reason"] == "page_budget"


def test_unreachable_site_is_one_clear_line(tmp_path):
    result = souverain("crawl", "--out", str(tmp_path), "--site", "clubic",
                       "--root", f"clubic=http://127.0.0.1:{free_port()}", "--delay", "0", timeout=120)
    assert result.returncode == 1
    errors = [line for line in result.stderr.splitlines() if line.startswith("souverain: error:")]
    assert len(errors) == 1 and "site clubic unreachable at http://127.0.0.1:" in errors[0]
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--root", "clubic=127.0.0.1:80"], "bad root for clubic"),
        (["--root", "clubic"], "bad --root 'clubic'"),
        (["--root", "lemonde=http://127.0.0.1:1"], "unknown site 'lemonde'"),
        (["--site", "lemonde"], "unknown site 'lemonde'"),
        (["--topic", "astrologie"], "unknown topic 'astrologie'"),
    ],
)
def test_user_errors_are_one_line_and_non_zero(tmp_path, args, message):
    result = souverain("crawl", "--out", str(tmp_path), *args, timeout=60)
    assert result.returncode == 1
    assert result.stderr.strip().splitlines() == [result.stderr.strip()]
    assert message in result.stderr and "Traceback" not in result.stderr


def test_out_folder_that_is_a_file(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    result = souverain("crawl", "--out", str(blocker / "sub"), timeout=60)
    assert result.returncode == 1 and "cannot use output folder" in result.stderr


def test_extract_missing_file(tmp_path):
    result = souverain("extract", "--json", str(tmp_path / "nope.html"), timeout=60)
    assert result.returncode == 1 and "cannot read" in result.stderr and "Traceback" not in result.stderr


def test_extract_refuses_a_cookie_wall_as_the_crawl_does():
    page = Path(__file__).parent / "hostile" / "pages" / "cookie-wall.html"
    result = souverain("extract", str(page), "--url", "https://www.numerama.com/tech/1-cloud.html", timeout=120)
    assert result.returncode == 1 and result.stdout == "", result.stdout[:300]
    assert result.stderr.strip() == f"souverain: error: {page}: not an article: cookie wall"


def test_extract_matches_the_real_pages_truth(realpages):
    truth = json.loads((realpages / "truth" / "target-pages.expected.json").read_text(encoding="utf-8"))
    for name, expected in truth.items():
        result = souverain("extract", "--json", str(realpages / name), "--url", expected["url"], timeout=120)
        assert result.returncode == 0, result.stderr
        got = json.loads(result.stdout)
        assert got["title"] == expected["title"]
        assert got["authors"] == expected["authors"]
        assert got["published"][:10] == expected["published_date"]
        assert got["section"] == expected["section"]
        if "tags" in expected:
            assert got["tags"] == expected["tags"]
        assert got["text"].startswith(expected["text_starts_with"])
        for bad in expected["text_must_not_contain"]:
            assert bad not in got["text"]


def test_extract_finds_the_url_in_the_page(realpages):
    page = realpages / "html" / "numerama.com__lilarss__150762-bastien-lachaud.html"
    result = souverain("extract", "--json", str(page), timeout=120)
    got = json.loads(result.stdout)
    assert got["site"] == "numerama" and got["title"].endswith("Jean-Luc Mélenchon")


def test_mirror_serve_answers_and_stops():
    process = subprocess.Popen([str(Path(sys.executable).with_name("souverain")), "mirror", "serve",
                                "--port", "0", "--articles", "50"], stdout=subprocess.PIPE, text=True)
    try:
        roots = dict(process.stdout.readline().strip().split("=", 1) for _ in range(2))
        assert set(roots) == {"clubic", "numerama"}
        with urllib.request.urlopen(roots["numerama"] + "/robots.txt", timeout=10) as answer:
            assert b"Sitemap:" in answer.read()
    finally:
        process.terminate()
        assert process.wait(timeout=10) == 0


def test_mirror_serve_on_a_busy_port_is_one_clear_line():
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        result = souverain("mirror", "serve", "--port", str(port), "--articles", "20", timeout=60)
    assert result.returncode == 1
    assert result.stderr.strip() == f"souverain: error: cannot serve clubic on 127.0.0.1:{port}: Address already in use"


def test_scrapy_crawl_from_the_repository_root(mirror, tmp_path):
    roots = json.dumps({"numerama": mirror.roots["numerama"]})
    result = subprocess.run(
        [str(Path(sys.executable).with_name("scrapy")), "crawl", "numerama", "-s", f"SOUVERAIN_SITE_ROOTS={roots}",
         "-s", "DOWNLOAD_DELAY=0", "-s", "AUTOTHROTTLE_ENABLED=0", "-s", f"SOUVERAIN_OUT_DIR={tmp_path}",
         "-s", "PROGRESS_INTERVAL=0"],
        capture_output=True, text=True, timeout=300, cwd=Path(__file__).resolve().parents[1],
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert "WARNING" not in result.stderr and "ERROR" not in result.stderr
    expected = sum(a["site"] == "numerama" and a["on_topic"] for a in build_corpus(seed=0, articles=ARTICLES).truth())
    assert len(list((tmp_path / "articles" / "numerama").rglob("*.txt"))) == expected
    assert len(list((tmp_path / "warc").glob("*.warc.gz"))) == 1


@pytest.mark.parametrize(("args", "message"), [
    (["--since", "2015"], "bad --since '2015': expected YYYY-MM-DD"),
    (["--until", "2015-02-30"], "bad --until '2015-02-30': expected YYYY-MM-DD"),
    (["--since", "2016-01-01", "--until", "2015-01-01"], "--since 2016-01-01 is after --until 2015-01-01"),
])
def test_bad_date_windows(tmp_path, args, message):
    result = souverain("crawl", "--out", str(tmp_path), *args, timeout=60)
    assert result.returncode == 1 and message in result.stderr and "Traceback" not in result.stderr


@pytest.mark.parametrize("args", [
    ["crawl", "--max-pages", "-5"], ["crawl", "--concurrency", "0"], ["crawl", "--timeout", "0"],
    ["crawl", "--delay", "-1"], ["export", "--format", "xml", "-o", "x"], ["replay", "--port", "99999"],
    ["mirror", "serve", "--port", "99999"], ["mirror", "serve", "--articles", "-3"], ["nosuchcommand"],
    ["crawl", "--topic", "/etc/passwd"], ["verify", "/nonexistent.wacz"], ["reextract", "/nonexistent", "--out", "x"],
    ["snapshot", "--out", "/nonexistent", "-o", "x.wacz"], ["extract", "/etc"],
])
def test_every_bad_option_or_path_is_one_line(args, tmp_path):
    result = souverain(*args, timeout=60, cwd=tmp_path)
    lines = result.stderr.strip().splitlines()
    assert result.returncode != 0 and len(lines) == 1, result.stderr
    assert "error:" in lines[0] and "Traceback" not in result.stderr
