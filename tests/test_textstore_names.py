"""The text store's names, value by value: safe stems, slugs, date folders, collisions, checked stems,
versions and the stored JSON."""

from __future__ import annotations

import hashlib
import json
import locale
import os
import sys
from pathlib import Path, PurePosixPath

import pytest

from archive.store.textstore import (
    MAX_SLUG,
    article_record,
    article_stem,
    checked_stem,
    date_folder,
    record_json,
    safe_name,
    slug_for_url,
    text_sha256,
    version_stem,
    write_article,
)
from archive.warc.writer import Capture


@pytest.mark.parametrize(("text", "stem"), [
    ("Le Cloud Souverain", "le-cloud-souverain"),
    ("--__a..b__--", "a-b"),
    ("a---b___c", "a-b___c"),
    ("Ｃｌｏｕｄ é", "cloud-e"),
    ("", "article"),
    ("...", "article"),
    ("CON", "article-con"),
    ("lpt9", "article-lpt9"),
    ("com10", "com10"),
    ("a/b\\c", "a-b-c"),
])
def test_safe_name(text, stem):
    assert safe_name(text) == stem


def test_safe_name_fallback_and_length():
    assert safe_name("", fallback="site") == "site" and safe_name("nul", fallback="site") == "site-nul"
    long = safe_name("a" * 119 + "-" + "b" * 50)
    assert long == "a" * 119 and len(long) <= MAX_SLUG  # cut, then no dash left at the end
    assert len(safe_name("x" * 500)) == MAX_SLUG == 120
    assert safe_name("_" * 10 + "a" * 115) == "a" * 115  # the edges go before the cut: they take no room


@pytest.mark.parametrize(("url", "slug"), [
    ("https://www.numerama.com/tech/133600-le-cloud-souverain.html", "133600-le-cloud-souverain"),
    ("https://h/a/B.HTM", "b"),
    ("https://h/page.php?x=1", "page"),
    ("https://h/page.aspx", "page"),
    ("https://h/archive.tar.gz", "archive-tar-gz"),
    ("https://h/dossier/", "dossier"),
    ("https://h/", "article"),
    ("http://[::1/x", "x"),
])
def test_slug_for_url(url, slug):
    assert slug_for_url(url) == slug


@pytest.mark.parametrize(("published", "folder"), [
    ("2015-12-03T11:04:00+01:00", "2015/12/03"),
    ("2015-12-03T23:30:00-05:00", "2015/12/03"),  # its own offset, not UTC
    ("2015-02-03", "2015/02/03"),
    ("1970-01-01", "1970/01/01"), ("2100-12-31", "2100/12/31"),
    ("1969-12-31", "undated"), ("2101-01-01", "undated"),
    ("2015-13-45", "undated"), ("hier", "undated"), (None, "undated"), (20151203, "undated"),
])
def test_date_folder(published, folder):
    assert date_folder(published) == PurePosixPath(folder)


def test_collisions_take_the_short_hash_then_the_long_one_then_a_counter(tmp_path):
    digests = {url: hashlib.sha1(url.encode()).hexdigest() for url in ("https://h/a/x.html", "https://h/b/x.html")}
    first = article_stem(tmp_path, "Numerama", {"url": "https://h/a/x.html", "published": "2020-01-02"})
    assert first == tmp_path / "articles" / "numerama" / "2020" / "01" / "02" / "x"
    claimed = {first: "https://h/a/x.html"}
    second = article_stem(tmp_path, "numerama", {"url": "https://h/b/x.html", "published": "2020-01-02"}, claimed)
    assert second.name == f"x-{digests['https://h/b/x.html'][:10]}"
    claimed[second] = "https://h/other"
    third = article_stem(tmp_path, "numerama", {"url": "https://h/b/x.html", "published": "2020-01-02"}, claimed)
    assert third.name == f"x-{digests['https://h/b/x.html']}"
    claimed[third] = "https://h/another"
    fourth = article_stem(tmp_path, "numerama", {"url": "https://h/b/x.html", "published": "2020-01-02"}, claimed)
    assert fourth.name == f"x-{digests['https://h/b/x.html']}-2"
    assert article_stem(tmp_path, "numerama", {"url": "https://h/a/x.html", "published": "2020-01-02"},
                        claimed) == first  # its own claim is no collision


