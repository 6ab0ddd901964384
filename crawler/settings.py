"""Scrapy settings of nianbao (``scrapy.cfg`` points here): polite by default.

Every nianbao setting is named ``NIANBAO_*`` and documented in docs/crawler.md; a portal's
registry options (delay, robots, encoding, browser) override the defaults for that portal only.
Anything can be overridden on the command line (``-s NAME=VALUE``) or, for the archive, from
the environment (``NIANBAO_DATABASE_URL``, ``NIANBAO_DATA_DIR``).
"""
from __future__ import annotations

import os

BOT_NAME = "nianbao"
SPIDER_MODULES = ["crawler.spiders"]
NEWSPIDER_MODULE = "crawler.spiders"

# --- who we are ----------------------------------------------------------------------------
# The User-Agent names nianbao and a page saying who runs the crawl and how to reach them;
# Chromium sends the same one (challenge cookies are bound to it). USER_AGENT overrides it.
NIANBAO_CONTACT_URL = os.environ.get("NIANBAO_CONTACT_URL", "https://github.com/nianbao/nianbao#crawler")
USER_AGENT = None  # None: "Mozilla/5.0 (compatible; nianbao/<version>; +<NIANBAO_CONTACT_URL>)"

# --- politeness ----------------------------------------------------------------------------
ROBOTSTXT_OBEY = True                 # a portal may say obey_robots = false (only with consent)
CONCURRENT_REQUESTS = 16
CONCURRENT_REQUESTS_PER_DOMAIN = 2
DOWNLOADER = "crawler.downloader.Downloader"  # Scrapy's, with the per-host limit kept (see there)
DOWNLOAD_DELAY = 0.5                  # the floor AutoThrottle never goes below
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_START_DELAY = 1.0
AUTOTHROTTLE_MAX_DELAY = 30.0
AUTOTHROTTLE_TARGET_CONCURRENCY = 1.0
COOKIES_ENABLED = True                # challenge cookies from the browser are reused over HTTP
TELNETCONSOLE_ENABLED = False
LOG_LEVEL = "INFO"

# --- fetching --------------------------------------------------------------------------------
DOWNLOAD_TIMEOUT = 90                 # slow portals answer in seconds; a scanned PDF takes longer
DOWNLOAD_MAXSIZE = 128 * 1024 * 1024  # larger documents are refused (recorded as too_large)
DOWNLOAD_WARNSIZE = 32 * 1024 * 1024
CONCURRENT_ITEMS = 8                  # Scrapy starts this many tasks per response (default 100); a
                                      # nianbao page yields at most one document item
SCRAPER_SLOT_MAX_ACTIVE_SIZE = 32 * 1024 * 1024  # bytes of responses waiting for the archive's group commit
RETRY_ENABLED = True
RETRY_TIMES = 3
RETRY_HTTP_CODES = [500, 502, 503, 504, 522, 524, 408, 429]
NIANBAO_RETRY_BACKOFF = 1.0           # seconds before the first retry; doubled each time
NIANBAO_RETRY_BACKOFF_MAX = 30.0
NIANBAO_MAX_LIST_PAGES = 1000         # stop paginating one column after this many pages
# a 200 page whose title (or whose short text) says one of these is a soft 404; not 信息不存在,
# which pre-2019 report tables print as a row label
NIANBAO_SOFT_404_MARKERS = ["页面不存在", "页面未找到", "您访问的页面不存在", "您所访问的页面不存在",
                            "该信息已删除", "文章不存在", "页面已删除", "Page Not Found"]

TWISTED_REACTOR = "twisted.internet.asyncioreactor.AsyncioSelectorReactor"
TWISTED_DNS_RESOLVER = "crawler.resolver.PinnedResolver"
NIANBAO_RESOLVE: dict[str, str] = {}  # host pattern → address, as the registry's [resolve] table

# --- the browser, only when a portal or a response needs it ---------------------------------
DOWNLOAD_HANDLERS = {"http": "crawler.browser.BrowserOnDemandHandler",
                     "https": "crawler.browser.BrowserOnDemandHandler"}
