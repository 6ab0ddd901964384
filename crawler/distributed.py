"""Several crawler processes sharing one crawl through Redis (``NIANBAO_REDIS_URL``).

With ``NIANBAO_REDIS_URL`` set (``nianbao crawl --redis URL``) each portal's request queue and
seen-request fingerprints live in Redis instead of in the process, so every process running the
same command — on one machine or several, writing into one PostgreSQL archive and one blob
store — takes requests from the same queues, and a request is fetched once whichever process
found it. It is built on scrapy-redis (its scheduler, priority queue of pickled requests and
dupefilter set of fingerprints), which pops a request and forgets it: a process that is killed
loses everything it was fetching. What nianbao adds is that a popped request is a *claim*:

* **A unit of work** is a request taken from the shared queue plus what follows from it in the
  same process: its retries, its redirects' and challenges' repetitions, the attachments of a
  detail page (kept with their page so provenance links them), and the parsing of every
  document they stored. :class:`ClaimQueue`'s pop is one Lua script that moves the request
  into the process's claims hash; the claim is dropped once the engine is done with every
  request of the unit and the parses pending at that moment have finished.
* **A process that dies** stops refreshing its heartbeat key. ``NIANBAO_REDIS_WORKER_TTL``
  seconds later any other process of the crawl puts its claims back in the queue, and they are
  done again: what was already stored is asked for conditionally, answered 304 and parsed if it
  was not (``crawler.conditional``); an attachment already claimed by its page may be requested
  again by that page (an ``owners`` hash beside the dupefilter's set). Nothing is lost and the
  archive dedups what is seen twice. (So a request is also queued in one step with its
  fingerprint, where scrapy-redis asks its dupefilter, then pushes.)
* **A portal is finished** when its queue is empty and no live process holds a claim; each
  process then adds its counters to the portal's shared tallies, waits for the others to close
  it too, and reads the totals, so every process's monitor sees the whole crawl.
* Start requests are queued once (``started``, a second dupefilter), whoever starts first; the
  hosts a portal moved to (``crawler.scope``) are published before any request that needs them
  is queued.

Keys (``NIANBAO_REDIS_PREFIX``, default ``nianbao``): ``P:runN:PORTAL:{queue,seen,owners,started,
claims:WORKER,workers,closed,moved,tally,stats:WORKER}`` for a ``nianbao crawl`` run N (a
``scrapy crawl`` without a run uses ``P:portal:PORTAL:…``), ``P:worker:WORKER`` heartbeats, and
``P:crawl:SELECTION`` → the run the processes of one selection share (:class:`SharedRun`).

scrapy-redis 0.9 calls what Scrapy 2.13+ deprecates (``Spider.log()``, stats with a ``spider``)
and has a request fingerprint of its own: :class:`RedisScheduler` opens its queue and counts
itself, :class:`SeenFilter` uses the crawler's ``REQUEST_FINGERPRINTER``. Two private Scrapy
attributes are used: the engine's set of requests in progress (:func:`in_progress`; without it
claims are dropped only when a portal closes, and a killed process then redoes more, but still
loses nothing) and its next-call (:func:`wake`; without it an idle process looks at the queue
only every 5 s).
"""
from __future__ import annotations

import asyncio
import atexit
import contextlib
import functools
import hashlib
import heapq
import itertools
import json
import logging
import os
import socket
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import redis
from scrapy import Request, signals
from scrapy.exceptions import DontCloseSpider
from scrapy.utils.defer import deferred_from_coro
from scrapy.utils.httpobj import urlparse_cached
from scrapy_redis.connection import get_redis
from scrapy_redis.dupefilter import RFPDupeFilter
from scrapy_redis.queue import PriorityQueue
from scrapy_redis.scheduler import Scheduler
from twisted.internet import task

from crawler.context import CrawlContext, Tally
from crawler.errors import CrawlerError
from crawler.items import META
from crawler.pipelines import ArchivePipeline

