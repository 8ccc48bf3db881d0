"""``archive.patterns.any_of`` (a profile's cut markers and drop lines tried as one pattern first) and the
whitespace collapse of ``archive.text.cleanup``: quicker, and the same answers as pattern by pattern."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from lxml.html import fromstring, tostring

from archive.patterns import any_of, compiled
from archive.text.cleanup import SiteCleanup, collapse_whitespace

MARKERS = ("À découvrir également", "Commentaires \\(\\d+\\)", "Tout le monde n['’]a pas", "\\+ rapide, \\+ pratique",
           "^- ?[123] (?:Numerama\\+ contribue|Vous profiterez)", "(ab)+c")


@pytest.mark.parametrize(("source", "text"), [("(a)\\1", "aa"), ("(?i)zéro", "ZÉRO"), ("(?P<x>a)(?P=x)", "aa"),
                                            ("a\\g<0>", "ag<0>"), ("(?x) a b", "ab")])
def test_patterns_that_would_change_meaning_next_to_others_are_not_joined(source: str, text: str) -> None:
    assert any_of(("abc", source)) is None
    assert SiteCleanup(cut_markers=("abc", source)).marker_of(text) == \
        (source if compiled(source).match(text) else None)  # each tried on its own


@given(st.lists(st.sampled_from(["À découvrir également", "Commentaires (12)", "Tout le monde n’a pas", "+ rapide, ",
                                 "+ pratique", "- 2 Numerama+ contribue", "ababc", "texte", " ", "\n"]), max_size=6))
def test_the_joined_pattern_matches_and_searches_where_one_of_its_sources_does(pieces: list[str]) -> None:
    text = "".join(pieces)
    joined = any_of(MARKERS)
    assert joined is not None
    assert (joined.match(text) is not None) == any(compiled(m).match(text) for m in MARKERS)
    assert (joined.search(text) is not None) == any(compiled(m).search(text) for m in MARKERS)
    rules = SiteCleanup(cut_markers=MARKERS)
    assert rules.marker_of(text) == next((m for m in MARKERS if compiled(m).match(text)), None)


def test_whitespace_is_collapsed_except_in_and_after_pre_textarea_script_style() -> None:
    tree = fromstring("<div><p>a \n  b</p><pre>x\n  <b>y \n z</b>\n</pre>tail \n t<script>s\n  s</script>"
                      "<textarea>t\n  t</textarea><p>c\t\td</p></div>")
    collapse_whitespace(tree)
    assert tostring(tree, encoding="unicode") == ("<div><p>a b</p><pre>x\n  <b>y \n z</b>\n</pre>tail \n t<script>s\n  s"
                                                  "</script><textarea>t\n  t</textarea><p>c d</p></div>")
