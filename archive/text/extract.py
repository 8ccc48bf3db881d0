"""Article extraction: decoding, per-site cleanup, trafilatura for the text, page metadata."""

from __future__ import annotations

import logging
import re
from copy import deepcopy
from dataclasses import asdict, dataclass, field, replace
from typing import TYPE_CHECKING, Any

import trafilatura
from trafilatura.settings import use_config

from archive.text.charset import decode_html
from archive.text.cleanup import SiteCleanup
from archive.text.metadata import PageMetadata, clean, names
from archive.text.notarticle import NotAnArticle, content_problem, page_problem

if TYPE_CHECKING:
    from lxml.html import HtmlElement
    from trafilatura.settings import Document

__all__ = ["Article", "SiteCleanup", "extract", "extract_article", "join_pages"]

LOGGER = logging.getLogger(__name__)

_AUTHOR_SPLIT = re.compile(r"\s*(?:,|;|\bet\b)\s*")
_CONFIG = use_config()
_CONFIG.set("DEFAULT", "MIN_OUTPUT_SIZE", "100")  # characters: below that a page holds no article (a menu, a stub)
_BYLINE_PREFIX = re.compile(r"^(?:par|by)\s+", re.IGNORECASE)


@dataclass
class Article:
    """One extracted article: text and metadata."""

    url: str
    canonical_url: str
    title: str
    authors: list[str] = field(default_factory=list)
    published: str | None = None
    modified: str | None = None
    published_source: str | None = None
    modified_source: str | None = None
    section: str | None = None
    tags: list[str] = field(default_factory=list)
    language: str | None = None
    description: str | None = None
    site_name: str | None = None
    text: str = ""
    word_count: int = 0

    def to_dict(self) -> dict[str, Any]:
        """Return the article as a JSON-ready dict."""
        return asdict(self)


def extract_article(
    body: bytes, url: str, *, content_type: str | None = None, cleanup: SiteCleanup | None = None
) -> Article | None:
    """Extract one HTML page's text and metadata, with no verdict on what it is (deterministic, no network).

    ``extract`` is the entry point that also refuses what is no article; this is its page-level step.

    Args:
        body: the page bytes as received (content-encoding already removed).
        url: the page URL.
        content_type: the `Content-Type` header (see ``archive.text.charset.decode_html`` for the encoding).
        cleanup: the site's rules; None for generic extraction.

    Returns:
        The article, or None when no article text is found.
    """
    rules = cleanup or SiteCleanup()
    tree = trafilatura.load_html(decode_html(body, content_type))
    if tree is None:
        LOGGER.debug("unparsable page %s", url)
        return None
    text = rules.clean_text(_main_text(tree, url, rules))
    if not text:
        LOGGER.debug("no article text in %s", url)
        return None
    page = PageMetadata.read(tree, url)
    fallback = _Fallback(tree, url)
    dates = page.read_dates(tree, rules.date_sources)
    return Article(
        url=url,
        canonical_url=page.absolute(page.canonical or page.first("og:url")) or url,
        title=rules.clean_title(page.first("og:title") or page.h1 or page.html_title or fallback.get("title")),
        authors=_authors(page) or names(fallback.get("author").split(";")),
        published=dates["published"][0],
        published_source=dates["published"][1],
        modified=dates["modified"][0],
        modified_source=dates["modified"][1],
        section=_section(page),
        tags=_tags(page),
        language=_language(page) or fallback.get("language") or None,
        description=page.first("description", "og:description") or clean(page.ld("description")) or None,
        site_name=page.first("og:site_name") or fallback.get("sitename") or None,
        text=text,
        word_count=len(text.split()),
    )


def join_pages(pages: list[Article]) -> Article:
    """Join the pages of a multi-page article into one.

    Pagination links ("Page suivante") are removed page by page by the site's cleanup rules.

    Args:
        pages: the extracted pages, in reading order.

    Returns:
        The metadata of the first page with all texts joined and the word count recomputed.
    """
    text = "\n".join(page.text for page in pages if page.text)
    return replace(pages[0], text=text, word_count=len(text.split()))


