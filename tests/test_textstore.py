"""Dated article files: paths, atomic writes, no escape from OUT, no overwrite between URLs."""

from __future__ import annotations

import json
import string
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from archive.textstore import date_folder, safe_name, slug_for_url, write_article


def record(url: str, published: str | None = "2015-12-03T11:04:00+01:00", text: str = "Du texte.") -> dict:
    return {"url": url, "published": published, "text": text, "title": "T"}


def test_dated_path_uses_the_publication_date_in_its_own_offset(tmp_path):
    txt, js = write_article(tmp_path, "clubic", record("https://www.clubic.com/pro/actualite-783774-numergy.html",
                                                       "2015-12-31T23:30:00+01:00"))
    assert txt == tmp_path / "articles/clubic/2015/12/31/actualite-783774-numergy.txt"
    assert js.with_suffix(".txt") == txt
    assert txt.read_text(encoding="utf-8") == "Du texte.\n"
    assert json.loads(js.read_text(encoding="utf-8"))["url"].endswith("numergy.html")


def test_undated_articles_go_to_undated(tmp_path):
    txt, _ = write_article(tmp_path, "numerama", record("https://www.numerama.com/tech/1-a.html", None))
    assert txt.parent == tmp_path / "articles/numerama/undated"
    assert date_folder("not a date") .as_posix() == "undated"


def test_same_slug_from_two_urls_keeps_both(tmp_path):
    first = write_article(tmp_path, "clubic", record("https://www.clubic.com/pro/actualite-1-a.html", text="ancien"))
    second = write_article(tmp_path, "clubic", record("https://www.clubic.com/actualite-1-a.html", text="nouveau"))
    assert first[0] != second[0]
    assert first[0].read_text(encoding="utf-8") == "ancien\n"
    assert second[0].read_text(encoding="utf-8") == "nouveau\n"
    again = write_article(tmp_path, "clubic", record("https://www.clubic.com/pro/actualite-1-a.html", text="ancien"))
    assert again == first


def test_no_temp_files_left(tmp_path):
    write_article(tmp_path, "clubic", record("https://www.clubic.com/actualite-2-b.html"))
    assert not [p for p in tmp_path.rglob("*") if p.name.endswith(".tmp")]


def test_slugs_are_readable():
    assert slug_for_url("https://www.numerama.com/business/133600-le-cloud-souverain.html") == "133600-le-cloud-souverain"
    assert slug_for_url("https://x/Écrans/Été à Paris.HTML") == "ete-a-paris"
    assert safe_name("..") == "article"
    assert safe_name("CON") == "article-con"


@settings(max_examples=300, deadline=None)
@given(
    path=st.text(alphabet=string.printable + "éÉ…/\\\x00\u202e.", max_size=300),
    site=st.text(max_size=40),
    published=st.one_of(st.none(), st.text(max_size=30)),
)
def test_no_url_escapes_the_output_folder(tmp_path_factory, path, site, published):
    root = tmp_path_factory.mktemp("out")
    txt, js = write_article(root, site, record("https://h/" + path, published))
    for written in (txt, js):
        assert written.resolve().is_relative_to((root / "articles").resolve())
        assert len(written.name.encode()) < 255
