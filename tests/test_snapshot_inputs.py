"""Snapshot inputs the ordering tests do not write, in-process: several output folders, versions, run logs without
stems, a day's last microsecond, another time zone, robots.txt odd or absent, hostile dated files (WARCs by the real
writer, dated files by the text store)."""

from __future__ import annotations

import io
import json
import re
import time
import zipfile
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from importlib import metadata
from itertools import count
from pathlib import Path

import pytest
from warcio.warcwriter import WARCWriter

from archive.errors import ArchiveError
from archive.store.textstore import article_stem, write_article
from archive.wacz.snapshot import build_snapshot
from archive.warc.writer import WarcWriter
from tests.test_revisit_records import paris_clock  # noqa: F401 (a fixture: the local time zone, Paris)
from tests.test_snapshot_order import CONFIG, PATHS, ROOT, crawl, page

DATED = "articles/numerama/2026/02/01"


def writer(out: Path, run: str, hour: int, *, part_of: bool = True) -> WarcWriter:
    """A WARC writer of one run whose records are dated from ``hour`` on 2026-03-01 (its file named after it)."""
    ids, ticks = count(1), count()
    return WarcWriter(out / "warc", hostname="h", warcinfo={"isPartOf": run} if part_of else {},
                      record_id_factory=lambda: f"<urn:uuid:{run}-{hour:02d}-{next(ids):04d}>",
                      clock=lambda: datetime(2026, 3, 1, hour, tzinfo=UTC) + timedelta(seconds=next(ticks)))


def fetch(warc: WarcWriter, path: str, at: datetime, body: bytes | None = None) -> str:
    """Archive one page fetched at ``at``; return its response record's id."""
    return warc.write_exchange(replace(page(path, 0, body), fetch_time=at)).record_id


def keep(out: Path, warc: WarcWriter, run: str, kept: list[tuple[str, str, int]], *, stems: bool = True) -> None:
    """Write the dated files of (path, response record id, version) and the run log's articles record."""
    lines, first = [], {}
    for path, record_id, version in kept:
        record = {"url": ROOT + path, "text": f"Texte de {path}, version {version}.", "title": f"{path} v{version}",
                  "published": "2026-02-01", "version": version}
        first.setdefault(path, article_stem(out, "numerama", record).relative_to(out))
        write_article(out, "numerama", record, durable=False, stem=first[path])
        entry = {"url": ROOT + path, "site": "numerama", "pages": [record_id], "discovered_via": ["feed"],
                 "version": version}
        lines.append(json.dumps({**entry, "stem": first[path].as_posix()} if stems else entry))
    warc.write_metadata(f"urn:x-souverain:run:{run}:numerama:articles", "\n".join(lines).encode(),
                        "application/x-ndjson")


def config(warc: WarcWriter, run: str) -> None:
    """Write the run's configuration record."""
    warc.write_metadata(f"urn:x-souverain:run:{run}:numerama:config", json.dumps(CONFIG).encode(), "application/json")


def at(minute: int) -> datetime:
    return datetime(2026, 3, 1, 10, minute, tzinfo=UTC)


def snapshot(outs: Path | list[Path], dest: Path, **selection: str) -> tuple[dict, dict, list[dict], list[str]]:
    """Build a snapshot; return the result, the manifest, the pages.jsonl entries and the member names."""
    result = build_snapshot(outs, dest, **selection)
    with zipfile.ZipFile(dest) as archive:
        pages = [json.loads(line) for line in archive.read("pages/pages.jsonl").splitlines()[1:]]
        return result, json.loads(archive.read("souverain/manifest.json")), pages, archive.namelist()


def articles_of(manifest: dict) -> list[tuple[str, int, str, str]]:
    return [(a["url"], a["version"], a["dated_txt"], a["captured"]) for a in manifest["articles"]]


