"""UnarchivedResponses: a response the WARC could not hold (a full disk) goes no further than the downloader."""

from __future__ import annotations

from typing import TYPE_CHECKING

from scrapy.exceptions import IgnoreRequest

if TYPE_CHECKING:
    from scrapy import Request
    from scrapy.http import Response


class UnarchivedResponses:
    """Downloader middleware, first to see responses: drops one marked ``meta["warc_failed"]``, so that nothing
    is extracted or kept that the archive does not hold."""

    def process_response(self, request: Request, response: Response) -> Response:
        """Pass the response on unless its WARC write failed."""
        if request.meta.get("warc_failed"):
            raise IgnoreRequest(f"not archived: {request.meta['warc_failed']}")
        return response
