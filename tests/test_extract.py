"""Extraction: real pages of ../shared/realpages, per-site cleanup, dates, encodings, determinism."""

from __future__ import annotations

import importlib
import inspect
import json
import pickle
import re
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import pytest

from archive.text.extract import Article, SiteCleanup, extract_article, join_pages
from crawler.mirror import build_corpus
from crawler.profiles import get_profile

SHARED = Path(__file__).resolve().parents[1].parent / "shared"
SEEDS = SHARED / "seeds"
SEED_BOILERPLATE = [
    "À découvrir également",
    "Google Actualités",
    "Commentaires (0)",
    "Rejoignez la communauté Clubic",
    "Abonnez-vous à notre newsletter",
    "Lire la charte de confiance",
    "+ rapide, + pratique, + exclusif",
    "Zéro publicité",
    "Vous avez lu 0 articles sur Numerama ce mois-ci",
    "trois bonnes raisons",
    "Partager sur les réseaux sociaux",
    "Si vous avez aimé cet article",
]


def cleanup(site: str) -> SiteCleanup:
    """The cleanup rules of a bundled profile."""
    return SiteCleanup.from_dict(get_profile(site).cleanup)


def page(realpages: Path, name: str) -> bytes:
    """The bytes of one real page."""
    return (realpages / "html" / name).read_bytes()


def target_pages(realpages: Path) -> list[tuple[str, dict]]:
    """The expected values of the two target pages."""
    return list(json.loads((realpages / "truth" / "target-pages.expected.json").read_text()).items())


# The tags of the target pages whose truth lists none: the page's <meta name="keywords">, read by hand.
TAGS_NOT_IN_TRUTH = {"html/clubic.com__graby__article-478936-radeon-hd-7750-7770.html": [
    "Carte graphique", "Matériel informatique", "Composants PC", "Test", "Review", "Legacy"]}


@pytest.mark.parametrize("site", ["clubic", "numerama"])
def test_target_pages_match_truth(realpages, site):
    pages = [(path, expected) for path, expected in target_pages(realpages) if site in path]
    assert pages, f"the truth file names no {site} page"
    for path, expected in pages:
        article = extract_article((realpages / path).read_bytes(), expected["url"], cleanup=cleanup(site))
        assert article is not None
        assert article.title == expected["title"]
        assert article.authors == expected["authors"]
        assert article.published.startswith(expected["published_date"])
        assert article.section == expected["section"]
        assert article.tags == (expected["tags"] if "tags" in expected else TAGS_NOT_IN_TRUTH[path])
        assert article.text.startswith(expected["text_starts_with"])
        for forbidden in [*expected["text_must_not_contain"], *SEED_BOILERPLATE]:
            assert forbidden not in article.text
        assert article.word_count == len(article.text.split()) > 500
        assert article.language == "fr"


def test_clubic_meta_offset_wins_over_jsonld_z(realpages):
    article = extract_article(
        page(realpages, "clubic.com__graby__article-478936-radeon-hd-7750-7770.html"),
        "https://www.clubic.com/carte-graphique/carte-graphique-amd/article-478936-1-radeon-hd-7750-7770.html",
        cleanup=cleanup("clubic"),
    )
    assert article.published == "2012-02-29T11:20:00+01:00"
    assert article.published_source == "meta:article:published_time"
    assert article.modified == "2018-06-01T15:36:24+02:00"
    assert "Avec un peu de retard" not in article.text  # the bold standfirst stays out, as in the truth


def test_clubic_jsonld_is_the_fallback(realpages):
    rules = SiteCleanup.from_dict({**get_profile("clubic").cleanup, "date_sources": ["jsonld", "htmldate"]})
    article = extract_article(
        page(realpages, "clubic.com__graby__article-478936-radeon-hd-7750-7770.html"), "https://www.clubic.com/a", cleanup=rules
    )
    assert (article.published, article.published_source) == ("2012-02-29T11:20:00+00:00", "jsonld:datePublished")


def test_numerama_dates_kept_as_found(realpages):
    article = extract_article(
        page(realpages, "numerama.com__lilarss__150762-bastien-lachaud.html"),
        "http://www.numerama.com/politique/150762-x.html",
        cleanup=cleanup("numerama"),
    )
    assert article.published == "2016-03-19T19:05:40+00:00"
    assert article.modified == "2016-03-18T17:44:37+00:00"
    assert article.modified < article.published
    assert article.site_name == "Numerama"
    assert article.canonical_url.endswith("150762-bastien-lachaud-lhomme-des-campagnes-numeriques-de-jean-luc-melenchon.html")
    assert "Militantismes" not in article.text  # hidden table-of-contents anchors


