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
from dataclasses import dataclass, replace
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from lxml import etree
from warcio.recordloader import ArchiveLoadFailed

from archive.errors import ArchiveError
from archive.fsutil import fsync_paths, remove_orphans
from archive.source import decode_body
from archive.store.textstore import StemCheck, article_record, write_article
from archive.text.cleanup import SiteCleanup
from archive.text.extract import extract
from archive.text.notarticle import NotAnArticle
from archive.text.relevance import Topic
from archive.wacz.reader import open_source
from archive.warc.reader import read_record
from archive.warc.records import WarcHead, checked_warcs
from archive.warc.runlog import RunLog, scan_logged
from archive.warc.writer import Capture

if TYPE_CHECKING:
    from collections.abc import Iterator

# What a damaged snapshot or WARC (or a folder that cannot be written) raises, in this process or a worker.
DAMAGE = (OSError, EOFError, ValueError, LookupError, zipfile.BadZipFile, zlib.error, ArchiveLoadFailed)


SCRATCH_PREFIX = ".reextract-"


@contextmanager
def warc_files(source: Path | Sequence[Path], scratch: Path) -> Iterator[dict[Path, list[WarcHead]]]:
    """Yield the closed WARC files of output folders or of a WACZ snapshot, oldest first, each checked.

    Args:
        source: an output folder (``warc/*.warc.gz``) or a ``.wacz`` file (``archive/*.warc.gz``); or several
            output folders (the workers of a distributed run), whose WARCs are taken together, sorted by name.
        scratch: a folder for the WARCs unpacked from a snapshot, in ``.reextract-<pid>-*`` (removed
            afterwards, or by the next run when this one is killed).

    Returns:
        Each WARC path with its records' checked headers (a context manager).
    """
    if not isinstance(source, Path):
        yield _merged_warcs(list(source))
        return
    with open_source(source) as wacz:
        if wacz is not None:
            scratch.mkdir(parents=True, exist_ok=True)
            with tempfile.TemporaryDirectory(dir=scratch, prefix=f"{SCRATCH_PREFIX}{os.getpid()}-") as tmp:
                yield wacz.extract_checked_warcs(Path(tmp))
            return
        if warcs := checked_warcs(source):
            yield warcs
            return
        raise ArchiveError(f"no closed WARC file in {source / 'warc'}")


def _merged_warcs(folders: list[Path]) -> dict[Path, list[WarcHead]]:
    """Return the closed WARC files of several output folders, sorted by name (refused: a name in two)."""
    found = [(path, heads) for folder in folders for path, heads in checked_warcs(folder).items()]
    where = " and ".join(str(folder / "warc") for folder in folders)
    if not found:
        raise ArchiveError(f"no closed WARC file in {where}")
    if len({path.name for path, _ in found}) < len(found):
        raise ArchiveError(f"two WARC files of the same name in {where}: give each output folder once")
    return dict(sorted(found, key=lambda item: item[0].name))


@dataclass(frozen=True)
class PageRef:
    """Where one page's response record is, with the WARC headers its capture repeats (sent to a worker)."""

    path: str
    offset: int
    length: int
    record_id: str
    date: str
    url: str
    payload_digest: str
    revisit: str | None

    @classmethod
    def from_head(cls, path: Path, head: WarcHead) -> PageRef:
        """Return the page of a response or revisit record, from its checked headers."""
        headers = head.headers
        revisit = headers.get("warc-profile", "").rsplit("/", 1)[-1] if headers["warc-type"] == "revisit" else None
        return cls(str(path.resolve()), head.offset, head.length, headers["warc-record-id"], headers["warc-date"],
                   headers.get("warc-target-uri", ""), headers.get("warc-payload-digest", ""), revisit)

    def capture(self, status: int) -> Capture:
        """Return the page as the capture the crawl recorded (its HTTP status read with the record)."""
        return Capture(warc_file=Path(self.path).name, offset=self.offset, length=self.length,
                       record_id=self.record_id, payload_digest=self.payload_digest, fetch_time=self.date,
                       status=status, url=self.url, revisit=self.revisit)


@dataclass(frozen=True)
class Job:
    """One article to re-extract in a worker: its run-log entry and pages, the rules recorded at crawl time, and
    the stem to write its dated files at (None: the worker returns the record and the parent writes it)."""

    entry: dict[str, Any]
    pages: list[PageRef]
    cleanup: dict[str, Any]
    topic_toml: str
    out: str
    stem: str | None


@dataclass(frozen=True)
class Done:
    """What a worker did with one article: the record it built, or the dated files it wrote."""

    record: dict[str, Any] | None = None
    written: tuple[str, ...] = ()


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


def _read_page(page: PageRef) -> tuple[tuple[bytes, str, str | None], int]:
    """Return (decoded body, URL, content type) of a page's response record (decoded up to MAX_PAGE), and its
    HTTP status."""
    stored = read_record(Path(page.path), page.offset)
    where = f"{Path(page.path).name}: record at offset {page.offset}"
    body = decode_body(stored.body, stored.header("Content-Encoding") or "", where)
    return (body, stored.url, stored.header("Content-Type")), stored.status


