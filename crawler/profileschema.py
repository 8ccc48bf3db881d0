"""What a profile file may hold, key by key (docs/profiles.md): every value is checked before a crawl uses it.

A profile is user input: an unknown key (a typo silently ignored would be worse), a pattern that does not
compile or backtracks catastrophically, an XPath lxml refuses, a root that is no http(s) site of its own hosts
are refused with the file, the key and the reason in one line.
"""

from __future__ import annotations

import hashlib
import re
import tomllib
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import regex
from lxml import etree

from archive.text.metadata import DEFAULT_DATE_SOURCES
from crawler.requisites import is_private_host

MAX_PROFILE_BYTES = 1024 * 1024
NAME = re.compile(r"[a-z0-9][a-z0-9_-]{0,63}")  # a site name becomes a folder (articles/<site>/) and a spider
# A pattern meets hostile URLs and texts: one that takes more than PROBE_SECONDS on any of these is catastrophic.
PROBES = tuple(f"{head}{unit * 2500}!" for head in ("", "/") for unit in ("a", "1", "a-", "a ", "a/", "é"))
PROBE_SECONDS = 0.25

# table → key → kind of value; "" is the top level.
SCHEMA: dict[str, dict[str, str]] = {
    "": {"name": "name", "root": "root", "allowed_hosts": "hosts", "urls": "table", "discovery": "table",
         "revisit": "table", "listing": "table", "cleanup": "table", "requisites": "table"},
    "urls": {"article": "regexes", "next_page": "xpath"},
    "discovery": {"robots_sitemaps": "bool", "sitemaps": "paths", "sitemap_follow": "regexes",
                  "sitemap_month": "month_regex", "feeds": "paths", "tag_page": "template:tag",
                  "tag_feed": "template:tag", "search": "template:query", "max_listing_pages": "count",
                  "max_idle_pages": "count"},
    "revisit": {"recent_days": "number", "recent_every_hours": "number", "old_every_days": "number",
                "discovery_min_hours": "number", "discovery_max_days": "number", "gone_days": "number"},
    "listing": {key: "xpath" for key in ("entry", "link", "title", "snippet", "date", "next", "related")},
    "requisites": {"hosts": "public_hosts"},
    "cleanup": {"drop_xpaths": "xpaths", "body_xpath": "xpath", "cut_markers": "regexes", "drop_lines": "regexes",
                "title_suffix": "regex", "date_sources": "date_sources"},
}
LIST_OF = {"regexes": "regex", "xpaths": "xpath", "paths": "path", "hosts": "host", "date_sources": "date_source",
           "public_hosts": "public_host"}
REQUIRED = ("name", "root", "allowed_hosts", "urls.article")


class ProfileError(ValueError):
    """A profile name, file or root URL that cannot be used."""


def read_profile_file(path: Path) -> tuple[dict[str, Any], str]:
    """Read and check a profile file.

    Args:
        path: the ``.toml`` file.

    Returns:
        Its tables (every key known, every value of the kind its key needs) and the SHA-256 of its bytes.

    Raises:
        ProfileError: ``FILE: KEY: reason`` for the first thing wrong.
    """
    try:
        with path.open("rb") as stream:
            raw = stream.read(MAX_PROFILE_BYTES + 1)
    except OSError as exc:
        raise ProfileError(f"{path}: cannot read: {exc.strerror or exc}") from None
    if len(raw) > MAX_PROFILE_BYTES:
        raise ProfileError(f"{path}: larger than {MAX_PROFILE_BYTES:,} bytes: not a profile")
    try:
        data = tomllib.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise ProfileError(f"{path}: not a TOML file: {exc}") from None
    for key in REQUIRED:
        table, _, name = key.rpartition(".")
        if name not in (data.get(table, {}) if table else data):
            raise ProfileError(f"{path}: {key}: missing (a profile needs {', '.join(REQUIRED)})")
    for table, keys in SCHEMA.items():
        values = data if not table else data.get(table, {})
        if not isinstance(values, dict):
            raise ProfileError(f"{path}: {table}: not a table")
        for key, value in values.items():
            where = f"{table}.{key}" if table else key
            if key not in keys:
                raise ProfileError(f"{path}: {where}: unknown key (known in {f'[{table}]' if table else 'the top level'}:"
                                   f" {', '.join(keys)})")
            if reason := check_value(keys[key], value):
                raise ProfileError(f"{path}: {where}: {reason}")
    root = urlsplit(data["root"])
    if root.netloc.lower() not in {h.lower() for h in data["allowed_hosts"]}:
        raise ProfileError(f"{path}: root: host {root.netloc!r} is not in allowed_hosts {data['allowed_hosts']}")
    return data, hashlib.sha256(raw).hexdigest()


