"""Crawling many portals in one process: one Scrapy crawler per portal, a few at a time.

``nianbao crawl`` opens one crawl run in the archive and runs a crawler per selected portal
(``NIANBAO_PARALLEL_PORTALS`` at once, of which at most ``NIANBAO_BROWSER_PORTALS`` need
Chromium), all in one reactor: they share the archive, the parser process pool and one
Chromium. Each crawler's monitor saves
the portal's counters into the run; when every portal is done the run is closed with a summary.

With a job directory the run survives being stopped or killed: ``job.json`` keeps the run id
and the selection, each portal crawls with its own ``JOBDIR`` (``portals/<id>/``), and a portal
that finished leaves ``nianbao-done.json``. Running the same command again resumes the run:
finished portals are skipped, the others continue (see ``crawler.jobdir``). A run that completes
clears its job directory, so the next crawl starts fresh.

With ``NIANBAO_REDIS_URL`` several processes running the same command share one run instead
(``crawler.distributed``): the first opens it, the others join it and skip the portals already
finished, and the last one to leave closes it with the counters of all of them.
"""
from __future__ import annotations

import dataclasses
import datetime as dt
import json
import logging
import pathlib
import shutil
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from scrapy.crawler import Crawler, CrawlerProcess
from scrapy.settings import Settings
from scrapy.utils.reactor import install_reactor

from archive import Archive, PortalCounts
from crawler import distributed, parsing, pipelines, resolver
from crawler.context import archive_settings, close_archives, shared_archive
from crawler.errors import JobDirError
from crawler.monitor import Monitor, PortalResult
from crawler.registry import LEVELS, Portal, Registry
from crawler.spiders import ReportsSpider

log = logging.getLogger(__name__)
JOB_FILE = "job.json"
DONE_FILE = "nianbao-done.json"


@dataclass
class RunOutcome:
    run_id: int
    status: str                                   # finished | interrupted
    results: dict[str, PortalResult] = field(default_factory=dict)
    resumed: bool = False
    closed_run: bool = True                       # False: a shared run other processes still crawl

    @property
    def alerts(self) -> list[tuple[str, str]]:
        return [(pid, alert) for pid, r in self.results.items() for alert in r.alerts]

    def totals(self) -> PortalCounts:
        fields = [f.name for f in dataclasses.fields(PortalCounts) if f.name != "alerts"]
        sums = {name: sum(getattr(r.counts, name) for r in self.results.values()) for name in fields}
        return PortalCounts(**sums, alerts=tuple(a for _, a in self.alerts))

    def summary(self) -> dict[str, Any]:
        return {"status": self.status, "portals": len(self.results),
                "totals": dataclasses.asdict(self.totals()) | {"alerts": len(self.alerts)},
                "browser_requests": {pid: int(r.stats.get("nianbao/browser/requests", 0))
                                     for pid, r in self.results.items() if r.stats.get("nianbao/browser/requests")}}


def result_to_json(result: PortalResult) -> dict[str, Any]:
    return {"portal": result.portal, "reason": result.reason, "counts": dataclasses.asdict(result.counts),
            "stats": result.stats, "notes": list(result.notes)}


def result_from_json(data: dict[str, Any]) -> PortalResult:
    counts = dict(data["counts"])
    counts["alerts"] = tuple(counts.get("alerts") or ())
    return PortalResult(data["portal"], data["reason"], PortalCounts(**counts), dict(data.get("stats") or {}),
                        tuple(data.get("notes") or ()))


class JobDir:
    """The state of a resumable run on disk."""

    def __init__(self, path: pathlib.Path) -> None:
        self.path = path

    def portal_dir(self, portal_id: str) -> pathlib.Path:
        return self.path / "portals" / portal_id

    def load(self, portals: list[str]) -> int | None:
        """The run id of an unfinished run of the same portals kept here, if any."""
        job = self.path / JOB_FILE
        if not job.exists():
            return None
        try:
            data = json.loads(job.read_text(encoding="utf-8"))
            run_id, kept = int(data["run_id"]), list(data["portals"])
        except (ValueError, KeyError, OSError) as exc:
            raise JobDirError(str(job), f"unreadable job file ({exc}); delete the directory to start over") from exc
        if sorted(kept) != sorted(portals):
            raise JobDirError(str(self.path), f"holds an unfinished crawl (run {run_id}) of {len(kept)} other "
                                              "portal(s); resume it with the same selection, or delete the directory")
        return run_id

    def save(self, run_id: int, portals: list[str]) -> None:
        try:
            self.path.mkdir(parents=True, exist_ok=True)
            tmp = self.path / (JOB_FILE + ".tmp")
            tmp.write_text(json.dumps({"run_id": run_id, "portals": portals,
                                       "started_at": dt.datetime.now(dt.UTC).isoformat()}), encoding="utf-8")
            tmp.replace(self.path / JOB_FILE)
        except OSError as exc:
            raise JobDirError(str(self.path), f"cannot write the job file: {exc}") from exc

    def done(self, portal_id: str) -> PortalResult | None:
        path = self.portal_dir(portal_id) / DONE_FILE
        try:
            return result_from_json(json.loads(path.read_text(encoding="utf-8"))) if path.exists() else None
        except (ValueError, KeyError, OSError):
            return None

    def mark_done(self, result: PortalResult) -> None:
        directory = self.portal_dir(result.portal)
        directory.mkdir(parents=True, exist_ok=True)
        (directory / DONE_FILE).write_text(json.dumps(result_to_json(result), ensure_ascii=False), encoding="utf-8")

    def clear(self) -> None:
        (self.path / JOB_FILE).unlink(missing_ok=True)
        shutil.rmtree(self.path / "portals", ignore_errors=True)


