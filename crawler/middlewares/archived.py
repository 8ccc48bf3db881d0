"""ArchivedResponses: when a run is resumed, what it already archived is answered from its WARCs, not fetched."""

from __future__ import annotations

from typing import TYPE_CHECKING

from scrapy.exceptions import NotConfigured
from scrapy.http import Headers
from scrapy.responsetypes import responsetypes

from archive.warc.reader import read_record
from archive.warc.runlog import run_captures
from crawler.runid import run_id
from crawler.warcwriters import warc_dir

if TYPE_CHECKING:
    from scrapy import Request
    from scrapy.crawler import Crawler
    from scrapy.http import Response

    from archive.warc.runlog import RecordRef


class ArchivedResponses:
    """Downloader middleware (``RESUME_ENABLED``): replays the run's archived exchanges to the spider.

    The resumed spider starts its discovery again; every page the killed process had archived (robots.txt,
    sitemaps, listings, articles) comes back from the WARC with its capture, so nothing archived is fetched twice,
    and what was queued is found again by the same discovery.
    """

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.archived: dict[str, RecordRef] | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ArchivedResponses:
        """Build the middleware; it is on only for ``souverain crawl --resume``."""
        if not crawler.settings.getbool("RESUME_ENABLED"):
            raise NotConfigured
        return cls(crawler)

    def process_request(self, request: Request) -> Response | None:
        """Answer from the WARC when this run already archived the URL."""
        if self.archived is None:
            directory = warc_dir(self.crawler.settings)
            self.archived = run_captures(sorted(directory.glob("*.warc.gz")), run_id(self.crawler.settings))
        ref = self.archived.get(request.url)
        if ref is None:
            return None
        stored = read_record(ref.path, ref.offset)
        headers = Headers(stored.http_headers)
        response_class = responsetypes.from_args(headers=headers, url=request.url, body=stored.body)
        request.meta["capture"] = ref.capture()
        self.crawler.stats.inc_value("resume/from_warc")
        return response_class(url=request.url, status=ref.status, headers=headers, body=stored.body,
                              request=request, flags=["archived"])