def extract(pages: list[tuple[bytes, str, str | None]], cleanup: SiteCleanup) -> Article:
    """Extract an article from its pages, or refuse a page that is none (the one entry point: crawl, ``souverain
    extract``, re-extraction; a top-level function: it runs in pools).

    Args:
        pages: (body, url, content type) of each page, in order (bodies with their content-encoding removed).
        cleanup: the site's cleanup rules.

    Returns:
        The article: the first page's metadata with every page's text joined.

    Raises:
        NotAnArticle: the first page is broken (empty, not HTML, truncated) or what a site serves instead of an
            article (a soft 404, a cookie wall, a paywalled stub, no text), with the reason.
    """
    body, _, content_type = pages[0]
    if problem := page_problem(body, content_type):
        raise NotAnArticle(problem)
    extracted = [extract_article(page, url, content_type=ctype, cleanup=cleanup) for page, url, ctype in pages]
    article = join_pages([a for a in extracted if a is not None]) if extracted[0] is not None else None
    if problem := content_problem(decode_html(body, content_type), article):
        raise NotAnArticle(problem)
    assert article is not None  # content_problem names a page without text
    return article


def _main_text(tree: HtmlElement, url: str, rules: SiteCleanup) -> str:
    """Return trafilatura's text of the page after the site's element rules, or ""."""
    for candidate in rules.prune(tree):
        text = trafilatura.extract(
            candidate,
            url=url,
            favor_precision=True,
            include_comments=False,
            include_tables=True,
            deduplicate=False,
            with_metadata=False,
            config=_CONFIG,
        )
        if text:
            return text
    return ""


def _authors(page: PageMetadata) -> list[str]:
    """Return the authors from the first source that names any: `author` meta, `article:author`, JSON-LD."""
    candidates = [
        [part for value in page.meta.get("author", []) for part in _AUTHOR_SPLIT.split(value)],
        [value for value in page.meta.get("article:author", []) if not value.startswith("http")],
        names(page.ld("author")),
    ]
    for found in candidates:
        if found := list(dict.fromkeys(_BYLINE_PREFIX.sub("", clean(name)) for name in found if clean(name))):
            return found
    return []


def _section(page: PageMetadata) -> str | None:
    """Return `article:section`, else JSON-LD `articleSection`, else the last breadcrumb item."""
    section = page.ld("articleSection")
    if isinstance(section, list):
        section = section[0] if section else None
    crumbs = page.breadcrumb()
    return page.first("article:section") or clean(section) or (crumbs[-1] if crumbs else None) or None


def _tags(page: PageMetadata) -> list[str]:
    """Return every `article:tag`; without any, JSON-LD `keywords`, else `news_keywords`/`keywords` meta."""
    tags = page.meta.get("article:tag", [])
    if not tags:
        keywords = page.ld("keywords") or page.first("news_keywords", "keywords")
        tags = keywords if isinstance(keywords, list) else str(keywords or "").split(",")
    return list(dict.fromkeys(clean(tag) for tag in tags if clean(tag)))


def _language(page: PageMetadata) -> str:
    """Return the primary language subtag from `<html lang>` or `og:locale` (`fr-FR`, `fr_fr` → `fr`)."""
    declared = page.lang or page.first("og:locale") or clean(page.ld("inLanguage"))
    return re.split(r"[-_]", declared)[0].lower() if declared else ""


class _Fallback:
    """trafilatura's own metadata (byline author, site name, language), computed only when asked."""

    def __init__(self, tree: HtmlElement, url: str) -> None:
        self._tree = tree
        self._url = url
        self._document: Document | None = None

    def get(self, name: str) -> str:
        """Return one field of trafilatura's metadata, or ""."""
        if self._document is None:
            self._document = trafilatura.extract_metadata(deepcopy(self._tree), default_url=self._url)
        return getattr(self._document, name, None) or ""