def check_value(kind: str, value: Any) -> str | None:
    """Return why a value cannot be of a kind of the schema, or None when it is fine."""
    if kind == "table":
        return None if isinstance(value, dict) else "not a table"
    if kind == "bool":
        return None if isinstance(value, bool) else "not true or false"
    if kind in ("count", "number"):
        whole = isinstance(value, int) and not isinstance(value, bool)
        if kind == "count":
            return None if whole and 0 <= value <= 10_000 else "not a whole number from 0 to 10000"
        return None if (whole or isinstance(value, float)) and 0 <= value <= 1e6 else "not a number from 0 to 1e6"
    if kind in LIST_OF:
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value) or len(value) > 200:
            return "not a list of at most 200 strings"
        return next((f"[{i}]: {reason}" for i, v in enumerate(value) if (reason := check_value(LIST_OF[kind], v))),
                    None)
    if not isinstance(value, str) or len(value) > 10_000:
        return "not a string of at most 10,000 characters"
    return check_string(kind, value)


def check_string(kind: str, value: str) -> str | None:
    """Return why a string cannot be of a kind of the schema, or None."""
    if kind == "name":
        return None if NAME.fullmatch(value) else f"{value!r} is not a site name (a-z, 0-9, - and _, at most 64)"
    if kind == "root":
        parts = urlsplit(value)
        if parts.scheme not in ("http", "https") or not parts.hostname or parts.path.strip("/") or parts.query:
            return f"{value!r} is not an http(s)://host[:port] URL"
        return None
    if kind in ("host", "public_host"):
        if not re.fullmatch(r"[A-Za-z0-9.-]+(?::\d{1,5})?", value):
            return f"{value!r} is not a host[:port]"
        if kind == "public_host" and is_private_host(value):
            return (f"{value!r} is loopback, link-local or private: a requisite host there is given with "
                    "--cdn-root, not in a profile")
        return None
    if kind == "path":
        return None if value.startswith("/") else f"{value!r} is not a path starting with /"
    if kind.startswith("template:"):
        field = kind.partition(":")[2]
        if value and (not value.startswith("/") or "{" + field + "}" not in value):
            return f"{value!r} is not a path starting with / holding {{{field}}}"
        return None
    if kind == "date_source":
        return None if value in DEFAULT_DATE_SOURCES else f"{value!r} is not one of {', '.join(DEFAULT_DATE_SOURCES)}"
    if kind == "xpath":
        try:
            etree.XPath(value)
        except etree.XPathError as exc:
            return f"bad XPath {value[:80]!r}: {exc}"
        return None
    return check_regex(value, kind == "month_regex")


def check_regex(source: str, month: bool = False) -> str | None:
    """Return why a pattern cannot be used (no compile, catastrophic backtracking, missing groups), or None."""
    try:
        compiled = regex.compile(source, regex.VERSION0)  # the engine the crawl runs them with
    except (regex.error, ValueError, OverflowError, RecursionError) as exc:
        return f"bad regex {source[:80]!r}: {exc}"
    if month and not {"year", "month"} <= set(compiled.groupindex):
        return f"regex {source[:80]!r} lacks the named groups (?P<year>…) and (?P<month>…)"
    for probe in PROBES:
        try:
            compiled.search(probe, timeout=PROBE_SECONDS)
        except TimeoutError:
            return (f"catastrophic regex {source[:80]!r}: more than {PROBE_SECONDS} s on a {len(probe)}-character "
                    f"text (nested repetition?)")
    return None
