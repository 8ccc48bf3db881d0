"""Hostile sitemaps and feeds: no entity expansion, no file or network access, bounded memory, depth and size."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
import urllib.request
import zlib
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path

import pytest
from scrapy.utils._compression import _DecompressionMaxSizeExceeded
from scrapy.utils.gz import gunzip

from crawler.discovery.parsers import MAX_ENTRIES, Entry, parse_feed, parse_sitemap
from crawler.spiders.base import SITEMAP_MAX_SIZE

PASSWD = Path("/etc/passwd").read_text(encoding="utf-8", errors="replace").splitlines()[0]  # "root:x:0:0:…"


class _Recorder(BaseHTTPRequestHandler):
    """Answers every GET with a DTD and an entity worth leaking, and records the path."""

    def do_GET(self) -> None:  # noqa: N802 (http.server's name)
        self.server.requests.append(self.path)
        body = b'<!ENTITY leak "LEAKED"><!ENTITY % inner "<!ENTITY pleak \'LEAKED\'>">%inner;'
        self.send_response(200)
        self.send_header("Content-Type", "application/xml-dtd")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        """Stay quiet."""


@pytest.fixture
def listener():
    """A real HTTP server on 127.0.0.1 that records every request it gets."""
    server = HTTPServer(("127.0.0.1", 0), _Recorder)  # one connection at a time, in the order they came
    server.requests = []
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()
    thread.join(timeout=5)


def urlset(*locs: str, doctype: str = "") -> bytes:
    body = "".join(f"<url><loc>{loc}</loc></url>" for loc in locs)
    return f'<?xml version="1.0"?>{doctype}<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{body}</urlset>'.encode()


def rss(*links: str, doctype: str = "") -> bytes:
    items = "".join(f"<item><title>t</title><link>{link}</link></item>" for link in links)
    return f'<?xml version="1.0"?>{doctype}<rss version="2.0"><channel><title>c</title>{items}</channel></rss>'.encode()


def everything(entries) -> str:
    return json.dumps([vars(entry) for entry in entries])


def test_billion_laughs_is_not_expanded():
    entities = "".join(f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10}">' for i in range(1, 10))
    doctype = f'<!DOCTYPE urlset [<!ENTITY lol0 "lol">{entities}]>'
    sitemap = parse_sitemap(urlset("https://h/&lol9;", "https://h/plain", doctype=doctype))
    feed = parse_feed(rss("https://h/&lol9;", doctype=doctype.replace("urlset", "rss")))
    assert sitemap.entries == [] and feed == []  # refused whole: the 10^9 "lol"s are never made


@pytest.mark.parametrize("parse", [lambda b: parse_sitemap(b).entries, parse_feed])
def test_external_entities_and_dtds_are_never_fetched(listener, parse):
    base = f"http://127.0.0.1:{listener.server_address[1]}"
    doctypes = [
        '<!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>',
        f'<!DOCTYPE x [<!ENTITY xxe SYSTEM "{base}/entity">]>',
        f'<!DOCTYPE x [<!ENTITY % dtd SYSTEM "{base}/parameter"> %dtd;]>',
        f'<!DOCTYPE x SYSTEM "{base}/external-subset">',
        f'<!DOCTYPE x PUBLIC "-//X//DTD X//EN" "{base}/public">',
    ]
    for doctype in doctypes:
        for build in (urlset, rss):  # a root the parser does not expect is read all the same
            found = everything(parse(build("https://h/a&xxe;", "https://h/b&leak;&pleak;", doctype=doctype)))
            assert PASSWD not in found and "LEAKED" not in found and "root:" not in found
    xinclude = b'<urlset xmlns:xi="http://www.w3.org/2001/XInclude"><url><loc><xi:include href="file:///etc/passwd" ' \
               b'parse="text"/></loc></url></urlset>'
    assert "root:" not in everything(parse(xinclude))
    # The parsers run synchronously: a fetch they made has connected before they returned. The listener serves
    # one connection at a time, in order: once it has answered a request sent now, it has seen any earlier one.
    with urllib.request.urlopen(f"{base}/after-the-parsers", timeout=60) as reply:
        reply.read()
    assert listener.requests == ["/after-the-parsers"]


def test_deep_nesting_is_cut_without_crash():
    deep = b"<urlset>" + b"<a>" * 10_000 + b"<url><loc>https://h/deep</loc></url>" + b"</a>" * 10_000 + b"</urlset>"
    assert parse_sitemap(deep).entries == []  # libxml2 stops at depth 256 (huge_tree off)
    assert parse_feed(deep.replace(b"url>", b"item>").replace(b"loc>", b"link>")) == []


def test_a_dtd_on_disk_is_never_read(tmp_path):
    dtd = tmp_path / "feed.dtd"  # read, its default would make every link rel="self", so no entry an alternate link
    dtd.write_text('<!ATTLIST link rel CDATA "self"><!ENTITY e "https://h/from-the-dtd">', encoding="ascii")
    feed = f'<!DOCTYPE feed SYSTEM "{dtd.as_uri()}"><feed><entry><link href="https://h/1"/></entry>' \
           '<entry><link href="&e;"/></entry></feed>'
    assert parse_feed(feed.encode()) == [Entry(url="https://h/1")]


def test_nesting_deeper_than_256_ends_the_parse_there():
    deep = b"<urlset><url><loc>https://h/before</loc></url>" + b"<a>" * 300 + b"<url><loc>https://h/deep</loc></url>" \
        + b"</a>" * 300 + b"<url><loc>https://h/after</loc></url></urlset>"
    assert [e.url for e in parse_sitemap(deep).entries] == ["https://h/before"]  # huge_tree off: libxml2's limit


@pytest.mark.parametrize("body", [
    b"", b"\x00", b"   ", b"\xff\xfe\xfd" * 1000, bytes(range(256)) * 64, b"<urlset><url><loc>https://h/\xff\xfe",
    b"<?xml version='1.0' encoding='klingon'?><urlset/>", b"<urlset>" + b"<url>" * 5000, b"\x1f\x8b\x08\x00garbage",
    "<urlset><url><loc>https://h/é</loc></url></urlset>".encode("utf-16"),
])
def test_garbage_gives_an_empty_or_partial_result(body):
    sitemap = parse_sitemap(body)
    assert isinstance(sitemap.kind, str)
    assert all(entry.url.startswith("https://h/") for entry in sitemap.entries)
    assert parse_feed(body) == [] or all(entry.url for entry in parse_feed(body))


def test_hostile_schemes_are_returned_as_they_are_for_the_crawler_to_filter():
    links = ["javascript:alert(1)", "data:text/html,<b>x</b>", "file:///etc/passwd", "https://h/ok"]
    body = rss(*(link.replace("<", "&lt;").replace(">", "&gt;") for link in links))
    assert [entry.url for entry in parse_feed(body)] == links
    assert [entry.url for entry in parse_sitemap(urlset("javascript:alert(1)", "https://h/ok")).entries] == [
        "javascript:alert(1)", "https://h/ok"]


_MEASURE = """
import json, resource, sys
from pathlib import Path
from crawler.discovery.parsers import parse_sitemap
body = Path(sys.argv[1]).read_bytes()
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
entries = parse_sitemap(body).entries
print(json.dumps({"entries": len(entries),
                  "peak_mb": (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) / 1024}))
