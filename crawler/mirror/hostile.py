"""Hostile inputs served by the mirror (``--hostile DIR``): a corpus of pages, feeds, sitemaps and headers that
try to crash, exhaust or steer a crawler.

``DIR/cases.toml`` lists the cases (``[[case]]``): ``id``, ``site``, ``path``, optional ``status`` (200),
``headers`` (``[[name, value]]``, repeatable, sent as given; ``header_generator`` adds a name of
``HEADER_GENERATORS``), the body (``file`` under DIR, or ``generator``, a
name of ``GENERATORS`` for large or binary bodies made at serve time), optional ``encoding`` (gzip, deflate, br
or zstd: the body is content-encoded and the header added), ``fault`` (``truncated``: the mirror's fault of that
name, half the body under the full Content-Length), ``listed`` (linked from the hostile listing, default: when
the path is article-shaped) and ``title``; the ``expect*`` fields are for the tests. ``@ROOT@`` in a body or
header becomes the site's root, ``@CANARY@`` the ``--hostile-canary`` URL (a server that must never be asked).

Each site also serves ``/tag/andromede/`` (a tag the topic reads and the mirror's corpus lacks), a listing of
its listed cases plus links no crawler should follow (numerama's links to a next page, ``/tag/andromede/page/2/``),
drawn with the mirror's skin;
numerama's robots.txt adds the ``robots`` cases and two forbidden sitemaps to its ``Sitemap:`` lines.
"""

from __future__ import annotations

import datetime as dt
import random
import struct
import threading
import tomllib
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import brotli
from backports import zstd

from crawler.mirror import feeds
from crawler.mirror.markup import Listing, esc
from crawler.mirror.skinned import ListEntry, listing_document
from crawler.mirror.skins import Skin

LISTING = "/tag/andromede/"
GIB = 1 << 30
_CHUNK = b" " * (1 << 20)
_ARTICLE_PATH = ("/actualite-", "/tech/")
FORBIDDEN_LINKS = ("@CANARY@/listing-link", "http://169.254.169.254/latest/meta-data/", "javascript:alert(1)",
                   "data:text/html,<h1>cloud souverain</h1>", "file:///etc/passwd", "http://localhost:1/admin",
                   "http://[::1]:1/", "http://10.0.0.1/cloud-souverain.html",
                   "@CANARY@/tech/990990-cloud-souverain.html")


@dataclass(frozen=True)
class Case:
    """One hostile input: where it is served and how."""

    id: str
    site: str
    path: str
    status: int = 200
    headers: tuple[tuple[str, str], ...] = ()
    header_generator: str = ""
    file: str = ""
    generator: str = ""
    encoding: str = ""
    fault: str = ""
    listed: bool = False
    robots: bool = False
    title: str = ""


