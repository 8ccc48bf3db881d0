"""``souverain snapshot``: a reproducible WACZ of an output folder (closed WARCs, index, pages, articles, manifest)."""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path, PurePosixPath
from typing import Any
from urllib.parse import urlsplit

from archive.errors import ArchiveError
from archive.source import MAX_JSON, article_jsons, expect, load_json, read_file
from archive.store.textstore import StemCheck, version_stem
from archive.wacz.manifest import MANIFEST_PATH, build_manifest, run_entries, zip_article_path
from archive.wacz.package import ChunkHasher, Member, pages_jsonl, write_wacz
from archive.wacz.software import package_version
from archive.warc.cdxj import index_lines, merge_indexes
from archive.warc.records import Record, WarcHead, checked_warcs
from archive.warc.runlog import RunLog, scan_logged


@dataclass(frozen=True)
class WarcFile:
    """A closed WARC file: its run, how many records, the dates of its first and last records, its robots.txt."""

    path: Path
    run_id: str | None
    records: int
    first_date: datetime
    last_date: datetime
    robots: list[dict[str, Any]]

    def entry(self) -> dict[str, Any]:
        """Return the file as listed in the manifest."""
        return {"path": f"archive/{self.path.name}", "run_id": self.run_id, "records": self.records,
                "first_date": _iso(self.first_date, micro=True), "last_date": _iso(self.last_date, micro=True)}


