"""Article metadata from a parsed HTML page: meta tags, JSON-LD, canonical link, dates."""

from __future__ import annotations

import html
import json
import logging
import re
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import TYPE_CHECKING, Any
from urllib.parse import urljoin

from htmldate import find_date

if TYPE_CHECKING:
    from collections.abc import Iterable, Iterator

    from lxml.html import HtmlElement

LOGGER = logging.getLogger(__name__)

DEFAULT_DATE_SOURCES = ("meta", "jsonld", "itemprop", "htmldate")
"""Where dates come from, best first: explicit-offset Open Graph meta beats JSON-LD (see `read_dates`)."""

_DATE_KEYS = {
    "published": {
        "meta": ("article:published_time", "og:published_time", "datePublished"),
        "jsonld": ("datePublished",),
        "itemprop": ("datePublished",),
    },
    "modified": {
        "meta": ("article:modified_time", "og:updated_time"),
        "jsonld": ("dateModified",),
        "itemprop": ("dateModified",),
    },
}
_ARTICLE_TYPES = re.compile(r"Article|Posting|Report|WebPage", re.IGNORECASE)
_SPACES = re.compile(r"\s+")


def clean(value: Any) -> str:
    """Return `value` as one line of text with HTML entities decoded (twice: some sites double-encode)."""
    if value is None:
        return ""
    text = html.unescape(html.unescape(str(value)))
    return _SPACES.sub(" ", text).strip()


def normalise_date(value: str) -> str | None:
    """Return an ISO 8601 date or datetime (offset kept as found, `Z` written `+00:00`), or None.

    Args:
        value: a date string from a meta tag, JSON-LD or htmldate.

    Returns:
        `YYYY-MM-DD`, `YYYY-MM-DDTHH:MM:SS[+HH:MM]`, or None when unparsable.
    """
    value = value.strip()
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(value.replace(" ", "T", 1) if len(value) > 10 else value)
    except ValueError:
        try:
            return date.fromisoformat(value[:10]).isoformat()
        except ValueError:
            return None
    if len(value) <= 10:
        return parsed.date().isoformat()
    return parsed.isoformat()