log = logging.getLogger(__name__)
START = "nianbao_start"      # meta: a request of the spider's start(), queued once by whoever comes first
UNIT = "nianbao_unit"        # meta: the claim (the request as queued) whose unit of work a request is part of
TICK = 1.0                   # seconds between releasing finished claims and looking for dead processes
CLOSE_WAIT = 3600.0          # longest wait for the other processes to close a finished portal

# Pop the best request and claim it for this process, in one step.
POP = """
local r = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
if #r == 0 then return false end
redis.call('ZREM', KEYS[1], r[1])
redis.call('HSET', KEYS[2], r[1], r[2])
return r[1]
"""
# Queue a request unless its fingerprint was seen: KEYS seen, queue; ARGV fingerprint, score, request.
PUSH = """
if redis.call('SADD', KEYS[1], ARGV[1]) == 0 then return 0 end
redis.call('ZADD', KEYS[2], ARGV[2], ARGV[3])
return 1
"""
# An attachment of a detail page: new, or already owned by that same page (its unit being redone).
# KEYS seen, owners; ARGV fingerprint, page.
OWN = """
if redis.call('SADD', KEYS[1], ARGV[1]) == 0 and redis.call('HGET', KEYS[2], ARGV[1]) ~= ARGV[2] then
  return 0
end
redis.call('HSET', KEYS[2], ARGV[1], ARGV[2])
return 1
"""
# Put every claim of a process back in the queue.
REQUEUE = """
local items = redis.call('HGETALL', KEYS[1])
for i = 1, #items, 2 do redis.call('ZADD', KEYS[2], items[i + 1], items[i]) end
redis.call('DEL', KEYS[1])
return #items / 2
"""


class SharedCrawlError(CrawlerError):
    """Redis cannot be used for a shared crawl: names the server and the reason."""

    def __init__(self, url: str, reason: str) -> None:
        self.url, self.reason = url, reason
        super().__init__(f"Redis at {url}: {reason}")


# --- this process -----------------------------------------------------------------------------

class Worker:
    """This process as a member of shared crawls: an id, and a heartbeat key that expires
    ``ttl`` seconds after the process stops refreshing it (a thread refreshes it, so a process
    busy parsing is not taken for dead)."""

    def __init__(self, url: str, prefix: str, ttl: float) -> None:
        self.url, self.prefix, self.ttl = url, prefix, max(ttl, 1.0)
        self.client = get_redis(url=url)  # with scrapy-redis's timeouts
        self.id = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"
        self._stop = threading.Event()
        try:
            self.beat()
        except redis.RedisError as exc:
            raise SharedCrawlError(url, str(exc)) from exc
        threading.Thread(target=self._run, name="nianbao-heartbeat", daemon=True).start()

    def key(self, worker_id: str) -> str:
        return f"{self.prefix}:worker:{worker_id}"

    def beat(self) -> None:
        self.client.set(self.key(self.id), time.time(), px=int(self.ttl * 1000))

    def _run(self) -> None:
        while not self._stop.wait(self.ttl / 3):
            try:
                self.beat()
            except redis.RedisError as exc:  # Redis away for a moment: the crawl's own calls will say so
                log.warning("heartbeat to Redis at %s failed: %s", self.url, exc)

    def alive(self, ids: list[str]) -> dict[str, bool]:
        pipe = self.client.pipeline(transaction=False)
        for wid in ids:
            pipe.exists(self.key(wid))
        return {wid: bool(n) for wid, n in zip(ids, pipe.execute(), strict=True)}

    def stop(self) -> None:
        self._stop.set()
        with contextlib.suppress(redis.RedisError):
            self.client.delete(self.key(self.id))


_WORKERS: dict[tuple[str, str], Worker] = {}


def worker(settings: Any) -> Worker:
    """This process's :class:`Worker` for the settings' Redis and key prefix."""
    url, prefix = settings.get("NIANBAO_REDIS_URL"), settings.get("NIANBAO_REDIS_PREFIX") or "nianbao"
    if (url, prefix) not in _WORKERS:
        if not _WORKERS:
            atexit.register(stop_workers)  # a clean exit says goodbye at once (a crash: the key expires)
        _WORKERS[(url, prefix)] = Worker(url, prefix, settings.getfloat("NIANBAO_REDIS_WORKER_TTL", 30.0))
    return _WORKERS[(url, prefix)]