def extract_job(job: Job) -> Done | None:
    """Re-extract one article from its response records, score it, and write it when its stem is known (runs in a
    worker process, one picklable argument: the pool seam).

    Args:
        job: the article, its pages, the rules recorded at crawl time and where to write.

    Returns:
        The files written (or the record, for the parent to write), or None when it is no article (as the crawl
        would say).
    """
    read = [_read_page(page) for page in job.pages]
    try:
        article = extract([page for page, _ in read], _cleanup(job.cleanup))
    except NotAnArticle:
        return None
    entry = job.entry
    record = article_record(article.to_dict(), url=entry["url"], site=entry["site"],
                            discovered_via=entry["discovered_via"],
                            captures=[page.capture(status) for page, (_, status) in zip(job.pages, read, strict=True)])
    record["relevance"] = _topic(job.topic_toml).score(article.title or "", article.text or "").to_dict()
    record["version"] = entry.get("version", 1)
    if job.stem is None:
        return Done(record=record)
    return Done(written=tuple(map(str, write_article(Path(job.out), entry["site"], record, durable=False,
                                                     stem=Path(job.stem)))))


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
    chosen: Path | list[Path] = sources[0] if len(sources) == 1 else sources
    try:
        out.mkdir(parents=True, exist_ok=True)
    except FileExistsError:
        raise ArchiveError(f"cannot write into {out}: it is a file, not a folder") from None
    except OSError as exc:
        raise ArchiveError(f"cannot write into {out}: {exc.strerror or exc}") from None
    try:
        return _reextract(chosen, out, workers, progress, executor)
    except DAMAGE as exc:
        damaged = isinstance(chosen, Path) and chosen.is_file()
        hint = f"; `souverain verify {chosen}` says where it is damaged" if damaged else ""
        raise ArchiveError(f"cannot re-extract {_named(chosen)}: {type(exc).__name__}: {exc}{hint}") from None


def _named(source: Path | list[Path]) -> str:
    """Return the source(s) as a message names them."""
    return str(source) if isinstance(source, Path) else " and ".join(str(folder) for folder in source)


def _reextract(source: Path | list[Path], out: Path, workers: int | None, progress: Callable[[int, int], None] | None,
               executor: Executor | None) -> dict[str, Any]:
    """Do the work of ``reextract``."""
    started = time.perf_counter()
    remove_orphans(out, SCRATCH_PREFIX)  # left by a killed run
    remove_orphans(out / "articles", recursive=True)
    with warc_files(source, out) as warcs:
        log = scan_logged(warcs)
        if not log.configs:
            raise ArchiveError(f"the WARCs of {_named(source)} hold no run log (were they written by souverain?)")
        stems = StemCheck(out)
        jobs = _jobs(source, stems, log, warcs)
        written: list[Path] = []
        failed = 0
        with nullcontext(executor) if executor is not None else ProcessPoolExecutor(
                workers or len(os.sched_getaffinity(0))) as pool:
            for done, (job, result) in enumerate(zip(jobs, pool.map(extract_job, jobs, chunksize=8),
                                                     strict=True), 1):
                if progress is not None:
                    progress(done, len(jobs))
                if result is None:
                    failed += 1
                elif result.record is not None:  # in run-log order, as the crawl wrote it
                    written.extend(write_article(out, job.entry["site"], result.record, durable=False,
                                                 stem=stems.check(job.entry["stem"], job.entry["site"])))
                else:
                    written.extend(map(Path, result.written))
        fsync_paths(written)  # flushed together at the end: a re-extraction can simply be run again
    return {"articles": len(written) // 2, "failed": failed, "warc_files": len(warcs), "seconds": time.perf_counter() - started}


def _jobs(source: Path | list[Path], stems: StemCheck, log: RunLog, warcs: dict[Path, list[WarcHead]]) -> list[Job]:
    """Return one job per article of the run log; workers write the files when every article has its own safe stem
    (else the parent writes them all, in run-log order, as the crawl chose and overwrote them)."""
    pages = {head.headers["warc-record-id"]: PageRef.from_head(path, head) for path, heads in warcs.items()
             for head in heads if head.headers["warc-type"] in ("response", "revisit")}
    jobs, chosen = [], set()
    out = stems.root.resolve()
    for entry in log.articles:
        config = log.configs.get((entry["run_id"], entry["site"]))
        refs = [pages[record_id] for record_id in entry["pages"] if record_id in pages]
        if config is None or len(refs) != len(entry["pages"]):
            raise ArchiveError(f"{entry['url']}: its run configuration or page records are missing from "
                               f"{_named(source)}")
        stem = stems.check(entry["stem"], entry["site"])
        chosen.add((stem, entry.get("version", 1)))
        jobs.append(Job(entry, refs, config["cleanup"], config["topic"]["toml"], str(out), None if stem is None else str(stem)))
    if len(chosen) < len(jobs) or any(stem is None for stem, _ in chosen):
        jobs = [replace(job, stem=None) for job in jobs]
    return jobs
