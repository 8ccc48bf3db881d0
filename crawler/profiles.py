"""Site profiles: each site is a TOML file (URL patterns, discovery, cleanup), found on the profile search path.

The search path, first match winning: files given with ``--profile`` (setting ``SOUVERAIN_PROFILES``), the
folders of ``SOUVERAIN_PROFILE_PATH`` (``os.pathsep``-separated), ``~/.config/souverain/profiles/``, then the
bundled ``crawler/profiles/``. A profile is known by its ``name`` key: a user file named like a bundled one
overrides it; two files of one name in the same place are refused.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from functools import cache, cached_property
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import regex

from crawler.discovery.listing import ListingRules
from crawler.profileschema import ProfileError, read_profile_file

PROFILE_DIR = Path(__file__).with_name("profiles")
PATH_VARIABLE = "SOUVERAIN_PROFILE_PATH"
USER_DIR = Path("~/.config/souverain/profiles")

__all__ = ["ProfileError", "SiteProfile", "find_profiles", "get_profile", "load_profiles", "profile_for_url"]


@dataclass(frozen=True)
class SiteProfile:
    """What souverain knows about one site: where it lives, what an article URL is, how to clean it."""

    name: str
    root: str
    allowed_hosts: tuple[str, ...]
    article_patterns: tuple[regex.Pattern[str], ...]
    next_page: str | None = None
    robots_sitemaps: bool = True
    sitemaps: tuple[str, ...] = ()
    sitemap_follow: tuple[regex.Pattern[str], ...] = ()
    sitemap_month: regex.Pattern[str] | None = None
    feeds: tuple[str, ...] = ()
    tag_page: str = ""
    tag_feed: str = ""
    search: str = ""
    max_listing_pages: int = 30
    max_idle_pages: int = 1
    listing: ListingRules = field(default_factory=ListingRules)
    revisit: dict[str, Any] = field(default_factory=dict)
    cleanup: dict[str, Any] = field(default_factory=dict)
    requisite_hosts: tuple[str, ...] = ()  # CDN hosts a kept article's style sheets, images, fonts may come from
    rules: frozenset[str] = field(default=frozenset(), compare=False)  # keys the file sets: urls.next_page…
    file: str = field(default="", compare=False)  # where it was read, and the SHA-256 of its bytes (run log)
    sha256: str = field(default="", compare=False)

    @classmethod
    def from_file(cls, path: Path) -> SiteProfile:
        """Load a profile from its TOML file.

        Args:
            path: the ``<site>.toml`` file.

        Returns:
            The profile.

        Raises:
            ProfileError: ``FILE: KEY: reason`` when the file cannot be read or a key is wrong.
        """
        data, sha256 = read_profile_file(path)
        urls, discovery = data.get("urls", {}), data.get("discovery", {})
        month = discovery.get("sitemap_month")
        return cls(
            name=data["name"],
            root=data["root"].rstrip("/"),
            allowed_hosts=tuple(data.get("allowed_hosts", ())),
            article_patterns=tuple(regex.compile(p, regex.VERSION0) for p in urls.get("article", ())),
            next_page=urls.get("next_page"),
            robots_sitemaps=discovery.get("robots_sitemaps", True),
            sitemaps=tuple(discovery.get("sitemaps", ())),
            sitemap_follow=tuple(regex.compile(p, regex.VERSION0) for p in discovery.get("sitemap_follow", ())),
            sitemap_month=regex.compile(month, regex.VERSION0) if month else None,
            feeds=tuple(discovery.get("feeds", ())),
            tag_page=discovery.get("tag_page", ""),
            tag_feed=discovery.get("tag_feed", ""),
            search=discovery.get("search", ""),
            max_listing_pages=int(discovery.get("max_listing_pages", 30)),
            max_idle_pages=int(discovery.get("max_idle_pages", 1)),
            listing=ListingRules.from_dict(data.get("listing", {})),
            revisit=data.get("revisit", {}),
            cleanup=data.get("cleanup", {}),
            requisite_hosts=tuple(h.lower() for h in data.get("requisites", {}).get("hosts", ())),
            rules=frozenset(f"{table}.{key}" for table, keys in data.items() if isinstance(keys, dict) for key in keys),
            file=str(path.resolve()),
            sha256=sha256,
        )

    @property
    def names_entry_points(self) -> bool:
        """Tell whether the profile names its feeds, tag pages and search (else pages are read for them)."""
        return bool(self.feeds and self.tag_page and self.search)

    def with_root(self, root: str) -> SiteProfile:
        """Return this profile pointed at another root (a mirror), which becomes an allowed host.

        Args:
            root: ``http(s)://host[:port]`` without a path.

        Returns:
            A copy of the profile whose URLs resolve against ``root``.
        """
        root = check_root(self.name, root)
        return replace(self, root=root, allowed_hosts=(urlsplit(root).netloc, *self.allowed_hosts))

    def with_cdn_root(self, root: str) -> SiteProfile:
        """Return this profile with its requisite (CDN) hosts replaced by the host of ``root`` (a mirror's CDN).

        Args:
            root: ``http(s)://host[:port]`` without a path.

        Returns:
            A copy of the profile whose requisites may come from that host only (besides the site's own).
        """
        root = check_root(self.name, root)
        return replace(self, requisite_hosts=(urlsplit(root).netloc.lower(),))

    @property
    def requisite_scope(self) -> frozenset[str]:
        """Return the host[:port] names a requisite may be fetched from: the site's own and its CDN hosts."""
        return self.hosts | frozenset(self.requisite_hosts)

    def url(self, path: str) -> str:
        """Return the absolute URL of a path on this site."""
        return self.root + path

    def is_own(self, url: str) -> bool:
        """Tell whether a URL is on one of the site's hosts (the root's, or an allowed one)."""
        parts = urlsplit(url)
        return parts.scheme in ("http", "https") and parts.netloc.lower() in self.hosts

    @cached_property
    def hosts(self) -> frozenset[str]:
        """Return the host[:port] names this site may be fetched from (asked for every URL a sitemap offers)."""
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
        _ = parts.port  # reading it raises ValueError on a bad port
    except ValueError as exc:
        raise ProfileError(f"bad root for {name}: {root!r} ({exc})") from None
    return f"{parts.scheme}://{parts.netloc}"


def search_path() -> list[Path]:
    """Return the folders profiles are looked for in, first match winning (``SOUVERAIN_PROFILE_PATH``, then
    ``~/.config/souverain/profiles``, then the bundled ones)."""
    extra = [Path(p).expanduser() for p in os.environ.get(PATH_VARIABLE, "").split(os.pathsep) if p.strip()]
    return [*extra, USER_DIR.expanduser(), PROFILE_DIR]


def find_profiles(files: Iterable[str | Path] = ()) -> dict[str, SiteProfile]:
    """Return every profile by site name: ``files`` first, then the search path's folders.

    Args:
        files: profile files given by the user (``--profile FILE``), which override any of their name.

    Returns:
        site name → profile.

    Raises:
        ProfileError: a file that cannot be used, or two files of one name in the same place.
    """
    places = [tuple(Path(f) for f in files)]
    places += [tuple(sorted(p for p in d.glob("*.toml") if p.is_file())) for d in search_path() if d.is_dir()]
    return dict(_profiles(tuple(tuple((p, *_signature(p)) for p in paths) for paths in places)))


def _signature(path: Path) -> tuple[int, int]:
    """Return what tells a profile file changed (modification time and size), (0, 0) when it cannot be read."""
    try:
        stat = path.stat()
    except OSError:
        return 0, 0
    return stat.st_mtime_ns, stat.st_size


@cache
def _profiles(places: tuple[tuple[tuple[Path, int, int], ...], ...]) -> tuple[tuple[str, SiteProfile], ...]:
    """Read the profiles of each place (its files with their signatures), once per process while they hold."""
    found: dict[str, SiteProfile] = {}
    for files in reversed(places):  # lowest first: each place overrides the ones after it
        here: dict[str, SiteProfile] = {}
        for profile in (SiteProfile.from_file(path) for path, _, _ in files):
            if profile.name in here:
                raise ProfileError(f"{profile.file}: name: {profile.name!r} is also the name of {here[profile.name].file}")
            here[profile.name] = profile
        found.update(here)
    return tuple(sorted(found.items()))


def load_profiles() -> dict[str, SiteProfile]:
    """Return every profile of the search path by site name (no ``--profile`` files)."""
    return find_profiles()


def get_profile(name: str, roots: dict[str, str] | None = None, files: Iterable[str | Path] = (),
                cdn_roots: dict[str, str] | None = None) -> SiteProfile:
    """Return the profile of a site, pointed at an overriding root (and CDN root) when one is given.

    Args:
        name: the site name.
        roots: site name → root URL overrides.
        files: profile files given by the user, looked in first.
        cdn_roots: site name → root URL replacing the profile's requisite hosts (``--cdn-root``).

    Returns:
        The profile.

    Raises:
        ProfileError: for an unknown site or a bad root.
    """
    profiles = find_profiles(files)
    if name not in profiles:
        raise ProfileError(f"unknown site {name!r} (known: {', '.join(sorted(profiles))})")
    profile = profiles[name]
    root, cdn = (roots or {}).get(name), (cdn_roots or {}).get(name)
    profile = profile.with_root(root) if root else profile
    return profile.with_cdn_root(cdn) if cdn else profile


def profile_for_url(url: str, files: Iterable[str | Path] = ()) -> SiteProfile | None:
    """Return the profile whose hosts hold ``url`` (those of ``files`` looked at first), or None."""
    given = {str(Path(f).resolve()) for f in files}
    profiles = sorted(find_profiles(files).values(), key=lambda p: p.file not in given)
    return next((p for p in profiles if p.is_own(url)), None)
