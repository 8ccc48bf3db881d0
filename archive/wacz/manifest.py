"""The snapshot manifest (``souverain/manifest.json``): what was crawled, how, with what, and every file's hashes."""

from __future__ import annotations

import hashlib
from pathlib import PurePosixPath
from typing import Any

from archive.wacz.package import CHUNK_SIZE, Member, json_bytes
from archive.wacz.software import versions

MANIFEST_PATH = "souverain/manifest.json"
FORMAT = "souverain-manifest-1"
RUN_FIELDS = ("root", "profile", "discovery", "topic", "settings", "versions")


def zip_article_path(dated: PurePosixPath) -> str:
    """Return where a dated article file goes in the WACZ: one folder level (``wacz validate`` needs it).

    Args:
        dated: ``articles/<site>/<YYYY>/<MM>/<DD>/<slug>.<ext>`` (or ``articles/<site>/undated/<slug>.<ext>``).

    Returns:
        ``articles/<site>__<YYYY>-<MM>-<DD>__<slug>.<ext>`` (or ``articles/<site>__undated__<slug>.<ext>``).
    """
    site, *date, name = dated.parts[1:]
    return f"articles/{site}__{'-'.join(date)}__{name}"


def line_hashes(data: bytes) -> list[str]:
    """Return the SHA-256 of each line (newline included) of a text file."""
    return [hashlib.sha256(line).hexdigest() for line in data.splitlines(keepends=True)]


def run_entries(configs: dict[tuple[str, str], dict[str, Any]]) -> list[dict[str, Any]]:
    """Return each run's configuration record (seeds, discovery entry points, topic, settings, versions).

    Args:
        configs: the config records by (run id, site), as read by ``archive.warc.runlog.scan_warcs``.

    Returns:
        One entry per (run id, site), sorted.
    """
    return [{"run_id": run_id, "site": site, **{name: config.get(name) for name in RUN_FIELDS}}
            for (run_id, site), config in sorted(configs.items())]


def build_manifest(*, cutoff: str, selection: dict[str, str | None], runs: list[dict[str, Any]],
                   warc_files: list[dict[str, Any]], robots: list[dict[str, Any]], articles: list[dict[str, Any]],
                   members: list[Member], pages: bytes) -> bytes:
    """Return the manifest document.

    Args:
        cutoff: the snapshot's cut-off (ISO 8601 UTC).
        selection: the ``run`` and ``until`` options the snapshot was built with.
        runs: the runs' configurations (``run_entries``).
        warc_files: one entry per WARC file of the snapshot (zip path, run id, record count, dates).
        robots: the robots.txt responses (URL, record id, WARC-Date, WARC file, body text).
        articles: one entry per article (URL, site, pages, text SHA-256, dated and zip paths).
        members: every other file of the WACZ, for the chunk hashes that locate damage.
        pages: the ``pages/pages.jsonl`` content, for its line hashes.

    Returns:
        UTF-8 JSON, sorted keys.
    """
    document = {
        "format": FORMAT,
        "cutoff": cutoff,
        "selection": selection,
        "builder": {"versions": versions()},
        "seeds": sorted({run["root"] for run in runs if run.get("root")}),
        "runs": runs,
        "warc_files": warc_files,
        "robots": robots,
        "articles": articles,
        "chunk_size": CHUNK_SIZE,
        "chunks": {member.path: member.digest.chunks for member in members},
        "pages_lines": line_hashes(pages),
    }
    return json_bytes(document)