NIANBAO_CHROMIUM = "/usr/bin/chromium"  # Debian's Chromium; Playwright's own download is never used
NIANBAO_BROWSER_ON_CHALLENGE = True     # a 412/521 JavaScript challenge is passed in Chromium
NIANBAO_CHALLENGE_TIMEOUT = 30.0        # seconds Chromium may take to pass one challenge
NIANBAO_BROWSER_PAGES = 2               # Chromium pages loading at once in the process (all portals)
NIANBAO_BROWSER_PORTALS = 0             # `nianbao crawl`: portals with browser = true at once; 0 = a quarter of --parallel
PLAYWRIGHT_BROWSER_TYPE = "chromium"
PLAYWRIGHT_LAUNCH_OPTIONS = {           # completed from NIANBAO_CHROMIUM and NIANBAO_RESOLVE
    "headless": True,
    "args": ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
             "--disable-component-update", "--no-first-run", "--disable-dev-shm-usage"],
}
PLAYWRIGHT_MAX_PAGES_PER_CONTEXT = 4
PLAYWRIGHT_ABORT_REQUEST = "crawler.browser.skip_resource"
PLAYWRIGHT_DEFAULT_NAVIGATION_TIMEOUT = 45_000

# --- nianbao components --------------------------------------------------------------------
DOWNLOADER_MIDDLEWARES = {
    "scrapy.downloadermiddlewares.offsite.OffsiteMiddleware": None,
    "crawler.scope.PortalScopeMiddleware": 50,
    "scrapy.downloadermiddlewares.retry.RetryMiddleware": None,
    "crawler.retry.BackoffRetryMiddleware": 550,
    "crawler.conditional.ConditionalRequestMiddleware": 560,
    "crawler.outcomes.SoftNotFoundMiddleware": 570,
    "crawler.challenge.ChallengeMiddleware": 585,
    "crawler.scope.MovedSiteMiddleware": 650,
}
ITEM_PIPELINES = {"crawler.pipelines.ArchivePipeline": 300}
EXTENSIONS = {"crawler.jobdir.JobDirGuard": 0, "crawler.monitor.Monitor": 500,
              "scrapy.extensions.remote_control.RemoteControl": None}  # no control port on a crawler host

NIANBAO_REGISTRY: list[str] = []      # registry files or directories; [] = crawler/portals/
NIANBAO_DATABASE_URL = None           # None: $NIANBAO_DATABASE_URL, else sqlite in the data dir
NIANBAO_DATA_DIR = None               # None: $NIANBAO_DATA_DIR, else ./data
NIANBAO_PARALLEL_PORTALS = 8         # `nianbao crawl`: portals crawled at the same time
NIANBAO_RUN_ID = None                 # set by `nianbao crawl`; alone, a crawl opens its own run
NIANBAO_PARSE_WORKERS = 0             # parser processes; 0 = one per CPU
NIANBAO_PARSE_NICE = 10               # parser processes run this much nicer than the crawl (0: as nice)
NIANBAO_PARSE_BACKLOG = 50000         # documents waiting for a parser (about 2 KB each) before downloads wait too
NIANBAO_MAX_ERROR_RATE = 0.1          # alert when more than this share of requests failed
NIANBAO_ALERT_FEWER_REPORTS = True    # alert when a portal yields fewer reports than last run

# --- several processes sharing one crawl (crawler.distributed) -------------------------------
ADDONS = {"crawler.distributed.Distributed": 0}    # switches to the shared scheduler when the URL is set
NIANBAO_REDIS_URL = os.environ.get("NIANBAO_REDIS_URL")  # None: this process crawls alone
NIANBAO_REDIS_PREFIX = "nianbao"      # Redis key prefix: one per deployment (or test)
NIANBAO_REDIS_WORKER_TTL = 30.0       # seconds without a heartbeat after which a process counts as dead
