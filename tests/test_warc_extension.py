"""Tests of the WARC extension: a real crawl of a local HTTP server, read back with warcio."""

from __future__ import annotations

import gzip
import json
import subprocess
import sys
import textwrap
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from scrapy import Request
from scrapy.exceptions import NotConfigured
from scrapy.http import HtmlResponse
from scrapy.utils.test import get_crawler
from warcio.archiveiterator import ArchiveIterator

from archive.warc.reader import read_capture
from archive.warc.writer import Capture, WarcWriter
from crawler.addon import ADDON
from crawler.extensions.warc import WarcExtension, build_exchange
from crawler.warcwriters import WRITERS, warc_dir
from tests.conftest import warcio

ARTICLE = b"<html><body><h1>Cloud souverain</h1><a href='/chunked'>next</a></body></html>"
GZIPPED = gzip.compress(ARTICLE, mtime=0)


class Handler(BaseHTTPRequestHandler):
    """robots.txt, a 301, a gzip page with two cookies, a chunked page, a page for a second crawler."""

    protocol_version = "HTTP/1.1"

    def log_message(self, *args: object) -> None:
        pass

    def send(self, status: int, body: bytes, headers: list[tuple[str, str]]) -> None:
        self.send_response(status)
        for name, value in headers:
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self) -> None:
        if self.path == "/robots.txt":
            self.send(200, b"User-agent: *\nDisallow: /private\n", [("Content-Type", "text/plain")])
        elif self.path == "/old":
            self.send(301, b"", [("Location", "/article")])
        elif self.path == "/article":
            self.send(200, GZIPPED, [("Content-Type", "text/html; charset=utf-8"), ("Content-Encoding", "gzip"),
                                     ("Set-Cookie", "session=abc; Path=/"), ("Set-Cookie", "consent=no; Path=/")])
        elif self.path == "/chunked":
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            for chunk in (b"<html><body>part one, ", b"part two</body></html>"):
                self.wfile.write(b"%x\r\n%s\r\n" % (len(chunk), chunk))
            self.wfile.write(b"0\r\n\r\n")
        elif self.path == "/other":
            self.send(200, b"<html><body>other crawler</body></html>", [("Content-Type", "text/html")])
        else:
            self.send(404, b"not found", [("Content-Type", "text/plain")])


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


CRAWL = '''
import json, sys
import scrapy
import scrapy.downloadermiddlewares.cookies
from scrapy.crawler import CrawlerProcess
from tldextract import TLDExtract

# The machine is offline: let the cookie middleware's tldextract use its bundled public suffix list
# instead of trying to download one (which logs an error on a fresh cache).
scrapy.downloadermiddlewares.cookies._split_domain = TLDExtract(suffix_list_urls=(), include_psl_private_domains=True)

ROOT, OUT = sys.argv[1], sys.argv[2]
SEEN = []

class SiteSpider(scrapy.Spider):
    name = "site"
    start_urls = [ROOT + "/old"]

    def parse(self, response):
        SEEN.append({"spider": self.name, "url": response.url, "capture": response.meta["capture"].to_dict() if "capture" in response.meta else None})
        yield from response.follow_all(css="a", callback=self.parse)

class OtherSpider(scrapy.Spider):
    name = "other"
    start_urls = [ROOT + "/other"]

    def parse(self, response):
        SEEN.append({"spider": self.name, "url": response.url, "capture": response.meta["capture"].to_dict() if "capture" in response.meta else None})

process = CrawlerProcess({
    "ADDONS": {"crawler.addon.Souverain": 0},
    "EXTENSIONS": {"crawler.extensions.warc.WarcExtension": 0},
    "ROBOTSTXT_OBEY": True,
    "USER_AGENT": "souverain-test/1.0",
    "WARC_DIR": OUT + "/warc",
    "WARC_OPERATOR": "test operator",
    "SOUVERAIN_RUN_ID": "run-42",
    "TELNETCONSOLE_ENABLED": False,
    "LOG_LEVEL": "INFO",
})
crawlers = [process.create_crawler(SiteSpider), process.create_crawler(OtherSpider)]
for crawler in crawlers:
    process.crawl(crawler)
process.start()
stats = {c.spider.name: {k: v for k, v in c.stats.get_stats().items() if k.startswith("warc/")} for c in crawlers}
with open(OUT + "/seen.json", "w") as out:
    json.dump({"seen": SEEN, "stats": stats}, out)
'''


