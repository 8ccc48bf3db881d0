"""Property tests: run-log stems, zip member names and URLs read from an archive never give a path outside OUT."""

from __future__ import annotations

import tempfile
from pathlib import Path, PurePosixPath

from hypothesis import given, settings
from hypothesis import strategies as st

from archive.errors import ArchiveError
from archive.source import inside, member_problem
from archive.store.textstore import article_stem, checked_stem, write_article
from archive.warc.runlog import _article

PARTS = st.sampled_from(["..", ".", "", "articles", "clubic", "numerama", "2020", "01", "undated", "a-b", "/",
                         "\\", "évil", "\x00", "~", "con", "a" * 300, "..\\..", "%2e%2e", "．．"])
STEMS = st.one_of(st.text(max_size=80), st.lists(PARTS, max_size=8).map("/".join),
                  st.lists(PARTS, max_size=6).map(lambda parts: "articles/clubic/" + "/".join(parts)))
SITES = st.one_of(st.sampled_from(["clubic", "numerama"]), st.text(max_size=20))
URLS = st.one_of(st.text(max_size=80), st.builds(lambda host, path: f"http://{host}/{path}",
                                                 st.text(max_size=20), st.text(max_size=60)),
                 st.lists(PARTS, max_size=6).map(lambda parts: "https://127.0.0.1:8000/" + "/".join(parts)))


def under(path: Path, folder: Path) -> bool:
    """True when a path stays under a folder once resolved."""
    return path.resolve().is_relative_to(folder.resolve())


@settings(max_examples=300, deadline=None)
@given(stem=STEMS, site=SITES, url=URLS, version=st.integers(min_value=-3, max_value=10 ** 6),
       published=st.one_of(st.none(), st.text(max_size=30), st.sampled_from(["2020-01-02", "0001-01-01"])))
def test_run_log_entries_never_write_outside_out(stem: str, site: str, url: str, version: int,
                                                 published: str | None) -> None:
    entry = {"url": url, "site": site, "stem": stem, "version": version, "pages": ["<urn:uuid:1>"],
             "discovered_via": []}
    try:
        checked = _article(entry, "run-1", "property test")
    except ArchiveError:
        return  # refused in one line: nothing is written
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "out"
        record = {"url": checked["url"], "text": "texte", "published": published, "version": checked["version"]}
        relative = checked_stem(out, checked["stem"], checked["site"])
        txt, js = write_article(out, checked["site"], record, durable=False, stem=relative)
        assert under(txt, out / "articles") and under(js, out / "articles")
        assert [p for p in Path(tmp).rglob("*") if p.is_file()] and all(
            under(p, out / "articles") for p in Path(tmp).rglob("*") if p.is_file())


@settings(max_examples=300, deadline=None)
@given(stem=STEMS, site=SITES)
def test_checked_stems_stay_under_articles(stem: str, site: str) -> None:
    out = Path("/srv/out")
    relative = checked_stem(out, stem, site)
    assert relative is None or under(out / relative, out / "articles")


@settings(max_examples=300, deadline=None)
@given(name=st.one_of(st.text(max_size=60), st.lists(PARTS, min_size=1, max_size=6).map("/".join)))
def test_safe_member_names_stay_in_the_folder(name: str) -> None:
    folder = Path("/srv/unpacked")
    if member_problem(name) is None:
        assert under(folder / name, folder)
        assert under(folder / PurePosixPath(name).name, folder)  # WARCs are unpacked flat
        assert inside(folder, name) == folder / name
    else:
        try:
            inside(folder, name)
        except ArchiveError:
            return
        raise AssertionError(f"inside() accepted {name!r}")


@settings(max_examples=300, deadline=None)
@given(url=URLS, site=SITES, published=st.one_of(st.none(), st.text(max_size=30)))
def test_stems_computed_from_urls_stay_under_articles(url: str, site: str, published: str | None) -> None:
    out = Path("/srv/out")
    stem = article_stem(out, site, {"url": url, "published": published})
    assert under(stem, out / "articles") and len(stem.name) <= 255