def build_snapshot(out_dir: Path | Sequence[Path], dest: Path, *, run_id: str | None = None,
                   until: str | None = None,
                   progress: Callable[[str, int, int, str], None] | None = None) -> dict[str, Any]:
    """Build a deterministic WACZ 1.1.1 of an output folder: same inputs, byte-identical file.

    Every version of every kept article goes in (``<slug>.txt``, ``<slug>.v2.txt``… with their JSON records).
    Several output folders (the workers of a distributed run, each with its WARCs and dated files) make one
    snapshot: WARC files merged by name, one sorted index, each article's dated files taken from the folder whose
    WARC holds its capture.

    Args:
        out_dir: the output folder (``warc/``, ``articles/``), or several.
        dest: the ``.wacz`` to write (its folder must exist).
        run_id: keep only this run's WARC files and articles.
        until: ``YYYY-MM-DD``: keep only WARC files whose records are all dated up to that day's end (UTC).
        progress: called with (step, done, total, unit) as the work goes; unit is ``bytes`` or empty.

    Returns:
        ``warc_files``, ``articles``, ``bytes`` (of the WACZ), ``cutoff``, ``sha256`` (of the WACZ), ``path``.

    Raises:
        ArchiveError: a missing folder, no closed WARC file, an unknown run, a bad date, a missing article file.
    """
    outs = [out_dir] if isinstance(out_dir, Path) else list(dict.fromkeys(out_dir))
    for folder in outs:
        if not folder.is_dir():
            raise ArchiveError(f"output folder {folder} does not exist")
    if dest.is_dir():
        raise ArchiveError(f"cannot write {dest}: it is a folder; give a file name, e.g. {dest / 'snapshot.wacz'}")
    if not dest.parent.is_dir():
        raise ArchiveError(f"cannot write {dest}: folder {dest.parent} does not exist")
    report = progress or (lambda step, done, total, unit: None)
    day_end = _day_end(until) if until else None
    hashers: dict[Path, ChunkHasher] = {}
    owner: dict[Path, Path] = {}  # WARC file → its output folder
    found: dict[Path, list[WarcHead]] = {}
    for folder in outs:
        for path, heads in checked_warcs(folder, tee=lambda path: hashers.setdefault(path, ChunkHasher()).update).items():
            found[path], owner[path] = heads, folder
    warcs = dict(sorted(found.items(), key=lambda item: item[0].name))
    where = " and ".join(str(folder / "warc") for folder in outs)
    if not warcs:
        raise ArchiveError(f"no closed WARC file (*.warc.gz) in {where}")
    if len({path.name for path in warcs}) < len(warcs):
        raise ArchiveError(f"two WARC files of the same name in {where}: give each output folder once")
    paths = list(warcs)
    robots = _Robots()
    with ProcessPoolExecutor(min(len(paths), len(os.sched_getaffinity(0)))) as pool:
        indexes = {path: pool.submit(index_lines, path) for path in paths}  # while this process reads the run log
        report("reading WARC files", 0, len(paths), "")
        try:
            log = scan_logged(warcs, content=_is_robots, visit=robots.visit)
        except (ArchiveError, OSError) as exc:
            raise ArchiveError(f"cannot read the WARC files in {where}: {exc}") from None
        report("reading WARC files", len(paths), len(paths), "")
        files = _select([_warc_file(path, heads, log.warcinfo.get(path.name, {}).get("isPartOf"), robots)
                         for path, heads in warcs.items()], run_id, day_end, until)
        report("indexing", 0, 1, "")
        index = merge_indexes(indexes[file.path].result() for file in files)
    responses = {head.headers["warc-record-id"]: Response(path, head.headers["warc-date"])
                 for path, heads in warcs.items() for head in heads
                 if head.headers["warc-type"] in ("response", "revisit")}
    kept = {file.path for file in files}
    runs = {file.run_id for file in files}
    articles = _articles(log, responses, kept, run_id)
    cutoff = f"{until}T23:59:59Z" if until else _iso(_ceil_second(max(file.last_date for file in files)))
    dated: list[tuple[dict[str, Any], list[Member], dict[str, Any]]] = []  # entry, its two members, its page
    stems = {folder: _recorded_stems(folder, articles) for folder in outs}
    homes = {_key(a): _home(outs, a, owner[responses[a["pages"][0]].path], stems) for a in articles}
    for folder in outs:
        mine = [a for a in articles if homes[_key(a)] == folder]
        found_members, found_entries, found_pages = _article_members(folder, mine, responses, stems[folder])
        dated += [(entry, found_members[2 * i: 2 * i + 2], page)
                  for i, (entry, page) in enumerate(zip(found_entries, found_pages, strict=True))]
    dated.sort(key=lambda item: (item[0]["url"], item[0]["version"]))  # as one folder's: by URL and version
    entries, pages = [entry for entry, _, _ in dated], [page for _, _, page in dated]
    members = [member for _, pair, _ in dated for member in pair]
    if len({member.path for member in members}) < len(members):
        raise ArchiveError("two output folders hold the same dated file name: snapshot them one by one")
    pages_data = pages_jsonl(sorted(pages, key=lambda page: (page["url"], page["ts"])))
    members += [Member(f"archive/{file.path.name}", hashers[file.path].digest(), source=file.path) for file in files]
    members += [Member.from_bytes("indexes/index.cdx", index), Member.from_bytes("pages/pages.jsonl", pages_data)]
    manifest = build_manifest(
        cutoff=cutoff, selection={"run": run_id, "until": until},
        runs=run_entries({key: config for key, config in log.configs.items() if key[0] in runs}),
        warc_files=[file.entry() for file in files],
        robots=sorted((robot for file in files for robot in file.robots), key=lambda r: (r["url"], r["date"])),
        articles=entries, members=members, pages=pages_data)
    members.append(Member.from_bytes(MANIFEST_PATH, manifest))
    report("indexing", 1, 1, "")
    digest = write_wacz(dest, members, created=cutoff, software=f"souverain {package_version('souverain')}",
                        title=f"souverain snapshot {cutoff}",
                        progress=lambda done, total: report("writing the WACZ", done, total, "bytes"))
    return {"warc_files": len(files), "articles": len(entries), "bytes": digest.size, "cutoff": cutoff,
            "sha256": digest.sha256, "path": str(dest)}