def test_a_day_ends_at_its_last_microsecond(tmp_path):
    out = tmp_path / "out"
    with writer(out, "run-a", 9) as warc:
        keep(out, warc, "run-a", [("/a/veille.html", fetch(warc, "/a/veille.html",
                                                          datetime(2026, 3, 1, 23, 59, 59, 999999, tzinfo=UTC)), 1)])
    with writer(out, "run-b", 12) as warc:
        keep(out, warc, "run-b", [("/b/minuit.html", fetch(warc, "/b/minuit.html",
                                                          datetime(2026, 3, 2, tzinfo=UTC)), 1)])
    result, manifest, pages, _ = snapshot(out, tmp_path / "day.wacz", until="2026-03-01")
    assert (result["warc_files"], result["articles"], result["cutoff"]) == (1, 1, "2026-03-01T23:59:59Z")
    assert [(w["run_id"], w["last_date"]) for w in manifest["warc_files"]] == [
        ("run-a", "2026-03-01T23:59:59.999999Z")]
    # run-b's article is logged, but its page is in a file left out: it is left out too.
    assert articles_of(manifest) == [(ROOT + "/a/veille.html", 1, f"{DATED}/veille.txt", "2026-03-01T23:59:59.999999Z")]
    assert [p["url"] for p in pages] == [ROOT + "/a/veille.html"]
    _, everything, _, _ = snapshot(out, tmp_path / "all.wacz")
    assert [a["url"] for a in everything["articles"]] == [ROOT + "/a/veille.html", ROOT + "/b/minuit.html"]
    assert everything["cutoff"] == "2026-03-02T00:00:00Z"  # a last record on a whole second is its own cut-off


def test_an_unknown_run_is_refused_with_the_runs_there_are(tmp_path):
    out = tmp_path / "out"
    for run, hour in (("run-b", 9), ("run-a", 12)):
        with writer(out, run, hour) as warc:
            config(warc, run)
    with pytest.raises(ArchiveError, match=r"^unknown run 'run-c': runs in these WARC files: run-a, run-b$"):
        build_snapshot(out, tmp_path / "x.wacz", run_id="run-c")
    anonymous = tmp_path / "anonymous"
    with writer(anonymous, "run-a", 9, part_of=False) as warc:
        config(warc, "run-a")
    with pytest.raises(ArchiveError, match=r"^unknown run 'run-a': runs in these WARC files: none$"):
        build_snapshot(anonymous, tmp_path / "x.wacz", run_id="run-a")


@pytest.mark.usefixtures("paris_clock")
def test_dates_are_utc_whatever_the_machine_time_zone(tmp_path):
    assert time.strftime("%z", time.localtime(0)) == "+0100"  # the zone is really in force
    crawl(tmp_path / "out", PATHS)
    result, manifest, _, _ = snapshot(tmp_path / "out", tmp_path / "x.wacz")
    assert result["cutoff"] == manifest["cutoff"] == "2026-03-01T10:04:00Z"
    assert [(w["first_date"], w["last_date"]) for w in manifest["warc_files"]] == [
        ("2026-03-01T09:00:01.000000Z", "2026-03-01T10:04:00.000000Z")]


def test_robots_txt_kept_as_text_absent_or_without_http_headers(tmp_path):
    out = tmp_path / "out"
    with writer(out, "run-a", 9) as warc:
        fetch(warc, "/robots.txt", at(0), b"User-agent: *\nDisallow: /priv\xe9/\n")  # Latin-1, not UTF-8
        keep(out, warc, "run-a", [("/a/un.html", fetch(warc, "/a/un.html", at(1)), 1)])
    with writer(out, "run-b", 12) as warc:  # a run that fetched no robots.txt
        keep(out, warc, "run-b", [("/b/deux.html", fetch(warc, "/b/deux.html", at(2)), 1)])
    empty_robots = sorted((out / "warc").glob("*.warc.gz"))[1]
    with empty_robots.open("ab") as stream:  # a response record with an empty block: no HTTP status to keep
        raw = WARCWriter(stream, gzip=True, warc_version="WARC/1.1")
        raw.write_record(raw.create_warc_record(ROOT + "/robots.txt", "response", payload=io.BytesIO(b""), length=0,
                                                warc_headers_dict={"WARC-Date": "2026-03-01T12:30:00Z",
                                                                   "WARC-Record-ID": "<urn:uuid:empty>"}))
    result, manifest, _, _ = snapshot(out, tmp_path / "x.wacz")
    assert (result["warc_files"], result["articles"]) == (2, 2)
    assert [(r["warc_file"], r["status"], r["text"]) for r in manifest["robots"]] == [
        (manifest["warc_files"][0]["path"], 200, "User-agent: *\nDisallow: /priv\ufffd/\n")]


