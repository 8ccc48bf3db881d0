"""The relevance formula on a small topic, score by score: weights, counts, title bonus, negative-context
penalty, strong terms, context windows, reasons and hints (the shipped topics are in tests/test_relevance.py)."""

from __future__ import annotations

import locale

import pytest

from archive.text.relevance import Relevance, Term, Topic, fold

TOPIC_TEXT = '''
name = "essai"
threshold = 10
title_weight = 2
max_count = 3
min_strong_terms = 1
terms = [
    { name = "numergy", regex = '\\bnumergy\\b', weight = 5, strong = true },
    { name = "souverain", regex = '\\bsouverain\\b', weight = 1 },
    { name = "bleu", regex = '\\bbleu\\b', weight = 4, strong = true, context = 'azure', window = 20 },
    { phrase = "Cloud Act", weight = 2 },
]
negatives = [
    { name = "fonds souverain", regex = '\\bfonds souverains?\\b', weight = 4 },
    { name = "dette souveraine", regex = '\\bdettes? souveraines?\\b', weight = 3 },
]
'''


@pytest.fixture
def topic() -> Topic:
    """The small topic, loaded in each test: mutmut forks a test process for each mutant after this module is
    imported, so a topic loaded at import (or once per module) would never run a mutant of the loader."""
    return Topic.loads(TOPIC_TEXT)


def test_the_negative_penalty_is_weight_times_count_when_no_strong_term_matched(topic):
    relevance = topic.score("Bourse", "Le fonds souverain investit. Le fonds souverain achète. Une dette souveraine.")
    assert relevance.negatives == {"fonds souverain": 2, "dette souveraine": 1}
    assert relevance.matched == {}  # "souverain" inside a negative context does not count
    assert relevance.score == -(4 * 2 + 3 * 1) == -11.0
    assert relevance.reason == "off-topic: score -11.0 < 10.0 (dette souveraine×1, fonds souverain×2)".replace(
        "(", "(negatives: ")
    assert not relevance.on_topic and relevance.first_match is None


def test_a_positive_term_outside_the_negative_context_still_counts_beside_the_penalty(topic):
    relevance = topic.score("Bourse", "Le fonds souverain investit. Un cloud souverain.")
    assert relevance.matched == {"souverain": 1}
    assert relevance.score == 1 - 4 == -3.0


def test_a_strong_term_cancels_the_penalty(topic):
    relevance = topic.score("Bourse", "Numergy et le fonds souverain.")
    assert relevance.negatives == {"fonds souverain": 1} and relevance.matched == {"numergy": 1}
    assert relevance.score == 5.0
    assert relevance.reason == "off-topic: score 5.0 < 10.0 (negatives: fonds souverain×1)"


def test_counts_are_capped_and_the_title_adds_its_weight_once(topic):
    relevance = topic.score("Numergy, Numergy", "numergy " * 5)
    assert relevance.matched == {"numergy": 7}
    assert relevance.score == 5 * (3 + 2) == 25.0
    assert relevance.on_topic and relevance.reason == "score 25.0 >= 10.0: numergy×7"
    assert topic.score("Rien", "numergy " * 2).score == 10.0  # under the cap: the count itself
    assert topic.score("Rien", "numergy " * 2).on_topic  # the threshold is reached at equality
    assert topic.score("Numergy", "rien").score == 5 * 2 == 10.0  # the title alone


def test_the_reason_lists_the_five_best_terms_by_contribution_then_name():
    topic = Topic.loads("threshold = 1\nterms = [" + ", ".join(
        f"{{ name = 't{n}', regex = '\\bt{n}\\b', weight = {n}, strong = true }}" for n in range(1, 8)) + "]")
    relevance = topic.score("", " ".join(f"t{n}" for n in range(1, 8)))
    assert relevance.reason == "score 28.0 >= 1.0: t7×1, t6×1, t5×1, t4×1, t3×1"
    tied = topic.score("", "t2 t2 t4")
    assert tied.reason == "score 8.0 >= 1.0: t2×2, t4×1"  # equal contributions: by name


def test_strong_terms_are_required_even_above_the_threshold():
    topic = Topic.loads(TOPIC_TEXT.replace("min_strong_terms = 1", "min_strong_terms = 2"))
    relevance = topic.score("", "numergy numergy numergy souverain")
    assert relevance.score == 16.0 and not relevance.on_topic
    assert relevance.reason == "off-topic: 1 strong terms < 2 (score 16.0: numergy×3, souverain×1)"
    assert topic.score("", "numergy numergy numergy bleu azure").on_topic


