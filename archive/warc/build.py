"""Building the WARC records of one HTTP exchange (response, request, revisit) with warcio, from injected record id
and clock factories (fixed in golden tests)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from io import BytesIO
from typing import IO, TYPE_CHECKING
from urllib.parse import urlsplit

from warcio.recordloader import ArcWarcRecord
from warcio.statusandheaders import StatusAndHeaders
from warcio.timeutils import datetime_to_iso_date
from warcio.warcwriter import WARCWriter

if TYPE_CHECKING:
    from archive.warc.writer import Capture, HttpExchange

WARC_VERSION = "1.1"
REVISIT_PROFILES = {
    # A 200 whose payload is the one already archived (the digest says so).
    "identical-payload-digest": "http://netpreserve.org/warc/1.1/revisit/identical-payload-digest",
    # A 304 answer to a conditional request: the server says the archived copy is still current.
    "server-not-modified": "http://netpreserve.org/warc/1.1/revisit/server-not-modified",
}


def warc_date(moment: datetime) -> str:
    """Format a datetime as a WARC/1.1 date (ISO 8601 UTC, microseconds when non-zero)."""
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC).replace(tzinfo=None)
    return str(datetime_to_iso_date(moment, use_micros=True))


class RecordWriter(WARCWriter):  # type: ignore[misc]  # warcio has no type hints: its classes are Any
    """warcio writer (gzip, WARC/1.1) whose record ids and dates come from injected factories."""

    def __init__(self, out: IO[bytes], record_id_factory: Callable[[], str],
                 clock: Callable[[], datetime]) -> None:
        super().__init__(out, gzip=True, warc_version=WARC_VERSION)
        self._record_id_factory = record_id_factory
        self._clock = clock

    def _make_warc_id(self) -> str:
        return self._record_id_factory()

    def curr_warc_date(self) -> str:
        return warc_date(self._clock())

    def response(self, exchange: HttpExchange, date: str, record_id: str) -> ArcWarcRecord:
        """Build the response record; a Transfer-Encoding header is renamed (body is de-chunked)."""
        headers = [
            ("X-Crawler-Transfer-Encoding" if name.lower() == "transfer-encoding" else name, value)
            for name, value in exchange.response_headers
        ]
        return self.create_warc_record(
            exchange.url, "response",
            payload=BytesIO(exchange.response_body),
            length=len(exchange.response_body),
            warc_headers_dict=_warc_headers("response", exchange, date, record_id),
            http_headers=StatusAndHeaders(_status_line(exchange), headers, protocol=exchange.protocol),
        )

    def revisit(self, exchange: HttpExchange, date: str, record_id: str, profile: str,
                refers_to: Capture) -> ArcWarcRecord:
        """Build a revisit record (HTTP headers only) of a profile of ``REVISIT_PROFILES`` for an archived response."""
        revisit = self.create_revisit_record(
            exchange.url, refers_to.payload_digest, refers_to.url, refers_to.fetch_time,
            http_headers=StatusAndHeaders(_status_line(exchange), list(exchange.response_headers),
                                          protocol=exchange.protocol),
            warc_headers_dict={**_warc_headers("revisit", exchange, date, record_id),
                               "WARC-Refers-To": refers_to.record_id},
        )
        revisit.rec_headers.replace_header("WARC-Profile", REVISIT_PROFILES[profile])
        if profile == "identical-payload-digest":
            revisit.rec_headers.add_header("WARC-Truncated", "length")  # the payload is not repeated
        return revisit

    def request(self, exchange: HttpExchange, date: str, response_id: str) -> ArcWarcRecord:
        """Build the request record (request line with path and query, headers, body), concurrent to the response."""
        parts = urlsplit(exchange.url)
        target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        http_headers = StatusAndHeaders(
            f"{exchange.method} {target} {exchange.protocol}",
            list(exchange.request_headers), protocol="",
        )
        return self.create_warc_record(
            exchange.url, "request",
            payload=BytesIO(exchange.request_body),
            length=len(exchange.request_body),
            warc_headers_dict={
                **_warc_headers("request", exchange, date, self._record_id_factory()),
                "WARC-Concurrent-To": response_id,
            },
            http_headers=http_headers,
        )


def _status_line(exchange: HttpExchange) -> str:
    """Return the HTTP status line after the protocol (``200 OK``)."""
    return f"{exchange.status} {exchange.reason}".rstrip()


def _warc_headers(rec_type: str, exchange: HttpExchange, date: str, record_id: str) -> dict[str, str]:
    """WARC headers of a response, revisit or request record, in the usual order."""
    headers = {
        "WARC-Type": rec_type,
        "WARC-Record-ID": record_id,
        "WARC-Date": date,
        "WARC-Target-URI": exchange.url,
    }
    if exchange.ip_address:
        headers["WARC-IP-Address"] = exchange.ip_address
    return headers
