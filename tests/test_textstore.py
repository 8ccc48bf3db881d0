"""Dated article files: paths, atomic writes, no escape from OUT, no overwrite between URLs."""

from __future__ import annotations

import json
import string
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from archive.store.textstore import article_stem, date_folder, safe_name, slug_for_url, version_stem, write_article


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


def test_lookalikes_and_invisibles_give_plain_ascii():
    assert safe_name("ＡＲＴＩＣＬＥ") == "article"  # fullwidth
    assert safe_name("p\u0430ypal") == "pypal"  # Cyrillic а is dropped, not taken for a Latin a
    assert safe_name("abc\u202etxt.exe") == "abctxt-exe"  # right-to-left override
    assert safe_name("a\u200db\u200cc\ufeff") == "abc"  # zero-width joiner, non-joiner, BOM
    assert safe_name("COM¹") == "article-com1"  # NFKD makes it a reserved device name
    assert safe_name("\x00/../\x1b[31m") == "31m"
    assert len(safe_name("é" * 1000)) == 120


def test_page_dates_make_a_dated_folder_only_when_real_and_sane():
    for hostile in ("../../etc", "99999-01-01", "2015-13-45", "2015-02-30", "1969-12-31", "2101-01-01",
                    "2015-12-03\x00", "/etc/passwd", "", 20151203):
        assert date_folder(hostile).as_posix() == "undated", hostile
    assert date_folder("1970-01-01").as_posix() == "1970/01/01"
    assert date_folder("2015-12-03T23:30:00-05:00").as_posix() == "2015/12/03"


def test_a_readable_name_equal_to_another_urls_hashed_name_is_not_overwritten(tmp_path):
    first, second = "https://h/a.html", "https://h/A.html"
    hashed = article_stem(tmp_path, "s", record(second), {tmp_path / "articles/s/2015/12/03/a": first})
    squatter = f"https://h/{hashed.name}.html"  # its own readable name is the hashed name of the second URL
    written = [write_article(tmp_path, "s", record(url, text=url), durable=False)[1] for url in (squatter, first, second)]
    assert len(set(written)) == 3
    assert [json.loads(path.read_text(encoding="utf-8"))["url"] for path in written] == [squatter, first, second]


def test_a_url_cannot_take_the_name_of_another_articles_later_version(tmp_path):
    v2 = write_article(tmp_path, "s", {**record("https://h/a.html"), "version": 2}, durable=False,
                       stem=Path("articles/s/2015/12/03/a"))[1]
    dotted = write_article(tmp_path, "s", record("https://h/a.v2.html"), durable=False)[1]
    assert v2 != dotted and dotted.name == "a-v2.json"
    assert version_stem(Path("a"), 12).name == "a.v12"


_PIECES = st.sampled_from([
    "a", "A", "article", "Article", "ARTICLE", "\u0430rticle", "ａｒｔｉｃｌｅ", "é", "e\u0301", "..", "%2e%2e", "%2E%2E",
    ".", "/", "\\", "\x00", "\x1f", "\u202e", "\u200d", "?q=1", "?Q=1", "#x", ".html", ".HTML", "con", "CON",
    "nul.txt", " ", "-", "_", "1", "x" * 150, "X" * 150, "é" * 130,
])
_URLS = st.lists(st.builds(lambda parts, host: f"https://{host}/" + "".join(parts),
                           st.lists(_PIECES, max_size=8), st.sampled_from(["h", "H", "h.example"])),
                 min_size=1, max_size=12, unique=True)


@settings(max_examples=300, deadline=None)
@given(urls=_URLS, published=st.sampled_from([None, "2015-12-03", "../../etc", "2015-13-45", "99999-01-01"]),
       site=st.sampled_from(["clubic", "../..", "CON", "Ｃｌｕｂｉｃ"]))
def test_no_two_distinct_urls_share_a_file(tmp_path_factory, urls, published, site):
    urls += [u.swapcase() for u in urls if u.swapcase() not in urls][:4]  # case variants of the same URLs
    root = tmp_path_factory.mktemp("out")
    articles = (root / "articles").resolve()
    written = [write_article(root, site, record(url, published, text=url), durable=False) for url in urls]
    paths = [path for pair in written for path in pair]
    assert len({path.as_posix().casefold() for path in paths}) == len(paths)  # distinct, even with case folded
    for url, (txt, js) in zip(urls, written, strict=False):
        assert js.resolve().is_relative_to(articles) and txt.resolve().is_relative_to(articles)
        assert json.loads(js.read_text(encoding="utf-8"))["url"] == url  # nobody overwrote it
        assert txt.read_text(encoding="utf-8") == url.rstrip("\n") + "\n"
        assert len(version_stem(js.with_suffix(""), 12).name.encode()) + len(".json") < 255
        assert len(js.relative_to(root).as_posix().encode()) < 320
    claimed: dict[Path, str] = {}
    empty = tmp_path_factory.mktemp("empty")
    for url in urls:  # the pipeline's way: stems chosen in flight, before any file exists
        claimed[article_stem(empty, site, record(url, published), claimed)] = url
    assert len({stem.as_posix().casefold() for stem in claimed}) == len(urls)


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
