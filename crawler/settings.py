"""Scrapy settings of souverain (``scrapy crawl clubic`` from the repository root uses them too); the defaults
of souverain's own component settings are in ``crawler/defaults.py``."""

BOT_NAME = "souverain"
SPIDER_MODULES = ["crawler.spiders"]
NEWSPIDER_MODULE = "crawler.spiders"

# Politeness: identifiable, obeys robots.txt, slow by default; loopback mirrors are crawled with --delay 0.
USER_AGENT = "souverain/0.1 (web archiving for research; +https://pypi.org/project/souverain/)"
ROBOTSTXT_OBEY = True
DOWNLOAD_DELAY = 1.0
DOWNLOAD_DELAY_JITTER = 0.5
CONCURRENT_REQUESTS = 16
# Scrapy starts CONCURRENT_ITEMS asyncio workers for every response's output: 100 (the default) for an article
# page that yields one item cost ~250k tasks per 2,400 pages. Extraction runs in a pool of one worker per core.
CONCURRENT_ITEMS = 8
CONCURRENT_REQUESTS_PER_DOMAIN = 2
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_START_DELAY = 1.0
AUTOTHROTTLE_MAX_DELAY = 30.0
AUTOTHROTTLE_TARGET_CONCURRENCY = 1.0
COOKIES_ENABLED = False
# Ask for gzip/deflate only: warcio (and so `warcio check`, cdxj-indexer and pywb) cannot decode br payloads
# with the current brotli bindings (warcio issue #73), and knows no zstd. Scrapy would otherwise advertise both.
DEFAULT_REQUEST_HEADERS = {
    "Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8",
    "Accept-Language": "fr,en;q=0.5",
    "Accept-Encoding": "gzip, deflate",
}
DOWNLOAD_TIMEOUT = 30
# News pages weigh well under a few MB; a bigger body is refused (reported "too large") before lxml parses it.
# Sitemaps may be 50 MB uncompressed (the protocol's limit): their requests carry their own download_maxsize.
DOWNLOAD_MAXSIZE = 10 * 1024 * 1024
DOWNLOAD_WARNSIZE = 4 * 1024 * 1024
RETRY_TIMES = 6  # with backoff: 0.5, 1, 2, 4, 8, 16 s (or what Retry-After asks), then the page is given up
RETRY_BACKOFF_BASE = 0.5
RETRY_BACKOFF_MAX = 60.0
REDIRECT_MAX_TIMES = 10  # a redirect loop is given up sooner (and tried again: DISCOVERY_REDIRECT_LOOP_RETRIES)
LOG_LEVEL = "INFO"
DEFAULT_DROPITEM_LOG_LEVEL = "DEBUG"
TELNETCONSOLE_ENABLED = False
# Scrapy 2.19's remote control runs code sent to a localhost port and writes its token to ~/.local/state/scrapy:
# a crawler of the open web neither listens for code nor writes outside its output folder.
REMOTE_CONTROL_ENABLED = False

DOWNLOAD_HANDLERS = {
    "http": "crawler.handlers.VisibleFailuresHTTP11Handler",
    "https": "crawler.handlers.VisibleFailuresHTTP11Handler",
}
EXTENSIONS = {
    "crawler.discovery.ledger.Ledger": 90,
    "crawler.extensions.warc.WarcExtension": 100,
    "crawler.extensions.state.StateRecorder": 110,
    "crawler.distributed.worker.DistributedWorker": 120,  # only with --redis (SOUVERAIN_REDIS_URL)
    "crawler.extensions.runlog.RunLog": 150,
    "crawler.extensions.report.RunReport": 200,
    "crawler.extensions.requisites.PageRequisites": 250,
    "crawler.extensions.progress.Progress": 300,
}
DOWNLOADER_MIDDLEWARES = {
    # First of all, before robots.txt is asked for a host: nothing outside the site's hosts, http(s) only.
    "crawler.middlewares.scope.SiteScope": 40,
    # Replaced by SiteScope: it compares host names without ports, and drops redirects off-site without errback.
    "scrapy.downloadermiddlewares.offsite.OffsiteMiddleware": None,
    "scrapy.downloadermiddlewares.retry.RetryMiddleware": None,
    "crawler.middlewares.retry.BackoffRetry": 550,
    # --resume: what the run already archived comes back from its WARC before anything else is tried.
    "crawler.middlewares.archived.ArchivedResponses": 50,
    # Re-checks of pages archived by earlier runs: conditional GETs; a 304 comes back as the archived copy
    # (its process_response runs before HttpCompression's, at 590, which then decodes the stored body).
    "crawler.middlewares.conditional.ConditionalRequests": 595,
    # After HttpCompression (590) in process_response, so it reads robots.txt decoded; before it in requests.
    "crawler.middlewares.crawldelay.CrawlDelay": 585,
    # --redis: one schedule per host for all workers, after every wait of this process (crawler/distributed).
    "crawler.distributed.politeness.SharedPoliteness": 980,
    # After every other middleware: only requests that really go to the network are counted.
    "crawler.middlewares.budget.PageBudget": 990,
    # Last before the downloader, so first to see a response: one the WARC could not hold stops there.
    "crawler.middlewares.unarchived.UnarchivedResponses": 995,
}
ITEM_PIPELINES = {
    "crawler.pipelines.extract.ExtractPipeline": 100,
    "crawler.pipelines.datewindow.DateWindowPipeline": 150,
    "crawler.pipelines.relevance.RelevancePipeline": 200,
    "crawler.pipelines.textstore.TextStorePipeline": 300,
}

# Every souverain component setting has its default in crawler/defaults.py, given by this add-on.
ADDONS = {"crawler.addon.Souverain": 0}