def test_a_context_must_be_within_the_window_on_either_side(topic):
    assert topic.score("", "Azure et Bleu").matched == {"bleu": 1}
    assert topic.score("", "Bleu et Azure").matched == {"bleu": 1}
    assert topic.score("", "Bleu" + " x" * 20 + " azure").matched == {}
    assert topic.score("", "azure" + " x" * 20 + " Bleu").matched == {}
    assert topic.score("", "Bleu" + " x" * 7 + " azure").matched == {"bleu": 1}  # ends 19 characters after
    assert topic.score("", "Bleu" + " x" * 8 + " azure").matched == {}  # ends 21 characters after


def test_phrases_join_words_by_any_space_or_hyphen_and_fold_accents(topic):
    assert topic.score("", "le CLOUD-act et le cloud \n act").matched == {"Cloud Act": 2}
    assert topic.score("", "cloud actif").matched == {}
    assert topic.score("", "NUMÉRGY").matched == {"numergy": 1}
    assert fold("Numérgy À l'État ça") == "Numergy A l'Etat ca" and len(fold("é")) == 1


def test_the_first_match_is_the_sentence_of_the_earliest_text_match(topic):
    relevance = topic.score("Numergy", "Intro sans rien. Puis le souverain arrive ici. Et Numergy ensuite.")
    assert relevance.first_match == "Puis le souverain arrive ici."
    assert topic.score("Numergy", "Rien ici.").first_match == "Numergy"  # only the title matched
    long = "x" * 300 + " numergy " + "y" * 300
    assert len(topic.score("", long).first_match) <= 200 and "numergy" in topic.score("", long).first_match


def test_score_hint_reads_a_slug_and_subtracts_negatives(topic):
    assert topic.score_hint("/tech/123-numergy-et-le-cloud_act.html") == 5 + 2
    assert topic.score_hint("fonds-souverain-numergy") == 5 + 1 - 4
    assert topic.score_hint("rien") == 0.0


def test_topic_defaults_and_terms(topic):
    plain = Topic.loads("threshold = 3\nterms = [{ regex = 'a+' }]", default_name="nommé")
    assert (plain.name, plain.threshold, plain.title_weight, plain.max_count, plain.min_strong_terms) == (
        "nommé", 3.0, 2.0, 3, 1)
    assert plain.negatives == ()
    term = plain.terms[0]
    assert (term.name, term.weight, term.strong, term.context, term.window) == ("a+", 1.0, False, None, 150)
    with pytest.raises(ValueError, match="term without phrase or regex"):
        Term.from_dict({"name": "vide"})
    assert topic.terms[3].name == "Cloud Act"


def test_relevance_to_dict_is_every_field(topic):
    relevance = topic.score("", "numergy")
    assert relevance.to_dict() == {"topic": "essai", "score": 5.0, "threshold": 10.0, "on_topic": False,
                                   "matched": {"numergy": 1}, "first_match": "numergy", "negatives": {},
                                   "reason": "off-topic: score 5.0 < 10.0"}


def test_load_reads_a_file_named_after_its_stem(tmp_path):
    path = tmp_path / "mon-sujet.toml"
    path.write_text("threshold = 1\nterms = [{ phrase = 'le mot' }]", encoding="utf-8")
    assert Topic.load(path).name == "mon-sujet"


def test_a_positive_match_touching_a_negative_context_still_counts():
    topic = Topic.loads("threshold = 1\nterms = [{ name = 'cloud', regex = 'cloud' }]\n"
                        "negatives = [{ name = 'fonds', regex = 'fonds', weight = 4 }]")
    relevance = topic.score("Titre", "cloudfonds fondscloud")  # each match ends or starts where a negative does
    assert relevance.matched == {"cloud": 2} and relevance.negatives == {"fonds": 2}
    assert relevance.score == 2 - 4 * 2
    blocked = Topic.loads("threshold = 1\nterms = [{ name = 'cloud', regex = 'cloud' }]\n"
                          "negatives = [{ name = 'oudf', regex = 'oudf' }]").score("", "cloudfonds")
    assert blocked.matched == {} and blocked.negatives == {"oudf": 1}  # one character in common is inside


def test_a_title_negative_blocks_the_title_match_only():
    topic = Topic.loads("threshold = 1\nterms = [{ name = 'souverain', regex = 'souverain' }]\n"
                        "negatives = [{ name = 'fonds', regex = 'fonds souverain', weight = 1 }]")
    relevance = topic.score("Un fonds souverain", "souverain")
    assert relevance.matched == {"souverain": 1} and relevance.score == 1 - 1  # the text's match counts


