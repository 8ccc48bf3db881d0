"""Topic relevance: on-topic texts, decoys, other meanings of "souverain", folding, topic files as data."""

from __future__ import annotations

from pathlib import Path

import pytest

from archive.text.relevance import Topic, fold
from crawler.mirror import build_corpus

TOPICS = Path(__file__).resolve().parents[1] / "crawler" / "topics"
SEEDS = Path(__file__).resolve().parents[1].parent / "shared" / "seeds"

ON_TOPIC = {
    "numergy-sfr": (
        "SFR met la main sur Numergy",
        "L'opérateur rachète les parts de la Caisse des dépôts et d'Atos dans Numergy. Lancé en 2012 avec de "
        "l'argent public, Numergy devait incarner le cloud souverain à la française, aux côtés de Cloudwatt. "
        "Les ventes n'ont jamais décollé et Numergy s'est placé en sauvegarde cet automne.",
    ),
    "andromede": (
        "Andromède se scinde en deux projets",
        "Le projet Andromède de cloud souverain, soutenu par l'État, donnera naissance à deux sociétés. "
        "Orange et Thales d'un côté, SFR et Bull de l'autre : Cloudwatt et Numergy se partageront les fonds.",
    ),
    "bleu-secnumcloud": (
        "Bleu vise la qualification SecNumCloud",
        "La coentreprise Bleu, créée par Orange et Capgemini pour distribuer Microsoft Azure, prépare son "
        "dossier SecNumCloud. Le label de l'ANSSI est au cœur de la doctrine du cloud de confiance, qui doit "
        "protéger les données sensibles du Cloud Act américain. S3NS, l'offre de Thales avec Google, suit la même voie.",
    ),
    "ovh-outscale": (
        "OVHcloud et Outscale face aux hyperscalers",
        "OVHcloud et Outscale, la filiale de Dassault Systèmes, défendent un cloud souverain européen. "
        "Les deux hébergeurs misent sur la qualification SecNumCloud et sur Gaia-X pour convaincre les "
        "administrations que la souveraineté numérique passe par des fournisseurs français.",
    ),
}

DECOYS = {
    "smartphone-ovh": (
        "Le nouveau smartphone pliable arrive en France",
        "Le fabricant promet une charnière plus solide et un écran plus lumineux. L'autonomie progresse de "
        "quinze pour cent. Les photos sont stockées chez OVH, précise le communiqué. Le prix reste élevé.",
    ),
    "jeu-numergy": (
        "Le studio lyonnais lance son jeu de course",
        "Le jeu sort sur consoles et PC le mois prochain. Son directeur technique a travaillé chez Numergy "
        "avant de rejoindre le studio. Le mode en ligne accepte huit joueurs par partie.",
    ),
    "salon-cloud-de-confiance": (
        "Les voitures électriques vedettes du salon",
        "Les constructeurs ont présenté une dizaine de modèles. Un ministre a évoqué le cloud de confiance en "
        "une phrase avant de parler de bornes de recharge. Les batteries restent le nerf de la guerre.",
    ),
    "bleu-colour": (
        "Un écran bleu paralyse des milliers de PC",
        "Un écran bleu s'affiche au démarrage après la mise à jour. Microsoft publie un correctif. "
        "Les entreprises touchées relancent leurs postes un par un, les couleurs de l'interface aussi sont en cause.",
    ),
}

SOUVERAIN_OTHER = {
    "pape": (
        "Le pape publie sur Instagram",
        "Le souverain pontife a ouvert un compte officiel. Le Vatican y publie des photos des audiences du "
        "souverain pontife, suivies par des millions d'abonnés.",
    ),
    "fonds": (
        "Le fonds souverain norvégien investit dans la tech",
        "Le fonds souverain de la Norvège, le plus gros du monde, renforce ses parts dans les géants du "
        "numérique. Les fonds souverains du Golfe suivent la même stratégie.",
    ),
    "dette": (
        "La dette souveraine inquiète les marchés",
        "Les taux de la dette souveraine italienne remontent. Les agences surveillent la notation souveraine "
        "de plusieurs pays européens, dont le risque souverain est jugé élevé.",
    ),
    "peuple": (
        "Un référendum sur la souveraineté alimentaire",
        "Le peuple souverain est appelé aux urnes. La souveraineté alimentaire est au cœur de la campagne "
        "des souverainistes, qui défendent les agriculteurs.",
    ),
}


@pytest.fixture
def topic() -> Topic:
    """The default topic, loaded for each test (mutmut ties a fixture's work to the first test it runs for)."""
    return Topic.load(TOPICS / "cloud-souverain.toml")


@pytest.mark.parametrize("name", sorted(ON_TOPIC))
def test_on_topic_texts(topic, name):
    relevance = topic.score(*ON_TOPIC[name])
    assert relevance.on_topic, relevance.reason
    assert relevance.reason.startswith(f"score {relevance.score:.1f} >= 12.0: ")


@pytest.mark.parametrize("name", sorted(DECOYS))
def test_decoys_mentioning_a_term_in_passing(topic, name):
    relevance = topic.score(*DECOYS[name])
    assert not relevance.on_topic, relevance.reason
    assert relevance.reason.startswith("off-topic: score")


