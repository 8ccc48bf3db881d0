"""Page requisites of the mirror: style sheets, images (``srcset``, ``<picture>``, lazy ``data-src``), a web font,
a favicon, a script, on the site's own host and on a CDN host of its own (another port), in every skin.

Every article page (whatever the skin) gets, before ``</head>``, the site's style sheet (``/assets/<name>.css``,
which ``@import``s the CDN's ``fonts.css``, whose ``@font-face`` names the web font, and sets a background image),
the favicon and the lazy-loading script; after its first ``</h1>`` a hero ``<picture>`` (CDN ``srcset`` images)
and a lazy image (``data-src``, which the script turns into ``src``, as real sites' lazy loaders do). The same
style sheet, font, logo and script serve every page: a crawler fetches them once. The bytes are made here
(deterministic PNGs, a small TrueType font whose every glyph is a block), so the mirror needs no binary file.

Own host: ``/assets/<name>.css``, ``/assets/logo.png``, ``/assets/header.png``, ``/assets/lazy.js``,
``/favicon.ico``. CDN host: ``/robots.txt``, ``/cdn/<site>/fonts.css``, ``/cdn/<site>/display.ttf``,
``/cdn/<site>/img/<id>-<width>.png``. Without a CDN server the site answers the CDN paths itself.
"""

from __future__ import annotations

import datetime as dt
import re
import struct
import zlib
from dataclasses import dataclass
from functools import cache

SITES = ("clubic", "numerama")
ASSET_DATE = dt.datetime(2024, 1, 10, 8, 0, tzinfo=dt.UTC)  # Last-Modified of every asset
HERO_WIDTHS = (480, 960)
THUMB_WIDTH = 240
FONT_FAMILY = "Souverain Display"
_IMAGE = re.compile(r"/cdn/(clubic|numerama)/img/(\d{1,7})-(\d{2,4})\.png")
_CSS = re.compile(r"/assets/([a-z]{1,16})\.css")


@dataclass(frozen=True)
class Asset:
    """An asset's bytes and content type."""

    body: bytes
    content_type: str


def decorate(html: str, site: str, article_id: int, root: str, cdn: str, css: str = "site") -> str:
    """Add the requisites to an article page: head links and script, then a hero picture and a lazy image.

    Args:
        html: the article page.
        site: "clubic" or "numerama".
        article_id: the article's id (its images are its own).
        root: the site's root (links to its own assets are written absolute for Numerama, relative for Clubic).
        cdn: the CDN's root (the site's root when no CDN server runs).
        css: the name of the site's style sheet (the skin's class prefix; "site" for the default markup).

    Returns:
        The page with the requisites.
    """
    own = root if site == "numerama" else ""
    base = f"{cdn}/cdn/{site}/img/{article_id}"
    sheet = f'<link rel="stylesheet" href="{own}/assets/{css}.css">\n'
    if f'/assets/{css}.css"' in html:  # a skin's head links its style sheet already
        sheet = ""
    head = f'{sheet}<link rel="icon" href="{own}/favicon.ico">\n<script src="{own}/assets/lazy.js" defer></script>\n'

    hero = (
        f'\n<div class="souverain-hero"><img class="souverain-logo" src="{own}/assets/logo.png" alt="" width="64" '
        f'height="64"><picture><source media="(min-width: 1200px)" srcset="{base}-960.png">'
        f'<img class="souverain-cover" src="{base}-480.png" srcset="{base}-480.png 480w, {base}-960.png 960w" '
        f'sizes="(min-width: 900px) 960px, 480px" alt="" width="480" height="160"></picture>'
        f'<img class="souverain-thumb" data-src="{base}-{THUMB_WIDTH}.png" alt="" width="{THUMB_WIDTH}" height="80">'
        "</div>"
    )
    html = html.replace("</head>", head + "</head>", 1)
    end = html.find("</h1>")
    return html if end < 0 else html[: end + 5] + hero + html[end + 5:]


def own_asset(path: str, site: str, cdn: str) -> Asset | None:
    """Answer a request for an asset of the site's own host.

    Args:
        path: the request path.
        site: "clubic" or "numerama".
        cdn: the CDN's root (for the style sheet's ``@import``).

    Returns:
        The asset, or None when the path is none.
    """
    if path == "/favicon.ico":
        return Asset(_png(16, 16, _palette(site)[0], stripes=2), "image/x-icon")
    if path == "/assets/logo.png":
        return Asset(_png(64, 64, _palette(site)[1], stripes=4), "image/png")
    if path == "/assets/header.png":
        return Asset(_png(8, 48, _palette(site)[0], stripes=6), "image/png")
    if path == "/assets/lazy.js":
        return Asset(LAZY_JS.encode(), "application/javascript")
    if found := _CSS.fullmatch(path):
        return Asset(_style_sheet(site, cdn, found[1]).encode(), "text/css; charset=utf-8")
    return None


