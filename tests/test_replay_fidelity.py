"""Replay fidelity, measured: every skin's kept articles rendered by headless Chromium live from the mirror and
replayed through pywb look the same (screenshot similarity ≥ 0.98), read the same, and the replay loads every
resource from the archive (none failing, none leaving it); without requisites the same measure shows the gap."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from benchmarks.replay_fidelity import ACCEPTANCE, crawl, measure, summary
from crawler.mirror.process import MirrorProcess
from crawler.mirror.skins import SKIN_NAMES

pytestmark = pytest.mark.skipif(shutil.which("chromium") is None,
                                reason="Debian's chromium is not installed (apt-get install -y chromium; .ci/run does it)")
ARTICLES = 40
PER_SKIN = 2  # articles rendered per skin (four renderings each); the benchmark renders every kept one


@pytest.mark.parametrize("skin", SKIN_NAMES)
def test_replayed_articles_look_like_the_live_pages(skin: str, tmp_path: Path) -> None:
    pytest.importorskip("PIL")
    with MirrorProcess(articles=ARTICLES, skin=skin) as mirror:
        report = crawl(mirror, tmp_path / "out", "all")
        assert report["totals"]["requisites"]["fetched"] > 0
        scores = measure(mirror, tmp_path / "out", tmp_path, PER_SKIN)
        if skin == "default":  # the gap: the same measure of a crawl without requisites
            crawl(mirror, tmp_path / "bare", "none")
            baseline = summary(measure(mirror, tmp_path / "bare", tmp_path, 1))
    assert len(scores) == PER_SKIN
    for score in scores:
        print(f"{skin}: {score.similarity:.4f} text {'same' if score.same_text else 'differs'} failing "
              f"{score.failing} leaving {score.leaving} {score.url}")
        assert score.similarity >= ACCEPTANCE["similarity"], score
        assert score.same_text and score.failing == [] and score.leaving == [], score
    if skin == "default":
        print(f"without requisites: {baseline}")
        assert baseline["similarity"] < ACCEPTANCE["similarity"] and baseline["failing"] > 0