def load_cases(folder: Path) -> list[Case]:
    """Read ``cases.toml`` of a hostile corpus.

    Args:
        folder: the corpus folder.

    Returns:
        The cases, in file order.

    Raises:
        ValueError: no readable ``cases.toml`` in the folder, or a case without its ``id``, ``site`` or ``path``.
    """
    source = folder / "cases.toml"
    try:
        data = tomllib.loads(source.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ValueError(f"cannot read {source}: {exc.strerror or exc} (--hostile wants a folder holding a "
                         "cases.toml, e.g. tests/hostile)") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ValueError(f"{source} is not valid TOML: {exc}") from None
    try:
        return _cases(data)
    except (KeyError, TypeError, AttributeError) as exc:
        raise ValueError(f"{source}: a [[case]] lacks a field or has one of the wrong type ({exc!r})") from None


def _cases(data: dict) -> list[Case]:
    """Return the cases of a parsed ``cases.toml``."""
    cases = []
    for entry in data["case"]:
        listed = entry.get("listed", entry["path"].startswith(_ARTICLE_PATH))
        cases.append(Case(id=entry["id"], site=entry["site"], path=entry["path"], status=entry.get("status", 200),
                          headers=tuple((k, v) for k, v in entry.get("headers", ())),
                          header_generator=entry.get("header_generator", ""), file=entry.get("file", ""),
                          generator=entry.get("generator", ""), encoding=entry.get("encoding", ""),
                          fault=entry.get("fault", ""), listed=listed, robots=entry.get("robots", False),
                          title=entry.get("title", "")))
    return cases


def _stream(compress: Callable[[bytes], bytes], flush: Callable[[], bytes], size: int) -> bytes:
    """Compress ``size`` bytes of spaces chunk by chunk (a bomb never exists decompressed here)."""
    return b"".join([*(compress(_CHUNK) for _ in range(size // len(_CHUNK))), flush()])


def _deflate_bomb(coding: str) -> bytes:
    """Return 1 GiB of spaces as a gzip or zlib stream, in well under a second.

    After a full flush the compressor forgets its window, so every 1 MiB chunk of spaces compresses to the same
    bytes: one chunk is compressed and repeated, and the checksum is computed chunk by chunk. Compressing the
    whole GiB took 8-15 s on a loaded machine, longer than a crawler's download timeout.
    """
    raw = zlib.compressobj(9, zlib.DEFLATED, -15)
    count = GIB // len(_CHUNK)
    body = (raw.compress(_CHUNK) + raw.flush(zlib.Z_FULL_FLUSH)) * count + raw.flush()
    if coding == "gzip":
        crc = 0
        for _ in range(count):
            crc = zlib.crc32(_CHUNK, crc)
        return b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x02\xff" + body + struct.pack("<II", crc, GIB & 0xFFFFFFFF)
    adler = 1
    for _ in range(count):
        adler = zlib.adler32(_CHUNK, adler)
    return b"\x78\xda" + body + struct.pack(">I", adler)


def _bomb(coding: str) -> bytes:
    """Return 1 GiB of spaces compressed with a content coding."""
    if coding in ("gzip", "deflate"):
        return _deflate_bomb(coding)
    if coding == "br":
        br = brotli.Compressor(quality=5)
        return _stream(br.process, br.finish, GIB)
    zs = zstd.ZstdCompressor(level=3)
    return _stream(zs.compress, zs.flush, GIB)


def encode(body: bytes, coding: str) -> bytes:
    """Content-encode a body (gzip, deflate, br, zstd).

    Args:
        body: identity bytes.
        coding: the content coding.

    Returns:
        The encoded bytes.
    """
    if coding in ("gzip", "deflate"):
        gz = zlib.compressobj(6, zlib.DEFLATED, 31 if coding == "gzip" else 15)
        return gz.compress(body) + gz.flush()
    if coding == "br":
        return brotli.compress(body, quality=5)
    return zstd.compress(body)


def _article(title: str, inner: str, related: str = "") -> bytes:
    """An on-topic article page around some extra markup."""
    text = ("<p>Le cloud souverain français avance : Numergy et Cloudwatt, lancés en 2012 avec la Caisse des dépôts, "
            "devaient offrir un hébergement de confiance. Numergy, porté par SFR et Bull, et Cloudwatt, porté par "
            "Orange et Thales, ont été absorbés en 2015. Le label SecNumCloud de l'ANSSI a pris le relais.</p>") * 4
    return (f"<!DOCTYPE html><html lang=\"fr\"><head><meta charset=\"utf-8\"><title>{title}</title></head><body>"
            f"<article><h1>{title}</h1>{inner}{text}</article>{related}</body></html>").encode()


def _links(count: int) -> str:
    """A related-articles section of ``count`` links."""
    return ("<section class=\"related-article related-news\">"
            + "".join(f"<a href=\"/tech/{n}-x.html\">x</a>" for n in range(count)) + "</section>")


def _big_listing(count: int) -> bytes:
    """A numerama listing page of ``count`` entries."""
    entries = "".join(f"<article><h2><a href=\"/tech/{n}-x.html\">x</a></h2></article>" for n in range(count))
    return f"<html><body><div class=\"archive-posts\">{entries}</div></body></html>".encode()


def _garbage(size: int) -> bytes:
    """Random bytes (seeded)."""
    return random.Random(6).randbytes(size)


GENERATORS: dict[str, Callable[[], bytes]] = {
    "oversize": lambda: b"<html><body>" + b"<p>cloud souverain</p>" * (50 * (1 << 20) // 22) + b"</body></html>",
    "gzip_bomb": lambda: _bomb("gzip"),
    "deflate_bomb": lambda: _bomb("deflate"),
    "brotli_bomb": lambda: _bomb("br"),
    "zstd_bomb": lambda: _bomb("zstd"),
    "million_links": lambda: encode(_article("Cloud souverain : un million de liens", "", _links(1_000_000)), "gzip"),
    "many_related": lambda: _article("Cloud souverain : cinquante mille liens", "", _links(50_000)),
    "deep_dom": lambda: _article("Cloud souverain : un DOM de 10 000 niveaux", "<div>" * 10_000 + "<p>fond</p>"
                                 + "</div>" * 10_000),
    "big_listing": lambda: _big_listing(30_000),
    "garbage": lambda: _garbage(64 * 1024),
}

HEADER_GENERATORS: dict[str, Callable[[], list[tuple[str, str]]]] = {
    "huge_cookie": lambda: [("Set-Cookie", "a=" + "x" * 60_000)],
    "many_headers": lambda: [(f"X-Hostile-{n}", "v") for n in range(1000)],
}


def _with_length(status: int, headers: list[tuple[str, str]], body: bytes,
                 fault: str = "") -> tuple[int, list[tuple[str, str]], bytes, str]:
    """Return a reply, with a Content-Length unless its headers set one or close the connection instead."""
    names = {name.lower() for name, _ in headers}
    if "content-length" not in names and "connection" not in names:
        headers = [*headers, ("Content-Length", str(len(body)))]
    return status, headers, body, fault


class HostileSite:
    """The hostile routes of one site of the mirror."""

    def __init__(self, site: str, folder: Path, cases: list[Case], canary: str, skin: Skin | None = None) -> None:
        """Index the site's cases.

        Args:
            site: "clubic" or "numerama".
            folder: the corpus folder (``file`` paths are relative to it).
            cases: every case of the corpus.
            canary: URL of a server no request may reach (replaces ``@CANARY@``).
            skin: the skin the hostile listing is drawn with (None: the default markup).
        """
        self.site = site
        self.skin = skin
        self.folder = folder
        self.canary = canary
        self.cases = {c.path: c for c in cases if c.site == site}
        self._bodies: dict[str, bytes] = {}
        # One lock a case: a small page never waits while another thread makes a 1 GiB bomb.
        self._locks = {c.id: threading.Lock() for c in self.cases.values()}

    def answer(self, root: str, target: str) -> tuple[int, list[tuple[str, str]], bytes, str] | None:
        """Answer a request target if it is a hostile one.

        Args:
            root: the site's root URL.
            target: the request target.

        Returns:
            (status, headers, body, fault) or None for a target the normal routes serve.
        """
        if target == LISTING:
            return _with_length(200, [("Content-Type", "text/html; charset=UTF-8")], self._listing(root))
        if target == "/robots.txt" and self.site == "numerama":
            extra = [f"Sitemap: {root}{c.path}" for c in self.cases.values() if c.robots]
            extra += [f"Sitemap: {self.canary}/sitemap.xml", "Sitemap: http://169.254.169.254/sitemap.xml"]
            body = (feeds.robots(root, None).rstrip("\n") + "\n" + "\n".join(extra) + "\n").encode()
            return _with_length(200, [("Content-Type", "text/plain; charset=UTF-8")], body)
        case = self.cases.get(target)
        if case is None:
            return None
        body = self._body(case, root)
        headers = [(k, self._fill(v.encode(), root).decode()) for k, v in case.headers]
        headers += HEADER_GENERATORS[case.header_generator]() if case.header_generator else []
        if case.encoding:
            headers.append(("Content-Encoding", case.encoding))
        return _with_length(case.status, headers, body, case.fault)

    def _fill(self, data: bytes, root: str) -> bytes:
        return data.replace(b"@ROOT@", root.encode()).replace(b"@CANARY@", self.canary.encode())

    def _body(self, case: Case, root: str) -> bytes:
        with self._locks[case.id]:
            body = self._bodies.get(case.id)
            if body is None:
                if case.generator:
                    body = GENERATORS[case.generator]()
                else:
                    body = self._fill((self.folder / case.file).read_bytes(), root) if case.file else b""
                    body = encode(body, case.encoding) if case.encoding else body
                self._bodies[case.id] = body
            return body

    def _listing(self, root: str) -> bytes:
        """The hostile listing: every listed case of the site, then links to forbidden targets."""
        links = [(root + c.path, c.title or f"Cloud souverain : Numergy et Cloudwatt ({c.id})")
                 for c in self.cases.values() if c.listed]
        links += [(self._fill(u.encode(), root).decode(), "Cloud souverain : Numergy et Cloudwatt")
                  for u in FORBIDDEN_LINKS]
        when = '<time datetime="2015-10-01T10:00:00+02:00">1 octobre 2015</time>'
        snippet = "Le cloud souverain : Numergy, Cloudwatt et SecNumCloud."
        if self.skin is not None:
            published = dt.datetime(2015, 10, 1, 10, tzinfo=dt.timezone(dt.timedelta(hours=2)))
            entries = [ListEntry(u, t, snippet, published) for u, t in links]
            following = f"{root}{LISTING}page/2/" if self.site == "numerama" else None
            listing = Listing("Andromède", entries, 1, 2 if following else 1, None, following,
                              (root + LISTING, following) if following else (root + LISTING,))
            return listing_document(self.skin, self.site, root, listing).encode()
        if self.site == "numerama":
            items = "".join(f'<article><h2><a href="{esc(u)}">{esc(t)}</a></h2>{when}'
                            f'<p class="post-grid_excerpt">{snippet}</p></article>' for u, t in links)
            page = (f'<div class="archive-posts">{items}</div>'
                    f'<a class="next page-numbers" href="{root}{LISTING}page/2/">Suivant</a>')
        else:
            page = "".join(f'<div class="posts"><a href="{esc(u)}"><h3>{esc(t)}</h3></a>{when}'
                           f'<p class="post-excerpt">{snippet}</p></div>' for u, t in links)
        return f"<!DOCTYPE html><html><head><title>Andromède</title></head><body>{page}</body></html>".encode()