def stop_workers() -> None:
    while _WORKERS:
        _WORKERS.popitem()[1].stop()


def ids(values: Any) -> list[str]:
    return sorted(v.decode() if isinstance(v, bytes) else str(v) for v in values)


# --- one portal's shared crawl ------------------------------------------------------------------

class Keys:
    """The Redis keys of one portal's shared crawl."""

    def __init__(self, prefix: str, run_id: int | None, portal: str) -> None:
        self.base = f"{prefix}:run{run_id}:{portal}" if run_id else f"{prefix}:portal:{portal}"
        for name in ("queue", "seen", "owners", "started", "workers", "closed", "merged", "moved", "tally"):
            setattr(self, name, f"{self.base}:{name}")

    def claims(self, worker_id: str) -> str:
        return f"{self.base}:claims:{worker_id}"

    def stats(self, worker_id: str) -> str:
        return f"{self.base}:stats:{worker_id}"


def in_progress(crawler: Any) -> set[Request] | None:
    """The requests the engine is working on (downloading, or their callbacks and items still
    being processed); None if this Scrapy version keeps them elsewhere."""
    slot = getattr(crawler.engine, "_slot", None)
    return getattr(slot, "inprogress", None)


def wake(crawler: Any) -> None:
    """Make the engine ask the scheduler for requests now. An engine with nothing in flight
    asks only at its heartbeat (every 5 s): a process that ran dry would leave the shared queue
    to the others for that long, so the scheduler wakes it each tick while the queue holds work."""
    nextcall = getattr(getattr(crawler.engine, "_slot", None), "nextcall", None)
    if nextcall is not None:
        nextcall.schedule()


def contribution(stats: Any) -> dict[str, int]:
    """This process's share of a portal's counters (as ``crawler.monitor`` counts them)."""
    return {"pages": int(stats.get_value("nianbao/pages/list", 0) + stats.get_value("nianbao/pages/detail", 0)),
            "documents": int(stats.get_value("nianbao/documents/stored", 0)),
            "bytes": int(stats.get_value("downloader/response_bytes", 0)),
            "errors": int(stats.get_value("nianbao/errors", 0)),
            "requests": int(stats.get_value("downloader/request_count", 0))}


class SharedTally(Tally):
    """A portal's report tallies as all the processes of its crawl add to them: each change is
    also appended to a Redis list, and :meth:`merge` takes in everyone's."""

    def __init__(self, client: redis.Redis, key: str, base: Tally) -> None:
        super().__init__(set(base.found), set(base.new), set(base.changed), set(base.failed))
        self.client, self.key = client, key

    def filed(self, filed: Any) -> dict[str, Any] | None:
        return self._share(super().filed(filed))

    def fail(self, key: str) -> dict[str, Any] | None:
        return self._share(super().fail(key))

    def _share(self, line: dict[str, Any] | None) -> dict[str, Any] | None:
        if line is not None:
            self.client.rpush(self.key, json.dumps(line))
        return line

    def merge(self) -> None:
        for raw in self.client.lrange(self.key, 0, -1):
            self.replay(json.loads(raw))
        self.changed -= self.new  # new in one process, filled in by another: new


@dataclass
class Unit:
    """The requests a claim led to in this process, and the parses pending when they were done."""

    requests: set[Request] = field(default_factory=set)
    waiting: set[asyncio.Future[Any]] | None = None


class SeenFilter(RFPDupeFilter):
    """scrapy-redis's dupefilter (a Redis set of fingerprints shared by every process), with the
    crawler's request fingerprints, and the ``owners`` hash beside it: the detail page each
    attachment fingerprint belongs to."""

    def __init__(self, server: redis.Redis, key: str, fingerprinter: Any, owners: str = "",
                 debug: bool = False) -> None:
        super().__init__(server, key, debug=debug)
        self.fingerprinter, self.owners = fingerprinter, owners
        self._own = server.register_script(OWN)

    def request_fingerprint(self, request: Request) -> str:
        return self.fingerprinter.fingerprint(request).hex()

    def own(self, fingerprint: str, page: str) -> bool:
        """Mark an attachment of ``page`` seen; False if it was seen already, except by ``page``."""
        return bool(self._own(keys=[self.key, self.owners], args=[fingerprint, page]))


