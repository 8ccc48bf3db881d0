"""Small helpers shared by the page templates of both sites: escaping, French dates, JSON-LD, ad tokens.

Every listing entry (home, section, tag, author, search) gives the article link, title, snippet and a
``<time datetime>`` with the publication date; related-article links use the target's title as link text.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import html
import json
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

EntryT = TypeVar("EntryT")  # a site's own listing holds articles, a skin's holds its ListEntry
OtherT = TypeVar("OtherT")

MONTHS = ("janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre",
          "novembre", "décembre")


def esc(text: str) -> str:
    """Escape text for HTML content and attributes.

    Args:
        text: raw text.

    Returns:
        The text with &, <, >, " and ' escaped.
    """
    return html.escape(text, quote=True)


def french_date(moment: dt.datetime) -> str:
    """Format a date as the sites write it in bylines.

    Args:
        moment: a timezone-aware datetime.

    Returns:
        For example "03 décembre 2015 à 11h04".
    """
    return f"{moment.day:02d} {MONTHS[moment.month - 1]} {moment.year} à {moment.hour:02d}h{moment.minute:02d}"


def token(path: str, salt: str = "") -> str:
    """A deterministic pseudo-random token derived from a path (rotating ads, cookies).

    Args:
        path: the URL path the token belongs to.
        salt: distinguishes several tokens of the same page.

    Returns:
        Sixteen hexadecimal characters.
    """
    return hashlib.sha1(f"{salt}|{path}".encode()).hexdigest()[:16]


def json_ld(data: dict[str, Any]) -> str:
    """Render a JSON-LD script element.

    Args:
        data: the JSON-LD object.

    Returns:
        A ``<script type="application/ld+json">`` element, safe to embed in HTML.
    """
    text = json.dumps(data, ensure_ascii=False, indent=2).replace("</", "<\\/")
    return f'<script type="application/ld+json">\n{text}\n</script>'


@dataclass(frozen=True)
class Listing(Generic[EntryT]):
    """One page of a list of articles (tag, author, search, section, home); ``page_urls``: every page's URL."""

    heading: str
    entries: list[EntryT]
    page: int
    pages: int
    prev_url: str | None
    next_url: str | None
    page_urls: tuple[str, ...] = ()

    def with_entries(self, entries: list[OtherT]) -> Listing[OtherT]:
        """Return the same page of the list with other entries (a skin's drawing of the articles)."""
        return Listing(self.heading, entries, self.page, self.pages, self.prev_url, self.next_url, self.page_urls)