@dataclass
class PageMetadata:
    """What a page declares about itself: meta tags (multi-valued), JSON-LD objects, head links."""

    url: str
    meta: dict[str, list[str]] = field(default_factory=dict)
    jsonld: list[dict[str, Any]] = field(default_factory=list)
    itemprops: dict[str, list[str]] = field(default_factory=dict)
    canonical: str = ""
    lang: str = ""
    h1: str = ""
    html_title: str = ""

    @classmethod
    def read(cls, tree: HtmlElement, url: str) -> PageMetadata:
        """Read the metadata of a parsed page.

        Args:
            tree: the page, parsed by lxml.
            url: the page's URL (base for relative links).

        Returns:
            The page's metadata.
        """
        page = cls(url=url)
        for node in tree.iterfind(".//meta"):
            key = node.get("property") or node.get("name") or node.get("itemprop")
            content = node.get("content")
            if key and content is not None:
                page.meta.setdefault(key.strip(), []).append(clean(content))
        for node in tree.xpath("//*[@itemprop][@datetime or @content]"):
            value = node.get("datetime") or node.get("content")
            page.itemprops.setdefault(node.get("itemprop"), []).append(clean(value))
        for script in tree.xpath('//script[@type="application/ld+json"]'):
            page.jsonld.extend(_jsonld_objects(script.text_content()))
        page.canonical = clean(next(iter(tree.xpath('//link[@rel="canonical"]/@href')), ""))
        page.lang = clean(tree.get("lang") or next(iter(tree.xpath("//html/@lang")), ""))
        h1s = tree.xpath("//h1")
        page.h1 = clean(h1s[0].text_content()) if h1s else ""
        page.html_title = clean(next(iter(tree.xpath("//title/text()")), ""))
        return page

    def first(self, *keys: str) -> str:
        """Return the first non-empty meta value among `keys`."""
        for key in keys:
            for value in self.meta.get(key, ()):
                if value:
                    return value
        return ""

    def ld(self, key: str) -> Any:
        """Return `key` from the first article-like JSON-LD object that has it."""
        for obj in self.jsonld:
            if key in obj and _ARTICLE_TYPES.search(str(obj.get("@type", ""))):
                return obj[key]
        return None

    def breadcrumb(self) -> list[str]:
        """Return the names of the JSON-LD breadcrumb, top level first."""
        for obj in self.jsonld:
            if obj.get("@type") == "BreadcrumbList":
                items = sorted(obj.get("itemListElement") or [], key=lambda it: it.get("position", 0))
                return [clean(it.get("name") or (it.get("item") or {}).get("name")) for it in items]
        return []

    def absolute(self, link: str) -> str:
        """Return `link` made absolute against the page URL."""
        return urljoin(self.url, link) if link else ""

    def read_dates(self, tree: HtmlElement, sources: Iterable[str]) -> dict[str, tuple[str | None, str | None]]:
        """Return `{"published": (date, source), "modified": (date, source)}`, first source that gives one.

        Sources are tried in the given order: `meta` (Open Graph `article:*_time`, which carries an
        explicit offset), `jsonld` (on Clubic it writes Paris wall-clock time with a wrong `Z`), `itemprop`,
        then `htmldate` (published only: its "latest date" guess is too noisy for `modified`).
        Dates are kept as found: a modified date earlier than the published one is not corrected.

        Args:
            tree: the parsed page (for htmldate).
            sources: kinds of source, best first.

        Returns:
            Each date with the name of the source that gave it, e.g. `meta:article:published_time`.
        """
        found: dict[str, tuple[str | None, str | None]] = {}
        for which, keys in _DATE_KEYS.items():
            found[which] = (None, None)
            for source in sources:
                hit = self._date_from(tree, source, keys, published=which == "published")
                if hit[0]:
                    found[which] = hit
                    break
        return found

    def _date_from(
        self, tree: HtmlElement, source: str, keys: dict[str, tuple[str, ...]], *, published: bool
    ) -> tuple[str | None, str | None]:
        """Return (date, source name) from one kind of source, or (None, None)."""
        if source == "htmldate":
            return (_htmldate(tree, self.url), "htmldate") if published else (None, None)
        for key in keys.get(source, ()):
            if source == "meta":
                values = self.meta.get(key, [])
            elif source == "itemprop":
                values = self.itemprops.get(key, [])
            else:
                values = [clean(self.ld(key))] if self.ld(key) else []
            for value in values:
                if normalised := normalise_date(value):
                    return normalised, f"{source}:{key}"
        return None, None


def _htmldate(tree: HtmlElement, url: str) -> str | None:
    """Return htmldate's guess of the original publication date (no network)."""
    found = find_date(tree, original_date=True, outputformat="%Y-%m-%dT%H:%M:%S", url=url)
    if not found:
        return None
    return found[:10] if found.endswith("T00:00:00") else found


def _jsonld_objects(raw: str) -> Iterator[dict[str, Any]]:
    """Yield the JSON-LD objects of one script (lists and `@graph` flattened); ignore broken JSON."""
    try:
        data = json.loads(raw, strict=False)
    except ValueError:
        LOGGER.debug("unparsable JSON-LD skipped")
        return
    stack = data if isinstance(data, list) else [data]
    for obj in stack:
        if isinstance(obj, dict):
            yield obj
            yield from (o for o in obj.get("@graph", []) if isinstance(o, dict))


def names(value: Any) -> list[str]:
    """Return the person names in a JSON-LD `author` value (string, object or list of them)."""
    items = value if isinstance(value, list) else [value]
    out = []
    for item in items:
        name = item.get("name") if isinstance(item, dict) else item
        if name := clean(name):
            out.append(name)
    return out
