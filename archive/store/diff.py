"""Word-level differences between the stored versions of an article (``souverain diff URL``)."""

from __future__ import annotations

import difflib
import re
from pathlib import Path
from typing import Any

from archive.errors import ArchiveError
from archive.source import MAX_JSON, article_jsons, read_file

CONTEXT_WORDS = 8
_VERSION = re.compile(r"\.v(\d+)$")


def article_versions(out_dir: Path, url: str) -> list[dict[str, Any]]:
    """Return every stored version of an article, oldest first.

    Args:
        out_dir: the output folder.
        url: the article's URL, as in its JSON record.

    Returns:
        The JSON records, each with ``version`` (1 for the first file) and ``txt`` (its text file).
    """
    found = []
    for json_path, record in article_jsons(out_dir):
        if record.get("url") == url:
            version = _VERSION.search(json_path.stem)
            record["version"] = int(version.group(1)) if version else 1
            record["txt"] = json_path.with_suffix(".txt")
            found.append(record)
    if not found:
        raise ArchiveError(f"no stored article for {url} under {out_dir / 'articles'}")
    return sorted(found, key=lambda r: r["version"])


def word_diff(old: str, new: str, *, context: int = CONTEXT_WORDS) -> list[str]:
    """Return the changes between two texts, one line per change: ``… words [-removed-] {+added+} words …``.

    Args:
        old: the older text.
        new: the newer text.
        context: unchanged words shown on each side of a change.

    Returns:
        One line per changed region.
    """
    a, b = old.split(), new.split()
    lines = []
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(a=a, b=b, autojunk=False).get_opcodes():
        if tag == "equal":
            continue
        before = " ".join(a[max(0, i1 - context):i1])
        after = " ".join(a[i2:i2 + context])
        removed = f"[-{' '.join(a[i1:i2])}-]" if i2 > i1 else ""
        added = f"{{+{' '.join(b[j1:j2])}+}}" if j2 > j1 else ""
        lines.append(" ".join(part for part in ("…", before, removed, added, after, "…") if part))
    return lines


def diff_article(out_dir: Path, url: str) -> str:
    """Return the word-level diff between consecutive versions of an article, with their capture dates.

    Args:
        out_dir: the output folder.
        url: the article's URL.

    Returns:
        The report to print.
    """
    versions = article_versions(out_dir, url)
    captured = [_fetch_time(r) for r in versions]
    out = [f"{url}: {len(versions)} version(s)"]
    out += [f"  v{r['version']} captured {when}: {r['txt'].relative_to(out_dir)}" for r, when in zip(versions, captured, strict=False)]
    for (old, when_old), (new, when_new) in zip(zip(versions, captured, strict=False), zip(versions[1:], captured[1:], strict=False), strict=False):
        changes = word_diff(_text(old["txt"], out_dir), _text(new["txt"], out_dir))
        out.append(f"--- v{old['version']} ({when_old})")
        out.append(f"+++ v{new['version']} ({when_new})")
        out += changes or ["(same text)"]
    return "\n".join(out) + "\n"


def _fetch_time(record: dict[str, Any]) -> str:
    """Return the capture time of an article record's first page, or ``?``."""
    captures = record.get("capture")
    first = captures[0] if isinstance(captures, list) and captures and isinstance(captures[0], dict) else {}
    return first["fetch_time"] if isinstance(first.get("fetch_time"), str) else "?"


def _text(path: Path, out_dir: Path) -> str:
    """Return a dated text file (a regular file under OUT, at most MAX_JSON bytes, UTF-8)."""
    try:
        return read_file(path, out_dir, MAX_JSON).decode("utf-8")
    except UnicodeDecodeError:
        raise ArchiveError(f"{path}: not UTF-8 text") from None