def test_scores_are_rounded_to_two_decimals():
    topic = Topic.loads("threshold = 1\nterms = [{ name = 'a', regex = '\\ba\\b', weight = 0.3335 }]")
    assert topic.score("", "a").score == 0.33


def test_the_passage_is_cut_at_any_sentence_mark(topic):
    assert topic.score("", "Avant! Puis numergy ici? Et après.").first_match == "Puis numergy ici?"
    assert topic.score("", "Avant? Puis numergy ici! Et après.").first_match == "Puis numergy ici!"
    assert topic.score("", "Avant\nPuis numergy ici\nEt après.").first_match == "Puis numergy ici"
    assert topic.score("", "Avant. Puis numergy ici. Et après.").first_match == "Puis numergy ici."
    long = "x" * 300 + " numergy " + "y" * 300
    assert topic.score("", long).first_match == "x" * 99 + " numergy " + "y" * 92  # 100 characters before


def test_terms_topics_and_verdicts_built_directly_take_the_defaults(topic):
    term = Term("t", topic.terms[0].pattern, 1.0)
    assert (term.strong, term.context, term.window) == (False, None, 150)
    direct = Topic("direct", (term,), (), 1.0)
    assert (direct.title_weight, direct.max_count, direct.min_strong_terms) == (2.0, 3, 1)
    assert Relevance("t", 0.0, 1.0, False).to_dict() == {
        "topic": "t", "score": 0.0, "threshold": 1.0, "on_topic": False, "matched": {}, "first_match": None,
        "negatives": {}, "reason": ""}


def test_loads_takes_the_title_weight_and_the_cap_from_the_file():
    topic = Topic.loads("threshold = 1\ntitle_weight = 5\nmax_count = 1\nterms = [{ name = 'a', regex = '\\ba\\b' }]")
    assert (topic.title_weight, topic.max_count) == (5.0, 1)
    assert topic.score("a", "a a a").score == 1 + 5  # one counted in the text, the title's own weight


def test_a_topic_without_a_name_is_called_topic():
    assert Topic.loads("threshold = 1\nterms = [{ regex = 'a' }]").name == "topic"


@pytest.fixture
def ascii_locale():
    """The C locale (ASCII) for one test, set back after it."""
    before = locale.setlocale(locale.LC_CTYPE)
    locale.setlocale(locale.LC_CTYPE, "C")
    yield
    locale.setlocale(locale.LC_CTYPE, before)


def test_a_topic_file_is_read_as_utf8_whatever_the_locale(ascii_locale, tmp_path):
    path = tmp_path / "sujet.toml"
    path.write_text("name = 'défense'\nthreshold = 1\nterms = [{ phrase = 'État stratège' }]", encoding="utf-8")
    topic = Topic.load(path)
    assert topic.name == "défense" and topic.score("", "l'etat stratège").matched == {"État stratège": 1}


def test_the_passage_starts_after_the_last_sentence_mark_before_the_match(topic):
    assert topic.score("", "Un. Deux. Puis numergy ici. Fin.").first_match == "Puis numergy ici."
    assert topic.score("", ". numergy ici").first_match == "numergy ici"  # a mark at the very start


def test_the_earliest_match_of_any_term_is_the_passage_even_when_matches_overlap():
    topic = Topic.loads("threshold = 1\nterms = [{ name = 'a', regex = 'numergy' },"
                        " { name = 'b', regex = 'cloud numergy' }]")
    text = "y" * 300 + " cloud numergy " + "z" * 300
    assert topic.score("", text).first_match == "y" * 99 + " cloud numergy " + "z" * 86  # 100 before "cloud"


def test_reaching_the_threshold_without_a_strong_term_says_so(topic):
    relevance = topic.score("Cloud Act", "Cloud Act, Cloud Act, Cloud Act.")
    assert relevance.score == 2 * (3 + 2) == 10.0 and not relevance.on_topic
    assert relevance.reason == "off-topic: 0 strong terms < 1 (score 10.0: Cloud Act×4)"


def test_score_hint_with_a_group_reference_scores_term_by_term():
    topic = Topic.loads("threshold = 1\nterms = [{ name = 'b', regex = '(b)c' }, "
                        "{ name = 'double', regex = '\\b(\\w)\\1\\b', weight = 3 }]")
    assert topic.any_term is None  # joined, \\1 would name the first term's group
    assert topic.score_hint("un-aa-ici") == 3.0 and topic.score_hint("bc") == 1.0 and topic.score_hint("x") == 0.0