@pytest.mark.parametrize(
    ("truth", "html"),
    [
        ("lemonde.fr__mozilla-readability__lemonde-1.expected-metadata.json", "lemonde.fr__mozilla-readability__lemonde-1.html"),
        ("liberation.fr__mozilla-readability__liberation-1.expected-metadata.json", "liberation.fr__mozilla-readability__liberation-1.html"),
        ("lemonde.fr__readability-php__lemonde-2.expected-metadata.json", "lemonde.fr__readability-php__lemonde-2.html"),
    ],
)
def test_other_french_pages_title_and_date(realpages, truth, html):
    expected = json.loads((realpages / "truth" / truth).read_text())
    article = extract_article(page(realpages, html), "https://example.org/article")
    assert article.title == expected["title"]
    if expected.get("publishedTime"):
        assert article.published.startswith(expected["publishedTime"])
    assert article.language == "fr"


@pytest.mark.parametrize(
    ("truth", "html"),
    [
        ("lefigaro.fr__goose3__test_lefigaro.json", "lefigaro.fr__goose3__20130405ARTFIG00473-montebourg.html"),
        ("liberation.fr__goose3__test_liberation.json", "liberation.fr__goose3__856451-ayrault.html"),
    ],
)
def test_goose_pages_text_start(realpages, truth, html):
    expected = json.loads((realpages / "truth" / truth).read_text())
    article = extract_article(page(realpages, html), expected["url"])
    first_words = " ".join(expected["expected"]["cleaned_text"].split()[:6])
    assert first_words in " ".join(article.text.split())


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("source_wow-world-first_2026-03-28", "expected"),
        ("source-variant1", "expected-variant1"),
        ("source-variant2", "expected-variant2"),
        ("source-variant3", "expected-variant3"),
    ],
)
def test_numerama_2026_fragments_keep_the_paragraphs(realpages, source, expected):
    fragment = (realpages / "html" / "fragments" / f"numerama.com__signet__{source}.fragment.html").read_text()
    markdown = (realpages / "truth" / "fragments" / f"numerama.com__signet__{expected}.md").read_text()
    paragraphs = [  # captions ("// Source :") are left out: images are not extracted
        p for p in markdown.split("\n\n") if len(p) > 120 and not p.startswith(("[", "!", "#", "|", "-", ">")) and "// Source" not in p
    ]
    body = f"<html lang='fr'><body><article>{fragment}</article></body></html>".encode()
    article = extract_article(body, "https://www.numerama.com/x/1-y.html", cleanup=cleanup("numerama"))
    text = " ".join(article.text.split())
    found = [p for p in paragraphs if " ".join(markdown_text(p).split())[:80] in text]
    assert len(found) >= 0.8 * len(paragraphs), (len(found), len(paragraphs))
    for forbidden in SEED_BOILERPLATE:
        assert forbidden not in article.text


def markdown_text(paragraph: str) -> str:
    """The plain text of a Markdown paragraph (links, emphasis and escapes removed)."""
    paragraph = re.sub(r"\[([^\[\]]*)\]\([^)]*\)", r"\1", paragraph)
    return re.sub(r"[*_\\]", "", paragraph)


def test_seed_boilerplate_is_cut_by_text_rules():
    if not SEEDS.is_dir():
        pytest.skip(f"{SEEDS} is absent")
    for site, seed, last in [
        ("clubic", "clubic-numergy-repris-par-sfr.txt", "Sans parler du résultat net"),
        ("numerama", "numerama-cloud-souverain-eau-de-boudin.txt", "extension de ses services."),
    ]:
        text = cleanup(site).clean_text((SEEDS / seed).read_text())
        assert last in text.splitlines()[-1]
        assert not any(forbidden in text for forbidden in SEED_BOILERPLATE)


def html_page(body: str, head: str = "") -> str:
    """A small article page."""
    paragraph = "Le cloud souverain français connaît une nouvelle étape avec cette annonce détaillée. " * 6
    return (
        f"<html lang='fr'><head>{head}<title>Titre - essai</title></head><body><article><h1>Titre é</h1>"
        f"<p>{paragraph}</p><p>{body}</p><p>{paragraph}</p></article></body></html>"
    )


def test_bom_and_meta_charset():
    html = html_page("Éléments accentués : déjà, où, œuvre.")
    bom = extract_article(b"\xef\xbb\xbf" + html.encode("utf-8"), "https://example.org/a")
    latin = extract_article(
        html_page("Éléments accentués : déjà, où.", head='<meta charset="windows-1252">').encode("cp1252"), "https://example.org/a"
    )
    assert "Éléments accentués : déjà, où, œuvre." in bom.text
    assert "Éléments accentués : déjà, où." in latin.text
    header = extract_article(html.encode("iso-8859-15"), "https://example.org/a", content_type="text/html; charset=iso-8859-15")
    assert "œuvre" in header.text


