"""A topic that keeps every article: benchmarks use it to push the whole mirror through the pipeline."""

from __future__ import annotations

from pathlib import Path

EVERYTHING = """name = "everything"
threshold = 1.0
min_strong_terms = 1
terms = [{ name = "word", regex = '\\w+', weight = 1, strong = true }]
"""


def everything_topic(folder: Path) -> Path:
    """Write the keep-everything topic file into ``folder`` and return its path."""
    path = folder / "everything.toml"
    path.write_text(EVERYTHING, encoding="utf-8")
    return path