def test_each_version_of_an_article_has_its_dated_files(tmp_path):
    out = tmp_path / "out"
    with writer(out, "run-a", 9) as warc:
        keep(out, warc, "run-a", [("/a/suivi.html", fetch(warc, "/a/suivi.html", at(3)), 1),
                                  ("/a/suivi.html", fetch(warc, "/a/suivi.html", at(1)), 2)])
    result, manifest, pages, names = snapshot(out, tmp_path / "x.wacz")
    assert result["articles"] == 2
    assert articles_of(manifest) == [(ROOT + "/a/suivi.html", 1, f"{DATED}/suivi.txt", "2026-03-01T10:03:00Z"),
                                     (ROOT + "/a/suivi.html", 2, f"{DATED}/suivi.v2.txt", "2026-03-01T10:01:00Z")]
    assert [(p["ts"], p["title"]) for p in pages] == [("2026-03-01T10:01:00Z", "/a/suivi.html v2"),
                                                      ("2026-03-01T10:03:00Z", "/a/suivi.html v1")]  # by time
    assert {"articles/numerama__2026-02-01__suivi.txt", "articles/numerama__2026-02-01__suivi.v2.json"} <= set(names)


def test_a_run_log_without_stems_finds_the_dated_files_by_url_and_version(tmp_path):
    out = tmp_path / "out"
    with writer(out, "run-a", 9) as warc:
        keep(out, warc, "run-a", [("/a/suivi.html", fetch(warc, "/a/suivi.html", at(1)), 1),
                                  ("/a/suivi.html", fetch(warc, "/a/suivi.html", at(2)), 2),
                                  ("/b/autre.html", fetch(warc, "/b/autre.html", at(3)), 1)], stems=False)
    first = out / DATED / "suivi.json"
    first.write_text(json.dumps({k: v for k, v in json.loads(first.read_text()).items() if k != "version"}))
    other = out / DATED / "autre.json"  # a version that is not a whole number counts as the first
    other.write_text(json.dumps({**json.loads(other.read_text()), "version": "1"}))
    _, manifest, _, _ = snapshot(out, tmp_path / "x.wacz")
    assert articles_of(manifest) == [(ROOT + "/a/suivi.html", 1, f"{DATED}/suivi.txt", "2026-03-01T10:01:00Z"),
                                     (ROOT + "/a/suivi.html", 2, f"{DATED}/suivi.v2.txt", "2026-03-01T10:02:00Z"),
                                     (ROOT + "/b/autre.html", 1, f"{DATED}/autre.txt", "2026-03-01T10:03:00Z")]
    assert [a["dated_json"] for a in manifest["articles"]] == [f"{DATED}/suivi.json", f"{DATED}/suivi.v2.json",
                                                               f"{DATED}/autre.json"]


