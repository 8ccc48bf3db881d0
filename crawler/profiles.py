"""Site profiles: each site is a TOML file in ``crawler/profiles/`` (URL patterns, discovery, cleanup)."""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field, replace
from functools import cache
from pathlib import Path
from urllib.parse import urlsplit

from crawler.discovery.listing import ListingRules

PROFILE_DIR = Path(__file__).with_name("profiles")


class ProfileError(ValueError):
    """A profile name, file or root URL that cannot be used."""


@dataclass(frozen=True)
class SiteProfile:
    """What souverain knows about one site: where it lives, what an article URL is, how to clean it."""

    name: str
    root: str
    allowed_hosts: tuple[str, ...]
    article_patterns: tuple[re.Pattern[str], ...]
    next_page: str | None = None
    robots_sitemaps: bool = True
    sitemaps: tuple[str, ...] = ()
    sitemap_follow: tuple[re.Pattern[str], ...] = ()
    sitemap_month: re.Pattern[str] | None = None
    feeds: tuple[str, ...] = ()
    tag_page: str = ""
    tag_feed: str = ""
    search: str = ""
    max_listing_pages: int = 30
    max_idle_pages: int = 1
    listing: ListingRules = field(default_factory=ListingRules)
    revisit: dict = field(default_factory=dict)
    cleanup: dict = field(default_factory=dict)

    @classmethod
    def from_file(cls, path: Path) -> SiteProfile:
        """Load a profile from its TOML file.

        Args:
            path: the ``<site>.toml`` file.

        Returns:
            The profile.
        """
        data = tomllib.loads(path.read_text(encoding="utf-8"))
        urls, discovery = data.get("urls", {}), data.get("discovery", {})
        month = discovery.get("sitemap_month")
        return cls(
            name=data["name"],
            root=data["root"].rstrip("/"),
            allowed_hosts=tuple(data.get("allowed_hosts", ())),
            article_patterns=tuple(re.compile(p) for p in urls.get("article", ())),
            next_page=urls.get("next_page"),
            robots_sitemaps=discovery.get("robots_sitemaps", True),
            sitemaps=tuple(discovery.get("sitemaps", ())),
            sitemap_follow=tuple(re.compile(p) for p in discovery.get("sitemap_follow", ())),
            sitemap_month=re.compile(month) if month else None,
            feeds=tuple(discovery.get("feeds", ())),
            tag_page=discovery.get("tag_page", ""),
            tag_feed=discovery.get("tag_feed", ""),
            search=discovery.get("search", ""),
            max_listing_pages=int(discovery.get("max_listing_pages", 30)),
            max_idle_pages=int(discovery.get("max_idle_pages", 1)),
            listing=ListingRules.from_dict(data.get("listing", {})),
            revisit=data.get("revisit", {}),
            cleanup=data.get("cleanup", {}),
        )

    def with_root(self, root: str) -> SiteProfile:
        """Return this profile pointed at another root (a mirror), which becomes an allowed host.

        Args:
            root: ``http(s)://host[:port]`` without a path.

        Returns:
            A copy of the profile whose URLs resolve against ``root``.
        """
        root = check_root(self.name, root)
        return replace(self, root=root, allowed_hosts=(urlsplit(root).netloc, *self.allowed_hosts))

    def url(self, path: str) -> str:
        """Return the absolute URL of a path on this site."""
        return self.root + path

    def is_own(self, url: str) -> bool:
        """Tell whether a URL is on one of the site's hosts (the root's, or an allowed one)."""
        parts = urlsplit(url)
        return parts.scheme in ("http", "https") and parts.netloc.lower() in self.hosts

    @property
    def hosts(self) -> frozenset[str]:
        """Return the host[:port] names this site may be fetched from."""
        return frozenset({urlsplit(self.root).netloc.lower(), *(h.lower() for h in self.allowed_hosts)})

    def follows_sitemap(self, url: str) -> bool:
        """Tell whether a sitemap listed in a sitemap index is one to read (``sitemap_follow``; all if empty)."""
        return self.is_own(url) and (not self.sitemap_follow or any(p.search(url) for p in self.sitemap_follow))

    def sitemap_month_of(self, url: str) -> tuple[int, int] | None:
        """Return the (year, month) a monthly sitemap covers, read from its URL with ``sitemap_month``."""
        found = self.sitemap_month.search(url) if self.sitemap_month else None
        return (int(found["year"]), int(found["month"])) if found else None

    def match_article(self, url: str) -> dict[str, str] | None:
        """Match a URL against the article patterns.

        Args:
            url: an absolute URL.

        Returns:
            The pattern's named groups (``id``, ``slug``, ``page``…) or None when it is no article URL
            of this site.
        """
        if not self.is_own(url):
            return None
        parts = urlsplit(url)
        if parts.query:
            return None
        for pattern in self.article_patterns:
            found = pattern.match(parts.path)
            if found:
                return {k: v for k, v in found.groupdict().items() if v is not None}
        return None


def check_root(name: str, root: str) -> str:
    """Validate a site root given by a user.

    Args:
        name: the site the root is for (for the error message).
        root: the URL given.

    Returns:
        The root without a trailing slash.

    Raises:
        ProfileError: when it is not an ``http(s)://host[:port]`` URL.
    """
    parts = urlsplit(root.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname or parts.path.strip("/") or parts.query:
        raise ProfileError(f"bad root for {name}: {root!r} (expected http(s)://host[:port])")
    try:
        parts.port
    except ValueError as exc:
        raise ProfileError(f"bad root for {name}: {root!r} ({exc})") from None
    return f"{parts.scheme}://{parts.netloc}"


@cache
def load_profiles() -> dict[str, SiteProfile]:
    """Return every bundled profile by site name."""
    return {p.name: p for p in map(SiteProfile.from_file, sorted(PROFILE_DIR.glob("*.toml")))}


def get_profile(name: str, roots: dict[str, str] | None = None) -> SiteProfile:
    """Return the profile of a site, pointed at an overriding root when one is given.

    Args:
        name: the site name.
        roots: site name → root URL overrides.

    Returns:
        The profile.

    Raises:
        ProfileError: for an unknown site or a bad root.
    """
    profiles = load_profiles()
    if name not in profiles:
        raise ProfileError(f"unknown site {name!r} (known: {', '.join(sorted(profiles))})")
    profile = profiles[name]
    root = (roots or {}).get(name)
    return profile.with_root(root) if root else profile


def profile_for_url(url: str) -> SiteProfile | None:
    """Return the bundled profile whose hosts hold ``url``, or None."""
    return next((p for p in load_profiles().values() if p.is_own(url)), None)
