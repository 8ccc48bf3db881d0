"""Bodies and headers of the hostile corpus made at serve time (``generator`` and ``header_generator`` of a case):
compression bombs, oversized pages, a million links, a deep DOM, garbage; and the content codings."""

from __future__ import annotations

import random
import struct
import zlib
from collections.abc import Callable

import brotli
from backports import zstd

GIB = 1 << 30
_CHUNK = b" " * (1 << 20)


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
        encoded: bytes = brotli.compress(body, quality=5)
        return encoded
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
