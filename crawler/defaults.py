"""The default of every setting of souverain's components, set once here (each with its component's prefix).

The ``crawler.addon.Souverain`` add-on gives them to any crawler that names it (the project settings do, and so
does every profile spider), under the project's, the spider's and the command line's values. Components read
them without fallbacks of their own.
"""

from __future__ import annotations

from archive.warc import writer as warc_writer  # a module name: not taken for a setting by setmodule

SOUVERAIN_OUT_DIR = "out"
SOUVERAIN_TOPIC = "cloud-souverain"  # a bundled topic name (crawler/topics/) or a topic file
SOUVERAIN_SITE_ROOTS: dict[str, str] = {}
SOUVERAIN_CDN_ROOTS: dict[str, str] = {}  # site -> root replacing the profile's [requisites] hosts (--cdn-root)
SOUVERAIN_PROFILES: list[str] = []  # profile files looked in before the search path (souverain crawl --profile)
SOUVERAIN_SINCE = ""  # YYYY-MM-DD: first publication day kept (discovery skips what is surely older)
SOUVERAIN_UNTIL = ""  # YYYY-MM-DD: last publication day kept
SOUVERAIN_RUN_ID = ""  # empty: one id made for the whole process

DISCOVERY_MIN_HINT = 0.0  # candidates whose pre-fetch promise is not above this are not fetched
DISCOVERY_REDIRECT_LOOP_RETRIES = 3  # a redirect loop's original URL is tried again this many times
DISCOVERY_REVISIT_ALL = False  # --recheck: every known article and discovery page is due now, whatever the profile's revisit policy

RETRY_BACKOFF_BASE = 0.5  # seconds before the first retry, doubled at each further one...
RETRY_BACKOFF_MAX = 60.0  # ...up to this (and Retry-After is capped to it)
RETRY_SITE_PAUSE_AFTER = 10  # failed attempts in a row on one site...
RETRY_SITE_PAUSE_SECONDS = 30.0  # ...pause it this long instead of hammering it

WARC_ENABLED = True
WARC_DIR = ""  # empty: SOUVERAIN_OUT_DIR/warc
WARC_PREFIX = "souverain"
WARC_MAX_SIZE = warc_writer.MAX_SIZE  # a WARC file is closed once it reaches this many bytes
WARC_OPERATOR = ""

STATE_ENABLED = True  # OUT/state.sqlite: what incremental runs know of every URL
RESUME_ENABLED = False  # --resume: continue the run SOUVERAIN_RUN_ID from its WARCs

EXTRACT_ENABLED = True
EXTRACT_WORKERS = 0  # 0: one worker per core
RELEVANCE_ENABLED = True
TEXTSTORE_ENABLED = True
TEXTSTORE_DIR = ""  # the articles folder; empty: SOUVERAIN_OUT_DIR/articles
REPORT_ENABLED = True
RUNLOG_ENABLED = True
REQUISITES_LEVEL = "all"  # --requisites: none, images (images, favicons) or all (+ style sheets, fonts, scripts)
REQUISITES_MAXSIZE = 5 * 1024 * 1024  # a bigger requisite is refused ("too large")
REQUISITES_SCRIPTS = True  # False: no scripts even at level all (README, Page requisites: why they are fetched)
SCOPE_ENABLED = True  # refuse requests outside the profile's hosts (redirects, links, sitemaps from the web)
CRAWLDELAY_ENABLED = True
CRAWLDELAY_MAX = 60.0  # a robots.txt Crawl-delay above this many seconds is capped to it
PAGEBUDGET_PAGES = 0  # 0: no cap
PROGRESS_INTERVAL = 5.0  # seconds between progress lines; 0: none
PROGRESS_FORMAT = "text"  # or "json": one JSON object a line, for scripts (souverain crawl --progress json)

SOUVERAIN_REDIS_URL = ""  # --redis: a worker of a shared run (crawler/distributed/runs.py sets the scheduler)
DISTRIBUTED_LEASE_SECONDS = 30.0  # a request a worker stops renewing for this long goes back to the queue
DISTRIBUTED_HEARTBEAT_SECONDS = 0.0  # 0: a third of the lease
DISTRIBUTED_POLITENESS = True  # one schedule per host for all workers (off: each process spaces its own requests)
DISTRIBUTED_DELAY = 1.0  # the run's delay per host, kept in Redis (--redis moves --delay here)
