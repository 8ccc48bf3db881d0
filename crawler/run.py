"""Run a crawl of one or more sites in this process and merge the sites' reports into ``report.json``."""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field
from datetime import UTC, datetime
from itertools import islice
from pathlib import Path
from typing import Any

from archive.errors import ArchiveError
from archive.fsutil import atomic_write_text
from archive.jsonlines import read_lines
from crawler.defaults import SOUVERAIN_TOPIC
from crawler.discovery.window import DateWindow
from crawler.diskfull import STOP_REASON
from crawler.profiles import ProfileError, get_profile
from crawler.requisites import LEVELS as REQUISITE_LEVELS
from crawler.runid import new_run_id
from crawler.topic import check_topic, topic_path


@dataclass
class CrawlOptions:
    """What a user asks of a crawl (the ``souverain crawl`` options)."""

    out: Path
    sites: list[str]
    roots: dict[str, str] = field(default_factory=dict)
    cdn_roots: dict[str, str] = field(default_factory=dict)  # --cdn-root: a site's requisite hosts at a mirror
    requisites: str = "all"  # --requisites none|images|all
    archive_only: bool = False  # --archive-only: pages in WARC, no extraction (EXTRACT_ENABLED off)
    topic: str = SOUVERAIN_TOPIC
    max_pages: int = 0
    delay: float | None = None
    concurrency: int | None = None
    since: str = ""
    until: str = ""
    resume: bool = False
    recheck: bool = False
    timeout: float | None = None
    strict_profile: bool = False
    progress: str = "text"  # progress lines on stderr: "text", "json" (one JSON object a line) or "off"
    verbose: bool = False  # the crawl log on stderr too
    extra_settings: dict[str, str] = field(default_factory=dict)
    profiles: list[str] = field(default_factory=list)  # --profile files, looked in before the search path
    redis: str = ""  # --redis URL: a worker of the shared run there (crawler/distributed)
    run_id: str = field(default_factory=new_run_id)

    def check(self) -> None:
        """Raise ProfileError/TopicError/WindowError for an unknown site, a bad root or one for a site not
        crawled (the user meant that site to be crawled there), a bad topic or date window."""
        for name in [*self.roots, *self.cdn_roots, *self.sites]:
            get_profile(name, self.roots, self.profiles, self.cdn_roots)
        if unselected := sorted(set(self.cdn_roots) - set(self.sites)):
            raise ProfileError(f"--cdn-root given for {', '.join(unselected)}, which is not crawled")
        if self.requisites not in REQUISITE_LEVELS:
            raise ProfileError(f"--requisites {self.requisites!r}: expected one of {', '.join(REQUISITE_LEVELS)}")
        if unselected := sorted(set(self.roots) - set(self.sites)):
            raise ProfileError(f"--root given for {', '.join(unselected)}, which is not crawled (--site "
                               f"{' --site '.join(self.sites)}): add --site {' --site '.join(unselected)} "
                               "or drop that --root")
        check_topic(self.topic)
        DateWindow.from_strings(self.since, self.until)

    @property
    def run_dir(self) -> Path:
        """Return ``OUT/runs/<run-id>``."""
        return self.out / "runs" / self.run_id

    def settings(self) -> dict[str, Any]:
        """Return the Scrapy settings these options override."""
        values: dict[str, Any] = {
            "SOUVERAIN_OUT_DIR": str(self.out),
            "SOUVERAIN_SITE_ROOTS": dict(self.roots),
            "SOUVERAIN_CDN_ROOTS": dict(self.cdn_roots),
            "REQUISITES_LEVEL": self.requisites,
            "SOUVERAIN_PROFILES": list(self.profiles),
            "SOUVERAIN_TOPIC": str(topic_path(self.topic)),
            "SOUVERAIN_RUN_ID": self.run_id,
            "RESUME_ENABLED": self.resume,
            "DISCOVERY_REVISIT_ALL": self.recheck,
            "SOUVERAIN_SINCE": self.since,
            "SOUVERAIN_UNTIL": self.until,
            "LOG_FILE": str(self.run_dir / "crawl.log"),
            "LOG_FORMAT": "%(asctime)s [%(site)s] [%(name)s] %(levelname)s: %(message)s",  # see crawler/process.py
        }
        if self.progress != "off":
            values["PROGRESS_FORMAT"] = self.progress
        if self.archive_only:
            values["EXTRACT_ENABLED"] = False
        if self.max_pages:
            values["PAGEBUDGET_PAGES"] = self.max_pages
        if self.delay is not None:
            values["DOWNLOAD_DELAY"] = self.delay
            values["AUTOTHROTTLE_ENABLED"] = self.delay > 0
            # AutoThrottle never lowers its delay after a non-200 answer: a run of 304s would keep its start delay.
            values["AUTOTHROTTLE_START_DELAY"] = self.delay
        if self.concurrency:
            values["CONCURRENT_REQUESTS_PER_DOMAIN"] = self.concurrency
        if self.timeout:
            values["DOWNLOAD_TIMEOUT"] = self.timeout
        if self.redis:
            from crawler import settings
            from crawler.distributed.runs import worker_settings

            delay = values.get("DOWNLOAD_DELAY", settings.DOWNLOAD_DELAY)
            values.update(worker_settings(self.redis, self.run_id, delay))
        quiet = {"PROGRESS_INTERVAL": 0} if self.progress == "off" else {}  # --quiet wins over -s PROGRESS_…
        return {**values, **self.extra_settings, **quiet}