def _day_end(until: str) -> datetime:
    """Return the last instant of a ``YYYY-MM-DD`` day, UTC."""
    try:
        day = datetime.strptime(until, "%Y-%m-%d")
    except ValueError:
        raise ArchiveError(f"--until {until!r}: expected a date YYYY-MM-DD") from None
    return day.replace(hour=23, minute=59, second=59, microsecond=999999, tzinfo=UTC)


def _ceil_second(moment: datetime) -> datetime:
    """Return the first whole second at or after a time (so the cut-off is never before a record)."""
    return moment + timedelta(microseconds=-moment.microsecond % 1_000_000)


def _iso(moment: datetime, *, micro: bool = False) -> str:
    """Return a UTC time as ``YYYY-MM-DDTHH:MM:SSZ`` (with microseconds when asked)."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ" if micro else "%Y-%m-%dT%H:%M:%SZ")


def _is_robots(kind: str, uri: str) -> bool:
    """True for a robots.txt response, whose text the manifest keeps."""
    return kind == "response" and urlsplit(uri).path == "/robots.txt"


@dataclass(frozen=True)
class Response:
    """Where a response or revisit record is, and its date (what a snapshot needs of an article's pages)."""

    path: Path
    date: str


class _Robots:
    """The robots.txt responses of each WARC file, whose text the manifest keeps."""

    def __init__(self) -> None:
        self.by_file: dict[Path, list[dict[str, Any]]] = {}

    def visit(self, path: Path, record: Record) -> None:
        """Keep one robots.txt response with its text."""
        if record.content is not None and record.http is not None:
            self.by_file.setdefault(path, []).append({
                "url": record.header("WARC-Target-URI"), "record_id": record.header("WARC-Record-ID"),
                "date": record.header("WARC-Date"), "warc_file": f"archive/{path.name}",
                "status": int(record.http.get_statuscode()), "text": record.content.decode("utf-8", "replace")})


def _warc_file(path: Path, heads: list[WarcHead], run_id: str | None, robots: _Robots) -> WarcFile:
    """Return one file's run, record count, first and last dates (from its heads: ``check_warc`` refuses a file
    without records) and robots.txt."""
    dates = [datetime.fromisoformat(head.headers["warc-date"]) for head in heads]
    return WarcFile(path, run_id, len(dates), min(dates), max(dates), robots.by_file.get(path, []))


def _select(files: list[WarcFile], run_id: str | None, day_end: datetime | None, until: str | None) -> list[WarcFile]:
    """Keep the files of one run, or those whose records are all dated up to a day's end."""
    if run_id is not None:
        chosen = [file for file in files if file.run_id == run_id]
        if not chosen:
            known = ", ".join(sorted({file.run_id for file in files if file.run_id})) or "none"
            raise ArchiveError(f"unknown run {run_id!r}: runs in these WARC files: {known}")
        return chosen
    if day_end is not None:
        chosen = [file for file in files if file.last_date <= day_end]
        if not chosen:
            first = _iso(min(file.last_date for file in files))
            raise ArchiveError(f"no WARC file has all its records dated up to {until} (earliest complete: {first})")
        return chosen
    return files


def _articles(log: RunLog, responses: dict[str, Response], kept: set[Path],
              run_id: str | None) -> list[dict[str, Any]]:
    """Return every version of the kept articles whose every page is in the chosen files, by URL and version."""
    versions = {}
    for article in log.articles:
        pages = [responses.get(record_id) for record_id in article["pages"]]
        if (run_id is None or article["run_id"] == run_id) and pages and all(
                page is not None and page.path in kept for page in pages):
            versions[_key(article)] = article  # a version logged again (a resumed run) keeps its last capture
    return [versions[key] for key in sorted(versions)]


def _key(article: dict[str, Any]) -> tuple[str, int]:
    """Return what tells one dated file of an article from another: its URL and version (1 unless a whole number)."""
    version = article.get("version", 1)
    return article["url"], version if type(version) is int else 1


def _recorded_stems(out_dir: Path, articles: list[dict[str, Any]]) -> dict[tuple[str, int], Path | None]:
    """Return each article's stem as its run log recorded it, when ``checked_stem`` accepts it in ``out_dir``."""
    check = StemCheck(out_dir)
    return {_key(article): check.check(article["stem"], article["site"]) for article in articles}


def _dated_json(stem: Path | None, out_dir: Path, article: dict[str, Any],
                by_key: dict[tuple[str, int], Path]) -> Path | None:
    """Return an article's dated JSON file: by its recorded (checked) stem and version, else found by its URL."""
    if stem is not None:
        stem = version_stem(out_dir / stem, article["version"])
        return stem.with_name(stem.name + ".json")
    return by_key.get(_key(article))


def _home(outs: list[Path], article: dict[str, Any], first_page: Path,
          stems: dict[Path, dict[tuple[str, int], Path | None]]) -> Path:
    """Return the output folder that holds an article's dated files: the one where its recorded stem exists (the
    worker that kept it, which may not be the one that fetched its first page), else its first page's folder."""
    if len(outs) == 1:
        return first_page
    for folder in outs:
        if (path := _dated_json(stems[folder][_key(article)], folder, article, {})) is not None and path.is_file():
            return folder
    return first_page


def _dated_files(out_dir: Path) -> dict[tuple[str, int], Path]:
    """Map each article URL and version to its dated JSON file under ``OUT/articles`` (for run logs that record
    no stem)."""
    return {_key(record): path for path, record in article_jsons(out_dir)}


def _article_members(out_dir: Path, articles: list[dict[str, Any]], responses: dict[str, Response],
                     stems: dict[tuple[str, int], Path | None]) -> tuple[list[Member], list[dict[str, Any]],
                                                                       list[dict[str, Any]]]:
    """Return the dated files as WACZ members, the manifest's article entries, and the pages.jsonl entries."""
    by_key = _dated_files(out_dir) if any(stems[_key(article)] is None for article in articles) else {}
    dated = {_key(article): _dated_json(stems[_key(article)], out_dir, article, by_key) for article in articles}
    real_root = out_dir.resolve()
    missing = [url for (url, _), path in dated.items() if path is None or not path.is_file()]
    if missing:
        raise ArchiveError(f"{len(missing)} kept article(s) have no dated file under {out_dir / 'articles'} "
                           f"(first: {missing[0]})")
    found = {key: path for key, path in dated.items() if path is not None}
    members, entries, pages = [], [], []
    for article in articles:
        json_path = found[_key(article)]
        txt_path = json_path.with_suffix(".txt")
        data = read_file(json_path, out_dir, MAX_JSON, real_root=real_root)
        text = read_file(txt_path, out_dir, MAX_JSON, real_root=real_root)
        record = load_json(data, str(json_path))
        try:
            text_str = text.decode("utf-8")
        except UnicodeDecodeError:
            raise ArchiveError(f"{txt_path}: not UTF-8 text") from None
        for key in ("title", "published"):
            expect(record, key, str, str(json_path), optional=True)
        rel_txt = PurePosixPath(txt_path.relative_to(out_dir).as_posix())
        rel_json = PurePosixPath(json_path.relative_to(out_dir).as_posix())
        txt = Member.from_bytes(zip_article_path(rel_txt), text)
        js = Member.from_bytes(zip_article_path(rel_json), data)
        members += [txt, js]
        captured = responses[article["pages"][0]].date
        entries.append({"url": article["url"], "version": article["version"], "site": article["site"],
                        "run_id": article["run_id"],
                        "discovered_via": article["discovered_via"], "pages": article["pages"],
                        "captured": captured, "title": record.get("title"), "published": record.get("published"),
                        "text_sha256": txt.digest.sha256, "dated_txt": str(rel_txt), "dated_json": str(rel_json),
                        "txt": txt.path, "json": js.path})
        pages.append({"url": article["url"], "ts": captured, "title": record.get("title") or "",
                      "text": text_str})
    return members, entries, pages
