"""The archive pipeline: every document response stored with its provenance, then parsed.

For each :class:`~crawler.items.DocumentItem` the pipeline

* stores the bytes in the archive's content-addressed store (sha256 of the bytes; the same
  report served by two portals is one blob) with a fetch row saying where it came from: URL,
  final URL and redirects, headers, the list entry, the pages that led to it and the portal's
  hints — or, for a 304, records that the URL still gives the document it gave last time;
* submits the document to the parser process pool (``crawler.parsing``) unless this parser
  version has read these bytes already, and counts what filing did to the reports (found,
  new, changed) without holding up the crawl. The archive files one report per agency and
  year; the hints (the portal's agency and region, the list title's year) fill in what a
  document does not say.

The pipeline does not wait for parses: a document waiting for a parser costs only its sha256
(its bytes are in the archive), so downloads run at the portals' pace and the parsers catch up;
the spider closes once the last parse is filed. Only past ``NIANBAO_PARSE_BACKLOG`` waiting
documents do downloads wait for the parsers.
"""
from __future__ import annotations

import asyncio
import logging
import time
from typing import Any

from scrapy.exceptions import DropItem

from archive import ArchiveError, Filed, Outcome, ParseJob, TooLarge
from crawler import parsing
from crawler.context import CrawlContext
from crawler.items import DocumentItem, Lead

log = logging.getLogger(__name__)
FETCHED = object()  # signal: the portal's last response is in; only its parses are still running


