"""Versions of the software a crawl or a snapshot depends on (recorded for reproducibility)."""

from __future__ import annotations

import platform
from importlib import metadata

PACKAGES = ("souverain", "scrapy", "trafilatura", "htmldate", "warcio", "lxml", "cdxj-indexer")


def package_version(name: str) -> str:
    """Return the installed version of a distribution, or ``unknown``.

    Args:
        name: the distribution name.

    Returns:
        Its version string.
    """
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return "unknown"


def versions() -> dict[str, str]:
    """Return the versions of Python and of every package souverain's output depends on."""
    return {"python": platform.python_version(), **{name: package_version(name) for name in PACKAGES}}