"""


@pytest.mark.parametrize("with_loc", [True, False], ids=["capped", "all-read"])
def test_a_million_url_sitemap_in_bounded_memory(tmp_path, with_loc):
    """With locs, reading stops at MAX_ENTRIES; without, the whole 60 MB is read, and must not pile up elements."""
    path = tmp_path / "sitemap.xml"
    inner = "<loc>https://www.example.com/section/article-{:07d}.html</loc>" if with_loc else \
        "<lastmod>2015-12-03</lastmod><changefreq>never{:07d}</changefreq>"
    with path.open("w", encoding="ascii") as out:
        out.write('<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n')
        for block in range(0, 1_000_000, 10_000):
            out.write("".join(f"<url>{inner.format(n)}</url>\n" for n in range(block, block + 10_000)))
        out.write("</urlset>\n")
    assert path.stat().st_size > 50 * 1024 * 1024
    done = subprocess.run([sys.executable, "-c", _MEASURE, str(path)], capture_output=True, text=True, timeout=600,
                          cwd=Path(__file__).parent.parent)
    measured = json.loads(done.stdout)
    assert measured["entries"] == (MAX_ENTRIES if with_loc else 0)
    assert measured["peak_mb"] < 64  # the cleared elements piled up to ~120 MB when left in the tree


def _gzip_of_zeros(megabytes: int) -> bytes:
    """Gzip ``megabytes`` MiB of zero bytes without holding them (≈1 KB compressed per MiB)."""
    packer = zlib.compressobj(9, zlib.DEFLATED, 31)
    zeros = b"\0" * (1 << 20)
    return b"".join(packer.compress(zeros) for _ in range(megabytes)) + packer.flush()


def test_gzip_bombs_are_refused_by_size():
    bomb = _gzip_of_zeros(200)
    assert len(bomb) < 1024 * 1024
    with pytest.raises(_DecompressionMaxSizeExceeded):
        gunzip(bomb, max_size=SITEMAP_MAX_SIZE)
    nested = gunzip(_gzip(bomb), max_size=SITEMAP_MAX_SIZE)  # one layer off: still the bomb
    assert nested == bomb
    assert parse_sitemap(nested).entries == []  # the spider unpacks one layer only: the rest is binary garbage
    with pytest.raises(_DecompressionMaxSizeExceeded):
        gunzip(nested, max_size=SITEMAP_MAX_SIZE)


def _gzip(payload: bytes) -> bytes:
    """Gzip a payload (a gzip inside a gzip)."""
    packer = zlib.compressobj(9, zlib.DEFLATED, 31)
    return packer.compress(payload) + packer.flush()


def _cut_everywhere(document: bytes, closing: bytes, parse):
    """Yield, for every length the document may be cut to, the URLs parsed and how many containers it closed."""
    for cut in range(len(document) + 1):
        yield [entry.url for entry in parse(document[:cut])], document[:cut].count(closing)


def test_a_sitemap_cut_anywhere_gives_whole_urls_only():
    urls = ["https://h/actualite-1-numergy.html", "https://h/actualite-22-cloudwatt.html", "https://h/a-333.html"]
    sitemap = ("<?xml version='1.0'?><urlset xmlns='http://www.sitemaps.org/schemas/sitemap/0.9'>" + "".join(
        f"<url><loc>{url}</loc><lastmod>2024-01-0{n}</lastmod></url>" for n, url in enumerate(urls, 1))
        + "</urlset>").encode()
    for found, closed in _cut_everywhere(sitemap, b"</url>", lambda body: parse_sitemap(body).entries):
        assert found == urls[:len(found)] and len(found) >= closed, (found, closed)  # never half a URL
    assert [e.url for e in parse_sitemap(sitemap).entries] == urls


def test_a_prefixed_sitemap_cut_anywhere_gives_whole_urls_only():
    # libxml2 names the element it had to close by its local name ("in tag loc line 1", not "sm:loc"): this holds it
    urls = ["https://h/actualite-1-numergy.html", "https://h/actualite-22-cloudwatt.html"]
    sitemap = ("<sm:urlset xmlns:sm='http://www.sitemaps.org/schemas/sitemap/0.9'>" + "".join(
        f"<sm:url><sm:loc>{url}</sm:loc></sm:url>" for url in urls) + "</sm:urlset>").encode()
    for found, closed in _cut_everywhere(sitemap, b"</sm:url>", lambda body: parse_sitemap(body).entries):
        assert found == urls[:len(found)] and len(found) >= closed, (found, closed)
    assert [e.url for e in parse_sitemap(sitemap).entries] == urls


def test_a_message_quoting_the_document_is_no_cut():
    # libxml2 quotes the attribute in its warning ("xmlns:a: 'x in tag loc line 1' is not a valid URI"): no cut
    sitemap = (b"<urlset xmlns='http://www.sitemaps.org/schemas/sitemap/0.9' xmlns:a='x in tag loc line 1'>"
               b"<url><loc>https://h/a-1.html</loc></url><url><loc>https://h/a-2.html</loc></url></urlset>")
    assert [e.url for e in parse_sitemap(sitemap).entries] == ["https://h/a-1.html", "https://h/a-2.html"]


def test_a_feed_cut_anywhere_gives_whole_links_only():
    links = ["https://h/1-souverainete.html", "https://h/22-secnumcloud.html"]
    feed = ("<rss version='2.0'><channel><title>t</title>" + "".join(
        f"<item><title>n{n}</title><link>{link}</link><description>d</description></item>"
        for n, link in enumerate(links)) + "</channel></rss>").encode()
    for found, closed in _cut_everywhere(feed, b"</item>", parse_feed):
        assert found == links[:len(found)] and len(found) >= closed, (found, closed)
