"""ConditionalRequests: re-checks of pages already archived are conditional GETs.

Any request (spider's or Scrapy's own, robots.txt included) for a URL the state store has a copy of gets
``If-None-Match``/``If-Modified-Since``, ``meta["previous"]`` (the ``Capture`` of the archived response) and
``meta["previous_unread"]`` (its run had not dealt with it when it stopped). The WARC extension
then archives a 304 — or a 200 with the same payload — as a revisit record, and this middleware hands the
archived copy on in place of a 304, so every consumer sees the page; ``meta["capture"].revisit`` says it is
unchanged.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from scrapy import signals
from scrapy.exceptions import NotConfigured
from scrapy.http import Headers
from scrapy.responsetypes import responsetypes

from archive.store.state import UNREAD
from archive.warc.naming import OPEN_SUFFIX
from archive.warc.reader import read_capture
from crawler.state import acquire_state, release_state
from crawler.warcwriters import warc_dir

if TYPE_CHECKING:
    from scrapy import Request
    from scrapy.crawler import Crawler
    from scrapy.http import Response

    from archive.store.state import StateStore
    from archive.warc.writer import Capture


class ConditionalRequests:
    """Downloader middleware (after HttpCompression's ``process_response`` order: 595)."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.store: StateStore | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ConditionalRequests:
        """Build the middleware; off without the state store or WARC capture."""
        settings = crawler.settings
        if not (settings.getbool("STATE_ENABLED") and settings.getbool("WARC_ENABLED")):
            raise NotConfigured
        middleware = cls(crawler)
        crawler.signals.connect(middleware.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(middleware.spider_closed, signal=signals.spider_closed)
        return middleware

    def spider_opened(self) -> None:
        """Take the state store (downloader middlewares get no open_spider call)."""
        self.store = acquire_state(self.crawler.settings)

    def spider_closed(self) -> None:
        """Let go of the state store."""
        if self.store is not None:
            release_state(self.crawler.settings)
            self.store = None

    def process_request(self, request: Request) -> None:
        """Make a GET for a URL archived by an earlier run conditional."""
        if self.store is None or request.method != "GET":
            return
        previous: Capture | None = request.meta.get("previous")
        if previous is not None and previous.url == request.url:
            return
        request.meta.pop("previous", None)  # a redirect copies the meta of the request it follows
        request.meta.pop("previous_unread", None)
        known = self.store.get(request.url)
        capture = known.capture() if known is not None else None
        if known is None or capture is None or not self.readable(capture):
            return
        if known.etag:
            request.headers["If-None-Match"] = known.etag
        if known.last_modified:
            request.headers["If-Modified-Since"] = known.last_modified
        request.meta["previous"] = capture
        request.meta["previous_unread"] = known.outcome in (None, UNREAD)
        self.crawler.stats.inc_value("conditional/requests")

    def readable(self, capture: Capture) -> bool:
        """Tell whether the archived copy a 304 would stand for is in this process's WARC folder (a worker of a
        distributed run sees only its own, unless the workers share ``WARC_DIR``): if not, the GET is plain."""
        path = warc_dir(self.crawler.settings) / capture.warc_file
        return path.exists() or path.with_name(path.name + OPEN_SUFFIX).exists()

    def process_response(self, request: Request, response: Response) -> Response:
        """Replace a 304 by the archived copy (status 200, stored headers and still-encoded body)."""
        previous = request.meta.get("previous")
        if response.status != 304 or not previous:
            return response
        stored = read_capture(warc_dir(self.crawler.settings), previous)  # the file may still be .open
        headers = Headers(stored.http_headers)
        response_class = responsetypes.from_args(headers=headers, url=request.url, body=stored.body)
        self.crawler.stats.inc_value("conditional/not_modified")
        return response_class(url=request.url, status=stored.status, headers=headers, body=stored.body,
                              request=request, flags=["not-modified"])
