"""A crawl offered a million URLs by a site's sitemaps stays under 500 MB peak PSS, its whole process tree.

The mirror's Numerama lists 1,000,000 extra (off-topic) post URLs in its sitemaps (``--extra-sitemap-urls``): the
crawl reads every one of them, offers each to the frontier and records each in the ledger and the report, while
``benchmarks.pss`` samples the PSS of the crawl process and its children until it exits.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from benchmarks.pss import run_sampled
from crawler.mirror.process import MirrorProcess

OFFERED = 1_000_000
LIMIT = 500_000_000  # bytes


@pytest.mark.scale
def test_a_crawl_offered_a_million_urls_stays_under_500_mb(tmp_path):
    script = Path(sys.executable).with_name("souverain")
    command = [str(script)] if script.exists() else [sys.executable, "-m", "crawler.cli"]
    with MirrorProcess(articles=40, extra_sitemap_urls=OFFERED) as mirror:
        run = run_sampled([*command, "crawl", "--out", str(tmp_path), "--site", "numerama", "--root",
                           f"numerama={mirror.roots['numerama']}", "--cdn-root", f"numerama={mirror.cdn}",
                           "--delay", "0", "-q"])
    assert run.returncode == 0, run.stderr[-3000:]
    report = json.loads(next(tmp_path.glob("runs/*/report.json")).read_text(encoding="utf-8"))
    site = report["sites"]["numerama"]
    assert site["summary"]["discovered"] > OFFERED and site["summary"]["skipped"]["unpromising"] >= OFFERED
    assert site["summary"]["articles_kept"] > 0  # the mirror's own articles on the topic were still found
    # Every URL not kept is in the site's not-kept file (report.json lists the first ones).
    with (tmp_path / "runs" / report["run_id"] / site["not_kept_file"]).open(encoding="utf-8") as rows:
        assert sum(1 for _ in rows) == site["not_kept_total"] > OFFERED
    assert len(site["not_kept"]) < site["not_kept_total"] and all(row["reason"] for row in site["not_kept"])
    assert run.peak_kib * 1024 < LIMIT, f"peak PSS {run.peak_kib / 1024:.0f} MiB"