def test_several_output_folders_make_one_snapshot_listed_by_url(tmp_path):
    one, two = tmp_path / "one", tmp_path / "two"
    with writer(one, "run-d", 10) as warc:  # the later file name, in the first folder
        config(warc, "run-d")
        keep(one, warc, "run-d", [("/c/trois.html", fetch(warc, "/c/trois.html", at(3)), 1),
                                  ("/a/un.html", fetch(warc, "/a/un.html", at(1)), 1)])
        fetched_here = fetch(warc, "/d/quatre.html", at(4))  # fetched by this worker, kept by the other
    with writer(two, "run-d", 9) as warc:
        keep(two, warc, "run-d", [("/b/deux.html", fetch(warc, "/b/deux.html", at(2)), 1),
                                  ("/d/quatre.html", fetched_here, 1)])
    result, manifest, pages, names = snapshot([one, two, one], tmp_path / "x.wacz")  # a folder given twice counts once
    assert (result["warc_files"], result["articles"]) == (2, 4)
    assert [(a["url"], a["txt"]) for a in manifest["articles"]] == [
        (ROOT + f"/{path}.html", f"articles/numerama__2026-02-01__{path[2:]}.txt")
        for path in ("a/un", "b/deux", "c/trois", "d/quatre")]
    assert [p["url"] for p in pages] == [a["url"] for a in manifest["articles"]]
    assert pages[3]["text"] == "Texte de /d/quatre.html, version 1.\n"  # from the folder that kept it
    warcs = [n for n in names if n.startswith("archive/")]
    assert [w["path"] for w in manifest["warc_files"]] == sorted(warcs) and len(warcs) == 2  # by name, not folder
    assert "-20260301090000000-" in manifest["warc_files"][0]["path"]


def test_several_output_folders_whose_run_logs_name_no_stems(tmp_path):
    one, two = tmp_path / "one", tmp_path / "two"
    with writer(one, "run-e", 10) as warc:
        config(warc, "run-e")
        keep(one, warc, "run-e", [("/a/un.html", fetch(warc, "/a/un.html", at(1)), 1)], stems=False)
    with writer(two, "run-e", 9) as warc:
        keep(two, warc, "run-e", [("/b/deux.html", fetch(warc, "/b/deux.html", at(2)), 1)], stems=False)
    _, manifest, pages, _ = snapshot([one, two], tmp_path / "x.wacz")
    assert [a["url"] for a in manifest["articles"]] == [ROOT + "/a/un.html", ROOT + "/b/deux.html"]
    assert [p["text"] for p in pages] == ["Texte de /a/un.html, version 1.\n", "Texte de /b/deux.html, version 1.\n"]


def test_several_output_folders_that_clash_are_refused(tmp_path):
    one, two = tmp_path / "one", tmp_path / "two"
    for out, hour in ((one, 9), (two, 9)):  # the same hour: the same WARC file name
        with writer(out, "run-d", hour) as warc:
            config(warc, "run-d")
    with pytest.raises(ArchiveError, match=f"^two WARC files of the same name in {re.escape(str(one / 'warc'))} and "
                                           f"{re.escape(str(two / 'warc'))}: give each output folder once$"):
        build_snapshot([one, two], tmp_path / "x.wacz")
    three = tmp_path / "three"
    with writer(three, "run-d", 10) as warc:  # another URL, the same slug and date: the same dated file name
        keep(three, warc, "run-d", [("/b/un.html", fetch(warc, "/b/un.html", at(2)), 1)])
    with writer(one, "run-d", 11) as warc:
        keep(one, warc, "run-d", [("/a/un.html", fetch(warc, "/a/un.html", at(1)), 1)])
    with pytest.raises(ArchiveError, match="^two output folders hold the same dated file name: snapshot them one by "
                                           "one$"):
        build_snapshot([one, three], tmp_path / "x.wacz")


@pytest.fixture
def one_article(tmp_path) -> Path:
    """An output folder with one kept article, ``/b/2-souverain.html``."""
    crawl(tmp_path / "out", PATHS[:1])
    return tmp_path / "out"


def test_a_dated_record_without_title_or_date_is_listed_with_none(one_article, tmp_path):
    path = one_article / DATED / "2-souverain.json"
    path.write_text(json.dumps({"url": ROOT + PATHS[0], "text": "Texte."}))
    _, manifest, pages, _ = snapshot(one_article, tmp_path / "x.wacz")
    assert (manifest["articles"][0]["title"], manifest["articles"][0]["published"]) == (None, None)
    assert pages[0]["title"] == ""


