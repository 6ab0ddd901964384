"""Monitoring: per-portal counters saved in the archive as the crawl goes, alerts at its end.

Every ``NIANBAO_CHECKPOINT`` seconds and when the spider closes, the portal's counters (reports
found, new, changed and failed; pages, documents, bytes, errors) are saved to the archive's
crawl run, so even a killed crawl leaves them. At the end two checks run, each an alert when
it fails: the portal yielded fewer reports than its previous finished run (a column moved, a
WAF started blocking), or more than ``NIANBAO_MAX_ERROR_RATE`` of its requests failed. Alerts
are logged as errors, stored with the counters and make ``nianbao crawl`` exit non-zero. A
standalone ``scrapy crawl`` closes the run it opened.
"""
from __future__ import annotations

import dataclasses
import logging
from dataclasses import dataclass, field
from typing import Any

from scrapy import signals
from scrapy.utils.defer import deferred_from_coro
from twisted.internet import task

from archive import ArchiveError, PortalCounts
from crawler.context import CrawlContext

log = logging.getLogger(__name__)
RUN_STATUS = {"finished": "finished", "shutdown": "interrupted"}


@dataclass(frozen=True)
class PortalResult:
    """How one portal's crawl ended, for the command's summary."""

    portal: str
    reason: str
    counts: PortalCounts
    stats: dict[str, Any] = field(default_factory=dict)
    notes: tuple[str, ...] = ()

    @property
    def alerts(self) -> tuple[str, ...]:
        return tuple(self.counts.alerts)


def alerts_for(counts: PortalCounts, previous: tuple[int, PortalCounts] | None, requests: int, *,
               max_error_rate: float, fewer_reports: bool, reason: str) -> list[str]:
    out = []
    if fewer_reports and previous is not None and counts.reports_found < previous[1].reports_found:
        out.append(f"fewer reports than the previous run (run {previous[0]}: "
                   f"{previous[1].reports_found} → {counts.reports_found})")
    if requests and counts.errors / requests > max_error_rate:
        out.append(f"error rate {counts.errors / requests:.0%} ({counts.errors} of {requests} requests) "
                   f"above {max_error_rate:.0%}")
    if reason not in RUN_STATUS:
        out.append(f"the crawl stopped early: {reason}")
    return out


class Monitor:
    def __init__(self, crawler: Any) -> None:
        self.crawler = crawler
        self.interval = crawler.settings.getfloat("NIANBAO_CHECKPOINT", 30.0)
        self.max_error_rate = crawler.settings.getfloat("NIANBAO_MAX_ERROR_RATE", 0.1)
        self.fewer_reports = crawler.settings.getbool("NIANBAO_ALERT_FEWER_REPORTS", True)
        self.result: PortalResult | None = None
        self._loop: task.LoopingCall | None = None

    @classmethod
    def from_crawler(cls, crawler: Any) -> Monitor:
        monitor = cls(crawler)
        crawler.signals.connect(monitor.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(monitor.spider_closed, signal=signals.spider_closed)
        return monitor

    def spider_opened(self, spider: Any) -> None:
        if self.interval > 0:
            self._loop = task.LoopingCall(lambda: deferred_from_coro(self.checkpoint()))
            self._loop.start(self.interval, now=False)

    def counts(self, alerts: tuple[str, ...] = ()) -> PortalCounts:
        stats = self.crawler.stats
        tally = CrawlContext.of(self.crawler).tally
        return PortalCounts(
            reports_found=len(tally.found), reports_new=len(tally.new), reports_changed=len(tally.changed),
            reports_failed=len(tally.failed),
            pages=int(stats.get_value("nianbao/pages/list", 0) + stats.get_value("nianbao/pages/detail", 0)),
            documents=int(stats.get_value("nianbao/documents/stored", 0)),
            bytes=int(stats.get_value("downloader/response_bytes", 0)),
            errors=int(stats.get_value("nianbao/errors", 0)), alerts=alerts)

    async def checkpoint(self) -> None:
        ctx = CrawlContext.of(self.crawler)
        if ctx.run_id is None:
            return
        try:
            await ctx.io(ctx.archive.save_portal_counts, ctx.run_id, ctx.portal.id, self.counts())
        except ArchiveError as exc:
            log.error("could not save the counters of %s: %s", ctx.portal.id, exc)

    async def spider_closed(self, spider: Any, reason: str) -> None:
        if self._loop is not None and self._loop.running:
            self._loop.stop()
        ctx = CrawlContext.of(self.crawler)
        stats = self.crawler.stats
        counts = self.counts()
        previous = None
        if ctx.run_id is not None:
            try:
                previous = await ctx.io(lambda: ctx.archive.previous_counts(ctx.portal.id, before_run=ctx.run_id))
            except ArchiveError as exc:
                log.error("could not read the previous run of %s: %s", ctx.portal.id, exc)
        # A portal shared by several processes (crawler.distributed) is judged as a whole.
        requests = int(stats.get_value("nianbao/shared/requests") or stats.get_value("downloader/request_count", 0))
        errors = stats.get_value("nianbao/shared/errors")
        judged = counts if errors is None else dataclasses.replace(counts, errors=int(errors))
        alerts = alerts_for(judged, previous, requests,
                            max_error_rate=self.max_error_rate, fewer_reports=self.fewer_reports, reason=reason)
        counts = dataclasses.replace(counts, alerts=tuple(alerts))
        for alert in alerts:
            log.error("ALERT %s: %s", ctx.portal.id, alert)
        notes = []
        if stats.get_value("nianbao/robots_forbidden") and not counts.pages:
            notes.append("robots.txt forbids crawling this portal (options: obey_robots = false, "
                         "with the owner's consent)")
        if ctx.run_id is not None:
            try:
                await ctx.io(ctx.archive.save_portal_counts, ctx.run_id, ctx.portal.id, counts)
                if ctx.owns_run:
                    await ctx.io(lambda: ctx.archive.finish_run(
                        ctx.run_id, status=RUN_STATUS.get(reason, "failed"),
                        summary={"reason": reason, "portal": ctx.portal.id}, portals={ctx.portal.id: counts}))
            except ArchiveError as exc:
                log.error("could not save the counters of %s: %s", ctx.portal.id, exc)
        self.result = PortalResult(
            ctx.portal.id, reason, counts, notes=tuple(notes),
            stats={k: v for k, v in stats.get_stats().items()
                   if (k.startswith(("nianbao/", "downloader/", "retry/", "robotstxt/", "playwright/"))
                       or k == "elapsed_time_seconds") and isinstance(v, int | float)})