def counted(totals: dict[str, int]) -> dict[str, int]:
    """The shared totals that are counters of :class:`PortalCounts`."""
    return {name: value for name, value in totals.items() if name in ("pages", "documents", "bytes", "errors")}


def longest_first(archive: Archive, portal: Portal) -> tuple[bool, int, int]:
    """Sort key that starts the longest crawls first, so a run does not end on one big portal
    crawling alone at two requests a time: portals that need Chromium (it has to start), then
    the most pages in the portal's last finished run, then the level (a county portal carries
    its departments and townships; a department site is small)."""
    previous = archive.previous_counts(portal.id)
    pages = previous[1].pages if previous else 0
    return not portal.options.browser, -pages, LEVELS.index(portal.level)


class Runner:
    def __init__(self, registry: Registry, portals: list[Portal], settings: Settings, *,
                 jobdir: pathlib.Path | None = None, parallel: int = 8,
                 on_progress: Callable[[Runner], None] | None = None,
                 on_portal_done: Callable[[PortalResult], None] | None = None) -> None:
        self.registry, self.portals, self.settings = registry, portals, settings
        self.job = JobDir(jobdir) if jobdir else None
        self.parallel = max(1, parallel)
        self.browser_portals = settings.getint("NIANBAO_BROWSER_PORTALS", 0) or max(1, self.parallel // 4)
        self.needs_browser = {p.id: p.options.browser for p in portals}
        self.on_progress, self.on_portal_done = on_progress, on_portal_done
        self.results: dict[str, PortalResult] = {}
        self.active: dict[str, Crawler] = {}
        self.fetched: set[str] = set()  # active portals whose downloads are over (parses are not)
        self.queue: list[Portal] = []
        self.interrupted = False
        self.process: CrawlerProcess | None = None
        self.shared = (distributed.SharedRun(settings, [p.id for p in portals])
                       if settings.get("NIANBAO_REDIS_URL") else None)

    # --- the run ---------------------------------------------------------------------------

    def open_run(self, archive: Archive) -> tuple[int, bool]:
        ids = [p.id for p in self.portals]

        def start() -> int:
            return archive.start_run(spider="nianbao crawl", settings={
                "portals": ids, "registry": list(self.registry.sources)})

        if self.shared is not None:
            run_id, resumed = self.shared.join(start)
        else:
            run_id = self.job.load(ids) if self.job else None
            resumed = run_id is not None
            if run_id is None:
                run_id = start()
                if self.job:
                    self.job.save(run_id, ids)
        archive.register_portals([p.info() for p in self.portals])
        return run_id, resumed

    def done(self, portal_id: str) -> PortalResult | None:
        """The result of a portal this run already finished (kept in the job directory or Redis)."""
        if self.shared is not None:
            data = self.shared.done(portal_id)
            return result_from_json(data) if data else None
        return self.job.done(portal_id) if self.job else None

    def run(self) -> RunOutcome:
        archive = shared_archive(archive_settings(self.settings))
        run_id, resumed = self.open_run(archive)
        if resumed and self.shared is not None:
            log.warning("joining shared crawl run %d (Redis at %s)", run_id, self.shared.worker.url)
        elif resumed:
            log.warning("resuming crawl run %d from %s", run_id, self.job.path if self.job else "")
        for portal in self.portals:
            done = self.done(portal.id)
            if done is not None:
                self.results[portal.id] = done
            else:
                self.queue.append(portal)
        self.queue.sort(key=lambda p: longest_first(archive, p))
        try:
            if self.queue:
                self._crawl(run_id)
        finally:
            parsing.shutdown_all()
        status = "interrupted" if self.interrupted else "finished"
        outcome = RunOutcome(run_id, status, {p.id: self.results[p.id] for p in self.portals if p.id in self.results},
                             resumed)
        if self.shared is not None:
            outcome.closed_run = self.shared.leave()
            if outcome.closed_run:  # the counters of every process that crawled each portal
                outcome.results = {pid: dataclasses.replace(r, counts=dataclasses.replace(
                    r.counts, **counted(self.shared.totals(pid)))) for pid, r in outcome.results.items()}
        if outcome.closed_run:
            archive.finish_run(run_id, status=status, summary=outcome.summary(),
                               portals={pid: r.counts for pid, r in outcome.results.items()})
        if self.job and status == "finished":
            self.job.clear()
        if self.shared is not None and outcome.closed_run and status == "finished":
            self.shared.clear()
        distributed.stop_workers()
        close_archives()
        return outcome

    def _crawl(self, run_id: int) -> None:
        from twisted.internet import task

        settings = self.settings.copy()
        settings.set("NIANBAO_RUN_ID", run_id, priority="cmdline")
        settings.set("NIANBAO_RESOLVE", {**settings.getdict("NIANBAO_RESOLVE"), **self.registry.resolve},
                     priority="cmdline")
        resolver.pin(settings.getdict("NIANBAO_RESOLVE"))
        install_reactor(settings["TWISTED_REACTOR"], settings["ASYNCIO_EVENT_LOOP"])
        self.settings = settings
        self.process = CrawlerProcess(settings)
        for _ in range(min(self.parallel, len(self.queue))):
            self._next()
        ticker = task.LoopingCall(self._tick)
        ticker.start(0.5, now=True)
        self.process.start(stop_after_crawl=False)
        if ticker.running:
            ticker.stop()
        if self.active:  # the reactor stopped under them (a second Ctrl-C)
            self.interrupted = True

    def _next(self) -> None:
        assert self.process is not None
        if not self.queue or self.interrupted:
            if not self.active:
                self._stop()
            return
        portal = self._pick()
        portal_settings = self.settings.copy()
        if self.job:
            portal_settings.set("JOBDIR", str(self.job.portal_dir(portal.id)), priority="cmdline")
        crawler = Crawler(ReportsSpider, portal_settings)
        self.active[portal.id] = crawler
        crawler.signals.connect(lambda: self._fetched(portal.id, crawler), signal=pipelines.FETCHED, weak=False)
        deferred = self.process.crawl(crawler, portal=portal, registry=self.registry)
        deferred.addBoth(self._finished, portal, crawler)

    def _pick(self) -> Portal:
        """The next portal: the first of the queue (longest first), unless it needs Chromium and
        ``NIANBAO_BROWSER_PORTALS`` such portals are already downloading: then the first that
        does not. Browser portals first fill every place otherwise, and wait on Chromium's few
        pages (``NIANBAO_BROWSER_PAGES``) while the plain portals wait in the queue."""
        browsing = sum(1 for pid in self.active if pid not in self.fetched and self.needs_browser.get(pid))
        if browsing >= self.browser_portals:
            for i, portal in enumerate(self.queue):
                if not portal.options.browser:
                    return self.queue.pop(i)
        return self.queue.pop(0)

    def _fetched(self, portal_id: str, crawler: Crawler) -> None:
        """A portal waiting only for its parses frees its place: ``--parallel`` bounds the portals
        downloading, and the parser pool works through what they stored meanwhile. A crawler
        being stopped (Ctrl-C, SIGTERM: ``crawling`` is already False) frees nothing."""
        if crawler.crawling and portal_id in self.active and portal_id not in self.fetched:
            self.fetched.add(portal_id)
            self._next()

    def _finished(self, outcome: Any, portal: Portal, crawler: Crawler) -> None:
        self.active.pop(portal.id, None)
        released = portal.id in self.fetched
        self.fetched.discard(portal.id)
        try:
            monitor = crawler.get_extension(Monitor)
        except RuntimeError:  # the crawler never got as far as its extensions
            monitor = None
        result = monitor.result if monitor is not None else None
        if result is None:  # the crawler failed to start: say why
            reason = getattr(outcome, "getErrorMessage", lambda: "did not start")()
            log.error("portal %s: the crawl failed: %s", portal.id, reason)
            result = PortalResult(portal.id, "error", PortalCounts(alerts=(f"the crawl failed: {reason}",)))
        self.results[portal.id] = result
        if result.reason == "shutdown":
            self.interrupted = True
        elif result.reason == "finished":
            if self.job:
                self.job.mark_done(result)
            if self.shared is not None:
                self.shared.mark_done(portal.id, result_to_json(result))
        if self.on_portal_done:
            self.on_portal_done(result)
        if not released:
            self._next()
        elif not self.active:
            self._stop()

    def _stop(self) -> None:
        from twisted.internet import reactor

        if reactor.running:
            reactor.callLater(0, reactor.stop)

    def _tick(self) -> None:
        if self.on_progress:
            self.on_progress(self)

    def live_stats(self) -> dict[str, dict[str, Any]]:
        """The current stats of the crawlers still running."""
        return {pid: c.stats.get_stats() for pid, c in self.active.items() if c._stats is not None}
