"""Sentence banks of the mirror, read from ``data/texts.json``: original French text combined by the corpus generator.

Every sentence there was written for the mirror. A sentence tied to an event carries the month from which
it may appear (``"YYYY-MM"``), so an article never mentions what had not happened yet at its date.
Placeholders: ``{e}`` and ``{e2}`` are entities of the subject, ``{n}`` a small number, ``{p}`` a percentage.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from importlib.resources import files
from typing import Any


@dataclass(frozen=True)
class Era:
    """One period of the cloud souverain story: its titles, leads and body sentences."""

    name: str
    since: str
    until: str
    titles: tuple[str, ...]
    leads: tuple[str, ...]
    body: tuple[str, ...]
    tags: tuple[str, ...]


@dataclass(frozen=True)
class Subject:
    """An off-topic subject: where it is filed, its tags, entities, titles and sentences."""

    name: str
    numerama_section: str
    clubic_section: str
    tags: tuple[str, ...]
    entities: tuple[str, ...]
    titles: tuple[str, ...]
    sentences: tuple[str, ...]


@dataclass(frozen=True)
class Homonym:
    """A subject where "souverain" (or Gaia) means something with no cloud in it."""

    name: str
    since: str
    numerama_section: str
    clubic_section: str
    tags: tuple[str, ...]
    titles: tuple[str, ...]
    sentences: tuple[str, ...]


def _frozen(value: Any) -> Any:
    """Return a JSON value with every list made a tuple (the banks are immutable)."""
    return tuple(_frozen(item) for item in value) if isinstance(value, list) else value


def _fields(entry: dict[str, Any]) -> dict[str, Any]:
    """Return one JSON object's fields, frozen."""
    return {name: _frozen(value) for name, value in entry.items()}


_DATA = json.loads(files("crawler.mirror").joinpath("data", "texts.json").read_text(encoding="utf-8"))

ERAS: tuple[Era, ...] = tuple(Era(**_fields(era)) for era in _DATA["eras"])
TOPIC_BACKGROUND: tuple[tuple[str, str], ...] = _frozen(_DATA["topic_background"])
TOPIC_ANALYSIS: tuple[str, ...] = _frozen(_DATA["topic_analysis"])
SUBJECTS: tuple[Subject, ...] = tuple(Subject(**_fields(subject)) for subject in _DATA["subjects"])
GENERIC: tuple[str, ...] = _frozen(_DATA["generic"])
DECOYS: tuple[tuple[str, str], ...] = _frozen(_DATA["decoys"])
HOMONYMS: tuple[Homonym, ...] = tuple(Homonym(**_fields(homonym)) for homonym in _DATA["homonyms"])
NUMERAMA_AUTHORS: tuple[tuple[str, str], ...] = _frozen(_DATA["numerama_authors"])
CLUBIC_AUTHORS: tuple[tuple[str, str], ...] = _frozen(_DATA["clubic_authors"])
COMMENTS: tuple[tuple[str, str], ...] = _frozen(_DATA["comments"])
