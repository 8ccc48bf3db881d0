"""``souverain profile check`` against real mirrors: the rules that match nothing on a skin are named (exit 1,
one line), the default skin passes, a minimal profile is told which rules it lacks; at most 30 requests."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest

from crawler.mirror.process import MirrorProcess
from tests.conftest import souverain
from tests.test_skins_e2e import failing_rules

MINIMAL = ("name = \"regional\"\nroot = \"{root}\"\nallowed_hosts = [\"{host}\"]\n[urls]\n"
           "article = ['^/(?P<section>[a-z0-9-]+)/(?P<id>\\d+)-(?P<slug>[a-z0-9-]+)\\.html$']\n")


@pytest.fixture(scope="module", params=["default", "river"])
def mirror(request):
    with MirrorProcess(articles=2000, skin=request.param) as running:
        yield request.param, running


def requests_made(stdout: str) -> int:
    return int(re.search(r"with (\d+) requests \(at most 30\)", stdout)[1])


def test_check_names_the_rules_that_match_nothing(mirror):
    skin, running = mirror
    done = souverain("profile", "check", "numerama", "--root", running.roots["numerama"], "--delay", "0")
    failing = sorted(failing_rules(running, running.truth())["numerama"])
    assert requests_made(done.stdout) <= 30
    articles = re.findall(r"^article \d: ", done.stdout, re.M)
    assert len(articles) == 5
    for label in ("title: ", "date: ", "authors: ", "first words: ", "last words: ", "relevance: "):
        assert done.stdout.count(f"\n  {label}") == 5, label
    assert "(meta:article:published_time)" in done.stdout
    for rule in failing:
        assert re.search(rf"^rule {re.escape(rule)}: matched 0 of \d+ pages?: ", done.stdout, re.M), rule
    if skin == "default":
        assert not failing and done.returncode == 0, done.stdout + done.stderr
    else:
        assert failing and done.returncode == 1
        assert done.stderr.strip() == (f"souverain: error: profile check numerama: {len(failing)} rule(s) matched "
                                       f"nothing: {', '.join(failing)}")


def test_check_of_a_minimal_profile_names_the_rules_it_lacks(mirror, tmp_path):
    _, running = mirror
    root = running.roots["numerama"]
    profile = tmp_path / "regional.toml"
    profile.write_text(MINIMAL.format(root=root, host=urlsplit(root).netloc), encoding="utf-8")
    done = souverain("profile", "check", "regional", "--profile", str(profile), "--delay", "0")
    assert done.returncode == 0, done.stdout + done.stderr
    assert requests_made(done.stdout) <= 30
    assert re.search(r"^rule urls.article: matched [1-9]\d* of", done.stdout, re.M)
    for rule in ("discovery.feeds", "discovery.tag_page", "discovery.search", "listing.entry", "listing.related"):
        assert f"\nnot set {rule}: " in done.stdout, rule
    assert len(re.findall(r"^article \d: ", done.stdout, re.M)) == 5