class ClaimQueue(PriorityQueue):
    """scrapy-redis's priority queue whose :meth:`pop` claims: the request moves into the
    ``claims`` hash of this process (with its score, for :meth:`requeue`), and the popped request
    carries its claim in ``meta[UNIT]``."""

    def __init__(self, server: redis.Redis, spider: Any, key: str, serializer: Any = None, *,
                 claims: str) -> None:
        super().__init__(server, spider, key, serializer)
        self.claims = claims
        self._pop, self._push, self._requeue = (server.register_script(s) for s in (POP, PUSH, REQUEUE))

    def _encode_request(self, request: Request) -> bytes:
        meta = {k: v for k, v in request.meta.items() if k not in (UNIT, START)}
        return super()._encode_request(request.replace(meta=meta))

    def push(self, request: Request, seen: RFPDupeFilter | None = None) -> bool:
        """Queue a request; with a dupefilter, only if the request is new to it (in one step)."""
        if seen is None:
            super().push(request)
            return True
        return bool(self._push(keys=[seen.key, self.key],
                               args=[seen.request_fingerprint(request), -request.priority,
                                     self._encode_request(request)]))

    def pop(self, timeout: float = 0) -> Request | None:
        member = self._pop(keys=[self.key, self.claims])
        if member is None:
            return None
        try:
            request = self._decode_request(member)
        except Exception:  # a request this version cannot read: not claimed, not queued
            self.server.hdel(self.claims, member)
            raise
        request.meta[UNIT] = member
        return request

    def release(self, *members: bytes) -> None:
        self.server.hdel(self.claims, *members)

    def requeue(self, claims: str | None = None) -> int:
        """Put every claim of this process (or of the one whose claims hash is given) back."""
        return self._requeue(keys=[claims or self.claims, self.key])


