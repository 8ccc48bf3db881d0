"""The article list served beside the replay: one HTML page listing the articles, one page per text."""

from __future__ import annotations

import re
import shutil
from dataclasses import dataclass
from html import escape
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from archive.source import article_jsons, expect, load_json
from archive.store.textstore import slug_for_url
from archive.wacz.manifest import MANIFEST_PATH

if TYPE_CHECKING:
    from collections.abc import Iterable

    from archive.wacz.reader import Wacz

TEXT_FOLDER = "text"
PAGES = "pages/pages.jsonl"


@dataclass(frozen=True)
class ListedArticle:
    """One archived version of an article as the list shows it: what it is, which capture to replay, its text."""

    title: str
    published: str
    site: str
    url: str
    timestamp: str
    text: str
    version: int = 1

    @property
    def captured(self) -> str:
        """Return the capture time as ``YYYY-MM-DD HH:MM:SS UTC`` (from the 14-digit timestamp)."""
        s = self.timestamp
        return f"{s[:4]}-{s[4:6]}-{s[6:8]} {s[8:10]}:{s[10:12]}:{s[12:14]} UTC" if len(s) == 14 else "—"


def articles_from_out(out: Path) -> list[ListedArticle]:
    """Read the articles of an output folder from its dated JSON files.

    Args:
        out: the output folder (``OUT``).

    Returns:
        Every version of the articles, sorted by publication date (undated last), title, then version.
    """
    return _sorted([_from_record(record, str(path)) for path, record in article_jsons(out)])


def articles_from_wacz(wacz: Wacz) -> list[ListedArticle]:
    """Read the articles of a WACZ snapshot: the JSON files its manifest lists, else ``pages/pages.jsonl``.

    Args:
        wacz: the open snapshot (checked as hostile input).

    Returns:
        Every version of the articles, sorted by publication date (undated last), title, then version.
    """
    names = set(wacz.names)
    if MANIFEST_PATH in names:
        entries = expect(wacz.json(MANIFEST_PATH), "articles", list, MANIFEST_PATH, optional=True) or []
        members = [entry["json"] for entry in entries if isinstance(entry, dict) and isinstance(entry.get("json"), str)]
        if members and len(members) == len(entries) and all(member in names for member in members):
            return _sorted([_from_record(wacz.json(member), member) for member in members])
    listed = []
    for number, line in enumerate(wacz.lines(PAGES), 1):
        page = load_json(line, f"{PAGES} line {number}", object) if line.strip() else {}
        if isinstance(page, dict) and isinstance(page.get("url"), str):
            where = f"{PAGES} line {number}"
            listed.append(ListedArticle(title=expect(page, "title", str, where, optional=True) or page["url"],
                                        published="", site=urlsplit(page["url"]).netloc, url=page["url"],
                                        timestamp=_timestamp(expect(page, "ts", str, where, optional=True) or ""),
                                        text=expect(page, "text", str, where, optional=True) or ""))
    return _sorted(listed)


def _from_record(record: dict[str, Any], where: str) -> ListedArticle:
    """Return the list entry of an article record (as ``archive.store.textstore`` writes it), its types checked."""
    url = expect(record, "url", str, where)
    captures = record.get("capture") or [{}]
    capture = captures[0] if isinstance(captures, list) and isinstance(captures[0], dict) else {}
    return ListedArticle(
        title=expect(record, "title", str, where, optional=True) or url,
        published=expect(record, "published", str, where, optional=True) or "",
        site=expect(record, "site", str, where, optional=True) or "",
        url=expect(capture, "url", str, where, optional=True) or url,
        timestamp=_timestamp(expect(capture, "fetch_time", str, where, optional=True) or ""),
        text=expect(record, "text", str, where, optional=True) or "",
        version=record["version"] if isinstance(record.get("version"), int) else 1,
    )


def write_article_list(static: Path, articles: Iterable[ListedArticle], *, collection: str, heading: str) -> Path:
    """Write ``index.html`` and one text page per article into a collection's static folder.

    Args:
        static: pywb's static folder of the collection (served under ``/static/_/<collection>/``).
        articles: the articles, in the order to list them.
        collection: pywb's collection name, for the replay links.
        heading: what the page says it lists (the output folder or snapshot).

    Returns:
        The path of ``index.html``.
    """
    shutil.rmtree(static / TEXT_FOLDER, ignore_errors=True)
    (static / TEXT_FOLDER).mkdir(parents=True)
    rows = []
    for number, article in enumerate(articles, 1):
        replay = f"/{collection}/{article.timestamp}/{article.url}"
        text_name = PurePosixPath(TEXT_FOLDER, f"{number:04d}-{slug_for_url(article.url)}.html")
        (static / text_name).write_text(_text_page(article, replay), encoding="utf-8")
        rows.append(
            f"<tr><td>{escape(article.published[:10]) or '—'}</td>"
            f"<td><a class=\"replay\" href=\"{escape(replay)}\">{escape(article.title)}</a></td>"
            f"<td class=\"version\">{article.version:d}</td><td class=\"captured\">{escape(article.captured)}</td>"
            f"<td>{escape(article.site)}</td><td><a class=\"text\" href=\"{escape(str(text_name))}\">text</a></td></tr>"
        )
    index = static / "index.html"
    index.write_text(_page(
        f"Archived articles: {heading}",
        f"<p>{len(rows)} article versions, by publication date. The title opens the archived page as captured "
        "that day; an article whose text changed has a row per version.</p>\n"
        "<table>\n<tr><th>published</th><th>title</th><th>version</th><th>captured</th><th>site</th>"
        "<th>extracted</th></tr>\n"
        + "\n".join(rows) + "\n</table>",
    ), encoding="utf-8")
    return index


def _text_page(article: ListedArticle, replay: str) -> str:
    """Return the HTML page showing an article's extracted text."""
    paragraphs = "\n".join(f"<p>{escape(line)}</p>" for line in article.text.splitlines() if line.strip())
    return _page(article.title, (
        f"<p>{escape(article.site)} · {escape(article.published or 'undated')} · version {article.version:d}, "
        f"captured {escape(article.captured)} · "
        f"<a href=\"{escape(replay)}\">archived page</a> · <a href=\"../index.html\">all articles</a></p>\n"
        f"{paragraphs}"
    ))


def _page(title: str, body: str) -> str:
    """Return a small self-contained UTF-8 HTML page."""
    return (
        "<!DOCTYPE html>\n<html lang=\"fr\">\n<head>\n<meta charset=\"utf-8\">\n"
        f"<title>{escape(title)}</title>\n<style>body{{font-family:sans-serif;max-width:60em;margin:2em auto}}"
        "td,th{padding:.2em .6em;text-align:left;vertical-align:top}</style>\n</head>\n"
        f"<body>\n<h1>{escape(title)}</h1>\n{body}\n</body>\n</html>\n"
    )


def _timestamp(when: str) -> str:
    """Return the 14-digit timestamp pywb expects from an ISO 8601 time or a timestamp."""
    return re.sub(r"\D", "", when)[:14]


def _sorted(articles: list[ListedArticle]) -> list[ListedArticle]:
    """Sort articles by publication date, undated last, then by title and version."""
    return sorted(articles, key=lambda article: (not article.published, article.published, article.title,
                                                 article.url, article.version))
