"""``souverain profile sketch`` on every mirror skin, both sites: the draft profile, unedited, is taken by
``souverain crawl --profile`` and keeps ≥ 0.9 of the on-topic articles; every guess carries its comment."""

from __future__ import annotations

import json
from urllib.parse import urlsplit

import pytest

from crawler.mirror.process import MirrorProcess
from crawler.mirror.skins import SKIN_NAMES
from crawler.profiles import SiteProfile
from tests.conftest import souverain


@pytest.fixture(scope="module", params=SKIN_NAMES)
def sketched(request, tmp_path_factory):
    folder = tmp_path_factory.mktemp(f"sketch-{request.param}")
    runs = {}
    with MirrorProcess(articles=2000, exclusive_share=0.2, skin=request.param) as mirror:
        truth = mirror.truth()
        for site, root in mirror.roots.items():
            profile = folder / f"{site}.toml"
            sketch = souverain("profile", "sketch", "--root", root, "-o", str(profile), "--delay", "0",
                               "--name", f"sketched-{site}")
            assert sketch.returncode == 0, sketch.stderr[-2000:]
            crawl = souverain("crawl", "--profile", str(profile), "--out", str(folder / site), "--delay", "0",
                              "--concurrency", "8")
            assert crawl.returncode == 0, crawl.stderr[-2000:]
            runs[site] = profile
    return request.param, folder, runs, truth


def test_a_sketched_profile_crawls_its_skin_with_recall_09(sketched):
    skin, folder, runs, truth = sketched
    for site in runs:
        records = [json.loads(p.read_text(encoding="utf-8")) for p in (folder / site / "articles").rglob("*.json")]
        kept = {urlsplit(r["url"]).path for r in records}
        relevant = {a["url_path"] for a in truth if a["on_topic"] and a["site"] == site}
        print(f"{skin} {site}: recall {len(kept & relevant) / len(relevant):.3f}")
        assert len(kept & relevant) / len(relevant) >= 0.9, (skin, site)
        assert len(kept & relevant) / len(kept) >= 0.95, (skin, site)


def test_every_guess_of_a_sketch_is_commented(sketched):
    _, _, runs, _ = sketched
    for profile in runs.values():
        lines = profile.read_text(encoding="utf-8").splitlines()
        assert SiteProfile.from_file(profile).article_patterns
        for number, line in enumerate(lines):
            key = line.split("=", 1)[0].strip()
            if key in ("article", "feeds", "tag_page", "search", "title_suffix"):
                assert lines[number - 1].startswith("# "), line
        assert "shaped" in "\n".join(lines)  # the article pattern says which URLs it was inferred from