class RedisScheduler(Scheduler):
    """scrapy-redis's scheduler of one portal's crawl, with claims (see the module's doc); the
    requests a unit of work repeats or keeps in this process wait in ``local``."""

    def __init__(self, crawler: Any, shared: Worker) -> None:
        self.crawler, self.worker = crawler, shared
        self.keys = Keys(shared.prefix, crawler.settings.getint("NIANBAO_RUN_ID") or None, crawler.spider.name)
        seen = functools.partial(SeenFilter, shared.client, fingerprinter=crawler.request_fingerprinter,
                                 debug=crawler.settings.getbool("DUPEFILTER_DEBUG"))
        super().__init__(shared.client, persist=True, dupefilter=seen(self.keys.seen, owners=self.keys.owners))
        self.started = seen(self.keys.started)
        self.stats = crawler.stats  # counted here: scrapy-redis's enqueue/next pass the stats a `spider`
        self.local: list[tuple[int, int, Request]] = []
        self._order = itertools.count()
        self.units: dict[bytes, Unit] = {}
        self.unit_of_page: dict[str, bytes] = {}         # detail page URL → its claim
        self.attachments: set[str] = set()               # fingerprints of attachments kept here
        self.tally: SharedTally | None = None
        self.loop: task.LoopingCall | None = None
        self.moves = 0

    @classmethod
    def from_crawler(cls, crawler: Any) -> RedisScheduler:
        scheduler = cls(crawler, worker(crawler.settings))
        crawler.signals.connect(scheduler.spider_idle, signal=signals.spider_idle)
        return scheduler

    # --- Scrapy's scheduler interface ----------------------------------------------------------

    def open(self, spider: Any) -> None:
        # Not scrapy-redis's open(), which logs with Scrapy's deprecated Spider.log().
        self.spider = spider
        self.queue = ClaimQueue(self.server, spider, self.keys.queue, claims=self.keys.claims(self.worker.id))
        if queued := len(self.queue):
            log.info("%s: joining a shared crawl with %d requests queued", spider.name, queued)
        self.server.sadd(self.keys.workers, self.worker.id)
        ctx = CrawlContext.of(self.crawler)
        self.tally = ctx.tally = SharedTally(self.server, self.keys.tally, ctx.tally)
        self.loop = task.LoopingCall(self.tick)
        self.loop.start(TICK, now=False)

    def has_pending_requests(self) -> bool:
        return bool(self.local) or super().has_pending_requests()

    def enqueue_request(self, request: Request) -> bool:
        if request.meta.pop(START, False):
            return self._share(request, self.started)
        if request.dont_filter:  # a repetition of a request of this process (retry, challenge, replay)
            return self._keep(request, request.meta.get(UNIT))
        lead = request.meta.get(META)
        if lead is not None and lead.kind == "attachment" and lead.referrer in self.unit_of_page:
            fingerprint = self.df.request_fingerprint(request)
            if fingerprint in self.attachments or not self.df.own(fingerprint, lead.referrer):
                return self._duplicate(request)
            self.attachments.add(fingerprint)
            return self._keep(request, self.unit_of_page[lead.referrer])
        return self._share(request, self.df)

    def next_request(self) -> Request | None:
        if self.local:
            return heapq.heappop(self.local)[2]
        try:
            request = self.queue.pop()
        except redis.RedisError:
            raise
        except Exception as exc:  # a request this version cannot read: dropped, loudly
            log.error("%s: dropped a queued request that cannot be read: %s", self.spider.name, exc)
            self.stats.inc_value("nianbao/redis/unreadable")
            return None
        if request is None:
            return None
        unit = request.meta[UNIT]
        self.units[unit] = Unit({request})
        lead = request.meta.get(META)
        if lead is not None and lead.kind == "detail":
            self.unit_of_page[lead.url] = unit
        self._learn_moves(request)
        self.stats.inc_value("nianbao/redis/dequeued")
        return request

    def close(self, reason: str) -> Any:
        if self.loop is not None and self.loop.running:
            self.loop.stop()
        self._release_done(closing=True)
        if self.units:  # stopped before its work was done: another process does it
            n = self.queue.requeue()
            log.warning("%s: %d unfinished requests put back in the shared queue", self.spider.name, n)
            self.units.clear()
        super().close(reason)  # persist: the queue and fingerprints stay for the other processes
        self.server.hset(self.keys.stats(self.worker.id), mapping=contribution(self.stats))
        self.server.sadd(self.keys.closed, self.worker.id)
        return deferred_from_coro(self._settle(reason))

    # --- keeping requests here or sharing them -------------------------------------------------

    def _share(self, request: Request, seen: SeenFilter) -> bool:
        self._publish_moves()
        try:
            queued = self.queue.push(request, seen)
        except redis.RedisError:
            raise
        except Exception as exc:  # a callback that is not a spider method, something unpicklable
            log.warning("%s: %s cannot be shared (%s); fetched by this process only", self.spider.name,
                        request, exc)
            self.stats.inc_value("nianbao/redis/unserializable")
            return self._keep(request, request.meta.get(UNIT))
        if not queued:
            return self._duplicate(request)
        self.stats.inc_value("nianbao/redis/enqueued")
        return True

    def _duplicate(self, request: Request) -> bool:
        self.df.log(request, self.spider)
        self.stats.inc_value("nianbao/redis/duplicates")
        return False

    def _keep(self, request: Request, unit_id: bytes | None) -> bool:
        unit = self.units.get(unit_id) if unit_id else None
        if unit is not None:
            request.meta[UNIT] = unit_id
            unit.requests.add(request)
        heapq.heappush(self.local, (-request.priority, next(self._order), request))
        self.stats.inc_value("nianbao/redis/kept")
        return True

    def _publish_moves(self) -> None:
        """Hosts this portal moved to, in Redis before any request for them is queued."""
        moved = getattr(getattr(self.spider, "scope", None), "moved", {})
        if len(moved) > self.moves:
            self.server.hset(self.keys.moved, mapping=moved)
            self.moves = len(moved)

    def _learn_moves(self, request: Request) -> None:
        scope = getattr(self.spider, "scope", None)
        lead = request.meta.get(META)
        if scope is None or scope.allows(urlparse_cached(request).hostname, lead.kind if lead else "page"):
            return
        for old, new in self.server.hgetall(self.keys.moved).items():
            scope.learn_move(old.decode(), new.decode())

    # --- claims --------------------------------------------------------------------------------

    def tick(self) -> None:
        try:
            self._release_done()
            self._requeue_dead()
            if len(self.queue):
                wake(self.crawler)
        except redis.RedisError as exc:
            log.error("%s: Redis at %s: %s", self.spider.name, self.worker.url, exc)

    def _release_done(self, closing: bool = False) -> None:
        """Drop the claims of units whose requests are done and whose documents are parsed."""
        busy = in_progress(self.crawler)
        if busy is None:  # cannot tell which requests are done until the portal closes
            if not closing:
                return
            busy = set()
        queued = {id(r) for _, _, r in self.local}
        pipeline = self.crawler.get_item_pipeline(ArchivePipeline)
        parsing = set(pipeline.pending) if pipeline is not None else set()
        done = []
        for unit_id, unit in self.units.items():
            unit.requests = {r for r in unit.requests if r in busy or id(r) in queued}
            if unit.requests:
                continue
            unit.waiting = {t for t in (parsing if unit.waiting is None else unit.waiting) if not t.done()}
            if not unit.waiting:
                done.append(unit_id)
        if not done:
            return
        self.queue.release(*done)
        for unit_id in done:
            del self.units[unit_id]
        self.unit_of_page = {url: u for url, u in self.unit_of_page.items() if u in self.units}
        self.stats.inc_value("nianbao/redis/released", len(done))

    def _others(self) -> list[str]:
        return [w for w in ids(self.server.smembers(self.keys.workers)) if w != self.worker.id]

    def _requeue_dead(self) -> None:
        for wid, alive in self.worker.alive(self._others()).items():
            if alive:
                continue
            n = self.queue.requeue(self.keys.claims(wid))
            if n:
                log.warning("%s: process %s stopped answering; its %d unfinished requests are queued again",
                            self.spider.name, wid, n)
                self.stats.inc_value("nianbao/redis/requeued", n)

    def spider_idle(self, spider: Any) -> None:
        """Stay open while the portal's crawl goes on elsewhere: requests queued, or claimed by a
        live process (whose callbacks may queue more)."""
        self.tick()
        if self.has_pending_requests():
            raise DontCloseSpider
        others = self._others()
        alive = self.worker.alive(others)
        if any(alive[w] and self.server.hlen(self.keys.claims(w)) for w in others):
            raise DontCloseSpider

    async def _settle(self, reason: str) -> None:
        """Wait for the other processes of a finished portal, then take in their tallies."""
        assert self.tally is not None
        deadline = time.monotonic() + CLOSE_WAIT
        while reason == "finished" and time.monotonic() < deadline:
            closed = set(ids(self.server.smembers(self.keys.closed)))
            pending = [w for w in self._others() if w not in closed]
            if not any(self.worker.alive(pending).values()):
                break
            await asyncio.sleep(0.5)
        self.tally.merge()
        summed = totals(self.server, self.keys)  # the monitor judges the error rate of the whole portal
        self.stats.set_value("nianbao/shared/requests", summed.get("requests", 0))
        self.stats.set_value("nianbao/shared/errors", summed.get("errors", 0))
        if ":portal:" in self.keys.base:  # no `nianbao crawl` run to clean up after it: the last one does
            self.server.sadd(self.keys.merged, self.worker.id)
            merged = set(ids(self.server.smembers(self.keys.merged)))
            left = [w for w in self._others() if w not in merged]
            if not any(self.worker.alive(left).values()):
                delete(self.server, self.keys.base + ":*")


