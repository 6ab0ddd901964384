"""The shared scheduler's queue and dupefilter in the real Redis, one step at a time: scrapy-redis's
dupefilter refuses a request seen before, a popped request is a claim of its process (in its
claims hash, not in the queue), a dead process's claims are queued again by another one, and a
claim is dropped once its work is done."""
from __future__ import annotations

import pathlib
from collections.abc import Iterator
from typing import Any

import pytest
import redis
from scrapy import Request
from scrapy.crawler import Crawler
from scrapy.settings import Settings
from scrapy.utils.reactor import install_reactor, is_reactor_installed
from scrapy_redis.dupefilter import RFPDupeFilter
from scrapy_redis.queue import PriorityQueue
from scrapy_redis.scheduler import Scheduler

from crawler import distributed, registry
from crawler.context import close_archives
from crawler.spiders import FAMILIES
from tests.deploy.conftest import REDIS_URL

# scrapy-redis 0.9 uses APIs Scrapy 2.13+ deprecates: none of them on the shared scheduler's way.
pytestmark = pytest.mark.filterwarnings("error::scrapy.exceptions.ScrapyDeprecationWarning")


@pytest.fixture
def crawler(tmp_path: pathlib.Path, redis_prefix: str) -> Iterator[Crawler]:
    """A crawler of a shipped portal as ``nianbao crawl --redis`` makes it, not started."""
    settings = Settings()
    settings.setmodule("crawler.settings", priority="project")
    settings.setdict({"NIANBAO_REDIS_URL": REDIS_URL, "NIANBAO_REDIS_PREFIX": redis_prefix,
                      "NIANBAO_DATA_DIR": str(tmp_path), "NIANBAO_RUN_ID": 7}, priority="cmdline")
    if not is_reactor_installed():  # the scheduler's tick loop is scheduled on it (never run here)
        install_reactor(settings["TWISTED_REACTOR"], settings["ASYNCIO_EVENT_LOOP"])
    portal = registry.load().portals[0]
    crawler = Crawler(FAMILIES[portal.platform], settings)
    crawler.spider = crawler._create_spider(portal=portal)  # what Crawler.crawl() does, but not the crawl
    crawler._apply_settings()
    crawler.engine = crawler._create_engine()
    yield crawler
    distributed.stop_workers()
    close_archives()


def opened(scheduler: distributed.RedisScheduler, spider: Any) -> distributed.RedisScheduler:
    scheduler.open(spider)
    assert scheduler.loop is not None
    scheduler.loop.stop()  # ticks are called by hand here
    return scheduler


def test_a_popped_request_is_a_claim_until_its_process_dies(crawler: Crawler, redis_prefix: str) -> None:
    assert crawler.settings["SCHEDULER"] == "crawler.distributed.RedisScheduler"  # the add-on switched it
    client = redis.Redis.from_url(REDIS_URL)
    a = opened(distributed.RedisScheduler.from_crawler(crawler), crawler.spider)
    keys = a.keys
    assert keys.queue == f"{redis_prefix}:run7:{crawler.spider.name}:queue"
    assert isinstance(a, Scheduler) and isinstance(a.queue, PriorityQueue) and isinstance(a.df, RFPDupeFilter)
    url = "https://example.org/reports/1.html"
    assert a.enqueue_request(Request(url, priority=5))

    other = distributed.Worker(REDIS_URL, redis_prefix, ttl=30)  # a second process joins the crawl
    b = opened(distributed.RedisScheduler(crawler, other), crawler.spider)
    assert not b.enqueue_request(Request(url))  # scrapy-redis's dupefilter, shared: refused
    assert b.df.request_seen(Request(url))
    assert client.sismember(keys.seen, a.df.request_fingerprint(Request(url)))
    assert client.zcard(keys.queue) == 1 and len(a) == 1

    popped = b.next_request()
    assert popped is not None and popped.url == url and popped.priority == 5
    assert client.zcard(keys.queue) == 0 and not a.has_pending_requests()
    claims = client.hgetall(keys.claims(other.id))
    assert list(claims) == [popped.meta[distributed.UNIT]] and list(claims.values()) == [b"-5"]

    a.tick()  # b is alive: its claim stays its own
    assert client.hlen(keys.claims(other.id)) == 1 and client.zcard(keys.queue) == 0
    other.stop()  # b's heartbeat is gone: b is dead
    a.tick()
    assert not client.exists(keys.claims(other.id)) and client.zcard(keys.queue) == 1
    assert crawler.stats.get_value("nianbao/redis/requeued") == 1

    again = a.next_request()
    assert again is not None and again.url == url and again.priority == 5
    assert client.hlen(keys.claims(a.worker.id)) == 1 and client.zcard(keys.queue) == 0
    assert a.next_request() is None
    a._release_done(closing=True)  # its unit is done (no request in progress, no parse pending)
    assert not client.exists(keys.claims(a.worker.id)) and crawler.stats.get_value("nianbao/redis/released") == 1
