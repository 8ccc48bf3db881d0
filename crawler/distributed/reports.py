"""One ``report.json`` per distributed run: each worker writes its part, the last one to leave merges them all.

A worker's report (the same shape as a one-process run's) goes to ``OUT/runs/<run>/workers/<worker>.json`` and to
the Redis hash ``souverain:<run>:reports``; the worker that closes the run writes the merge into its own
``OUT/runs/<run>/report.json``. ``souverain report --out DIR…`` merges the parts found in several output folders
instead (when the last worker died, or Redis is gone). The merge is deterministic: parts in worker order, counts
added, lists joined, one line per worker under ``workers``.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

from archive.errors import ArchiveError
from archive.fsutil import atomic_write_text
from crawler.discovery.ledger import OTHER_WORKER

if TYPE_CHECKING:
    from redis import Redis

MAX_PART_BYTES = 50 * 1024 * 1024  # as crawler/run.py's REPORT_MAX_BYTES
MAX_PARTS = 10_000
LATEST = ("finished", "elapsed_seconds")  # the run's: the latest of its workers', not their sum


def reports_key(run: str) -> str:
    """Return the Redis hash of a run's report parts (worker → JSON)."""
    return f"souverain:{run}:reports"


def part_path(run_dir: Path, worker: str) -> Path:
    """Return where a worker writes its part of the run report."""
    return run_dir / "workers" / f"{worker}.json"


def publish(server: Redis, run: str, worker: str, part: dict[str, Any]) -> None:
    """Put a worker's part of the report in Redis, for the worker that closes the run."""
    server.hset(reports_key(run), worker, json.dumps(part, ensure_ascii=False, sort_keys=True))


def parts_in_redis(server: Redis, run: str) -> list[dict[str, Any]]:
    """Return the report parts of a run kept in Redis (checked as ``load_part`` does)."""
    found = server.hgetall(reports_key(run))  # a decode_responses client (crawler.distributed.runs.connect)
    return [_checked(str(raw), f"{reports_key(run)} {worker!s}") for worker, raw in found.items()]


def parts_in_folders(outs: list[Path], run: str) -> list[dict[str, Any]]:
    """Return the report parts of a run written in output folders (``runs/<run>/workers/*.json``).

    Raises:
        ArchiveError: no part found, or a part that is no report.
    """
    paths = sorted(path for out in outs for path in (out / "runs" / run / "workers").glob("*.json"))
    if not paths:
        raise ArchiveError(f"no worker report of run {run} in {', '.join(str(out) for out in outs)}")
    if len(paths) > MAX_PARTS:
        raise ArchiveError(f"more than {MAX_PARTS} worker reports for run {run}")
    parts = []
    for path in paths:
        if path.stat().st_size > MAX_PART_BYTES:
            raise ArchiveError(f"{path}: more than {MAX_PART_BYTES} bytes, no report of ours")
        parts.append(_checked(path.read_text(encoding="utf-8"), str(path)))
    return parts


def _checked(text: str, where: str) -> dict[str, Any]:
    """Return a report part read back, or raise ``ArchiveError``."""
    if len(text) > MAX_PART_BYTES:
        raise ArchiveError(f"{where}: more than {MAX_PART_BYTES} bytes, no report of ours")
    try:
        part = json.loads(text)
    except ValueError as exc:
        raise ArchiveError(f"{where}: not JSON ({exc})") from None
    if not isinstance(part, dict) or not isinstance(part.get("worker"), str) or not isinstance(part.get("sites"), dict):
        raise ArchiveError(f"{where}: no worker report (worker, sites)")
    return part


