"""What ``souverain crawl`` and ``souverain demo`` tell the user: progress per site (text or JSON), crawl.log lines
with their site, a summary that agrees with the report, one-line mistakes, --quiet/--verbose/--version.

Real mirror, real ``souverain`` processes.
"""

from __future__ import annotations

import json
import re
import socket
import subprocess
from pathlib import Path

import pytest

from crawler.mirror.process import MirrorProcess
from tests.conftest import free_port, souverain

ARTICLES = 120
LOG_LINE = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d \[(?P<site>[\w-]+)\] \[[\w.]+\] [A-Z]+: ")


@pytest.fixture(scope="module")
def mirror():
    with MirrorProcess(articles=ARTICLES) as running:
        yield running


def crawl(mirror, out: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return souverain("crawl", "--out", str(out), "--delay", "0", "--concurrency", "8", *mirror.root_args(), *args)


def report_of(out: Path) -> dict:
    return json.loads(max((out / "runs").glob("*/report.json")).read_text(encoding="utf-8"))


def summary_row(stdout: str, name: str) -> list[str]:
    """Return the cells of one row of the summary table."""
    row = next(line for line in stdout.splitlines() if line.startswith(f"│ {name} "))
    return [cell.strip() for cell in row.strip("│").split("│")]


def summary_columns(stdout: str) -> list[str]:
    header = next(line for line in stdout.splitlines() if line.startswith("┃ site"))
    return [cell.strip() for cell in header.strip("┃").split("┃")]


def test_json_progress_names_each_site_and_log_lines_carry_the_site(mirror, tmp_path):
    out = tmp_path / "snap[bold]x"  # rich markup in a path must be shown as typed
    result = crawl(mirror, out, "--progress", "json", "-s", "PROGRESS_INTERVAL=0.2")
    assert result.returncode == 0, result.stderr[-3000:]
    assert f"into {out}/" in result.stdout and f"under {out / 'articles'}/" in result.stdout
    events = [json.loads(line) for line in result.stderr.splitlines()]
    closed = {e["site"]: e for e in events if e["event"] == "closed"}
    assert set(closed) == {"clubic", "numerama"}
    assert {e["site"] for e in events if e["event"] == "progress"} == {"clubic", "numerama"}
    report = report_of(out)
    for site, event in closed.items():
        summary = report["sites"][site]["summary"]
        assert (event["pages_fetched"], event["articles_kept"]) == (summary["pages_fetched"], summary["articles_kept"])
        assert event["reason"] == "finished"
    assert all({"pages_per_minute", "eta_seconds", "queued", "elapsed_seconds"} <= set(e) for e in events)

    log = next((out / "runs").glob("*/crawl.log")).read_text(encoding="utf-8").splitlines()
    sites = [match["site"] for line in log if (match := LOG_LINE.match(line))]
    assert sum(line[:4].isdigit() for line in log) == len(sites), "every log line names its site"
    assert {"clubic", "numerama"} <= set(sites)
    opened = [line for line in log if "Spider opened" in line]
    assert sorted(LOG_LINE.match(line)["site"] for line in opened) == ["clubic", "numerama"]

    wacz = tmp_path / "snap[bold]x.wacz"
    snapshot = souverain("snapshot", "--out", str(out), "-o", str(wacz))
    assert snapshot.returncode == 0, snapshot.stderr[-3000:]
    assert snapshot.stdout.startswith(f"snapshot: {wacz} (1 WARC file, ")


def test_summary_agrees_with_the_report_and_says_where_things_went(mirror, tmp_path):
    out = tmp_path / "out"
    result = crawl(mirror, out)
    assert result.returncode == 0, result.stderr[-3000:]
    report = report_of(out)
    columns = summary_columns(result.stdout)
    assert columns == ["site", "discovered", "pages fetched", "kept", "unchanged", "harvest", "rejected", "skipped",
                       "not completed", "WARC", "errors"]
    total = dict(zip(columns, summary_row(result.stdout, "total"), strict=False))
    totals = report["totals"]
    assert int(total["kept"]) == totals["articles_kept"] and int(total["errors"]) == totals["errors"]
    # The mirror's topic tags without an archive answer 404: discovery errors that count.
    assert totals["discovery_errors"] >= 1 and totals["errors"] == totals["discovery_errors"]
    assert "unchanged" not in total["rejected"] and "not completed" not in total["rejected"]
    assert re.search(r"^run \S+, \d+ s$", result.stdout, re.M), "the elapsed time is in the title"
    kept = totals["articles_kept"]
    assert f"articles: {kept} dated text files (+ .json) under {out / 'articles'}/" in result.stdout
    assert f"WARC:     1 WARC file under {out / 'warc'}/" in result.stdout
    requisites = totals["requisites"]
    assert requisites["fetched"] > 0
    assert f"requisites: {requisites['fetched']} fetched ({requisites['not_modified']} not modified)" in result.stdout

    again = crawl(mirror, out)
    assert again.returncode == 0, again.stderr[-3000:]
    second = dict(zip(columns, summary_row(again.stdout, "total"), strict=False))
    assert second["kept"] == "0" and second["harvest"] == "-", "an incremental run with nothing new"
    assert f"not due {kept}" in second["skipped"]
    assert "WARC:     2 WARC files" in again.stdout

    recheck = crawl(mirror, out, "--recheck")
    assert recheck.returncode == 0, recheck.stderr[-3000:]
    third = dict(zip(columns, summary_row(recheck.stdout, "total"), strict=False))
    assert third["unchanged"] == str(kept) and third["harvest"] == "-" and "unchanged" not in third["rejected"]
    assert report_of(out)["totals"]["unchanged"] == kept


def test_a_page_budget_is_no_error_and_what_it_cut_is_not_completed(mirror, tmp_path):
    result = souverain("crawl", "--out", str(tmp_path), "--site", "clubic", "--root",
                       f"clubic={mirror.roots['clubic']}", "--delay", "0", "--max-pages", "3")
    assert result.returncode == 0, result.stderr[-3000:]
    site = json.loads(next((tmp_path / "runs").glob("*/sites/clubic.json")).read_text(encoding="utf-8"))
    summary = site["summary"]
    assert summary["pages_fetched"] == 3 and site["stats"]["discovery/refused"] > 0  # requests the budget cut
    # The only errors are real failures among the 3 pages (a topic tag the mirror answers with a 404).
    assert summary["errors"] == summary["discovery_errors"] <= 3 - site["stats"]["downloader/response_status_count/200"]
    assert "budget" not in (site["last_discovery_error"] or "")
    row = dict(zip(summary_columns(result.stdout), summary_row(result.stdout, "clubic"), strict=False))
    assert row["errors"] == str(summary["errors"])
    assert "not fetched" not in row["rejected"] and "not completed" not in row["rejected"]


def test_root_for_a_site_that_is_not_crawled_is_an_error(mirror, tmp_path):
    out = tmp_path / "out"
    result = souverain("crawl", "--out", str(out), "--site", "clubic", "--root",
                       f"numerama={mirror.roots['numerama']}", timeout=60)
    assert result.returncode == 1 and result.stdout == ""
    assert result.stderr == ("souverain: error: --root given for numerama, which is not crawled (--site clubic): "
                             "add --site numerama or drop that --root\n")
    assert not out.exists(), "nothing crawled, nothing written"


def test_a_dns_failure_is_not_blamed_on_the_page_budget(tmp_path):
    result = souverain("crawl", "--out", str(tmp_path), "--site", "clubic", "--root",
                       "clubic=http://souverain-test.invalid", "--max-pages", "2", "--delay", "0", timeout=120)
    assert result.returncode == 1
    errors = result.stderr.strip().splitlines()
    assert len(errors) == 1 and errors[0].startswith("souverain: error: site clubic unreachable at "), errors
    assert "DNS lookup failed" in errors[0] and "budget" not in errors[0]


def test_quiet_prints_nothing_and_verbose_prints_the_log(mirror, tmp_path):
    quiet = souverain("crawl", "--out", str(tmp_path / "q"), "--site", "numerama", "--root",
                      f"numerama={mirror.roots['numerama']}", "--delay", "0", "--quiet", "-s", "PROGRESS_INTERVAL=0.2")
    assert (quiet.returncode, quiet.stdout, quiet.stderr) == (0, "", "")
    assert report_of(tmp_path / "q")["totals"]["articles_kept"] > 0
    verbose = souverain("crawl", "--out", str(tmp_path / "v"), "--site", "numerama", "--root",
                        f"numerama={mirror.roots['numerama']}", "--delay", "0", "--verbose")
    assert verbose.returncode == 0, verbose.stderr[-3000:]
    assert re.search(r"\[numerama\] \[scrapy\.core\.engine\] INFO: Spider closed \(finished\)", verbose.stderr)


def test_version_and_one_error_prefix(tmp_path):
    version = souverain("--version", timeout=60)
    assert version.returncode == 0 and re.fullmatch(r"souverain \d+\.\d+\.\d+\n", version.stdout)
    for args in (["crawl", "--max-pages", "-5"], ["crawl", "--sit", "clubic"], ["mirror", "serve", "--port", "x"],
                 ["schedule", "install", "--every", "monthly"]):
        result = souverain(*args, timeout=60, cwd=tmp_path)
        assert result.returncode == 2 and result.stderr.startswith("souverain: error: "), result.stderr
        assert result.stderr.count("\n") == 1


def test_two_demos_into_one_folder_keep_the_same_articles(tmp_path):
    out = tmp_path / "demo"
    first = souverain("demo", "--out", str(out))
    assert first.returncode == 0, first.stderr[-3000:]
    articles = sorted(p.relative_to(out) for p in (out / "articles").rglob("*.txt"))
    assert len(articles) == 36
    second = souverain("demo", "--out", str(out))
    assert second.returncode == 0, second.stderr[-3000:]
    assert sorted(p.relative_to(out) for p in (out / "articles").rglob("*.txt")) == articles
    assert "articles: 36 dated text files" in second.stdout
    assert report_of(out)["totals"]["articles_kept"] == 0


def test_a_demo_whose_ports_are_taken_says_so(tmp_path):
    out = tmp_path / "demo"
    out.mkdir()
    busy = free_port()
    (out / "demo.json").write_text(json.dumps({"port": busy}))
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", busy))
        holder.listen()
        result = souverain("demo", "--out", str(out), "--articles", "20", timeout=120)
    assert result.returncode == 1
    assert result.stderr.startswith(f"souverain: error: the previous demo in {out} served the mirror on ports {busy}")
    assert result.stderr.count("\n") == 1
