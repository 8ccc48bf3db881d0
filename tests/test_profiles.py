"""Site profiles: article URL patterns of each era, root overrides, host checks."""

from __future__ import annotations

import pytest

from crawler.profiles import ProfileError, get_profile, load_profiles, profile_for_url


def test_bundled_profiles_are_clubic_and_numerama():
    assert set(load_profiles()) == {"clubic", "numerama"}


@pytest.mark.parametrize(
    ("url", "groups"),
    [
        ("https://www.clubic.com/pro/it-business/cloud-computing/actualite-783774-numergy-sauvegarde-judiciaire.html",
         {"id": "783774", "slug": "numergy-sauvegarde-judiciaire"}),
        ("https://www.clubic.com/actualite-512345-bleu-obtient-secnumcloud.html",
         {"id": "512345", "slug": "bleu-obtient-secnumcloud"}),
        ("https://www.clubic.com/carte-graphique/carte-graphique-amd/article-478936-1-radeon-hd-7750-7770.html",
         {"id": "478936", "page": "1", "slug": "radeon-hd-7750-7770"}),
    ],
)
def test_clubic_article_patterns(url, groups):
    assert get_profile("clubic").match_article(url) == groups


@pytest.mark.parametrize(
    "url",
    [
        "https://www.numerama.com/business/133600-le-cloud-souverain-de-numergy-sacheve.html",
        "https://www.numerama.com/magazine/24000-cloudwatt-lance.html",
    ],
)
def test_numerama_article_patterns(url):
    assert get_profile("numerama").match_article(url)["id"].isdigit()


@pytest.mark.parametrize(
    "url",
    [
        "https://www.numerama.com/tag/cloud/",
        "https://www.numerama.com/?s=numergy",
        "https://www.numerama.com/business/133600-x.html?utm_source=feed",
        "https://evil.example/business/133600-le-cloud.html",
        "ftp://www.numerama.com/business/133600-le-cloud.html",
    ],
)
def test_non_articles_do_not_match(url):
    assert get_profile("numerama").match_article(url) is None


def test_root_override_makes_the_mirror_an_allowed_host():
    profile = get_profile("numerama", {"numerama": "http://127.0.0.1:8081/"})
    assert profile.root == "http://127.0.0.1:8081"
    assert profile.match_article("http://127.0.0.1:8081/tech/42-x.html") == {"section": "tech", "id": "42", "slug": "x"}
    assert profile.match_article("http://127.0.0.1:9999/tech/42-x.html") is None


@pytest.mark.parametrize("root", ["127.0.0.1:8000", "file:///etc", "http://", "http://h:99999", "http://h/path"])
def test_bad_roots_are_refused(root):
    with pytest.raises(ProfileError, match="bad root for clubic"):
        get_profile("clubic", {"clubic": root})


def test_unknown_site():
    with pytest.raises(ProfileError, match="unknown site 'lemonde'"):
        get_profile("lemonde")


def test_profile_for_url_uses_the_host():
    assert profile_for_url("http://www.numerama.com/politique/150762-x.html").name == "numerama"
    assert profile_for_url("https://www.lemonde.fr/x.html") is None