def delete(client: redis.Redis, pattern: str) -> None:
    keys = list(client.scan_iter(match=pattern, count=500))
    for i in range(0, len(keys), 500):
        client.delete(*keys[i:i + 500])


def totals(client: redis.Redis, keys: Keys) -> dict[str, int]:
    """A portal's counters summed over the processes that closed it."""
    out = dict.fromkeys(("pages", "documents", "bytes", "errors", "requests"), 0)
    for key in client.scan_iter(match=keys.stats("*")):
        for name, value in client.hgetall(key).items():
            out[name.decode()] = out.get(name.decode(), 0) + int(value)
    return out


class StartOnce:
    """Spider middleware: marks the spider's start requests, which the shared scheduler queues
    only once, whichever process starts the portal first."""

    async def process_start(self, start: Any) -> Any:
        async for item in start:
            if isinstance(item, Request):
                item.meta[START] = True
            yield item


class Distributed:
    """Scrapy add-on (``ADDONS`` in ``crawler.settings``): with ``NIANBAO_REDIS_URL`` set, a
    portal's crawl uses the shared scheduler; without it nothing changes."""

    def update_settings(self, settings: Any) -> None:
        if not settings.get("NIANBAO_REDIS_URL"):
            return
        settings.set("SCHEDULER", "crawler.distributed.RedisScheduler", priority="addon")
        settings.set_in_component_priority_dict("SPIDER_MIDDLEWARES", StartOnce, 0)


