"""Profiles from outside the package: ``--profile FILE``, the search path, ``scrapy crawl`` on both, and the one
line a bad profile is refused with (a real ``souverain crawl --profile`` subprocess per case)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from crawler.profiles import PROFILE_DIR, ProfileError, find_profiles, get_profile
from tests.conftest import REPO, souverain

MINIMAL = """name = "regional"
root = "https://www.example.org"
allowed_hosts = ["www.example.org"]
[urls]
article = ['^/(?P<section>[a-z0-9-]+)/(?P<id>\\d+)-(?P<slug>[a-z0-9-]+)\\.html$']
"""


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def test_bundled_profiles_pass_the_schema_and_carry_their_file_and_hash():
    profiles = find_profiles()
    assert {"clubic", "numerama"} <= set(profiles)
    for name in ("clubic", "numerama"):
        assert profiles[name].file == str(PROFILE_DIR / f"{name}.toml")
        assert len(profiles[name].sha256) == 64


def test_search_path_order_a_user_file_overrides_a_bundled_name(tmp_path, monkeypatch):
    first, second = tmp_path / "first", tmp_path / "second"
    first.mkdir(), second.mkdir()
    clubic = (PROFILE_DIR / "clubic.toml").read_text(encoding="utf-8").replace("max_listing_pages = 30",
                                                                              "max_listing_pages = 7")
    write(second, "my-clubic.toml", clubic)
    write(second, "regional.toml", MINIMAL)
    write(first, "regional.toml", MINIMAL.replace("www.example.org", "news.example.org"))
    monkeypatch.setenv("SOUVERAIN_PROFILE_PATH", os.pathsep.join([str(first), str(second)]))
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert get_profile("clubic").max_listing_pages == 7
    assert get_profile("clubic").file == str(second / "my-clubic.toml")
    assert get_profile("regional").root == "https://news.example.org"  # the earlier folder wins
    given = write(tmp_path, "given.toml", MINIMAL.replace("www.example.org", "given.example.org"))
    assert get_profile("regional", files=[given]).root == "https://given.example.org"  # --profile first
    home = tmp_path / "home" / ".config" / "souverain" / "profiles"
    home.mkdir(parents=True)
    write(home, "other.toml", MINIMAL.replace('"regional"', '"other"'))
    assert "other" in find_profiles()


def test_scrapy_crawl_finds_the_profiles_of_the_search_path(tmp_path):
    write(tmp_path, "regional.toml", MINIMAL)
    env = {**os.environ, "SOUVERAIN_PROFILE_PATH": str(tmp_path), "HOME": str(tmp_path)}
    done = subprocess.run([str(Path(sys.executable).with_name("scrapy")), "list"], cwd=REPO, env=env,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.split() == ["clubic", "numerama", "regional"]


BAD = {
    "unknown key": (MINIMAL + "[listing]\nentri = '//article'\n", "listing.entri: unknown key"),
    "bad regex": (MINIMAL.replace("(?P<slug>", "(?P<slug"), "urls.article: [0]: bad regex"),
    "catastrophic regex": (MINIMAL + "[cleanup]\ncut_markers = ['(\\w+\\s?)*$']\n",
                           "cleanup.cut_markers: [0]: catastrophic regex"),
    "bad XPath": (MINIMAL + "[listing]\nentry = '//div[@class='\n", "listing.entry: bad XPath"),
    "root not http(s)": (MINIMAL.replace("https://www.example.org", "ftp://www.example.org"),
                         "root: 'ftp://www.example.org' is not an http(s)://host[:port] URL"),
    "root host not in allowed_hosts": (MINIMAL.replace('["www.example.org"]', '["example.org"]'),
                                       "root: host 'www.example.org' is not in allowed_hosts"),
    "missing name": (MINIMAL.replace('name = "regional"\n', ""), "name: missing"),
    "non-TOML file": ("<html><body>not a profile</body></html>\n", "not a TOML file"),
}


@pytest.mark.parametrize("case", sorted(BAD))
def test_a_bad_profile_is_refused_in_one_line_naming_file_key_and_reason(tmp_path, case):
    text, reason = BAD[case]
    path = write(tmp_path, "site.toml", text)
    assert_refused(souverain("crawl", "--profile", str(path), "--out", str(tmp_path / "out")), path, reason)


def test_two_files_of_one_name_are_refused(tmp_path):
    first, second = write(tmp_path, "a.toml", MINIMAL), write(tmp_path, "b.toml", MINIMAL)
    done = souverain("crawl", "--profile", str(first), "--profile", str(second), "--out", str(tmp_path / "out"))
    assert_refused(done, second, f"name: 'regional' is also the name of {first}")


def test_an_unreadable_profile_is_refused(tmp_path):
    path = tmp_path / "site.toml"
    path.mkdir()  # a path that cannot be read as a file, even by root (who reads a chmod 000 file)
    assert_refused(souverain("crawl", "--profile", str(path), "--out", str(tmp_path / "out")), path, "cannot read")


def test_a_bad_profile_on_the_search_path_is_refused_too(tmp_path):
    write(tmp_path, "site.toml", BAD["bad XPath"][0])
    env = {**os.environ, "SOUVERAIN_PROFILE_PATH": str(tmp_path)}
    done = souverain("crawl", "--site", "clubic", "--out", str(tmp_path / "out"), env=env)
    assert_refused(done, tmp_path / "site.toml", "listing.entry: bad XPath")


def test_bad_values_are_named_with_their_key():
    from crawler.profileschema import check_value

    assert "not a whole number" in check_value("count", -1)
    assert "named groups" in check_value("month_regex", r"news-(\d{4})")
    assert "holding {tag}" in check_value("template:tag", "/tag/")
    assert check_value("regexes", [r"^/(?P<id>\d+)\.html$"]) is None
    with pytest.raises(ProfileError, match="unknown site"):
        get_profile("nowhere")


def assert_refused(done: subprocess.CompletedProcess[str], path: Path, reason: str) -> None:
    lines = done.stderr.strip().splitlines()
    assert done.returncode == 1, done.stderr[-2000:]
    assert len(lines) == 1, done.stderr[-2000:]
    assert lines[0].startswith(f"souverain: error: {path.resolve() if path.is_dir() else path}: ") or \
        lines[0].startswith(f"souverain: error: {path}: "), lines[0]
    assert reason in lines[0], lines[0]
