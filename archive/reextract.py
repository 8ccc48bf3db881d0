"""Offline re-extraction: every dated file rebuilt from the WARCs alone (the run log says what was kept)."""

from __future__ import annotations

import os
import tempfile
import time
import zipfile
import zlib
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable

from warcio.recordloader import ArchiveLoadFailed

from archive.errors import ArchiveError
from archive.extract import SiteCleanup, extract_pages
from archive.fsutil import fsync_paths
from archive.relevance import Topic
from archive.runlog import scan_warcs
from archive.textstore import article_record, write_article
from archive.warc import read_record

if TYPE_CHECKING:
    from collections.abc import Iterator

# What a damaged snapshot or WARC (or a folder that cannot be written) raises, in this process or a worker.
DAMAGE = (OSError, EOFError, ValueError, LookupError, zipfile.BadZipFile, zlib.error, ArchiveLoadFailed)


@contextmanager
def warc_files(source: Path, scratch: Path) -> Iterator[list[Path]]:
    """Yield the closed WARC files of an output folder or of a WACZ snapshot, oldest first.

    Args:
        source: an output folder (``warc/*.warc.gz``) or a ``.wacz`` file (``archive/*.warc.gz``).
        scratch: a folder for the WARCs unpacked from a snapshot (removed afterwards).

    Returns:
        The WARC paths (a context manager).
    """
    if source.is_file() and zipfile.is_zipfile(source):
        scratch.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory(dir=scratch, prefix=".reextract-") as tmp, zipfile.ZipFile(source) as wacz:
            names = sorted(n for n in wacz.namelist() if n.startswith("archive/") and n.endswith(".warc.gz"))
            for name in names:
                wacz.extract(name, tmp)
            yield [Path(tmp) / name for name in names]
        return
    if source.is_dir():
        paths = sorted((source / "warc").glob("*.warc.gz"))
        if paths:
            yield paths
            return
        raise ArchiveError(f"no closed WARC file in {source / 'warc'}")
    if source.is_file():
        raise ArchiveError(f"{source} is not a readable .wacz snapshot (a zip file); `souverain verify {source}` "
                           "says what is wrong")
    raise ArchiveError(f"{source} is neither a .wacz snapshot nor an output folder")


@cache
def _topic(toml: str) -> Topic:
    """Return a topic from its recorded text, parsed once per process."""
    return Topic.loads(toml)


def _read_page(path: str, offset: int) -> tuple[bytes, str, str | None]:
    """Return (decoded body, URL, content type) of the response record at an offset."""
    stored = read_record(Path(path), offset)
    return stored.decoded_body(), stored.url, stored.header("Content-Type")


def extract_job(pages: list[tuple[str, int]], cleanup: dict[str, Any], topic_toml: str) -> tuple[dict, dict] | None:
    """Re-extract one article from its response records and score it (runs in a worker process).

    Args:
        pages: (WARC path, offset) of each page's response record, in order.
        cleanup: the site's cleanup rules as recorded at crawl time.
        topic_toml: the topic file's text as recorded at crawl time.

    Returns:
        The article and its relevance verdict, or None when no text comes out.
    """
    article = extract_pages([_read_page(path, offset) for path, offset in pages], SiteCleanup.from_dict(cleanup))
    if article is None:
        return None
    return article.to_dict(), _topic(topic_toml).score(article.title or "", article.text or "").to_dict()


def reextract(source: Path, out: Path, *, workers: int | None = None,
              progress: Callable[[int, int], None] | None = None) -> dict[str, Any]:
    """Rebuild every dated file of the articles the run logs list, offline, on every core.

    With the same software versions the texts and JSON records are byte-identical to the crawl's.

    Args:
        source: an output folder or a ``.wacz`` snapshot.
        out: the folder to write ``articles/`` into.
        workers: worker processes (default: one per core).
        progress: called with (articles done, articles in all) as the work goes.

    Returns:
        ``articles`` written, ``failed`` (no text), ``warc_files`` read and ``seconds``.

    Raises:
        ArchiveError: no WARC or run log in the source, a damaged snapshot or WARC, an output that is no folder.
    """
    if not source.exists():
        raise ArchiveError(f"{source}: no such snapshot or output folder")
    try:
        out.mkdir(parents=True, exist_ok=True)
    except FileExistsError:
        raise ArchiveError(f"cannot write into {out}: it is a file, not a folder") from None
    except OSError as exc:
        raise ArchiveError(f"cannot write into {out}: {exc.strerror or exc}") from None
    try:
        return _reextract(source, out, workers, progress)
    except DAMAGE as exc:
        hint = f"; `souverain verify {source}` says where it is damaged" if source.is_file() else ""
        raise ArchiveError(f"cannot re-extract {source}: {type(exc).__name__}: {exc}{hint}") from None


def _reextract(source: Path, out: Path, workers: int | None,
               progress: Callable[[int, int], None] | None) -> dict[str, Any]:
    """Do the work of ``reextract``."""
    started = time.perf_counter()
    with warc_files(source, out) as paths:
        log = scan_warcs(paths)
        if not log.configs:
            raise ArchiveError(f"the WARCs of {source} hold no run log (were they written by souverain?)")
        jobs = []
        for entry in log.articles:
            config = log.configs.get((entry["run_id"], entry["site"]))
            refs = [log.responses.get(record_id) for record_id in entry["pages"]]
            if config is None or None in refs:
                raise ArchiveError(f"{entry['url']}: its run configuration or page records are missing from {source}")
            jobs.append((entry, refs, config))
        written, failed = [], 0
        with ProcessPoolExecutor(workers or os.cpu_count() or 1) as pool:
            results = pool.map(extract_job, [[(str(r.path), r.offset) for r in refs] for _, refs, _ in jobs],
                               [config["cleanup"] for _, _, config in jobs],
                               [config["topic"]["toml"] for _, _, config in jobs], chunksize=4)
            for done, ((entry, refs, _), result) in enumerate(zip(jobs, results), 1):
                if progress is not None:
                    progress(done, len(jobs))
                if result is None:
                    failed += 1
                    continue
                article, relevance = result
                record = article_record(article, url=entry["url"], site=entry["site"],
                                        discovered_via=entry["discovered_via"], captures=[r.capture() for r in refs])
                record["relevance"] = relevance
                record["version"] = entry.get("version", 1)
                stem = Path(entry["stem"]) if entry.get("stem") else None  # as chosen at crawl time
                written.extend(write_article(out, entry["site"], record, durable=False, stem=stem))
        fsync_paths(written)  # flushed together at the end: a re-extraction can simply be run again
    return {"articles": len(written) // 2, "failed": failed, "warc_files": len(paths), "seconds": time.perf_counter() - started}
