"""Scrapy extension writing every downloaded response to WARC/1.1, before any middleware decodes it."""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from http import HTTPStatus
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from scrapy import signals
from scrapy.exceptions import NotConfigured

from archive.warc.writer import Capture, HttpExchange, WarcWriter, payload_digest
from crawler.diskfull import stop_if_disk_full
from crawler.robotsonce import RobotsOnce
from crawler.signals import response_archived
from crawler.warcwriters import acquire_writer, release_writer

if TYPE_CHECKING:
    from scrapy import Request
    from scrapy.crawler import Crawler
    from scrapy.http import Headers, Response

LOGGER = logging.getLogger(__name__)

def revisit_profile(response: Response, previous: Capture | None) -> str | None:
    """Return the revisit profile of a re-check of an archived page, or None for a new copy.

    Args:
        response: the raw response (content-encoding kept).
        previous: ``request.meta["previous"]``: the capture of the archived response it re-checks, set on
            conditional requests.

    Returns:
        ``server-not-modified`` for a 304, ``identical-payload-digest`` for the same status and payload (a 200, or
        a 301/404 answered again), else None.
    """
    if not previous:
        return None
    if response.status == 304:
        return "server-not-modified"
    if response.status == previous.status and payload_digest(response.body) == previous.payload_digest:
        return "identical-payload-digest"
    return None


def _reason(status: int) -> str:
    """Reason phrase of a status code (Scrapy keeps none); empty when unknown."""
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return ""


def _headers(headers: Headers) -> list[tuple[str, str]]:
    """Scrapy headers as (name, value) pairs, repeated headers kept in order.

    Scrapy stores names title-cased (`Set-Cookie`, `X-Foo-Bar`), so that is how they are
    archived; the original case is lost, which HTTP allows (names are case-insensitive).
    Values are decoded as Latin-1, so bytes survive; warcio %-encodes any non-ASCII.
    With Scrapy's default HTTP/1.1 handler, Twisted drops the connection headers (Connection,
    Keep-Alive, Transfer-Encoding, TE, Trailers, Upgrade) before Scrapy sees the response, and
    Scrapy re-adds Content-Length (first) when the length was known; they cannot be archived.
    """
    pairs: list[tuple[str, str]] = []
    for name in headers:
        text = name.decode("latin-1")
        pairs.extend((text, value.decode("latin-1")) for value in headers.getlist(name))
    return pairs


def _host(url: str) -> str:
    """Host header value: host[:port], the port only when not the scheme's default."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    if ":" in host:
        host = f"[{host}]"
    default = {"http": 80, "https": 443}.get(parts.scheme)
    return host if parts.port in (None, default) else f"{host}:{parts.port}"


def build_exchange(response: Response, request: Request) -> HttpExchange:
    """Turn Scrapy's request and raw (still content-encoded) response into an HttpExchange.

    Args:
        response: the response as the download handler returned it.
        request: the request after the downloader middlewares' process_request
            (User-Agent, Accept-Encoding, Cookie, default headers already set).

    Returns:
        The exchange to archive, fetch time now (UTC).
    """
    request_headers = _headers(request.headers)
    if not any(name.lower() == "host" for name, _ in request_headers):
        request_headers.insert(0, ("Host", _host(request.url)))
    if request.body and not any(name.lower() == "content-length" for name, _ in request_headers):
        request_headers.append(("Content-Length", str(len(request.body))))
    # Captured before the spider middlewares and callbacks; the redirect middleware copies
    # request.meta to the next hop, whose own capture then replaces this one.
    return HttpExchange(
        url=response.url,
        method=request.method,
        request_headers=request_headers,
        request_body=request.body,
        status=response.status,
        reason=_reason(response.status),
        protocol=response.protocol or "HTTP/1.1",
        response_headers=_headers(response.headers),
        response_body=response.body,
        ip_address=str(response.ip_address) if response.ip_address else None,
        fetch_time=datetime.now(UTC),
    )


class WarcExtension:
    """Archives every downloaded response with its request (settings `WARC_*`, stats `warc/*`)."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.directory: Path | None = None
        self.writer: WarcWriter | None = None
        self.robots = RobotsOnce.from_settings(crawler.settings)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> WarcExtension:
        """Build the extension; ``WARC_ENABLED=False`` switches it off."""
        if not crawler.settings.getbool("WARC_ENABLED"):
            raise NotConfigured("WARC_ENABLED is false")
        ext = cls(crawler)
        crawler.signals.connect(ext.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(ext.response_downloaded, signal=signals.response_downloaded)
        crawler.signals.connect(ext.spider_closed, signal=signals.spider_closed)
        return ext

    def spider_opened(self) -> None:
        """Take the process's writer for the WARC folder."""
        if self.writer is None:
            self.directory, self.writer = acquire_writer(self.crawler.settings)

    def response_downloaded(self, response: Response, request: Request) -> None:
        """Archive the exchange; leave its capture in ``request.meta["capture"]`` and send ``response_archived``."""
        if self.writer is None:
            self.spider_opened()
        assert self.writer is not None
        if urlsplit(request.url).path == "/robots.txt" and not self.robots.claim(request.url):
            if self.crawler.stats is not None:
                self.crawler.stats.inc_value("warc/robots_archived_already")  # by another crawler of the run
            return
        files, size = self.writer.files_written, self.writer.bytes_written
        exchange = build_exchange(response, request)
        previous: Capture | None = request.meta.get("previous")
        profile = revisit_profile(response, previous)
        try:
            if profile and previous is not None:
                capture = self.writer.write_revisit(exchange, profile=profile, refers_to=previous)
            else:
                capture = self.writer.write_exchange(exchange)
        except OSError as exc:
            request.meta["warc_failed"] = exc.strerror or str(exc)
            if not stop_if_disk_full(self.crawler, exc, str(self.writer.current_file or self.directory)):
                raise
            return
        stats = self.crawler.stats
        if stats is not None:
            stats.inc_value("warc/exchanges")
            if profile:
                stats.inc_value(f"warc/revisits/{profile}")
            stats.inc_value("warc/records", 2)
            stats.inc_value("warc/bytes", self.writer.bytes_written - size)
            if self.writer.files_written > files:
                stats.inc_value("warc/files", self.writer.files_written - files)
        request.meta["capture"] = capture
        self.crawler.signals.send_catch_log(response_archived, request=request, response=response, capture=capture)

    def spider_closed(self) -> None:
        """Let go of the writer; the last crawler of the process closes it."""
        if self.writer is not None and self.directory is not None:
            release_writer(self.directory)
            self.writer = None