@pytest.fixture(scope="module")
def crawl(server: str, tmp_path_factory: pytest.TempPathFactory) -> dict:
    out = tmp_path_factory.mktemp("crawl")
    script = out / "crawl.py"
    script.write_text(textwrap.dedent(CRAWL))
    done = subprocess.run([sys.executable, str(script), server, str(out)], cwd=out,
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr[-3000:]
    result = json.loads((out / "seen.json").read_text())
    files = sorted((out / "warc").iterdir())
    records = []
    for path in files:
        with open(path, "rb") as stream:
            for record in ArchiveIterator(stream):
                records.append((path.name, stream.tell(), record, record.raw_stream.read()))
    return {"out": out, "root": server, "files": files, "records": records, "log": done.stderr, **result}


def responses(crawl: dict) -> dict[str, tuple]:
    """Response records by URL."""
    return {r.rec_headers.get_header("WARC-Target-URI"): (r, body)
            for _, _, r, body in crawl["records"] if r.rec_type == "response"}


def test_one_file_shared_by_both_crawlers_and_closed(crawl: dict) -> None:
    assert "Traceback" not in crawl["log"] and "ERROR" not in crawl["log"], crawl["log"][-3000:]
    names = [p.name for p in crawl["files"]]
    assert len(names) == 1, names
    assert names[0].startswith("souverain-") and names[0].endswith(".warc.gz")
    kinds = [r.rec_type for _, _, r, _ in crawl["records"]]
    assert kinds[0] == "warcinfo" and kinds.count("warcinfo") == 1
    info = crawl["records"][0][3].decode()
    for field in ("software: souverain/", "operator: test operator", "robots: obey",
                  "http-header-user-agent: souverain-test/1.0", "isPartOf: run-42", "format: WARC File Format 1.1"):
        assert field in info
    check = warcio("check", "-v", str(crawl["files"][0]))
    assert check.returncode == 0, check.stdout + check.stderr
    assert "digest pass" in check.stdout


def test_every_response_captured_with_its_request(crawl: dict) -> None:
    root = crawl["root"]
    by_url = responses(crawl)
    assert set(by_url) == {f"{root}/robots.txt", f"{root}/old", f"{root}/article", f"{root}/chunked", f"{root}/other"}
    all_responses = [r for _, _, r, _ in crawl["records"] if r.rec_type == "response"]
    robots = [r for r in all_responses if r.rec_headers.get_header("WARC-Target-URI").endswith("/robots.txt")]
    assert len(robots) == 1  # each crawler's RobotsTxtMiddleware fetches its own; the run archives it once
    requests = {r.rec_headers.get_header("WARC-Concurrent-To"): r for _, _, r, _ in crawl["records"]
                if r.rec_type == "request"}
    assert len(requests) == len(all_responses) == 5
    for response in all_responses:
        url = response.rec_headers.get_header("WARC-Target-URI")
        assert response.rec_headers.protocol == "WARC/1.1"
        assert response.rec_headers.get_header("WARC-IP-Address") == "127.0.0.1"
        request = requests[response.rec_headers.get_header("WARC-Record-ID")]
        assert request.rec_headers.get_header("WARC-Target-URI") == url
        assert request.rec_headers.get_header("WARC-Date") == response.rec_headers.get_header("WARC-Date")
        assert request.http_headers.get_header("Host") == root.split("//")[1]
        assert request.http_headers.get_header("User-Agent") == "souverain-test/1.0"
        assert "gzip" in request.http_headers.get_header("Accept-Encoding")
    redirect = by_url[f"{root}/old"][0]
    assert redirect.http_headers.statusline == "301 Moved Permanently"
    assert redirect.http_headers.get_header("Location") == "/article"
    # The cookie set on /article is sent back with the next request.
    assert "session=abc" in requests[by_url[f"{root}/chunked"][0].rec_headers.get_header("WARC-Record-ID")] \
        .http_headers.get_header("Cookie")


def test_raw_bytes_kept(crawl: dict) -> None:
    root = crawl["root"]
    article, body = responses(crawl)[f"{root}/article"]
    assert article.http_headers.protocol == "HTTP/1.1"
    assert article.http_headers.statusline == "200 OK"
    assert article.http_headers.get_header("Content-Encoding") == "gzip"
    assert body == GZIPPED
    cookies = [v for k, v in article.http_headers.headers if k.lower() == "set-cookie"]
    assert cookies == ["session=abc; Path=/", "consent=no; Path=/"]
    # De-chunked. Twisted drops connection headers (Transfer-Encoding, Connection...) before Scrapy
    # sees them, so there is nothing to rename here; the writer's renaming is tested in test_warc.py.
    chunked, body = responses(crawl)[f"{root}/chunked"]
    assert body == b"<html><body>part one, part two</body></html>"
    assert chunked.http_headers.get_header("Transfer-Encoding") is None


def test_callback_sees_capture_of_final_response(crawl: dict) -> None:
    root = crawl["root"]
    seen = {item["url"]: item for item in crawl["seen"]}
    assert set(seen) == {f"{root}/article", f"{root}/chunked", f"{root}/other"}
    offsets = {(name, r.rec_headers.get_header("WARC-Record-ID")) for name, _, r, _ in crawl["records"]}
    for url, item in seen.items():
        capture = item["capture"]
        assert capture["url"] == url and capture["status"] == 200
        assert (capture["warc_file"], capture["record_id"]) in offsets
        stored = read_capture(crawl["out"] / "warc", Capture.from_dict(capture))
        assert stored.url == url and stored.record_id == capture["record_id"]
    article = Capture.from_dict(seen[f"{root}/article"]["capture"])
    assert read_capture(crawl["out"] / "warc", article).decoded_body() == ARTICLE


def test_stats(crawl: dict) -> None:
    site, other = crawl["stats"]["site"], crawl["stats"]["other"]
    # site: robots.txt, /old, /article, /chunked; other: robots.txt (its own robots middleware), /other. The
    # crawler that fetched robots.txt first archived it; the other read it and counted it as archived already.
    assert site["warc/exchanges"] + other["warc/exchanges"] == 5
    assert site["warc/records"] + other["warc/records"] == 10
    assert site["warc/exchanges"] + site.get("warc/robots_archived_already", 0) == 4
    assert other["warc/exchanges"] + other.get("warc/robots_archived_already", 0) == 2
    assert site.get("warc/robots_archived_already", 0) + other.get("warc/robots_archived_already", 0) == 1
    assert site.get("warc/files", 0) + other.get("warc/files", 0) == 1
    total = site["warc/bytes"] + other["warc/bytes"]
    assert total == crawl["files"][0].stat().st_size


# --- the extension's parts, without a reactor ------------------------------------------------


def test_not_configured_when_disabled() -> None:
    with pytest.raises(NotConfigured):
        WarcExtension.from_crawler(get_crawler(settings_dict={"ADDONS": {ADDON: 0}, "WARC_ENABLED": False}))


def test_warc_dir_default_and_override(tmp_path: Path) -> None:
    assert warc_dir(get_crawler(settings_dict={"ADDONS": {ADDON: 0}}).settings) == Path("out") / "warc"
    crawler = get_crawler(settings_dict={"ADDONS": {ADDON: 0}, "SOUVERAIN_OUT_DIR": str(tmp_path)})
    assert warc_dir(crawler.settings) == tmp_path / "warc"
    crawler = get_crawler(settings_dict={"ADDONS": {ADDON: 0}, "WARC_DIR": str(tmp_path / "w")})
    assert warc_dir(crawler.settings) == tmp_path / "w"


def test_writer_registry_is_refcounted(tmp_path: Path) -> None:
    key = (tmp_path / "w").resolve()
    first = WRITERS.acquire(key, lambda: WarcWriter(key), WarcWriter.close)
    second = WRITERS.acquire(key, lambda: WarcWriter(key), WarcWriter.close)
    assert first is second
    request = Request("http://example.org/")
    first.write_exchange(build_exchange(HtmlResponse("http://example.org/", body=b"x"), request))
    WRITERS.release(key)
    assert first.current_file is not None  # still used by the second crawler
    WRITERS.release(key)
    assert first.current_file is None
    assert [p.suffix for p in (tmp_path / "w").iterdir()] == [".gz"]
    third = WRITERS.acquire(key, lambda: WarcWriter(key), WarcWriter.close)
    assert third is not first
    WRITERS.release(key)


def test_build_exchange_from_scrapy_objects() -> None:
    request = Request("https://example.org:8443/a/b?q=1#frag", method="POST", body=b"k=v",
                      headers={"User-Agent": "ua", "Accept-Encoding": "gzip"})
    response = HtmlResponse(
        "https://example.org:8443/a/b?q=1", status=299, body=b"raw", protocol="HTTP/1.1", ip_address=None,
        headers=[(b"Set-Cookie", b"a=1"), (b"Set-Cookie", b"b=2"), (b"content-encoding", b"gzip")],
    )
    exchange = build_exchange(response, request)
    assert exchange.method == "POST" and exchange.request_body == b"k=v"
    assert exchange.request_headers[0] == ("Host", "example.org:8443")
    assert ("Content-Length", "3") in exchange.request_headers
    assert exchange.status == 299 and exchange.reason == ""
    assert exchange.response_headers == [("Set-Cookie", "a=1"), ("Set-Cookie", "b=2"), ("Content-Encoding", "gzip")]
    assert exchange.response_body == b"raw" and exchange.ip_address is None
    assert exchange.fetch_time.tzinfo is not None
    assert build_exchange(HtmlResponse("http://example.org/", status=404), Request("http://example.org/")).reason \
        == "Not Found"
