"""The crawl state store of an output folder, shared by every component of the process."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from archive.store.state import SqliteState, open_state
from crawler.shared import SharedRegistry

if TYPE_CHECKING:
    from scrapy.settings import BaseSettings

STATES: SharedRegistry[SqliteState] = SharedRegistry()


def state_key(settings: BaseSettings) -> Path | None:
    """Return the output folder whose state the crawl uses, or None when ``STATE_ENABLED`` is off."""
    if not settings.getbool("STATE_ENABLED"):
        return None
    return Path(settings["SOUVERAIN_OUT_DIR"]).resolve()


def acquire_state(settings: BaseSettings) -> SqliteState | None:
    """Return the process's state store for these settings (release it with ``release_state``)."""
    key = state_key(settings)
    return STATES.acquire(key, lambda: open_state(key), SqliteState.close) if key else None


def release_state(settings: BaseSettings) -> None:
    """Let go of the state store; the last user commits and closes it."""
    key = state_key(settings)
    if key:
        STATES.release(key)


def now_iso() -> str:
    """Return the current UTC time, ISO 8601."""
    return datetime.now(UTC).isoformat(timespec="seconds")
