"""Why a URL or an article was not kept: a category from a closed list, and the detail of this case.

A ``Reason`` is a ``str`` (``"off-topic: score 2.0 < 12.0"``, the words reports and ledgers have always shown)
that also carries its ``category`` and ``detail``, so that nothing has to parse the text back.
"""

from __future__ import annotations

from enum import StrEnum


class Category(StrEnum):
    """The kinds of reason; the value is the words a report shows before the colon."""

    # Skipped before any request (the frontier).
    UNPROMISING = "unpromising"
    NOT_DUE = "not due"
    KNOWN = "known"
    OUT_OF_DATE_WINDOW = "out of date window"
    # A request that failed or was refused.
    HTTP_ERROR = "http error"
    TOO_LARGE = "too large"
    REDIRECT_LOOP = "redirect loop"
    ROBOTS = "robots.txt"
    NOT_FETCHED = "not fetched"
    FETCH_ERROR = "fetch error"
    # A page that holds no article, or an article that was not kept.
    BAD_PAGE = "bad page"
    NOT_AN_ARTICLE = "not an article"
    OFF_TOPIC = "off-topic"
    DUPLICATE = "duplicate"
    UNCHANGED = "unchanged"
    NOT_WRITTEN = "not written"
    PIPELINE_ERROR = "pipeline error"
    # The crawl ended before the article was judged.
    NOT_COMPLETED = "not completed"


class Reason(str):
    """``"<category>: <detail>"`` as text, with ``category`` and ``detail`` as attributes."""

    category: Category
    detail: str

    def __new__(cls, category: Category, detail: str = "") -> Reason:
        """Build a reason.

        Args:
            category: its kind.
            detail: what is particular to this case (``score 2.0 < 12.0``); may be empty.

        Returns:
            The reason.
        """
        reason = super().__new__(cls, f"{category.value}: {detail}" if detail else category.value)
        reason.category, reason.detail = category, detail
        return reason

    def __getnewargs__(self) -> tuple[Category, str]:  # type: ignore[override]  # str's has other arguments
        return self.category, self.detail

    @property
    def key(self) -> str:
        """The category as a stats key part (``off-topic``, ``http_error``)."""
        return self.category.value.replace(" ", "_")