def test_a_stem_held_on_disk_by_an_unreadable_file_is_taken(tmp_path):
    stem = article_stem(tmp_path, "s", {"url": "https://h/x.html"})
    assert stem.parent.name == "undated" and stem.parent.parent.name == "s"
    stem.parent.mkdir(parents=True)
    stem.with_name("x.json").write_text("{broken", encoding="utf-8")
    assert article_stem(tmp_path, "s", {"url": "https://h/x.html"}).name.startswith("x-")
    stem.with_name("x.json").write_text(json.dumps({"url": "https://h/x.html"}), encoding="utf-8")
    assert article_stem(tmp_path, "s", {"url": "https://h/x.html"}) == stem  # its own file
    assert article_stem(tmp_path, "", {"url": "https://h/x.html"}).parent.parent.name == "site"


def test_checked_stem(tmp_path):
    good = "articles/numerama/2020/01/02/x-1"
    assert checked_stem(tmp_path, good, "numerama") == Path(good)
    assert checked_stem(tmp_path, "articles/numerama/undated/x", "numerama") == Path("articles/numerama/undated/x")
    for bad in (None, 3, "", "articles/clubic/2020/01/02/x", "articles/numerama/2020/1/02/x",
                "articles/numerama/2020/01/02/x.v2", "articles/numerama/2020/01/02/../x", "/articles/numerama/undated/x",
                "articles/numerama/undated/" + "x" * 251, "articles/numerama/undated/x/y"):
        assert checked_stem(tmp_path, bad, "numerama") is None, bad
    assert checked_stem(tmp_path, "articles/site/undated/x", "") == Path("articles/site/undated/x")


def test_checked_stem_refuses_a_folder_linked_outside(tmp_path):
    outside = tmp_path / "outside"
    (outside / "undated").mkdir(parents=True)
    root = tmp_path / "out"
    (root / "articles").mkdir(parents=True)
    (root / "articles" / "numerama").symlink_to(outside)
    assert checked_stem(root, "articles/numerama/undated/x", "numerama") is None
    linked = tmp_path / "linked"
    linked.mkdir()
    (linked / "articles").symlink_to(outside)
    assert checked_stem(linked, "articles/numerama/undated/x", "numerama") is None


def test_version_stems():
    stem = Path("a/b/x")
    assert version_stem(stem, 1) == stem and version_stem(stem, 0) == stem
    assert version_stem(stem, 2) == Path("a/b/x.v2") and version_stem(stem, 10) == Path("a/b/x.v10")


CAPTURE = Capture(warc_file="w.warc.gz", offset=1, length=2, record_id="<urn:uuid:1>", payload_digest="sha1:X",
                  fetch_time="2021-03-04T00:00:00Z", status=200, url="https://h/x")


def test_record_json_and_article_record():
    record = article_record({"title": "Été", "url": "ignored"}, url="https://h/x", site="s", discovered_via=["tag"],
                            captures=[CAPTURE])
    assert record == {"title": "Été", "url": "https://h/x", "site": "s", "discovered_via": ["tag"],
                      "capture": [CAPTURE.to_dict()]}
    assert "revisit" not in record["capture"][0] and record["capture"][0]["offset"] == 1
    assert record_json({"b": 1, "a": "é"}) == '{\n  "a": "é",\n  "b": 1\n}\n'


def test_write_article_writes_text_and_json_of_each_version(tmp_path):
    record = {"url": "https://h/x.html", "text": "Texte.\n\n\n", "published": "2021-03-04"}
    txt, js = write_article(tmp_path, "s", record, durable=False)
    assert txt == tmp_path / "articles/s/2021/03/04/x.txt" and js == txt.with_suffix(".json")
    assert txt.read_text(encoding="utf-8") == "Texte.\n" and json.loads(js.read_text(encoding="utf-8")) == record
    again = write_article(tmp_path, "s", {**record, "version": 2, "published": "2022-01-01"},
                          stem=Path("articles/s/2021/03/04/x"))
    assert again == (tmp_path / "articles/s/2021/03/04/x.v2.txt", tmp_path / "articles/s/2021/03/04/x.v2.json")


def test_text_sha256_is_the_hex_sha256_of_the_utf8_text():
    assert text_sha256("") == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
    assert text_sha256("Été") == hashlib.sha256("Été".encode()).hexdigest() != text_sha256("ete")


