"""TextStorePipeline: writes each kept article as dated ``.txt`` + ``.json`` files under OUT/articles.

With the state store, an article seen before is written again only when its extracted text changed, as a new
version beside the old one (``<slug>.v2.txt``); ads, tokens and dates in the page chrome change the bytes, not
the text, so they make no version.
"""

from __future__ import annotations

import asyncio
import json
from concurrent.futures import ThreadPoolExecutor
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

from scrapy.exceptions import NotConfigured

from archive.fsutil import atomic_write_text
from archive.reasons import Category, Reason
from archive.store.textstore import article_stem, record_json, text_sha256, write_article
from crawler.discovery.ledger import Ledger
from crawler.diskfull import stop_if_disk_full
from crawler.items import Dropped
from crawler.runid import run_id
from crawler.state import acquire_state, release_state

if TYPE_CHECKING:
    from scrapy.crawler import Crawler
    from scrapy.settings import BaseSettings

    from archive.store.state import StateStore
    from archive.store.textstore import Reserve
    from crawler.items import ArticleItem


ARTICLES = "articles"  # the folder of the dated files, under OUT
WRITER_THREADS = 4  # fsync releases the GIL: a few writes wait on the disk at once, the reactor on none


def articles_dir(settings: BaseSettings) -> Path:
    """Return the articles folder: ``TEXTSTORE_DIR``, or ``<SOUVERAIN_OUT_DIR>/articles`` when it is empty.

    Raises:
        ValueError: for a folder not named ``articles`` (the dated files' paths are recorded from its parent).
    """
    path = Path(settings["TEXTSTORE_DIR"] or Path(settings["SOUVERAIN_OUT_DIR"]) / ARTICLES)
    if path.name != ARTICLES:
        raise ValueError(f"TEXTSTORE_DIR {path} is not a folder named {ARTICLES}")
    return path


class TextStorePipeline:
    """Writes the article record atomically; the item's ``record`` gets the paths written."""

    def __init__(self, crawler: Crawler, root: Path) -> None:
        self.crawler = crawler
        self.root = root
        self.state: StateStore | None = None
        self.written: dict[str, Path] = {}  # URL -> JSON path written
        self.canonical: dict[str, str] = {}  # canonical URL -> URL written under it
        self.claimed: dict[Path, str] = {}  # stem -> URL, as soon as chosen
        self.reserve: Reserve | None = None  # a distributed run's reservations of names (crawler/distributed)
        self.writers = ThreadPoolExecutor(WRITER_THREADS, thread_name_prefix="textstore")

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> TextStorePipeline:
        """Build the pipeline; ``TEXTSTORE_ENABLED=False`` switches it off."""
        settings = crawler.settings
        if not settings.getbool("TEXTSTORE_ENABLED"):
            raise NotConfigured("TEXTSTORE_ENABLED is off")
        return cls(crawler, articles_dir(settings).parent)

    def open_spider(self) -> None:
        """Take the state store (to tell new versions from unchanged texts) and, in a distributed run, the
        reservations of dated-file names."""
        self.state = acquire_state(self.crawler.settings)
        if url := self.crawler.settings.get("SOUVERAIN_REDIS_URL"):
            from crawler.distributed.stems import RedisStems

            self.reserve = RedisStems.from_url(url)

    async def process_item(self, item: ArticleItem) -> ArticleItem:
        """Write the article's files (in a writer thread: fsync waits off the reactor), unless unchanged since the
        last run or already written under another URL."""
        canonical = item.record.get("canonical_url") or item.url
        first = self.canonical.setdefault(canonical, item.url)
        if first != item.url:
            self.crawler.stats.inc_value("textstore/duplicates")
            raise Dropped(Reason(Category.DUPLICATE, f"same article as {first}"))
        version, stem = self.version_of(item)
        if stem is None:  # chosen now, in order, so that a later article with the same slug sees it taken
            stem = article_stem(self.root, item.site, item.record, self.claimed, self.reserve).relative_to(self.root)
        self.claimed[self.root / stem] = item.url
        item.record["version"] = version
        try:
            txt_path, json_path = await asyncio.get_running_loop().run_in_executor(
                self.writers, partial(write_article, self.root, item.site, item.record, stem=stem))
        except OSError as exc:
            if stop_if_disk_full(self.crawler, exc, str(self.root / "articles")):
                raise Dropped(Reason(Category.NOT_WRITTEN, "disk full")) from None
            raise
        self.written[item.url] = json_path
        item.record["path"] = txt_path.relative_to(self.root).as_posix()
        item.record["stem"] = stem.as_posix()
        self.crawler.stats.inc_value("textstore/written")
        if version > 1:
            self.crawler.stats.inc_value("textstore/new_versions")
        return item

    def version_of(self, item: ArticleItem) -> tuple[int, Path | None]:
        """Return the version to write and the article's stem (None for a first version).

        Raises:
            Dropped: when an earlier run stored the same text.
        """
        known = self.state.get(item.url) if self.state is not None else None
        if known is None or not known.text_sha256 or not known.path:
            return 1, None
        same = known.text_sha256 == text_sha256(item.record["text"])
        if same and known.text_run != run_id(self.crawler.settings):
            self.crawler.stats.inc_value("textstore/unchanged")
            raise Dropped(Reason(Category.UNCHANGED, f"same text as version {known.version}"))
        return (known.version if same else known.version + 1), Path(known.path)

    def close_spider(self) -> None:
        """Add to ``discovered_via`` the sources that found an article after it was written; release the state."""
        ledger = self.crawler.get_extension(Ledger)
        late = ledger.late_sources() if ledger is not None else {}
        for url, sources in late.items():
            if url not in self.written:
                continue
            json_path = self.written[url]
            record = json.loads(json_path.read_text(encoding="utf-8"))
            record["discovered_via"] = sources
            try:
                atomic_write_text(json_path, record_json(record))
            except OSError as exc:  # the file keeps the sources known when it was written
                if stop_if_disk_full(self.crawler, exc, str(json_path)):
                    break
                raise
            self.crawler.stats.inc_value("textstore/sources_updated")
        self.writers.shutdown(wait=True)
        if self.state is not None:
            release_state(self.crawler.settings)
