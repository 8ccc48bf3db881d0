"""Offline re-extraction from the WARCs alone, and export of the articles; real crawl of the mirror first."""

from __future__ import annotations

import csv
import filecmp
import json
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from tests.conftest import souverain


@pytest.fixture(scope="module")
def crawled(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("crawl") / "out"
    result = souverain("demo", "--out", str(out), "--articles", "200")
    assert result.returncode == 0, result.stderr[-2000:]
    return out


def same_tree(left: Path, right: Path) -> list[str]:
    """Return the relative paths that differ between two trees (missing, extra or different bytes)."""
    a = {p.relative_to(left) for p in left.rglob("*") if p.is_file()}
    b = {p.relative_to(right) for p in right.rglob("*") if p.is_file()}
    differ = [str(p) for p in sorted(a & b) if not filecmp.cmp(left / p, right / p, shallow=False)]
    return sorted(map(str, a ^ b)) + differ


def test_reextract_rebuilds_every_dated_file_byte_for_byte(crawled, tmp_path):
    result = souverain("reextract", str(crawled), "--out", str(tmp_path / "again"), "--workers", "2")
    assert result.returncode == 0, result.stderr[-2000:]
    originals = list((crawled / "articles").rglob("*.json"))
    assert originals and f"{len(originals)} articles" in result.stdout
    assert same_tree(crawled / "articles", tmp_path / "again" / "articles") == []
    assert not [p for p in (tmp_path / "again").iterdir() if p.name != "articles"]  # no scratch left behind


def test_reextract_needs_warcs(tmp_path):
    result = souverain("reextract", str(tmp_path), "--out", str(tmp_path / "x"), timeout=60)
    assert result.returncode == 1 and "no closed WARC file" in result.stderr and "Traceback" not in result.stderr


def test_export_jsonl_csv_parquet_agree(crawled, tmp_path):
    outputs = {}
    for fmt in ("jsonl", "csv", "parquet"):
        dest = tmp_path / f"articles.{fmt}"
        result = souverain("export", "--out", str(crawled), "--format", fmt, "-o", str(dest), timeout=120)
        assert result.returncode == 0, result.stderr
        outputs[fmt] = dest
    rows = [json.loads(line) for line in outputs["jsonl"].read_text(encoding="utf-8").splitlines()]
    records = {json.loads(p.read_text(encoding="utf-8"))["url"] for p in (crawled / "articles").rglob("*.json")}
    assert {row["url"] for row in rows} == records and len(rows) == len(records)
    assert len({row["id"] for row in rows}) == len(rows)
    with outputs["csv"].open(encoding="utf-8", newline="") as handle:
        table = list(csv.DictReader(handle))
    assert [r["id"] for r in table] == [r["id"] for r in rows]
    assert table[0]["tags"] == "; ".join(rows[0]["tags"])
    parquet = pq.read_table(outputs["parquet"]).to_pylist()
    assert [r["id"] for r in parquet] == [r["id"] for r in rows]
    assert parquet[0]["tags"] == rows[0]["tags"] and parquet[0]["text"] == rows[0]["text"]
    first = rows[0]
    assert (crawled / first["path"]).read_text(encoding="utf-8").strip() == first["text"].strip()


def test_export_ids_are_stable(crawled, tmp_path):
    for name in ("a.jsonl", "b.jsonl"):
        assert souverain("export", "--out", str(crawled), "-o", str(tmp_path / name), timeout=120).returncode == 0
    assert (tmp_path / "a.jsonl").read_bytes() == (tmp_path / "b.jsonl").read_bytes()


def test_export_errors_are_one_line(tmp_path):
    result = souverain("export", "--out", str(tmp_path), "-o", str(tmp_path / "x.csv"), timeout=60)
    assert result.returncode == 1 and "no articles/ folder" in result.stderr and "Traceback" not in result.stderr


def test_reextract_from_a_snapshot_equals_the_originals(crawled, tmp_path):
    snapshot = tmp_path / "s.wacz"
    assert souverain("snapshot", "--out", str(crawled), "-o", str(snapshot), timeout=300).returncode == 0
    result = souverain("reextract", str(snapshot), "--out", str(tmp_path / "from-wacz"))
    assert result.returncode == 0, result.stderr[-2000:]
    assert same_tree(crawled / "articles", tmp_path / "from-wacz" / "articles") == []
    assert [p.name for p in (tmp_path / "from-wacz").iterdir()] == ["articles"]
