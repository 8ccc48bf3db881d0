"""Topic files: bundled ones by name (``crawler/topics/<name>.toml``) or any TOML file by path."""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from pathlib import Path

from archive.text.relevance import Topic

TOPIC_DIR = Path(__file__).with_name("topics")


class TopicError(ValueError):
    """A topic that names no bundled topic and no readable file."""


def topic_path(name_or_file: str) -> Path:
    """Resolve a topic given on the command line or in a setting.

    Args:
        name_or_file: a bundled topic name (``cloud-souverain``) or a path to a ``.toml`` file.

    Returns:
        The topic file.

    Raises:
        TopicError: when neither exists.
    """
    bundled = TOPIC_DIR / f"{name_or_file}.toml"
    if "/" not in name_or_file and bundled.is_file():
        return bundled
    path = Path(name_or_file).expanduser()
    if path.is_file():
        return path
    known = ", ".join(sorted(p.stem for p in TOPIC_DIR.glob("*.toml")))
    raise TopicError(f"unknown topic {name_or_file!r}: no bundled topic of that name (known: {known}) and no such file")


@dataclass(frozen=True)
class TopicDiscovery:
    """What a topic asks of each site: search queries and tag archives (the ``[discovery]`` table)."""

    queries: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()

    @classmethod
    def load(cls, path: Path) -> TopicDiscovery:
        """Read the ``[discovery]`` table of a topic file.

        Args:
            path: the topic file.

        Returns:
            The queries and tag slugs (none when the table is absent).
        """
        table = tomllib.loads(path.read_text(encoding="utf-8")).get("discovery", {})
        return cls(queries=tuple(table.get("queries", ())), tags=tuple(table.get("tags", ())))


def check_topic(name_or_file: str) -> Path:
    """Resolve a topic and make sure its file reads as a topic (terms, threshold, discovery).

    Args:
        name_or_file: a bundled topic name or a path to a ``.toml`` file.

    Returns:
        The topic file.

    Raises:
        TopicError: for an unknown topic or a file that is no topic file, in one line.
    """
    path = topic_path(name_or_file)
    try:
        Topic.load(path)
        TopicDiscovery.load(path)
    except (tomllib.TOMLDecodeError, UnicodeDecodeError, KeyError, TypeError, ValueError, re.error) as exc:
        detail = f"missing {exc}" if isinstance(exc, KeyError) else str(exc).splitlines()[0]
        raise TopicError(f"bad topic file {path}: {detail}") from None
    return path