REPORT_MAX_BYTES = 50 * 1024 * 1024  # a report.json bigger than this is no report of ours


# URLs not kept that report.json lists per site (the first by URL); all of them are in the site's not-kept file.
NOT_KEPT_ROWS = 10_000


def not_kept_path(run_dir: Path, site: str) -> Path:
    """Return the file of every URL of a site the run did not keep (JSON lines, by URL) in a run's folder."""
    return run_dir / "sites" / f"{site}.not-kept.jsonl"


def run_is_unfinished(run_dir: Path) -> bool:
    """Tell whether a run has to be resumed: no report (killed, crashed), or one saying it was interrupted.

    A worker of a distributed run writes its part (``workers/*.json``), not ``report.json``: that run is
    continued by starting its workers again, never by ``--resume``.
    """
    path = run_dir / "report.json"
    if not path.exists() and any((run_dir / "workers").glob("*.json")):
        return False
    try:
        if path.stat().st_size > REPORT_MAX_BYTES:
            return False
        report = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return True
    except (OSError, ValueError):
        return False  # unreadable: not a run this program can continue
    return isinstance(report, dict) and bool(report.get("unfinished"))


def last_unfinished_run(out: Path) -> str:
    """Return the id of the newest run of an output folder that did not finish (killed, crashed, interrupted).

    Args:
        out: the output folder.

    Returns:
        The run id.

    Raises:
        ArchiveError: when every run finished.
    """
    runs = sorted(p for p in (out / "runs").glob("*") if p.is_dir() and run_is_unfinished(p))
    if not runs:
        raise ArchiveError(f"nothing to resume in {out}: every run there finished")
    return runs[-1].name


def run_crawl(options: CrawlOptions) -> dict[str, Any]:
    """Crawl the sites (blocking, starts the Twisted reactor) and write ``runs/<run-id>/report.json``.

    Args:
        options: the crawl's options, already checked.

    Returns:
        The run report.
    """
    from scrapy.settings import Settings

    from crawler.process import SouverainProcess
    from crawler.spiders.sites import spider_class

    settings = Settings()
    settings.setmodule("crawler.settings", priority="project")
    settings.setdict(options.settings(), priority="cmdline")
    options.run_dir.mkdir(parents=True, exist_ok=True)
    started = datetime.now(UTC)
    logging.raiseExceptions = False  # the log file is best effort: on a full disk it must not print tracebacks
    process = SouverainProcess(settings)
    crawlers = [process.create_crawler(spider_class(site)) for site in options.sites]  # --profile ones too
    for crawler in crawlers:
        process.crawl(crawler)
    if options.verbose:
        process.log_to_stderr()
    process.start()
    stopped = sorted({reason for c in crawlers if (reason := c.stats.get_value(STOP_REASON))})
    interrupted = process.interrupted_by or next(
        ("a signal" for c in crawlers if c.stats.get_value("finish_reason") == "shutdown"), None)
    unfinished = stopped[0] if stopped else f"interrupted by {interrupted}" if interrupted else None
    try:
        report = write_report(options, started, unfinished)
    except OSError as exc:  # the disk may be full: say what stopped the run all the same
        report = {"run_id": options.run_id, "sites": {}, "totals": {}, "write_error": str(exc)}
    report["stopped"], report["interrupted"] = stopped, interrupted
    return report


