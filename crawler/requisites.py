"""Page requisites: what a kept article's pages need to render, read from their HTML and style sheets.

As wget's ``--page-requisites`` and browsertrix-crawler do: style sheets (``<link rel=stylesheet>``, then what
they ``@import`` and their ``url(…)`` fonts and images, one level deep), images (``src``, ``srcset``, ``<picture>``
sources, the lazy-loading attributes ``data-src``/``data-srcset``/``data-lazy-src``, ``poster``), favicons
(``<link rel=icon>``, ``apple-touch-icon``), fonts (``<link rel=preload as=font>``) and scripts (``<script src>``).
``LEVELS`` says which kinds each ``--requisites`` level fetches. Every URL read here is hostile input: bounded in
number and length, resolved against the page, fragments dropped.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterator
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

from lxml import html as lxml_html

STYLESHEET, IMAGE, ICON, FONT, SCRIPT = "stylesheet", "image", "icon", "font", "script"
LEVELS: dict[str, frozenset[str]] = {
    "none": frozenset(),
    "images": frozenset({IMAGE, ICON}),
    "all": frozenset({STYLESHEET, IMAGE, ICON, FONT, SCRIPT}),
}
DEFAULT_LEVEL = "all"
MAX_PER_DOCUMENT = 300  # requisites read from one page or style sheet
MAX_URL_LENGTH = 2048
MAX_CSS_CHARS = 2 * 1024 * 1024
_IMAGE_ATTRIBUTES = ("src", "data-src", "data-lazy-src", "data-original", "poster")
_SRCSET_ATTRIBUTES = ("srcset", "data-srcset", "data-lazy-srcset")
_ICON_RELS = {"icon", "shortcut icon", "apple-touch-icon", "apple-touch-icon-precomposed", "mask-icon"}
_CSS_IMPORT = re.compile(r"""@import\s+(?:url\(\s*)?["']?([^"')\s;]{1,2048})""", re.IGNORECASE)
_CSS_URL = re.compile(r"""url\(\s*["']?([^"')]{1,2048}?)["']?\s*\)""", re.IGNORECASE)
_FONT_EXTENSIONS = (".woff2", ".woff", ".ttf", ".otf", ".eot")


@dataclass(frozen=True)
class Requisite:
    """One resource a document needs: its absolute URL and what it is (``STYLESHEET``, ``IMAGE``…)."""

    url: str
    kind: str


def page_requisites(body: bytes | str, base_url: str) -> list[Requisite]:
    """Return what an HTML page needs to render, in document order, each URL once.

    Args:
        body: the page (bytes as archived, or text).
        base_url: the page's URL (a ``<base href>`` in the page wins).

    Returns:
        The requisites, at most ``MAX_PER_DOCUMENT``.
    """
    try:
        root = lxml_html.fromstring(body)
    except (ValueError, TypeError, lxml_html.etree.ParserError):
        return []
    bases = root.xpath("//base/@href")
    base_url = urljoin(base_url, str(bases[0])) if isinstance(bases, list) and bases else base_url
    return _unique(_page_references(root), base_url)


def _page_references(root: lxml_html.HtmlElement) -> Iterator[tuple[str, str]]:
    """Every (reference, kind) of a parsed page, in document order."""
    for element in root.iter("link", "img", "source", "script", "video", "input", "image"):
        tag = element.tag
        if tag == "link":
            rel = " ".join((element.get("rel") or "").lower().split())
            href = element.get("href") or ""
            if "stylesheet" in rel.split():
                yield href, STYLESHEET
            elif rel in _ICON_RELS or "icon" in rel.split():
                yield href, ICON
            elif rel == "preload" and (element.get("as") or "").lower() in ("font", "image", "style", "script"):
                yield href, {"font": FONT, "image": IMAGE, "style": STYLESHEET, "script": SCRIPT}[
                    (element.get("as") or "").lower()]
        elif tag == "script":
            if element.get("src"):
                yield element.get("src") or "", SCRIPT
        else:
            if tag == "input" and (element.get("type") or "").lower() != "image":
                continue
            for attribute in _IMAGE_ATTRIBUTES:
                if element.get(attribute) and not (tag == "source" and attribute == "src"
                                                   and element.getparent() is not None
                                                   and element.getparent().tag in ("video", "audio")):
                    yield element.get(attribute) or "", IMAGE
            for attribute in _SRCSET_ATTRIBUTES:
                for candidate in srcset_urls(element.get(attribute) or ""):
                    yield candidate, IMAGE
    for element in root.iter():
        if isinstance(element.tag, str) and (style := element.get("style")):
            for found in _CSS_URL.finditer(style):
                yield found[1], IMAGE
    for element in root.iter("style"):
        yield from css_references(element.text_content() or "")


def srcset_urls(srcset: str) -> list[str]:
    """Return the URLs of a ``srcset`` value (``a.png 1x, b.png 2x`` or ``a.png 480w, b.png 960w``).

    Args:
        srcset: the attribute's value.

    Returns:
        The candidate URLs, in order.
    """
    urls, position, end = [], 0, len(srcset)
    while position < end:  # the HTML standard's parse: a URL runs to whitespace (commas inside are its own)
        while position < end and (srcset[position].isspace() or srcset[position] == ","):
            position += 1
        start = position
        while position < end and not srcset[position].isspace():
            position += 1
        url = srcset[start:position]
        if url.endswith(","):
            url = url.rstrip(",")
        else:  # descriptors up to the next comma outside parentheses
            depth = 0
            while position < end and (srcset[position] != "," or depth):
                depth += {"(": 1, ")": -1}.get(srcset[position], 0)
                position += 1
        if url and not url.startswith("data:"):
            urls.append(url)
    return urls


def css_requisites(text: str, base_url: str) -> list[Requisite]:
    """Return what a style sheet needs: the sheets it ``@import``s, its fonts and images (``url(…)``).

    Args:
        text: the style sheet (decoded).
        base_url: its URL (relative references resolve against it, as browsers do).

    Returns:
        The requisites, at most ``MAX_PER_DOCUMENT``.
    """
    return _unique(css_references(text[:MAX_CSS_CHARS]), base_url)


def css_references(text: str) -> Iterator[tuple[str, str]]:
    """Every (reference, kind) of a style sheet's text: ``@import`` (style sheets), then ``url(…)``."""
    imports = set()
    for found in _CSS_IMPORT.finditer(text):
        imports.add(found[1])
        yield found[1], STYLESHEET
    for found in _CSS_URL.finditer(text):
        reference = found[1].strip()
        if reference in imports:
            continue
        path = urlsplit(reference).path.lower()
        yield reference, FONT if path.endswith(_FONT_EXTENSIONS) else IMAGE


def _unique(references: Iterator[tuple[str, str]], base_url: str) -> list[Requisite]:
    """Resolve references, drop fragments, empties and ``data:``/``about:`` ones, keep each URL once."""
    seen: dict[str, Requisite] = {}
    for reference, kind in references:
        reference = reference.strip()
        if not reference or len(reference) > MAX_URL_LENGTH or reference.lower().startswith(
                ("data:", "about:", "#", "blob:")):
            continue
        try:
            url = urljoin(base_url, reference).split("#", 1)[0]
        except ValueError:
            continue
        if url not in seen:
            seen[url] = Requisite(url, kind)
            if len(seen) >= MAX_PER_DOCUMENT:
                break
    return list(seen.values())


def is_private_host(host: str) -> bool:
    """Tell whether a host (``name[:port]``) is ``localhost`` or an IP literal that is not public (loopback,
    link-local, private, reserved, unspecified, multicast).

    Args:
        host: the host, with or without port.

    Returns:
        True for an address the crawler may reach only as a configured root.
    """
    name = host.rsplit(":", 1)[0] if host.count(":") == 1 else host
    name = name.strip("[]").lower()
    if name == "localhost" or name.endswith(".localhost"):
        return True
    try:
        address = ipaddress.ip_address(name)
    except ValueError:
        return False
    return not address.is_global or address.is_multicast
