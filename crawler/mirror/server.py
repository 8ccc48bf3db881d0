"""HTTP/1.1 server of one mirrored site: content negotiation, validators, caching.

Every request goes through ``MirrorServer.dispatch``: with a fault plan it first draws the request's fault
(see ``faults``) and answers 5xx, 429 and redirect-loop hops itself; otherwise it asks the site's routes for the
identity response, caches it, then negotiates the encoding (``br`` for HTML when accepted, else ``gzip``, else
identity) and answers conditional requests (If-None-Match first, else If-Modified-Since) with 304. The ETag is
strong, over the identity body. The handler carries out the transport faults (timeout, reset, truncated, trickle).
"""

from __future__ import annotations

import datetime as dt
import email.utils
import gzip
import hashlib
import os
import socket
import struct
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from email.message import Message
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import brotli

from crawler.mirror.accesslog import AccessLog
from crawler.mirror.cdn import CdnRoutes
from crawler.mirror.corpus import Corpus
from crawler.mirror.faults import TRICKLE_CHUNKS, TRICKLE_SECONDS, FaultPlan, error_page, loop_hop, next_hop
from crawler.mirror.hostile import HostileSite
from crawler.mirror.markup import esc
from crawler.mirror.procedural import Procedural, ProceduralRoutes
from crawler.mirror.response import HTML, Response
from crawler.mirror.routes import SiteRoutes

Headers = Message | Mapping[str, str]  # a request's headers: http.server's, or a plain dict in tests

_CACHE_LIMIT = 50_000


@dataclass(frozen=True)
class Reply:
    """What goes on the wire: status, headers (repeatable), body (empty for HEAD and 304) and transport fault."""

    status: int
    headers: list[tuple[str, str]]
    body: bytes
    fault: str = ""


def _accepted(header: str) -> set[str]:
    """Content codings accepted by an Accept-Encoding header (q=0 excluded)."""
    out = set()
    for item in header.split(","):
        name, _, params = item.strip().partition(";")
        q = params.strip().removeprefix("q=")
        if name and not (params and q.replace(".", "", 1).isdigit() and float(q) == 0):
            out.add(name.strip().lower())
    return out