class ArchivePipeline:
    def __init__(self, crawler: Any) -> None:
        self.crawler = crawler
        self.stats = crawler.stats
        self.backlog = max(1, crawler.settings.getint("NIANBAO_PARSE_BACKLOG", 50000))
        self.workers = crawler.settings.getint("NIANBAO_PARSE_WORKERS", 0)
        self.nice = crawler.settings.getint("NIANBAO_PARSE_NICE", 0)
        self.pending: set[asyncio.Task[None]] = set()
        self.fetch_ids: dict[str, asyncio.Future[int | None]] = {}  # detail URL → its fetch row
        self.ctx: CrawlContext | None = None
        self.pool: parsing.ParsePool | None = None

    @classmethod
    def from_crawler(cls, crawler: Any) -> ArchivePipeline:
        return cls(crawler)

    async def open_spider(self) -> None:
        self.ctx = CrawlContext.of(self.crawler)
        await self.ctx.open()
        self.pool = parsing.shared(self.workers, self.nice)

    async def close_spider(self) -> None:
        started = time.monotonic()
        self.stats.set_value("nianbao/fetched_at", round(time.time(), 3))  # the last response is in
        # Downloads are over: `nianbao crawl` may start the next portal while this one's parses finish.
        self.crawler.signals.send_catch_log(signal=FETCHED)
        self.stats.set_value("nianbao/parse/waiting_at_close", len(self.pending))
        while self.pending:
            await asyncio.gather(*list(self.pending), return_exceptions=True)
        self.stats.set_value("nianbao/parse/tail_seconds", round(time.monotonic() - started, 2))

    async def process_item(self, item: Any) -> Any:
        if not isinstance(item, DocumentItem):
            return item
        assert self.ctx is not None
        lead = item.lead
        if lead.kind == "detail":
            self.fetch_ids.setdefault(lead.url, asyncio.get_running_loop().create_future())
        try:
            if item.not_modified is not None:
                fetch_id = await self._unchanged(item)
                sha256, needs_parse = item.not_modified.sha256, False
            else:
                fetch_id, sha256, needs_parse = await self._store(item)
        except BaseException:
            self._parent_done(lead, None)
            raise
        self._parent_done(lead, fetch_id)
        item.body = b""  # the bytes are in the archive now; do not hold them while parsing
        if sha256 is not None:
            if len(self.pending) >= self.backlog:
                self.stats.inc_value("nianbao/parse/backlog_waits")
                await asyncio.wait(self.pending, return_when=asyncio.FIRST_COMPLETED)
            task = asyncio.ensure_future(self._file(sha256, lead, needs_parse))
            self.pending.add(task)
            task.add_done_callback(self.pending.discard)
        return item

    async def _store(self, item: DocumentItem) -> tuple[int | None, str | None, bool]:
        ctx, lead = self.ctx, item.lead
        assert ctx is not None
        parent = await self._parent(lead)
        rec = ctx.record_of(lead, item.url, status=item.status, final_url=item.url, redirects=tuple(item.redirects),
                            headers=item.headers, filename=item.filename, parent_fetch_id=parent)
        try:
            stored = await ctx.store(rec, item.body)
        except TooLarge as exc:
            self.stats.inc_value("nianbao/outcome/too_large")
            self.stats.inc_value("nianbao/errors")
            await ctx.record(ctx.record_of(lead, item.url, outcome=Outcome.TOO_LARGE, status=item.status,
                                           final_url=item.url, headers=item.headers, error=str(exc)))
            ctx.count_failure(lead, lead.url)
            raise DropItem(str(exc)) from exc
        except ArchiveError as exc:
            self.stats.inc_value("nianbao/archive/errors")
            self.stats.inc_value("nianbao/errors")
            log.error("could not store %s: %s", item.url, exc)
            ctx.count_failure(lead, lead.url)
            raise DropItem(str(exc)) from exc
        self.stats.inc_value("nianbao/documents/stored")
        self.stats.inc_value(f"nianbao/documents/{lead.kind}")
        self.stats.inc_value("nianbao/documents/bytes", stored.size)
        if stored.new_document:
            self.stats.inc_value("nianbao/documents/new")
        if stored.changed:
            self.stats.inc_value("nianbao/documents/changed")
        if stored.repeat:
            self.stats.inc_value("nianbao/documents/unchanged_200")
        return stored.fetch_id, stored.sha256, stored.needs_parse

    async def _unchanged(self, item: DocumentItem) -> int | None:
        ctx, lead = self.ctx, item.lead
        assert ctx is not None
        rec = ctx.record_of(lead, item.url, outcome=Outcome.NOT_MODIFIED, status=304, final_url=item.url,
                            redirects=tuple(item.redirects), headers=item.headers)
        return await ctx.record(rec)

    async def _parent(self, lead: Lead) -> int | None:
        """The fetch row of the detail page an attachment was linked from (waits for it to be
        stored when it is still on its way)."""
        if lead.kind != "attachment" or lead.referrer is None:
            return None
        future = self.fetch_ids.get(lead.referrer)
        return await asyncio.shield(future) if future is not None else None

    def _parent_done(self, lead: Lead, fetch_id: int | None) -> None:
        future = self.fetch_ids.get(lead.url)
        if lead.kind == "detail" and future is not None and not future.done():
            future.set_result(fetch_id)

    async def _file(self, sha256: str, lead: Lead, needs_parse: bool) -> None:
        """Parse (in the pool) or look up how a document is filed, and count its report."""
        ctx, pool = self.ctx, self.pool
        assert ctx is not None and pool is not None
        try:
            known = None if needs_parse else await ctx.io(ctx.filed, sha256)  # parsed before: where is it filed?
            filed: Filed = known or await pool.parse(ParseJob(ctx.archive.settings, sha256, ctx.hints(lead)))
        except Exception as exc:  # a crashed parser or a failing database: this document only
            self.stats.inc_value("nianbao/parse/failed")
            self.stats.inc_value("nianbao/errors")
            log.error("parsing %s (%s) failed: %s", lead.url, sha256[:12], exc)
            ctx.count_failure(lead, f"parse:{sha256}")
            return
        if filed.skipped is None:
            self.stats.inc_value("nianbao/parse/parsed")
            self.stats.inc_value(f"nianbao/parse/status/{filed.status}")
        ctx.count_filed(filed)
        if filed.report_id is not None:
            self.stats.set_value("nianbao/reports/found", len(ctx.tally.found))
            self.stats.set_value("nianbao/reports/new", len(ctx.tally.new))
            self.stats.set_value("nianbao/reports/changed", len(ctx.tally.changed))
        log.debug("%s → %s %s %s (report %s)", lead.url, filed.status, filed.agency, filed.year, filed.report_id)
