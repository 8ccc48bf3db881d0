"""Items passed from the spiders to the pipelines."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class PageData:
    """One fetched page of an article: its URL, body (content-decoded) and WARC capture."""

    url: str
    body: bytes = field(repr=False)
    content_type: str | None
    capture: dict | None


@dataclass
class ArticleItem:
    """An article as fetched: its pages in order, then what the pipelines add (record, relevance)."""

    site: str
    url: str
    pages: list[PageData]
    discovered_via: list[str]
    record: dict = field(default_factory=dict)