@pytest.mark.parametrize("held_by", ["[1, 2]", '{"url": 3}', '"a string"', "{}"])
def test_a_json_file_without_a_url_string_holds_its_stem(tmp_path, held_by):
    own = article_stem(tmp_path, "s", {"url": "https://h/x.html"})
    own.parent.mkdir(parents=True)
    own.with_name("x.json").write_text(held_by, encoding="utf-8")
    digest = hashlib.sha1(b"https://h/x.html").hexdigest()
    assert article_stem(tmp_path, "s", {"url": "https://h/x.html"}) == own.with_name(f"x-{digest[:10]}")


def test_reserve_is_asked_last_with_the_stem_relative_to_root(tmp_path):
    url = "https://h/a/x.html"
    digest = hashlib.sha1(url.encode()).hexdigest()
    asked: list[tuple[Path, str]] = []

    def reserve(stem: Path, owner: str) -> bool:
        asked.append((stem, owner))
        return len(asked) > 2  # another worker holds the readable and the short-hash names
    claimed = {tmp_path / "articles/s/2020/01/02/x": "https://h/b/x.html"}  # taken here: reserve not asked
    stem = article_stem(tmp_path, "s", {"url": url, "published": "2020-01-02"}, claimed, reserve)
    assert asked == [(Path(f"articles/s/2020/01/02/x-{digest[:10]}"), url),
                     (Path(f"articles/s/2020/01/02/x-{digest}"), url),
                     (Path(f"articles/s/2020/01/02/x-{digest}-2"), url)]
    assert stem == tmp_path / f"articles/s/2020/01/02/x-{digest}-2"
    assert article_stem(tmp_path, "s", {"url": url}, reserve=lambda stem, owner: True) == \
        tmp_path / "articles/s/undated/x"


@pytest.fixture
def ascii_locale():
    """The process's LC_CTYPE set to C (ASCII: what ``open()`` reads without an encoding), set back after."""
    if sys.flags.utf8_mode:
        pytest.skip("Python's UTF-8 mode reads every file as UTF-8 whatever the locale")
    before = locale.setlocale(locale.LC_CTYPE)
    locale.setlocale(locale.LC_CTYPE, "C")
    yield
    locale.setlocale(locale.LC_CTYPE, before)


def test_a_stored_url_is_read_as_utf8_whatever_the_locale(tmp_path, ascii_locale):
    assert locale.getpreferredencoding(False) != "UTF-8"  # the locale is really in force
    url = "https://h/été.html"
    first = write_article(tmp_path, "s", {"url": url, "text": "un"}, durable=False)
    assert write_article(tmp_path, "s", {"url": url, "text": "deux"}, durable=False) == first  # its own file
    assert first[0].read_text(encoding="utf-8") == "deux\n"


@pytest.fixture
def fsynced(monkeypatch):
    """The names of the files os.fsync is called on (the real fsync still runs)."""
    synced: list[str] = []
    real = os.fsync

    def fsync(fd):
        synced.append(Path(os.readlink(f"/proc/self/fd/{fd}")).name)
        real(fd)
    monkeypatch.setattr(os, "fsync", fsync)
    return synced


def test_write_article_syncs_each_file_before_its_rename_unless_told_not_to(tmp_path, fsynced):
    write_article(tmp_path, "s", {"url": "https://h/x.html", "text": "Texte."})
    assert [name.split(".")[1] for name in fsynced] == ["x", "x"]  # the temp files: .x.txt.<pid>…, .x.json.<pid>…
    assert [name.split(".")[2] for name in fsynced] == ["txt", "json"]
    fsynced.clear()
    write_article(tmp_path, "s", {"url": "https://h/y.html", "text": "Texte."}, durable=False)
    assert fsynced == []


def test_an_unreadable_file_holds_its_stem_even_against_an_empty_url(tmp_path):
    stem = article_stem(tmp_path, "s", {"url": ""})
    stem.parent.mkdir(parents=True)
    stem.with_name(stem.name + ".json").write_text("{broken", encoding="utf-8")
    assert article_stem(tmp_path, "s", {"url": ""}) != stem  # not overwritten by a record that names no URL
    stem.with_name(stem.name + ".json").write_text(json.dumps({"url": None}), encoding="utf-8")
    assert article_stem(tmp_path, "s", {"url": ""}) != stem
    stem.with_name(stem.name + ".json").write_text(json.dumps({"url": ""}), encoding="utf-8")
    assert article_stem(tmp_path, "s", {"url": ""}) == stem  # its own file
