"""Offline re-extraction: every dated file rebuilt from the WARCs alone (the run log says what was kept)."""

from __future__ import annotations

import json
import os
import tempfile
import time
import zipfile
import zlib
from collections.abc import Callable, Sequence
from concurrent.futures import Executor, ProcessPoolExecutor
from contextlib import contextmanager, nullcontext
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from lxml import etree
from warcio.recordloader import ArchiveLoadFailed

from archive.errors import ArchiveError
from archive.fsutil import fsync_paths, remove_orphans
from archive.source import decode_body
from archive.store.textstore import article_record, checked_stem, write_article
from archive.text.cleanup import SiteCleanup
from archive.text.extract import extract
from archive.text.notarticle import NotAnArticle
from archive.text.relevance import Topic
from archive.wacz.reader import open_source
from archive.warc.reader import read_record
from archive.warc.records import out_warcs
from archive.warc.runlog import RecordRef, scan_warcs

if TYPE_CHECKING:
    from collections.abc import Iterator

# What a damaged snapshot or WARC (or a folder that cannot be written) raises, in this process or a worker.
DAMAGE = (OSError, EOFError, ValueError, LookupError, zipfile.BadZipFile, zlib.error, ArchiveLoadFailed)


SCRATCH_PREFIX = ".reextract-"


@contextmanager
def warc_files(source: Path | Sequence[Path], scratch: Path) -> Iterator[list[Path]]:
    """Yield the closed WARC files of output folders or of a WACZ snapshot, oldest first, each checked.

    Args:
        source: an output folder (``warc/*.warc.gz``) or a ``.wacz`` file (``archive/*.warc.gz``); or several
            output folders (the workers of a distributed run), whose WARCs are taken together, sorted by name.
        scratch: a folder for the WARCs unpacked from a snapshot, in ``.reextract-<pid>-*`` (removed
            afterwards, or by the next run when this one is killed).

    Returns:
        The WARC paths (a context manager).
    """
    if not isinstance(source, Path):
        yield _merged_warcs(list(source))
        return
    with open_source(source) as wacz:
        if wacz is not None:
            scratch.mkdir(parents=True, exist_ok=True)
            with tempfile.TemporaryDirectory(dir=scratch, prefix=f"{SCRATCH_PREFIX}{os.getpid()}-") as tmp:
                yield wacz.extract_warcs(Path(tmp))
            return
        if paths := out_warcs(source):
            yield paths
            return
        raise ArchiveError(f"no closed WARC file in {source / 'warc'}")


def _merged_warcs(folders: list[Path]) -> list[Path]:
    """Return the closed WARC files of several output folders, sorted by name (refused: a name in two)."""
    paths = sorted((path for folder in folders for path in out_warcs(folder)), key=lambda path: path.name)
    where = " and ".join(str(folder / "warc") for folder in folders)
    if not paths:
        raise ArchiveError(f"no closed WARC file in {where}")
    if len({path.name for path in paths}) < len(paths):
        raise ArchiveError(f"two WARC files of the same name in {where}: give each output folder once")
    return paths


@cache
def _topic(toml: str) -> Topic:
    """Return a topic from its recorded text, parsed once per process."""
    try:
        return Topic.loads(toml)
    except ArchiveError:
        raise
    except (ValueError, KeyError, TypeError) as exc:  # tomllib, float(), a missing table
        raise ArchiveError(f"the topic recorded in the run log is not a topic ({type(exc).__name__}: "
                           f"{str(exc)[:100]})") from None


def _cleanup(rules: dict[str, Any]) -> SiteCleanup:
    """Return a site's cleanup rules as recorded in the run log, checked once per process, or a one-line error."""
    return _checked_cleanup(json.dumps(rules, sort_keys=True))


@cache
def _checked_cleanup(rules_json: str) -> SiteCleanup:
    """Build and check the cleanup rules of one recorded ``[cleanup]`` table (its XPaths compiled)."""
    try:
        cleanup = SiteCleanup.from_dict(json.loads(rules_json))
        for xpath in (*cleanup.drop_xpaths, *([cleanup.body_xpath] if cleanup.body_xpath else [])):
            etree.XPath(xpath)
    except (ValueError, TypeError, etree.XPathError) as exc:
        raise ArchiveError(f"the cleanup rules recorded in the run log are not valid: {str(exc)[:120]}") from None
    return cleanup


def _read_page(path: str, offset: int) -> tuple[bytes, str, str | None]:
    """Return (decoded body, URL, content type) of the response record at an offset (decoded up to MAX_PAGE)."""
    stored = read_record(Path(path), offset)
    where = f"{Path(path).name}: record at offset {offset}"
    return decode_body(stored.body, stored.header("Content-Encoding") or "", where), stored.url, \
        stored.header("Content-Type")


