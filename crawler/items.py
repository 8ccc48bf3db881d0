"""Items passed from the spiders to the pipelines, and the exception that drops one with its reason."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from scrapy.exceptions import DropItem

from archive.reasons import Category, Reason

if TYPE_CHECKING:
    from twisted.python.failure import Failure

    from archive.warc.writer import Capture


@dataclass
class PageData:
    """One fetched page of an article: its URL, body (content-decoded) and WARC capture."""

    url: str
    body: bytes = field(repr=False)
    content_type: str | None
    capture: Capture | None


@dataclass
class ArticleItem:
    """An article as fetched: its pages in order, then what the pipelines add (record, relevance)."""

    site: str
    url: str
    pages: list[PageData]
    discovered_via: list[str]
    record: dict[str, Any] = field(default_factory=dict)


class Dropped(DropItem):
    """A pipeline's refusal of an item, with its ``reason`` (its message is the reason's text)."""

    def __init__(self, reason: Reason) -> None:
        super().__init__(reason)
        self.reason = reason


def dropped_reason(exception: Exception) -> Reason:
    """Return the reason a pipeline dropped an item.

    Raises:
        TypeError: for a DropItem that is no ``Dropped`` (every souverain pipeline raises ``Dropped``).
    """
    if not isinstance(exception, Dropped):
        raise TypeError(f"an item was dropped without a Reason: {exception!r}")
    return exception.reason


def pipeline_error(failure: Failure) -> Reason:
    """Return the reason of a pipeline that failed on an article."""
    return Reason(Category.PIPELINE_ERROR, failure.getErrorMessage())