@pytest.mark.parametrize(("name", "content", "error"), [
    ("2-souverain.json", b'{"url": "u", "text": "t", "title": 5}', "json: field 'title' is int, expected str"),
    ("2-souverain.json", b'{"url": "u", "text": "t", "published": ["2026"]}',
     "json: field 'published' is list, expected str"),
    ("2-souverain.json", b'{"url": ', "json: not JSON ("),
    ("2-souverain.txt", b"Texte en Latin-1 : \xe9t\xe9.", "txt: not UTF-8 text"),
])
def test_a_hostile_dated_file_is_refused_in_one_line_naming_it(one_article, tmp_path, name, content, error):
    (one_article / DATED / name).write_bytes(content)
    stem = re.escape(str(one_article / DATED / "2-souverain."))
    with pytest.raises(ArchiveError, match=f"^{stem}{re.escape(error)}"):
        build_snapshot(one_article, tmp_path / "x.wacz")


@pytest.mark.parametrize("suffix", [".json", ".txt"])
def test_a_dated_file_linked_outside_the_output_folder_is_refused(one_article, tmp_path, suffix):
    dated = one_article / DATED / f"2-souverain{suffix}"
    outside = tmp_path / f"ailleurs{suffix}"
    outside.write_bytes(dated.read_bytes())
    dated.unlink()
    dated.symlink_to(outside)
    with pytest.raises(ArchiveError, match=f"^{re.escape(str(dated))} leads outside {re.escape(str(one_article))} "
                                           f"\\(symbolic link\\)$"):
        build_snapshot(one_article, tmp_path / "x.wacz")


def test_a_missing_dated_file_names_the_articles_folder(one_article, tmp_path):
    (one_article / DATED / "2-souverain.json").unlink()
    with pytest.raises(ArchiveError, match=f"^1 kept article\\(s\\) have no dated file under "
                                           f"{re.escape(str(one_article / 'articles'))} \\(first: "):
        build_snapshot(one_article, tmp_path / "x.wacz")


def test_dated_files_the_run_log_names_are_read_and_no_other(one_article, tmp_path):
    (one_article / DATED / "ailleurs.json").write_bytes(b'{"url": ')  # no run log line names it
    _, manifest, _, names = snapshot(one_article, tmp_path / "x.wacz")
    assert [a["dated_json"] for a in manifest["articles"]] == [f"{DATED}/2-souverain.json"]
    assert not [name for name in names if "ailleurs" in name]


def test_an_article_found_unchanged_is_dated_by_its_revisit(tmp_path):
    out = tmp_path / "out"
    with writer(out, "run-a", 9) as warc:
        first = warc.write_exchange(replace(page("/a/stable.html", 0), fetch_time=at(1)))
        again = warc.write_revisit(replace(page("/a/stable.html", 0), fetch_time=at(5)),
                                   profile="identical-payload-digest", refers_to=first)
        keep(out, warc, "run-a", [("/a/stable.html", again.record_id, 1)])
    _, manifest, pages, _ = snapshot(out, tmp_path / "x.wacz")
    assert articles_of(manifest) == [(ROOT + "/a/stable.html", 1, f"{DATED}/stable.txt", "2026-03-01T10:05:00Z")]
    assert manifest["articles"][0]["pages"] == [again.record_id] and pages[0]["ts"] == "2026-03-01T10:05:00Z"


def test_a_run_keeps_only_the_articles_it_logged(tmp_path):
    out = tmp_path / "out"
    with writer(out, "run-a", 9) as warc:
        keep(out, warc, "run-a", [("/a/un.html", fetch(warc, "/a/un.html", at(1)), 1)])
    with writer(out, "run-b", 12) as warc:
        record_id = fetch(warc, "/b/deux.html", at(2))
        keep(out, warc, "run-b", [("/b/deux.html", record_id, 1)])
        keep(out, warc, "run-a", [("/c/trois.html", fetch(warc, "/c/trois.html", at(3)), 1)])  # run-a's, in this file
    _, manifest, _, _ = snapshot(out, tmp_path / "b.wacz", run_id="run-b")
    assert [(a["url"], a["run_id"]) for a in manifest["articles"]] == [(ROOT + "/b/deux.html", "run-b")]
    _, everything, _, _ = snapshot(out, tmp_path / "all.wacz")
    assert [(a["url"], a["run_id"]) for a in everything["articles"]] == [
        (ROOT + "/a/un.html", "run-a"), (ROOT + "/b/deux.html", "run-b"), (ROOT + "/c/trois.html", "run-a")]