class _Handler(BaseHTTPRequestHandler):
    """Hands every request to the server's dispatch and writes the reply."""

    protocol_version = "HTTP/1.1"
    wbufsize = 1 << 16
    disable_nagle_algorithm = True
    server: _HTTPServer

    def version_string(self) -> str:
        """Server header value."""
        return "nginx"

    def do_GET(self) -> None:  # noqa: N802 - http.server naming
        """Answer a GET."""
        self._answer("GET")

    def do_HEAD(self) -> None:  # noqa: N802
        """Answer a HEAD."""
        self._answer("HEAD")

    def _answer(self, method: str) -> None:
        mirror = self.server.mirror
        if mirror.access_log is not None:
            mirror.access_log.record(mirror.site, method, self.path)
        reply = mirror.dispatch(method, self.path, self.headers)
        if reply.fault == "reset":
            self.close_connection = True
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            os.close(self.connection.detach())
            return
        if reply.fault == "timeout":
            self.close_connection = True
            mirror.stopping.wait(mirror.faults.timeout if mirror.faults else 0)
            return
        self.send_response(reply.status)
        for name, value in reply.headers:
            self.send_header(name, value)
        self.end_headers()
        if reply.fault == "truncated":
            self.close_connection = True
            self.wfile.write(reply.body[: len(reply.body) // 2])
        elif reply.fault == "trickle":
            size = -(-len(reply.body) // TRICKLE_CHUNKS)
            for start in range(0, len(reply.body), size):
                self.wfile.write(reply.body[start: start + size])
                self.wfile.flush()
                if start + size < len(reply.body) and mirror.stopping.wait(
                        TRICKLE_SECONDS / TRICKLE_CHUNKS):
                    break
        elif reply.body:
            self.wfile.write(reply.body)

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        """Log a request line only when the server is verbose."""
        if self.server.mirror.verbose:
            super().log_message(format, *args)


class _HTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 128
    mirror: MirrorServer

    def handle_error(self, request: socket.socket | tuple[bytes, socket.socket], client_address: Any) -> None:
        """Stay quiet on client disconnects unless verbose."""
        if self.mirror.verbose:
            super().handle_error(request, client_address)


class MirrorServer:
    """One site of the mirror, listening on 127.0.0.1."""

    def __init__(self, site: str, corpus: Corpus | Procedural, host: str = "127.0.0.1", port: int = 0,
                 verbose: bool = False, faults: FaultPlan | None = None, crawl_delay: float | None = None,
                 hostile: HostileSite | None = None, cdn: str = "", extra_urls: int = 0,
                 access_log: AccessLog | None = None) -> None:
        """Bind the socket (port 0 picks a free port) and prepare the routes.

        Args:
            site: "clubic" or "numerama".
            corpus: the corpus to serve, or the plan of a procedural site (``procedural``).
            host: address to bind.
            port: port to bind, 0 for a free one.
            verbose: log every request to stderr.
            faults: faults to inject (None: none); one plan may be shared by both sites.
            crawl_delay: seconds of a ``Crawl-delay`` line in robots.txt (None: no such line).
            hostile: hostile inputs served before the site's routes (None: none).
            cdn: root of the mirror's CDN server, which the pages' images and font come from ("": this site
                answers those paths itself); ``site="cdn"`` makes this server that CDN.
            extra_urls: off-topic post URLs added to Numerama's sitemaps (see ``extras``).
            access_log: where every request is recorded (None: nowhere).
        """
        self.site = site
        self.access_log = access_log
        self.hostile = hostile
        self.verbose = verbose
        self.faults = faults
        self.stopping = threading.Event()
        self.httpd = _HTTPServer((host, port), _Handler)
        self.httpd.mirror = self
        self.port = self.httpd.server_address[1]
        self.root = f"http://{host}:{self.port}"
        self.routes: SiteRoutes | CdnRoutes
        if site == "cdn":
            self.routes = CdnRoutes()
        elif isinstance(corpus, Procedural):
            self.routes = ProceduralRoutes(site, corpus, self.root, crawl_delay, cdn, extra_urls)
        else:
            self.routes = SiteRoutes(site, corpus, self.root, crawl_delay, cdn, extra_urls)
        self._identity: dict[str, tuple[Response, str]] = {}
        self._encoded: dict[tuple[str, str], bytes] = {}
        self._thread: threading.Thread | None = None

    def start(self) -> MirrorServer:
        """Serve in a background thread.

        Returns:
            The server itself.
        """
        self._thread = threading.Thread(target=self.httpd.serve_forever, args=(0.1,), name=f"mirror-{self.site}",
                                        daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving (if started), end pending fault waits and close the socket."""
        self.stopping.set()
        if self._thread is not None:
            self.httpd.shutdown()
            self._thread.join(timeout=5)
        self.httpd.server_close()

    def _render(self, target: str) -> tuple[Response, str]:
        cached = self._identity.get(target)
        if cached is None:
            response = self.routes.route(target)
            cached = (response, '"' + hashlib.sha1(response.body).hexdigest()[:20] + '"')
            if len(self._identity) > _CACHE_LIMIT:
                self._identity.clear()
                self._encoded.clear()
            self._identity[target] = cached
        return cached

    def _encode(self, target: str, body: bytes, coding: str) -> bytes:
        key = (target, coding)
        data = self._encoded.get(key)
        if data is None:
            data = brotli.compress(body, quality=5) if coding == "br" else gzip.compress(body, compresslevel=6, mtime=0)
            self._encoded[key] = data
        return data

    def dispatch(self, method: str, target: str, headers: Headers) -> Reply:
        """Answer one request: the single dispatch point of the server, where faults are drawn.

        Args:
            method: "GET" or "HEAD".
            target: request target (path and query).
            headers: request headers (``email.message.Message``-like, with ``get``).

        Returns:
            The reply to write; its ``fault`` tells the handler to time out, reset, truncate or trickle.
        """
        if self.hostile is not None and (answer := self.hostile.answer(self.root, target)) is not None:
            status, out, body, case_fault = answer
            return Reply(status, out, b"" if method == "HEAD" else body, case_fault)
        if self.faults is None:
            return self._serve(method, target, headers)
        hop = loop_hop(target) if "redirect_loop" in self.faults.rates else None
        if hop is not None:
            return self._redirect(next_hop(target, hop + 1), method)
        fault, n, variant = self.faults.draw(self.site, target)
        if fault in ("5xx", "429"):
            status = 429 if fault == "429" else (500, 502, 503)[variant % 3]
            body = error_page(status)
            out = [("Content-Type", "text/html"), ("Content-Length", str(len(body)))]
            if status == 429:
                out.append(("Retry-After", str(1 + variant % 2)))
            reply = Reply(status, out, b"" if method == "HEAD" else body)
        elif fault == "redirect_loop":
            reply = self._redirect(next_hop(target, 1), method)
        elif fault in ("timeout", "reset"):
            reply = Reply(0, [], b"", fault)
        else:
            reply = self._serve(method, target, headers)
            if fault and reply.body:
                reply = Reply(reply.status, reply.headers, reply.body, fault)
            else:
                fault = None
        if fault:
            self.faults.record(site=self.site, method=method, target=target, n=n, fault=fault,
                               status=reply.status or None)
        return reply

    def _redirect(self, location: str, method: str) -> Reply:
        body = f'<html><body><p>Found: <a href="{esc(location)}">{esc(location)}</a></p></body></html>'.encode()
        out = [("Content-Type", HTML), ("Location", self.root + location), ("Content-Length", str(len(body)))]
        return Reply(302, out, b"" if method == "HEAD" else body)

    def _serve(self, method: str, target: str, headers: Headers) -> Reply:
        """The normal reply: cached identity response, validators and 304, content negotiation."""
        response, etag = self._render(target)
        out: list[tuple[str, str]] = [("Content-Type", response.content_type), *response.headers]
        if response.last_modified is not None:
            out += [("ETag", etag), ("Last-Modified", _http_date(response.last_modified))]
            if _not_modified(headers, etag, response.last_modified):
                return Reply(304, out, b"")
        body, coding = response.body, ""
        if response.encodable:
            accepted = _accepted(headers.get("Accept-Encoding", "") or "")
            if "br" in accepted and response.content_type == HTML:
                coding = "br"
            elif "gzip" in accepted or "x-gzip" in accepted:
                coding = "gzip"
            out.append(("Vary", "Accept-Encoding"))
        if coding:
            body = self._encode(target, body, coding)
            out.append(("Content-Encoding", coding))
        out.append(("Content-Length", str(len(body))))
        return Reply(response.status, out, b"" if method == "HEAD" else body)


def _http_date(moment: dt.datetime) -> str:
    """Format a datetime as an HTTP date (GMT)."""
    return email.utils.format_datetime(moment.astimezone(dt.UTC), usegmt=True)


def _not_modified(headers: Headers, etag: str, last_modified: dt.datetime) -> bool:
    """Whether a conditional request can be answered 304."""
    inm = headers.get("If-None-Match")
    if inm:
        tags = {t.strip().removeprefix("W/") for t in inm.split(",")}
        return "*" in tags or etag in tags
    ims = headers.get("If-Modified-Since")
    if ims:
        try:
            since = email.utils.parsedate_to_datetime(ims)
        except (TypeError, ValueError):
            return False
        return since.tzinfo is not None and last_modified.replace(microsecond=0) <= since
    return False
