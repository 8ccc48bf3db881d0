"""Dated article files: ``articles/<site>/<YYYY>/<MM>/<DD>/<slug>.txt`` and ``.json``."""

from __future__ import annotations

import hashlib
import json
import re
import unicodedata
from collections.abc import Callable
from datetime import datetime
from itertools import chain, count
from pathlib import Path, PurePosixPath
from typing import Any
from urllib.parse import urlsplit

from archive.fsutil import atomic_write_text
from archive.warc.writer import Capture

Reserve = Callable[[Path, str], bool]  # (stem relative to OUT, URL) -> whether the URL holds that name now
MAX_SLUG = 120  # stem + "-" + 40-hex hash + "-<n>" + ".v<version>.json" stays far below 255 bytes
MIN_YEAR, MAX_YEAR = 1970, 2100  # a publication date outside this range from a page is not believed
_UNSAFE = re.compile(r"[^a-z0-9_-]+")  # no dot: a stem can never look like another's ``<stem>.v2``
# What ``article_stem`` returns, relative to OUT: a stem read from a run log must look like this.
STEM = re.compile(r"articles/[a-z0-9_-]{1,130}/(?:\d{4}/\d{2}/\d{2}|undated)/[a-z0-9_-]{1,250}")
_RESERVED = {"con", "prn", "aux", "nul", *(f"com{i}" for i in range(10)), *(f"lpt{i}" for i in range(10))}


def safe_name(text: str, *, fallback: str = "article") -> str:
    """Turn any string into a portable file-name stem: ASCII, lower case, no separators, no dots.

    Lookalikes fold to ASCII or vanish (NFKD: fullwidth ``Ａ`` → ``a``, ``é`` → ``e``; Cyrillic ``а``,
    bidi overrides and zero-width joiners are dropped); since every stem is lower case, two names that differ
    only in case on a case-insensitive file system cannot both be produced.

    Args:
        text: a URL segment, title or header value.
        fallback: the stem used when nothing usable is left.

    Returns:
        A non-empty stem of at most ``MAX_SLUG`` characters (``[a-z0-9_-]``) that cannot leave its folder.
    """
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii").lower()
    stem = _UNSAFE.sub("-", folded).strip("-_")
    stem = re.sub(r"-{2,}", "-", stem)[:MAX_SLUG].strip("-_")
    if not stem or stem in _RESERVED:
        stem = f"{fallback}-{stem}" if stem else fallback
    return stem


def slug_for_url(url: str) -> str:
    """Return the readable file stem of an article URL: its last path segment without extension.

    Args:
        url: the article URL.

    Returns:
        A safe stem, e.g. ``133600-le-cloud-souverain-de-numergy`` for a Numerama article.
    """
    try:
        segment = PurePosixPath(urlsplit(url).path).name
    except ValueError:  # a bad IPv6 literal: the URL is only text then
        segment = url.rsplit("/", 1)[-1]
    return safe_name(re.sub(r"\.(html?|php|aspx?)$", "", segment, flags=re.I))


def date_folder(published: object) -> PurePosixPath:
    """Return ``YYYY/MM/DD`` for a real ISO 8601 publication date (in its own offset), else ``undated``.

    Args:
        published: the page's ISO 8601 date or date-time, or None; anything else, a date that does not exist
            (``2015-13-45``) or a year outside ``MIN_YEAR``..``MAX_YEAR`` gives ``undated``.

    Returns:
        The relative folder for the article's files.
    """
    try:
        when = datetime.fromisoformat(published) if isinstance(published, str) else None
    except ValueError:
        when = None
    if when is None or not MIN_YEAR <= when.year <= MAX_YEAR:
        return PurePosixPath("undated")
    return PurePosixPath(f"{when.year:04d}", f"{when.month:02d}", f"{when.day:02d}")


UNREADABLE = object()  # the holder of a stem whose JSON file names no URL: equal to no URL, not even ""


def article_stem(root: Path, site: str, record: dict[str, Any], claimed: dict[Path, str] | None = None,
                 reserve: Reserve | None = None) -> Path:
    """Return the path (without suffix) where an article's files go; distinct URLs never share one.

    Args:
        root: the output folder (``OUT``).
        site: the site name (a profile name).
        record: the article record; ``url`` and ``published`` are used.
        claimed: stems being written right now, with their URL (files not on disk yet).
        reserve: asked last for a name free here: ``reserve(stem relative to root, url)`` takes it for the URL
            wherever else it could be written (the workers of a distributed run), False when another URL has it.

    Returns:
        ``root/articles/<site>/<date folder>/<slug>``; when another URL holds that name (on disk, in ``claimed``
        or in ``reserve``), the first free one of ``<slug>-<10 hex of the URL's SHA-1>``, ``<slug>-<40 hex>``,
        ``<slug>-<40 hex>-2``…
    """
    url = record["url"]
    folder = root / "articles" / safe_name(site, fallback="site") / date_folder(record.get("published"))
    slug = slug_for_url(url)
    digest = hashlib.sha1(url.encode("utf-8")).hexdigest()
    names = chain((slug, f"{slug}-{digest[:10]}", f"{slug}-{digest}"), (f"{slug}-{digest}-{n}" for n in count(2)))
    return next(stem for stem in (folder / name for name in names) if _owner(stem, claimed or {}) in (None, url)
                and (reserve is None or reserve(stem.relative_to(root), url)))


