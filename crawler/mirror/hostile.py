"""Hostile inputs served by the mirror (``--hostile DIR``): a corpus of pages, feeds, sitemaps and headers that
try to crash, exhaust or steer a crawler.

``DIR/cases.toml`` lists the cases (``[[case]]``): ``id``, ``site``, ``path``, optional ``status`` (200),
``headers`` (``[[name, value]]``, repeatable, sent as given; ``header_generator`` adds a name of ``bodies.``
``HEADER_GENERATORS``), the body (``file`` under DIR, or ``generator``, a name of ``bodies.``
``GENERATORS`` for large or binary bodies made at serve time), optional ``encoding`` (gzip, deflate, br
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
import threading
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from crawler.mirror import feeds
from crawler.mirror.bodies import GENERATORS, HEADER_GENERATORS, encode
from crawler.mirror.markup import Listing, esc
from crawler.mirror.skinned import ListEntry, listing_document
from crawler.mirror.skins import Skin

LISTING = "/tag/andromede/"
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


def _cases(data: dict[str, Any]) -> list[Case]:
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