def cdn_asset(path: str) -> Asset | None:
    """Answer a request to the CDN host.

    Args:
        path: the request path.

    Returns:
        The asset (robots.txt, fonts.css, the font, an image), or None.
    """
    if path == "/robots.txt":
        return Asset(b"User-agent: *\nAllow: /\n", "text/plain; charset=UTF-8")
    for site in SITES:
        if path == f"/cdn/{site}/fonts.css":
            return Asset(FONTS_CSS.encode(), "text/css; charset=utf-8")
        if path == f"/cdn/{site}/display.ttf":
            return Asset(block_font(), "font/ttf")
    if (found := _IMAGE.fullmatch(path)) and int(found[3]) in (*HERO_WIDTHS, THUMB_WIDTH):
        width = int(found[3])
        seed = int(found[2])
        color = (40 + seed * 37 % 180, 60 + seed * 53 % 160, 90 + seed * 29 % 140)
        return Asset(_png(width, width // 3, color, stripes=3 + seed % 5), "image/png")
    return None


def _palette(site: str) -> tuple[tuple[int, int, int], tuple[int, int, int]]:
    return ((0, 70, 140), (255, 170, 0)) if site == "clubic" else ((200, 20, 60), (30, 30, 30))


def _style_sheet(site: str, cdn: str, name: str) -> str:
    """The site's style sheet: imports the CDN's fonts, sets colours, widths and a background image."""
    main, accent = _palette(site)
    return (
        f'@import url("{cdn}/cdn/{site}/fonts.css");\n'
        "body { margin: 0; background: #f4f1ea; color: #1b1b1b; font: 17px/1.55 \"DejaVu Serif\", serif; }\n"
        f"header, [class$=\"-header\"], #header-container {{ background: rgb{main} url(\"header.png\") repeat-x; "
        "color: #fff; padding: 12px 24px; }\n"
        "header a, [class$=\"-header\"] a, #header-container a { color: #fff; }\n"
        f"h1 {{ font-family: \"{FONT_FAMILY}\", sans-serif; color: rgb{accent}; font-size: 30px; }}\n"
        "p { max-width: 44em; margin: 0 24px 1em; }\n"
        ".souverain-hero { display: flex; gap: 16px; align-items: center; margin: 12px 24px; }\n"
        ".souverain-cover { display: block; }\n"
        f"/* {name} */\n"
    )


FONTS_CSS = (
    f'@font-face {{ font-family: "{FONT_FAMILY}"; src: url("display.ttf") format("truetype"); '
    "font-display: block; }\n"
)

# A lazy loader as real sites have: images wait in data-src until the script gives them their src.
LAZY_JS = (
    "document.addEventListener('DOMContentLoaded', function () {\n"
    "  document.querySelectorAll('img[data-src]').forEach(function (img) { img.src = img.dataset.src; });\n"
    "});\n"
)


@cache
def _png(width: int, height: int, color: tuple[int, int, int], stripes: int = 1) -> bytes:
    """A deterministic RGB PNG: vertical stripes of ``color`` and a lighter shade."""
    light = tuple(min(255, c + 70) for c in color)
    row = b"".join(bytes(color if (x * stripes // width) % 2 == 0 else light) for x in range(width))
    raw = (b"\x00" + row) * height

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b"")


@cache
def block_font() -> bytes:
    """A TrueType font of three glyphs: .notdef, a block every printable Latin-1 character maps to, a space."""
    units, advance = 1000, 600
    block = _glyph([(60, 0), (60, 700), (540, 700), (540, 0)])
    glyf = block + block  # .notdef and the block share the outline; the space (glyph 2) has none
    loca = struct.pack(">HHHH", 0, len(block) // 2, len(glyf) // 2, len(glyf) // 2)
    tables = {
        b"cmap": _cmap([(0x20, 0x7E), (0xA0, 0xFF)]),
        b"glyf": glyf,
        b"head": struct.pack(">IIIIHHqqhhhhHHhhh", 0x00010000, 0x00010000, 0, 0x5F0F3CF5, 0x000B, units, 0, 0,
                             60, 0, 540, 700, 0, 8, 2, 0, 0),
        b"hhea": struct.pack(">IhhhHhhhhhhhhhhhH", 0x00010000, 800, -200, 0, advance, 0, 60, 540, 1, 0, 0, 0, 0,
                             0, 0, 0, 3),
        b"hmtx": struct.pack(">HhHhHh", advance, 60, advance, 60, advance, 0),
        b"loca": loca,
        b"maxp": struct.pack(">IHHHHHHHHHHHHHH", 0x00010000, 3, 4, 1, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0, 0),
        b"name": _name(),
        b"OS/2": _os2(advance),
        b"post": struct.pack(">IIhhIIIII", 0x00030000, 0, -100, 50, 1, 0, 0, 0, 0),
    }
    return _sfnt(tables)


def _glyph(points: list[tuple[int, int]]) -> bytes:
    """One simple glyph: a closed contour of on-curve points (absolute coordinates), padded to 4 bytes."""
    xs, ys = [p[0] for p in points], [p[1] for p in points]
    out = struct.pack(">hhhhh", 1, min(xs), min(ys), max(xs), max(ys)) + struct.pack(">HH", len(points) - 1, 0)
    out += bytes([1] * len(points))  # on curve, 16-bit deltas
    for values in (xs, ys):
        out += b"".join(struct.pack(">h", value - previous) for previous, value in zip([0, *values[:-1]], values, strict=True))
    return out + b"\x00" * (-len(out) % 4)


def _cmap(ranges: list[tuple[int, int]]) -> bytes:
    """A format 4 cmap: every code of the ranges to the block (glyph 1), spaces to the space (glyph 2)."""
    segments = [*ranges, (0xFFFF, 0xFFFF)]
    count = len(segments)
    search = 2 ** (count.bit_length() - 1) * 2
    glyphs, offsets = b"", b""
    for i, (start, end) in enumerate(ranges):
        offsets += struct.pack(">H", 2 * (count - i) + len(glyphs))
        glyphs += b"".join(struct.pack(">H", 2 if code in (0x20, 0xA0) else 1) for code in range(start, end + 1))
    offsets += b"\x00\x00"
    ends = b"".join(struct.pack(">H", end) for _, end in segments)
    starts = b"".join(struct.pack(">H", start) for start, _ in segments)
    deltas = b"\x00\x00" * (count - 1) + struct.pack(">h", 1)
    body = (struct.pack(">HHHH", count * 2, search, (search // 2).bit_length() - 1, count * 2 - search)
            + ends + b"\x00\x00" + starts + deltas + offsets + glyphs)
    subtable = struct.pack(">HHH", 4, 6 + len(body), 0) + body
    return struct.pack(">HHHHI", 0, 1, 3, 1, 12) + subtable


def _name() -> bytes:
    """The name table: family, style, full name, PostScript name (Windows, Unicode)."""
    names = {1: FONT_FAMILY, 2: "Regular", 3: FONT_FAMILY + " 1.0", 4: FONT_FAMILY, 5: "Version 1.0",
             6: FONT_FAMILY.replace(" ", "")}
    records, strings = b"", b""
    for name_id, text in names.items():
        data = text.encode("utf-16-be")
        records += struct.pack(">HHHHHH", 3, 1, 0x0409, name_id, len(data), len(strings))
        strings += data
    return struct.pack(">HHH", 0, len(names), 6 + 12 * len(names)) + records + strings


def _os2(advance: int) -> bytes:
    """An OS/2 table (version 4)."""
    return struct.pack(">HhHHHhhhhhhhhhhh", 4, advance, 400, 5, 0, 650, 600, 0, 75, 650, 600, 0, 300, 50, 300, 0) + \
        b"\x00" * 10 + b"\x00" * 16 + b"NONE" + struct.pack(">HHHhhhHH", 0x40, 0x20, 0xFF, 800, -200, 0, 800, 200) + \
        struct.pack(">II", 1, 0) + struct.pack(">hhHHH", 500, 700, 0, 0x20, 0)


def _sfnt(tables: dict[bytes, bytes]) -> bytes:
    """Assemble the font file: offset table, table directory (sorted tags), padded tables, checksums."""
    count = len(tables)
    search = 2 ** (count.bit_length() - 1) * 16
    header = struct.pack(">IHHHH", 0x00010000, count, search, (search // 16).bit_length() - 1, count * 16 - search)
    offset = len(header) + 16 * count
    directory, data = b"", b""
    for tag in sorted(tables):
        body = tables[tag]
        directory += struct.pack(">4sIII", tag, _checksum(body), offset + len(data), len(body))
        data += body + b"\x00" * (-len(body) % 4)
    font = bytearray(header + directory + data)
    head = font.find(b"head", len(header))
    head_offset = struct.unpack(">I", font[head + 8: head + 12])[0]
    font[head_offset + 8: head_offset + 12] = struct.pack(">I", (0xB1B0AFBA - _checksum(bytes(font))) & 0xFFFFFFFF)
    return bytes(font)


def _checksum(data: bytes) -> int:
    padded = data + b"\x00" * (-len(data) % 4)
    return int(sum(struct.unpack(f">{len(padded) // 4}I", padded))) & 0xFFFFFFFF