def test_a_warc_file_without_warcinfo_belongs_to_no_run(tmp_path):
    out = tmp_path / "out"
    (out / "warc").mkdir(parents=True)
    with (out / "warc" / "autre-00000.warc.gz").open("wb") as stream:  # written by another tool: no warcinfo
        raw = WARCWriter(stream, gzip=True, warc_version="WARC/1.1")
        raw.write_record(raw.create_warc_record("urn:x-autre:note", "resource", payload=io.BytesIO(b"note"),
                                                warc_headers_dict={"WARC-Date": "2026-03-01T08:00:00Z",
                                                                   "Content-Type": "text/plain"}))
    result, manifest, pages, _ = snapshot(out, tmp_path / "x.wacz")
    assert (result["warc_files"], result["articles"], result["cutoff"]) == (1, 0, "2026-03-01T08:00:00Z")
    assert [(w["path"], w["run_id"], w["records"]) for w in manifest["warc_files"]] == [
        ("archive/autre-00000.warc.gz", None, 1)]
    assert pages == [] and manifest["robots"] == []


def test_a_malformed_run_log_is_refused_naming_the_folder(tmp_path):
    out = tmp_path / "out"
    with writer(out, "run-a", 9) as warc:
        warc.write_metadata("urn:x-souverain:run:run-a:numerama:articles", b'{"url": ', "application/x-ndjson")
    with pytest.raises(ArchiveError, match=f"^cannot read the WARC files in {re.escape(str(out / 'warc'))}: .*"
                                           "line 1: not JSON"):
        build_snapshot(out, tmp_path / "x.wacz")


def test_a_folder_as_destination_is_refused_with_a_file_name_to_give(one_article, tmp_path):
    with pytest.raises(ArchiveError, match=f"^cannot write {re.escape(str(tmp_path))}: it is a folder; give a file "
                                           f"name, e.g. {re.escape(str(tmp_path / 'snapshot.wacz'))}$"):
        build_snapshot(one_article, tmp_path)


def test_the_members_software_and_progress_of_a_snapshot(tmp_path):
    out = tmp_path / "out"
    for run, hour in (("run-a", 9), ("run-b", 12)):
        with writer(out, run, hour) as warc:
            keep(out, warc, run, [(f"/{run}.html", fetch(warc, f"/{run}.html", at(hour)), 1)])
    steps: list[tuple[str, int, int, str]] = []
    result = build_snapshot(out, tmp_path / "x.wacz", progress=lambda *step: steps.append(step))
    assert [step for step in steps if step[0] != "writing the WACZ"] == [
        ("reading WARC files", 0, 2, ""), ("reading WARC files", 2, 2, ""), ("indexing", 0, 1, ""),
        ("indexing", 1, 1, "")]
    written = [step[1:] for step in steps if step[0] == "writing the WACZ"]
    assert written and written[-1][0] == written[-1][1] > 0 and all(unit == "bytes" for *_, unit in written)
    assert [done for done, _, _ in written] == sorted(done for done, _, _ in written)
    with zipfile.ZipFile(tmp_path / "x.wacz") as archive:
        names = archive.namelist()
        package = json.loads(archive.read("datapackage.json"))
    assert {"indexes/index.cdx", "pages/pages.jsonl", "souverain/manifest.json"} <= set(names)
    assert package["software"] == f"souverain {metadata.version('souverain')}"
    assert result["warc_files"] == 2
