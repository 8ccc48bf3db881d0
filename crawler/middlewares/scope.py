"""Scope: a request goes to the network only when its URL is http(s) on one of the spider's site hosts.

Pages, redirects, meta refreshes, sitemaps and feeds come from servers we do not control: a link or a
``Location`` to ``file:``, ``data:``, ``javascript:``, a cloud metadata address (169.254.169.254), another port
of localhost or any host outside the profile would otherwise make the crawler fetch it. Scrapy's
OffsiteMiddleware compares host names without ports (``allowed_domains``), so it lets through every port of
127.0.0.1 when a mirror runs there; this middleware compares ``host[:port]`` with ``spider.profile.hosts``.
A page requisite (``meta["kind"] == "requisite"``) and the robots.txt of a requisite host may also go to the
profile's CDN hosts (``[requisites] hosts``, or ``--cdn-root``): ``spider.profile.requisite_scope``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from scrapy.exceptions import IgnoreRequest, NotConfigured

from crawler.signals import attempt_failed

if TYPE_CHECKING:
    from scrapy import Request
    from scrapy.crawler import Crawler

SCHEMES = ("http", "https")
DEFAULT_PORTS = {"http": 80, "https": 443}


def out_of_scope(url: str, hosts: frozenset[str]) -> str | None:
    """Return why a URL may not be fetched, or None when it is in scope.

    Args:
        url: the request URL.
        hosts: the ``host[:port]`` names allowed (lower case, as ``SiteProfile.hosts``).

    Returns:
        The reason (scheme, credentials, host or port), or None.
    """
    parts = urlsplit(url)
    if parts.scheme not in SCHEMES:
        return f"scheme {parts.scheme or 'none'!r} is not http(s)"
    if "@" in parts.netloc:
        return "credentials in the URL"
    try:
        port = parts.port
    except ValueError:
        return "bad port"
    host = (parts.hostname or "").lower()
    port = port or DEFAULT_PORTS[parts.scheme]
    netloc = host if port == DEFAULT_PORTS[parts.scheme] else f"{host}:{port}"
    if netloc not in hosts and f"{host}:{port}" not in hosts:  # a host may be listed with its default port
        return f"host {netloc or 'none'!r} is not one of the site's hosts"
    return None


class SiteScope:
    """Downloader middleware, before robots.txt is asked: refuses any request outside the site's hosts."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> SiteScope:
        """Build the middleware; ``SCOPE_ENABLED=False`` switches it off."""
        if not crawler.settings.getbool("SCOPE_ENABLED"):
            raise NotConfigured("SCOPE_ENABLED is off")
        return cls(crawler)

    def process_request(self, request: Request) -> None:
        """Let an in-scope request through; refuse any other, with the reason in the run report."""
        profile = getattr(self.crawler.spider, "profile", None)
        if profile is None:
            return
        hosts = profile.hosts
        if request.meta.get("kind") == "requisite" or urlsplit(request.url).path == "/robots.txt":
            hosts = profile.requisite_scope
        reason = out_of_scope(request.url, hosts)
        if reason is None:
            return
        reason = f"out of scope: {reason}"
        self.crawler.stats.inc_value("scope/refused")
        self.crawler.signals.send_catch_log(attempt_failed, request=request, reason=reason, attempt=1,
                                            retry=False, wait=0.0)
        raise IgnoreRequest(reason)