def extract_job(pages: list[tuple[str, int]], cleanup: dict[str, Any],
                topic_toml: str) -> tuple[dict[str, Any], dict[str, Any]] | None:
    """Re-extract one article from its response records and score it (runs in a worker process).

    Args:
        pages: (WARC path, offset) of each page's response record, in order.
        cleanup: the site's cleanup rules as recorded at crawl time.
        topic_toml: the topic file's text as recorded at crawl time.

    Returns:
        The article and its relevance verdict, or None when it is no article (as the crawl would say).
    """
    try:
        article = extract([_read_page(path, offset) for path, offset in pages], _cleanup(cleanup))
    except NotAnArticle:
        return None
    return article.to_dict(), _topic(topic_toml).score(article.title or "", article.text or "").to_dict()


def reextract(source: Path | Sequence[Path], out: Path, *, workers: int | None = None,
              progress: Callable[[int, int], None] | None = None, executor: Executor | None = None) -> dict[str, Any]:
    """Rebuild every dated file of the articles the run logs list, offline, on every core.

    With the same software versions the texts and JSON records are byte-identical to the crawl's.

    Args:
        source: an output folder or a ``.wacz`` snapshot, or several output folders (a distributed run's).
        out: the folder to write ``articles/`` into.
        workers: worker processes (default: one per core).
        progress: called with (articles done, articles in all) as the work goes.
        executor: where the extraction jobs run (e.g. a Dask cluster's, ``archive/store/daskrun.py``), in
            place of a pool of ``workers`` local processes; results come back in order, so the files are the same.

    Returns:
        ``articles`` written, ``failed`` (no text), ``warc_files`` read and ``seconds``.

    Raises:
        ArchiveError: no WARC or run log in the source, a damaged snapshot or WARC, an output that is no folder.
    """
    sources = [source] if isinstance(source, Path) else list(dict.fromkeys(source))
    for given in sources:
        if not given.exists():
            raise ArchiveError(f"{given}: no such snapshot or output folder")
        if len(sources) > 1 and not given.is_dir():
            raise ArchiveError(f"{given}: several sources must all be output folders (a snapshot is read alone)")
    source = sources[0] if len(sources) == 1 else sources
    try:
        out.mkdir(parents=True, exist_ok=True)
    except FileExistsError:
        raise ArchiveError(f"cannot write into {out}: it is a file, not a folder") from None
    except OSError as exc:
        raise ArchiveError(f"cannot write into {out}: {exc.strerror or exc}") from None
    try:
        return _reextract(source, out, workers, progress, executor)
    except DAMAGE as exc:
        hint = f"; `souverain verify {source}` says where it is damaged" if isinstance(source, Path) and \
            source.is_file() else ""
        raise ArchiveError(f"cannot re-extract {_named(source)}: {type(exc).__name__}: {exc}{hint}") from None


def _named(source: Path | list[Path]) -> str:
    """Return the source(s) as a message names them."""
    return str(source) if isinstance(source, Path) else " and ".join(str(folder) for folder in source)


def _reextract(source: Path | list[Path], out: Path, workers: int | None, progress: Callable[[int, int], None] | None,
               executor: Executor | None) -> dict[str, Any]:
    """Do the work of ``reextract``."""
    started = time.perf_counter()
    remove_orphans(out, SCRATCH_PREFIX)  # left by a killed run
    remove_orphans(out / "articles", recursive=True)
    with warc_files(source, out) as paths:
        log = scan_warcs(paths)
        if not log.configs:
            raise ArchiveError(f"the WARCs of {_named(source)} hold no run log (were they written by souverain?)")
        jobs: list[tuple[dict[str, Any], list[RecordRef], dict[str, Any]]] = []
        for entry in log.articles:
            config = log.configs.get((entry["run_id"], entry["site"]))
            refs = [log.responses[record_id] for record_id in entry["pages"] if record_id in log.responses]
            if config is None or len(refs) != len(entry["pages"]):
                raise ArchiveError(f"{entry['url']}: its run configuration or page records are missing from "
                                   f"{_named(source)}")
            jobs.append((entry, refs, config))
        written: list[Path] = []
        failed = 0
        with nullcontext(executor) if executor is not None else ProcessPoolExecutor(
                workers or os.cpu_count() or 1) as pool:
            results = pool.map(extract_job, [[(str(r.path.resolve()), r.offset) for r in refs] for _, refs, _ in jobs],
                               [config["cleanup"] for _, _, config in jobs],
                               [config["topic"]["toml"] for _, _, config in jobs], chunksize=4)
            for done, ((entry, refs, _), result) in enumerate(zip(jobs, results, strict=False), 1):
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
                stem = checked_stem(out, entry["stem"], entry["site"])  # as chosen at crawl time, if safe
                written.extend(write_article(out, entry["site"], record, durable=False, stem=stem))
        fsync_paths(written)  # flushed together at the end: a re-extraction can simply be run again
    return {"articles": len(written) // 2, "failed": failed, "warc_files": len(paths), "seconds": time.perf_counter() - started}
