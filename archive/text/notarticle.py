"""Pages that are no article: broken responses (empty, not HTML, truncated) and what a site serves instead of
the article (a soft 404, a cookie-consent wall, a paywalled stub), each with the reason recorded."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from archive.reasons import Category, Reason

if TYPE_CHECKING:
    from archive.text.extract import Article

HTML_TYPES = frozenset({"text/html", "application/xhtml+xml"})
SHORT_WORDS = 150  # an article this short beside a wall, stub or 404 marker is the wall, stub or 404
_SCAN_CHARS = 400_000  # markers are looked for in the page's first (closing tags: last) characters only
_TAGS = re.compile(r"<(?:script|style)\b.*?</(?:script|style)\s*>|<[^>]*>", re.IGNORECASE | re.DOTALL)
_HEADINGS = re.compile(r"<(title|h1)\b[^>]*>(.*?)</\1\s*>", re.IGNORECASE | re.DOTALL)
_NOT_FOUND = re.compile(r"\b(?:page (?:introuvable|non trouv[ée]e|not found)|erreur 404|404 not found|"
                        r"cette page n['’]existe (?:pas|plus))", re.IGNORECASE)
_CONSENT = re.compile(r"tout accepter|accepter et (?:fermer|continuer)|continuer sans accepter|tout refuser|"
                      r"param[ée]trer (?:les|mes) cookies|g[ée]rer mes choix|vos choix en mati[èe]re de cookies",
                      re.IGNORECASE)
_PAYWALL = re.compile(r"r[ée]serv[ée]e? aux abonn[ée]s|pour lire la suite|la suite de cet article est r[ée]serv|"
                      r"d[ée]bloquez cet article|class=[\"'][^\"']*\bpaywall\b", re.IGNORECASE)


class NotAnArticle(Exception):
    """A page that holds no article, and why (``bad page: …`` or ``not an article: …``)."""

    def __init__(self, reason: Reason) -> None:
        super().__init__(reason)
        self.reason = reason


def page_problem(body: bytes, content_type: str | None) -> Reason | None:
    """Return why a response cannot hold an article (before any parsing), or None.

    Args:
        body: the page bytes (content-encoding removed).
        content_type: the ``Content-Type`` header, if any.

    Returns:
        ``bad page: empty response``, ``bad page: not html (TYPE)`` or None.
    """
    if not body.strip():
        return Reason(Category.BAD_PAGE, "empty response")
    mime = (content_type or "").split(";", 1)[0].strip().lower()
    if mime and mime not in HTML_TYPES:
        return Reason(Category.BAD_PAGE, f"not html ({mime})")
    return None


def content_problem(html: str, article: Article | None) -> Reason | None:
    """Return why a decoded page is no article (truncated, a soft 404, a cookie wall, a paywalled stub), or None.

    Args:
        html: the decoded page.
        article: what extraction made of it (None: no text).

    Returns:
        The reason, or None when the page is an article.
    """
    tail = html[-_SCAN_CHARS:].lower()
    if "</html" not in tail and "</body" not in tail:
        return Reason(Category.BAD_PAGE, "truncated html (no </body> or </html>)")
    words = article.word_count if article is not None else 0
    text = article.text if article is not None else ""
    if article is not None and len(set(m.lower() for m in _CONSENT.findall(text))) >= 2:
        return Reason(Category.NOT_AN_ARTICLE, "cookie wall")
    if words >= SHORT_WORDS:
        return None
    head = html[:_SCAN_CHARS]
    headings = " ".join(m[1] for m in _HEADINGS.findall(head))
    if _NOT_FOUND.search(headings) or _NOT_FOUND.search(text):
        return Reason(Category.BAD_PAGE, "soft 404 (a 200 \"not found\" page)")
    if _PAYWALL.search(head):
        return Reason(Category.NOT_AN_ARTICLE, "paywall (subscribers-only stub)")
    if _CONSENT.search(_TAGS.sub(" ", head)):
        return Reason(Category.NOT_AN_ARTICLE, "cookie wall")
    return None if article is not None else Reason(Category.NOT_AN_ARTICLE, "no text extracted")
