"""The crawl state store of an output folder, shared by every component of the process."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from archive.store.state import StateStore, open_state
from crawler.shared import SharedRegistry

if TYPE_CHECKING:
    from scrapy.settings import BaseSettings

STATES: SharedRegistry[StateStore] = SharedRegistry()


def state_key(settings: BaseSettings) -> Path | None:
    """Return the output folder whose state the crawl uses, or None when ``STATE_ENABLED`` is off."""
    if not settings.getbool("STATE_ENABLED"):
        return None
    return Path(settings["SOUVERAIN_OUT_DIR"]).resolve()


def acquire_state(settings: BaseSettings) -> StateStore | None:
    """Return the process's state store for these settings (release it with ``release_state``): the output
    folder's SQLite file, or with ``SOUVERAIN_REDIS_URL`` the Redis store every worker of every run shares."""
    key = state_key(settings)
    if key is None:
        return None
    if url := settings.get("SOUVERAIN_REDIS_URL"):
        from crawler.distributed.state import PatientState

        return STATES.acquire(url, lambda: PatientState(url), lambda store: store.close())
    return STATES.acquire(key, lambda: open_state(key), lambda store: store.close())


def release_state(settings: BaseSettings) -> None:
    """Let go of the state store; the last user commits and closes it."""
    if key := state_key(settings):
        STATES.release(settings.get("SOUVERAIN_REDIS_URL") or key)


def now_iso() -> str:
    """Return the current UTC time, ISO 8601."""
    return datetime.now(UTC).isoformat(timespec="seconds")