# --- one `nianbao crawl` run shared by several processes -----------------------------------------

class SharedRun:
    """The crawl run of every process running ``nianbao crawl --redis`` with one selection: the
    first opens it in the archive, the others join it; the last to leave closes it."""

    def __init__(self, settings: Any, portal_ids: list[str]) -> None:
        self.worker = worker(settings)
        self.client = self.worker.client
        self.prefix = self.worker.prefix
        selection = hashlib.sha1(",".join(sorted(portal_ids)).encode()).hexdigest()[:16]
        self.crawl_key = f"{self.prefix}:crawl:{selection}"
        self.run_id: int | None = None

    def _key(self, name: str) -> str:
        return f"{self.prefix}:run{self.run_id}:_{name}"

    def _lock(self) -> Any:
        return self.client.lock(self.crawl_key + ":lock", timeout=120, blocking_timeout=120)

    def join(self, start_run: Callable[[], int]) -> tuple[int, bool]:
        """(run id, joined an existing run)."""
        try:
            with self._lock():
                raw = self.client.get(self.crawl_key)
                joined = raw is not None
                self.run_id = int(raw) if joined else start_run()
                if not joined:
                    self.client.set(self.crawl_key, self.run_id)
                self.client.sadd(self._key("workers"), self.worker.id)
        except redis.RedisError as exc:
            raise SharedCrawlError(self.worker.url, str(exc)) from exc
        return self.run_id, joined

    def done(self, portal_id: str) -> dict[str, Any] | None:
        """The result of a portal some process of this run finished (as JSON), if any."""
        raw = self.client.hget(self._key("done"), portal_id)
        return json.loads(raw) if raw else None

    def mark_done(self, portal_id: str, result: dict[str, Any]) -> None:
        self.client.hset(self._key("done"), portal_id, json.dumps(result, ensure_ascii=False))

    def totals(self, portal_id: str) -> dict[str, int]:
        assert self.run_id is not None
        return totals(self.client, Keys(self.prefix, self.run_id, portal_id))

    def leave(self) -> bool:
        """Leave the run; True when no other live process is in it (this one closes the run)."""
        with self._lock():
            self.client.srem(self._key("workers"), self.worker.id)
            others = ids(self.client.smembers(self._key("workers")))
            return not any(self.worker.alive(others).values())

    def clear(self) -> None:
        """Forget a finished run: its queues, claims and tallies, and the selection's run."""
        with self._lock():
            self.client.delete(self.crawl_key)
            delete(self.client, f"{self.prefix}:run{self.run_id}:*")