def test_bleu_needs_its_partners(topic):
    assert "bleu" not in topic.score(*DECOYS["bleu-colour"]).matched
    assert topic.score(*ON_TOPIC["bleu-secnumcloud"]).matched["bleu"] == 2


@pytest.mark.parametrize("name", sorted(SOUVERAIN_OTHER))
def test_other_meanings_of_souverain(topic, name):
    relevance = topic.score(*SOUVERAIN_OTHER[name])
    assert not relevance.on_topic
    assert relevance.negatives
    assert relevance.score <= 0
    assert "souverain" not in relevance.matched  # matches inside a negative context never count
    assert "negatives: " in relevance.reason


def test_negatives_do_not_penalise_a_cloud_article(topic):
    title, text = ON_TOPIC["numergy-sfr"]
    relevance = topic.score(title, text + " Le fonds souverain qatari n'a pas été sollicité.")
    assert relevance.negatives == {"fonds souverain": 1}
    assert relevance.score == topic.score(title, text).score


@pytest.mark.parametrize("spelling", ["Numergy", "NUMERGY", "numergy", "Numérgy", "NUMÉRGY"])
def test_accent_and_case_folding(topic, spelling):
    text = f"{spelling} annonce une offre de cloud souverain. {spelling} vise les ministères. {spelling} recrute."
    assert topic.score("", text).matched["numergy"] == 3


def test_patterns_are_folded_too(topic):
    assert fold("Andromède, SOUVERAINETÉ numérique") == "Andromede, SOUVERAINETE numerique"
    relevance = topic.score("", "Le projet ANDROMÈDE de cloud souverain et la souveraineté numérique.")
    assert {"andromede", "souverainete numerique", "cloud souverain"} <= set(relevance.matched)


def test_first_match_and_reason(topic):
    text = (
        "Le marché des serveurs a progressé cette année. "
        "Cloudwatt, le cloud souverain d'Orange et Thales, ferme ses portes le 1er février. "
        "Les clients sont invités à migrer. Cloudwatt avait été lancé en 2012."
    )
    relevance = topic.score("Fin de partie pour Cloudwatt", text)
    assert relevance.first_match == "Cloudwatt, le cloud souverain d'Orange et Thales, ferme ses portes le 1er février."
    assert relevance.matched["cloudwatt"] == 3  # twice in the text, once in the title
    assert "cloudwatt×3" in relevance.reason
    assert relevance.to_dict()["topic"] == "cloud-souverain"
    assert set(relevance.to_dict()) == {
        "topic", "score", "threshold", "on_topic", "matched", "first_match", "negatives", "reason",
    }


def test_no_match_has_no_passage(topic):
    relevance = topic.score("Un nouveau processeur", "Le processeur gagne dix pour cent en performances.")
    assert (relevance.score, relevance.first_match, relevance.matched) == (0, None, {})
    assert relevance.reason == "off-topic: score 0.0 < 12.0"


def test_score_hint_on_slugs_and_feed_titles(topic):
    assert topic.score_hint("actualite-783774-numergy-sauvegarde-judiciaire") >= 5
    assert topic.score_hint("Le cloud souverain de Numergy s'achève") >= 10
    assert topic.score_hint("le-souverain-pontife-sur-instagram") < 0
    assert topic.score_hint("test-du-smartphone-pliable") == 0


def test_gaia_x_topic_is_just_another_file():
    gaia = Topic.load(TOPICS / "gaia-x.toml")
    text = (
        "L'association Gaia-X publie ses règles de conformité. Gaia-X veut relier des espaces de données "
        "industriels, comme Catena-X pour l'automobile, sans dépendre d'un seul fournisseur de cloud."
    )
    relevance = gaia.score("Gaia-X fixe ses règles", text)
    assert relevance.on_topic and relevance.topic == "gaia-x"
    assert not gaia.score("La sonde Gaia cartographie la galaxie", "La mission Gaia mesure des étoiles.").on_topic
    assert not gaia.score(*ON_TOPIC["numergy-sfr"]).on_topic


def test_seed_texts_are_on_topic(topic):
    if not SEEDS.is_dir():
        pytest.skip(f"{SEEDS} is absent: the seed texts live in ../shared/seeds")
    seeds = sorted(SEEDS.glob("*.txt"))
    assert seeds, f"no seed text in {SEEDS}"
    for seed in seeds:
        title, _, text = seed.read_text(encoding="utf-8").partition("\n")
        relevance = topic.score(title, text)
        assert relevance.on_topic, (seed.name, relevance.reason)


def test_mirror_corpus_kinds(topic):
    scores: dict[str, list[float]] = {}
    for article in build_corpus(articles=2000).truth():
        relevance = topic.score(article["title"], article["text"])
        assert relevance.on_topic == article["on_topic"], (article["kind"], article["title"], relevance.reason)
        scores.setdefault(article["kind"], []).append(relevance.score)
    # Margins measured on this corpus: on-topic ≥ 49, decoys ≤ 7, "souverain" homonyms ≤ 4, others 0.
    assert min(scores["on_topic"]) >= 2 * topic.threshold
    assert max(max(scores[kind]) for kind in ("decoy", "souverain_other", "off_topic")) <= topic.threshold - 4
