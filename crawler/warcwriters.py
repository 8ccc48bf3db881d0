"""The process's WARC writers: one per WARC folder, shared by every crawler of a ``CrawlerProcess``.

A ``souverain crawl`` runs clubic and numerama side by side; the WARC extension and the run log of both write
through the one writer of ``OUT/warc``, released by each and closed by the last.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from archive.warc.writer import WarcWriter
from crawler.runid import run_id
from crawler.shared import SharedRegistry

if TYPE_CHECKING:
    from scrapy.settings import BaseSettings

WRITERS: SharedRegistry[WarcWriter] = SharedRegistry()


def warc_dir(settings: BaseSettings) -> Path:
    """Return the WARC folder: ``WARC_DIR``, or ``<SOUVERAIN_OUT_DIR>/warc`` when it is empty."""
    return Path(settings["WARC_DIR"] or Path(settings["SOUVERAIN_OUT_DIR"]) / "warc")


def writer_args(settings: BaseSettings) -> dict[str, Any]:
    """Return the WarcWriter options from the ``WARC_*`` settings (warcinfo: operator, robots, UA, run id)."""
    return {
        "prefix": settings["WARC_PREFIX"],
        "max_size": settings.getint("WARC_MAX_SIZE"),
        "warcinfo": {
            "operator": settings["WARC_OPERATOR"],
            "robots": "obey" if settings.getbool("ROBOTSTXT_OBEY") else "ignore",
            "http-header-user-agent": settings["USER_AGENT"] or "",
            # isPartOf is the warcinfo field Heritrix uses for the job: our run id.
            "isPartOf": run_id(settings),
        },
    }


def acquire_writer(settings: BaseSettings) -> tuple[Path, WarcWriter]:
    """Return the process's writer for the WARC folder of these settings (let go of it with ``release_writer``)."""
    directory = warc_dir(settings).resolve()
    args = writer_args(settings)
    return directory, WRITERS.acquire(directory, lambda: WarcWriter(directory, **args), WarcWriter.close)


def release_writer(directory: Path) -> None:
    """Let go of the writer of a WARC folder; the last user closes it."""
    WRITERS.release(directory)