def write_report(options: CrawlOptions, started: datetime, unfinished: str | None = None) -> dict[str, Any]:
    """Merge the per-site reports of a run into ``report.json`` with totals (a worker of a distributed run:
    into its part, ``runs/<run-id>/workers/<worker>.json``).

    Args:
        options: the crawl's options.
        started: when the run started.
        unfinished: why the run stopped before its end (interrupted, disk full), or None: ``--resume``
            continues a run whose report says so.

    Returns:
        The run report.
    """
    sites = {}
    for name in options.sites:
        path = options.run_dir / "sites" / f"{name}.json"
        sites[name] = json.loads(path.read_text(encoding="utf-8")) if path.exists() else {"summary": {}}
        sites[name]["not_kept"] = list(islice(read_lines(not_kept_path(options.run_dir, name)), NOT_KEPT_ROWS))
        if (shared := path.with_suffix(".distributed.json")).exists():  # a worker of a distributed run
            sites[name]["distributed"] = json.loads(shared.read_text(encoding="utf-8"))
    totals: dict[str, Any] = {}
    for site in sites.values():
        add_figures(totals, site["summary"])
    totals["elapsed_seconds"] = max((site["summary"].get("elapsed_seconds", 0.0) for site in sites.values()),
                                    default=0.0)  # sites are crawled side by side
    if totals.get("pages_fetched"):
        totals["harvest_rate"] = round(totals.get("articles_kept", 0) / totals["pages_fetched"], 4)
    report = {
        "run_id": options.run_id,
        "since": options.since or None,
        "until": options.until or None,
        "started": started.isoformat(timespec="seconds"),
        "finished": datetime.now(UTC).isoformat(timespec="seconds"),
        "unfinished": unfinished,
        "out": str(options.out),
        "topic": str(topic_path(options.topic)),
        "sites": {name: {k: v for k, v in site.items() if k != "stats"} for name, site in sites.items()},
        "totals": totals,
    }
    path = options.run_dir / "report.json"
    if options.redis:  # a worker's part: the last worker of the run merges them into report.json
        from crawler.distributed.reports import part_path
        from crawler.distributed.scheduler import worker_id

        report["worker"] = worker = worker_id()
        path = part_path(options.run_dir, worker)
    atomic_write_text(path, json.dumps(report, ensure_ascii=False, indent=2) + "\n")
    return report


def add_figures(totals: dict[str, Any], figures: dict[str, Any]) -> None:
    """Add one site's figures to the run's totals, table by table (counts by reason, requisite figures).

    Args:
        totals: the totals so far, updated in place.
        figures: a site's summary.
    """
    for key, value in figures.items():
        if isinstance(value, dict):
            add_figures(totals.setdefault(key, {}), value)
        elif isinstance(value, (int, float)):
            totals[key] = totals.get(key, 0) + value


# What the crawl did instead when a profile rule matched nothing (see crawler/discovery/generic.py).
FALLBACKS = {
    "listing.entry": "generic links used",
    "listing.next": "generic pagination used",
    "listing.related": "generic links used",
    "urls.next_page": "generic pagination used",
    "discovery.sitemap_follow": "every sitemap that may hold posts followed",
    "discovery.sitemap_month": "dates read from the file names",
}


def drift_warnings(report: dict[str, Any]) -> list[str]:
    """Return one line per profile rule of a site that matched nothing on some pages (the markup drifted)."""
    return [f"{name} {rule} matched nothing on {count} page{'s' if count > 1 else ''}: "
            f"{FALLBACKS.get(rule, 'generic reading used')}"
            for name, site in report["sites"].items() for rule, count in (site.get("drift") or {}).items()]


def unreachable_sites(report: dict[str, Any], worker: bool = False) -> list[str]:
    """Return one line per site that answered nothing at all during the run; for a ``worker`` of a distributed
    run, only those it tried (the other workers may have taken every request of a site)."""
    lines = []
    for name, site in report["sites"].items():
        summary = site.get("summary", {})
        tried = site.get("failures") or site.get("last_discovery_error") or not worker
        if not summary.get("pages_fetched") and tried:
            failed = [f"{f['url']}: {f['reason']}" for f in site.get("failures", ())]
            error = site.get("last_discovery_error") or (failed[-1] if failed else "no response")
            lines.append(f"site {name} unreachable at {site.get('root')}: {error}")
    return lines