def test_multi_page_join_drops_pagination():
    rules = cleanup("clubic")
    pages = []
    for number in (1, 2):
        html = html_page(
            f"Texte propre à la page {number} du dossier.",
            head=f'<meta property="og:title" content="Dossier {number}"><meta property="article:published_time" content="2012-02-2{number}T10:00:00+01:00">',
        ).replace("</article>", "<p><a href='/p'>Page précédente</a> <a href='/n'>Page suivante</a></p></article>")
        pages.append(extract_article(html.encode(), f"https://www.clubic.com/x/article-1-{number}-y.html", cleanup=rules))
    joined = join_pages(pages)
    assert joined.title == "Dossier 1"
    assert joined.published == "2012-02-21T10:00:00+01:00"
    assert joined.text.index("page 1") < joined.text.index("page 2")
    assert "Page suivante" not in joined.text and "Page précédente" not in joined.text
    assert joined.word_count == pages[0].word_count + pages[1].word_count


def test_no_text_gives_none():
    assert extract_article(b"<html><body><nav><a href='/'>Accueil</a></nav></body></html>", "https://example.org/") is None
    assert extract_article(b"", "https://example.org/") is None


def test_deterministic_and_picklable(realpages):
    rules = cleanup("numerama")
    body = page(realpages, "numerama.com__lilarss__150762-bastien-lachaud.html")
    first = extract_article(body, "http://www.numerama.com/politique/150762-x.html", cleanup=rules).to_dict()
    second = extract_article(body, "http://www.numerama.com/politique/150762-x.html", cleanup=rules).to_dict()
    assert first == second
    with ProcessPoolExecutor(max_workers=1) as pool:  # as the extraction pipeline runs it
        assert pool.submit(extract_article, body, "http://www.numerama.com/politique/150762-x.html", cleanup=rules).result().to_dict() == first
    assert pickle.loads(pickle.dumps(rules)) == rules
    assert set(first) == {f for f in Article.__dataclass_fields__}


def test_unknown_cleanup_key_is_an_error():
    with pytest.raises(ValueError, match="drop_xpath"):
        SiteCleanup.from_dict({"drop_xpath": []})
    with pytest.raises(ValueError, match="opengraph"):
        SiteCleanup.from_dict({"date_sources": ["opengraph"]})


def test_body_xpath_restricts_the_text():
    aside = "Notre sélection de bons plans du moment, à ne pas manquer cette semaine sur la boutique. " * 4
    body = html_page("Le paragraphe central de l'article.").replace("<article>", f"<aside><p>{aside}</p></aside><article class='story'>")
    rules = SiteCleanup.from_dict({"body_xpath": "//article[@class='story']"})
    article = extract_article(body.encode(), "https://example.org/a", cleanup=rules)
    assert "Le paragraphe central" in article.text
    assert "bons plans" not in article.text
    assert article.title == "Titre é"  # metadata still come from the whole page


MIRROR_ROOT = "http://127.0.0.1:8000"


def render(renderer, corpus, article, number: int) -> str:
    """One page of a mirror article (Numerama pages have no page number)."""
    if "page" in inspect.signature(renderer.article_page).parameters:
        return renderer.article_page(corpus, article, number, MIRROR_ROOT)
    return renderer.article_page(corpus, article, MIRROR_ROOT)


@pytest.mark.parametrize("site", ["clubic", "numerama"])
def test_mirror_articles(site):
    renderer = importlib.import_module(f"crawler.mirror.{site}")
    rules = cleanup(site)
    built = build_corpus(articles=240)
    sample = [a for a in built.articles if a.site == site][:60]
    assert len(sample) == 60
    assert any(a.pages > 1 for a in sample) == (site == "clubic")  # Numerama articles are one page each
    for truth in sample:
        pages = [
            extract_article(render(renderer, built, truth, number).encode(), f"{MIRROR_ROOT}{path}", cleanup=rules)
            for number, path in enumerate(truth.page_paths, start=1)
        ]
        article = join_pages(pages)
        assert article.title == truth.title
        assert article.authors == list(truth.authors)
        assert article.published == truth.published.isoformat()
        assert article.published_source == "meta:article:published_time"
        assert article.section == truth.section_name
        assert article.tags == list(dict.fromkeys(truth.tags))  # the corpus may repeat a tag; the page lists it once
        text = " ".join(article.text.split())
        for paragraph in truth.paragraphs:
            assert " ".join(paragraph.split()) in text
        for forbidden in [*SEED_BOILERPLATE, "Page suivante", "Page précédente", "cookies"]:
            assert forbidden not in article.text, (truth.path, forbidden)