def _owner(stem: Path, claimed: dict[Path, str]) -> str | object | None:
    """Return the URL holding a stem (being written, or in its JSON file on disk), ``UNREADABLE`` when a file that
    names no URL holds it, or None if free."""
    existing = stem.with_name(stem.name + ".json")
    if stem in claimed:
        return claimed[stem]
    if not existing.exists():
        return None
    url = _stored_url(existing)
    return UNREADABLE if url is None else url


def _stored_url(json_path: Path) -> str | None:
    """Return the URL recorded in an article JSON file, or None if unreadable."""
    try:
        url = json.loads(json_path.read_text(encoding="utf-8")).get("url")
    except (OSError, ValueError, AttributeError):  # unreadable, not JSON, not an object
        return None
    return url if isinstance(url, str) else None


def text_sha256(text: str) -> str:
    """Return the SHA-256 of an article text, hex (how versions are told apart).

    Args:
        text: the extracted text.

    Returns:
        64 hex digits.
    """
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def article_record(article: dict[str, Any], *, url: str, site: str, discovered_via: list[str],
                   captures: list[Capture]) -> dict[str, Any]:
    """Return the record of a dated JSON file (the relevance verdict is added by the caller).

    Args:
        article: the extracted article (``Article.to_dict()``).
        url: the URL the article was found at (its first page).
        site: the site name.
        discovered_via: the discovery sources that found it.
        captures: the WARC capture of each page (file, offset, record id, digest, fetch time, status, URL).

    Returns:
        The record.
    """
    return {**article, "url": url, "site": site, "discovered_via": discovered_via,
            "capture": [capture.to_dict() for capture in captures]}


def record_json(record: dict[str, Any]) -> str:
    """Return an article record as it is stored: UTF-8 JSON, sorted keys, indented, final newline."""
    return json.dumps(record, ensure_ascii=False, indent=2, sort_keys=True) + "\n"


def checked_stem(root: Path, stem: object, site: str) -> Path | None:
    """Return a stem read from an archive when it is one this module could have chosen for the site, else None.

    Args:
        root: the output folder the files will be written under.
        stem: the stem as recorded (``articles/<site>/<YYYY>/<MM>/<DD>/<slug>``), relative to ``root``.
        site: the article's site.

    Returns:
        The stem relative to ``root`` when it matches ``STEM``, names the site's folder and stays under
        ``root/articles`` once links are resolved; None when it must be recomputed.
    """
    return StemCheck(root).check(stem, site)


class StemCheck:
    """``checked_stem`` for many stems of one output folder: the folder and its ``articles/`` resolved once."""

    def __init__(self, root: Path) -> None:
        """Resolve the output folder and its ``articles/`` folder."""
        self.root = root
        self.articles = (root / "articles").resolve()
        self.contained = self.articles.is_relative_to(root.resolve())

    def check(self, stem: object, site: str) -> Path | None:
        """Return the stem relative to the folder when ``checked_stem`` accepts it, else None.

        Args:
            stem: the stem as recorded, relative to the folder.
            site: the article's site.

        Returns:
            The stem, or None when it must be recomputed.
        """
        if not isinstance(stem, str) or not STEM.fullmatch(stem) or stem.split("/")[1] != safe_name(site, fallback="site"):
            return None
        if not self.contained or not (self.root / stem).resolve().is_relative_to(self.articles):
            return None
        return Path(stem)


def version_stem(stem: Path, version: int) -> Path:
    """Return the stem of a version's files: ``<slug>`` for the first, ``<slug>.v2``… after."""
    return stem if version <= 1 else stem.with_name(f"{stem.name}.v{version}")


def write_article(root: Path, site: str, record: dict[str, Any], *, durable: bool = True,
                  stem: Path | None = None) -> tuple[Path, Path]:
    """Write an article's text and JSON record atomically.

    Args:
        root: the output folder (``OUT``).
        site: the site name.
        record: the article record; must hold ``url`` and ``text``; a ``version`` above 1 goes to
            ``<slug>.v<version>.txt``/``.json`` beside the first version.
        durable: fsync each file before its rename (see ``archive.fsutil.atomic_write_bytes``).
        stem: the article's stem when already known (later versions keep the first version's), relative to root.

    Returns:
        The paths of the ``.txt`` and ``.json`` files written.
    """
    stem = version_stem(root / stem if stem else article_stem(root, site, record), record.get("version", 1))
    txt_path, json_path = stem.with_name(stem.name + ".txt"), stem.with_name(stem.name + ".json")
    atomic_write_text(txt_path, record["text"].rstrip("\n") + "\n", durable=durable)
    atomic_write_text(json_path, record_json(record), durable=durable)
    return txt_path, json_path
