"""What a site of the mirror renders for a request target: an identity response (before content negotiation)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

HTML = "text/html; charset=UTF-8"
XML = "application/xml; charset=UTF-8"
RSS = "application/rss+xml; charset=UTF-8"


@dataclass(frozen=True)
class Response:
    """An identity (not content-encoded) response, as rendered by a site."""

    status: int
    body: bytes
    content_type: str
    headers: tuple[tuple[str, str], ...] = ()
    encodable: bool = True
    last_modified: dt.datetime | None = None


def html(text: str, status: int = 200, last_modified: dt.datetime | None = None) -> Response:
    """Return an HTML page."""
    return Response(status, text.encode("utf-8"), HTML, last_modified=last_modified)


def redirect(location: str, status: int = 301) -> Response:
    """Return a redirect with a small HTML body, as servers send."""
    body = f'<html><body><p>Moved: <a href="{location}">{location}</a></p></body></html>'
    return Response(status, body.encode(), HTML, (("Location", location),))
