"""Run ids: ``YYYYMMDDTHHMMSSZ-xxxx``, one per ``souverain crawl`` (setting ``SOUVERAIN_RUN_ID``)."""

from __future__ import annotations

import re
import secrets
from datetime import UTC, datetime
from functools import cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from scrapy.settings import BaseSettings


RUN_ID = re.compile(r"\d{8}T\d{6}Z-[0-9a-f]{4}")  # what new_run_id makes: safe as a folder name


def is_run_id(text: str) -> bool:
    """Tell whether a text (from a command line, from Redis) is a run id, so safe as a folder name."""
    return bool(RUN_ID.fullmatch(text))


def new_run_id() -> str:
    """Return a fresh run id, sortable by start time."""
    return f"{datetime.now(UTC):%Y%m%dT%H%M%SZ}-{secrets.token_hex(2)}"


@cache
def _process_run_id() -> str:
    """Return the run id generated once for this process (when no setting gives one)."""
    return new_run_id()


def run_id(settings: BaseSettings) -> str:
    """Return the run id of the crawl: ``SOUVERAIN_RUN_ID``, else one id shared by the whole process."""
    return settings.get("SOUVERAIN_RUN_ID") or _process_run_id()