def merge(parts: list[dict[str, Any]]) -> dict[str, Any]:
    """Return the report of a run from its workers' parts (same inputs, same report).

    Args:
        parts: the workers' reports (each with ``worker``); one per worker (a worker's later part wins).

    Returns:
        A run report: the first part's run fields, ``started`` the earliest, ``finished`` the latest, ``sites``
        and ``totals`` added up (rates recomputed), ``not_kept`` without the skips that only name another worker
        and once per URL, and ``workers``: one line per worker (its output folder and totals).
    """
    by_worker = {part["worker"]: part for part in parts}
    ordered = [by_worker[worker] for worker in sorted(by_worker)]
    merged: dict[str, Any] = {}
    for part in ordered:
        _add(merged, {k: v for k, v in part.items() if k not in ("worker", "out")})
    merged["started"] = min(str(part.get("started", "")) for part in ordered)
    for site in merged.get("sites", {}).values():
        if isinstance(site, dict) and isinstance(site.get("not_kept"), list):
            site["not_kept"] = _once_per_url(site["not_kept"])
        shared = site.get("distributed") if isinstance(site, dict) else None
        if isinstance(shared, dict) and isinstance(shared.get("taken_over"), list):  # each worker lists the run's
            once = {json.dumps(t, sort_keys=True): t for t in shared["taken_over"]}
            shared["taken_over"] = [once[key] for key in sorted(once)]
            shared.pop("worker", None)
    _rates(merged)
    merged["workers"] = [{"worker": part["worker"], "out": part.get("out"), "finished": part.get("finished"),
                          "unfinished": part.get("unfinished"), "totals": part.get("totals", {})} for part in ordered]
    merged["out"] = sorted({str(part.get("out")) for part in ordered})
    return merged


def _add(into: dict[str, Any], part: dict[str, Any]) -> None:
    """Merge one part into the merge so far: numbers added (``LATEST`` ones: the largest), lists joined, dicts
    merged key by key, other values the first part's."""
    for key, value in part.items():
        have = into.get(key)
        if key not in into:
            into[key] = json.loads(json.dumps(value))  # a copy: later parts add into it
        elif isinstance(have, dict) and isinstance(value, dict):
            _add(have, value)
        elif isinstance(have, list) and isinstance(value, list):
            have.extend(value)
        elif key in LATEST and value is not None and have is not None:
            into[key] = max(have, value)
        elif isinstance(have, (int, float)) and isinstance(value, (int, float)) and not isinstance(value, bool):
            into[key] = have + value


def _once_per_url(entries: list[Any]) -> list[Any]:
    """Return the entries of a not-kept list once per URL, without the skips that only name another worker."""
    seen: set[str] = set()
    kept = []
    for entry in sorted(entries, key=lambda entry: str(entry.get("url")) if isinstance(entry, dict) else ""):
        url = entry.get("url") if isinstance(entry, dict) else None
        if url in seen or OTHER_WORKER.detail in str(entry.get("reason", "") if isinstance(entry, dict) else ""):
            continue
        if url is not None:
            seen.add(url)
        kept.append(entry)
    return kept


def _rates(report: dict[str, Any]) -> None:
    """Recompute the rates of every figure table from its merged counts."""
    if "harvest_rate" in report and isinstance(report.get("pages_fetched"), (int, float)):  # a site's summary
        pages = report["pages_fetched"]
        report["harvest_rate"] = round(report.get("articles_kept", 0) / pages, 4) if pages else 0.0
    elif "harvest_rate" in report and isinstance(report.get("fetched"), (int, float)):  # a ledger's counts
        spent = report["fetched"] + report.get("discovery_pages", 0)
        report["harvest_rate"] = round(report.get("kept", 0) / spent, 4) if spent else 0.0
    for value in report.values():
        if isinstance(value, dict):
            _rates(value)


def write_merged(run_dir: Path, parts: list[dict[str, Any]]) -> dict[str, Any]:
    """Write the merge of a run's parts as ``run_dir/report.json`` and return it."""
    report = merge(parts)
    atomic_write_text(run_dir / "report.json", json.dumps(report, ensure_ascii=False, indent=2, sort_keys=True) + "\n")
    return report
