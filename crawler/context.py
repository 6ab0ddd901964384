"""One crawl of one portal as the components see it: its archive, run, portal and tallies.

The pipeline, the middlewares and the monitor of a crawler share one :class:`CrawlContext`
(``CrawlContext.of(crawler)``). The archive is opened once per process; fetches and documents are
written in group commits and conditional lookups made in batches (``crawler.batching``), other
calls, which block on disk and database I/O, run in a small thread pool (:meth:`CrawlContext.io`);
none runs on the reactor. The tallies of reports found, new, changed and failed survive a killed crawl: each
change is appended to a journal in the crawl's ``JOBDIR`` and replayed when it resumes.
"""
from __future__ import annotations

import asyncio
import json
import logging
import pathlib
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any, TypeVar

from scrapy.utils.job import job_dir
from sqlalchemy import select
from sqlalchemy.orm import Session

from archive import Archive, ArchiveError, ArchiveSettings, FetchRecord, Filed, Hints, LastFetch, Stored
from archive.api import current_parser_version
from archive.models import Document, Parse, ReportSource
from crawler.batching import Batcher
from crawler.items import Lead
from crawler.registry import Portal

log = logging.getLogger(__name__)
T = TypeVar("T")

_ARCHIVES: dict[ArchiveSettings, Archive] = {}
_BATCHERS: dict[ArchiveSettings, tuple[Batcher[Any, Any], Batcher[Any, Any]]] = {}
_IO = ThreadPoolExecutor(max_workers=4, thread_name_prefix="archive-io")
JOURNAL = "nianbao-tally.jsonl"
RUN_FILE = "nianbao-run.json"


def archive_settings(settings: Any) -> ArchiveSettings:
    return ArchiveSettings.resolve(settings.get("NIANBAO_DATABASE_URL"), settings.get("NIANBAO_DATA_DIR"))


def shared_archive(settings: ArchiveSettings) -> Archive:
    """This process's archive for ``settings`` (opened, and migrated if SQLite, once)."""
    if settings not in _ARCHIVES:
        _ARCHIVES[settings] = Archive(settings)
    return _ARCHIVES[settings]


def batchers(settings: ArchiveSettings) -> tuple[Batcher[Any, Any], Batcher[Any, Any]]:
    """This process's (writer, reader) for ``settings``: every fetch and document goes through the
    writer's group commit (``Archive.store_many``), every conditional lookup through the reader."""
    if settings not in _BATCHERS:
        archive = shared_archive(settings)

        def lookup(urls: list[str]) -> list[LastFetch | None]:
            found = archive.last_fetches(urls)
            return [found.get(u) for u in urls]
        _BATCHERS[settings] = (Batcher(archive.store_many, name="archive-writer"),
                               Batcher(lookup, name="archive-reader"))
    return _BATCHERS[settings]


def close_archives() -> None:
    while _BATCHERS:
        for batcher in _BATCHERS.popitem()[1]:
            batcher.close()
    while _ARCHIVES:
        _ARCHIVES.popitem()[1].close()


@dataclass
class Tally:
    """Reports this crawl of a portal found, created, changed; report-like entries that failed."""

    found: set[int] = field(default_factory=set)
    new: set[int] = field(default_factory=set)
    changed: set[int] = field(default_factory=set)
    failed: set[str] = field(default_factory=set)

    def filed(self, filed: Filed) -> dict[str, Any] | None:
        """Count a filing; returns the journal line when it taught us something."""
        if filed.report_id is None:
            return None
        rid = filed.report_id
        line: dict[str, Any] = {}
        if rid not in self.found:
            self.found.add(rid)
            line["found"] = rid
        if filed.report_created and rid not in self.new:
            self.new.add(rid)
            line.update(found=rid, new=True)
        elif filed.report_changed and rid not in self.new and rid not in self.changed:
            self.changed.add(rid)
            line.update(found=rid, changed=True)
        return line or None

    def fail(self, key: str) -> dict[str, Any] | None:
        if key in self.failed:
            return None
        self.failed.add(key)
        return {"failed": key}

    def replay(self, line: dict[str, Any]) -> None:
        if "found" in line:
            self.found.add(line["found"])
            if line.get("new"):
                self.new.add(line["found"])
            if line.get("changed"):
                self.changed.add(line["found"])
        if "failed" in line:
            self.failed.add(line["failed"])


class CrawlContext:
    def __init__(self, crawler: Any) -> None:
        self.crawler = crawler
        self.settings = crawler.settings
        self.portal: Portal = crawler.spider.portal
        self.archive = shared_archive(archive_settings(crawler.settings))
        self.writer, self.reader = batchers(self.archive.settings)
        self.run_id: int | None = self.settings.getint("NIANBAO_RUN_ID") or None
        self.owns_run = False
        self.tally = Tally()
        directory = job_dir(self.settings)
        self.jobdir = pathlib.Path(directory) if directory else None
        self._opened = False
        self._lock = asyncio.Lock()

    @classmethod
    def of(cls, crawler: Any) -> CrawlContext:
        context = crawler.__dict__.get("_nianbao_context")
        if context is None:
            context = crawler.__dict__["_nianbao_context"] = cls(crawler)
        return context

    async def io(self, fn: Callable[..., T], *args: Any) -> T:
        """Run a blocking archive call in the archive's thread pool."""
        return await asyncio.get_running_loop().run_in_executor(_IO, fn, *args)

    async def store(self, rec: FetchRecord, body: bytes) -> Stored:
        """Store a document with its provenance (in the process's next group commit)."""
        return await asyncio.wrap_future(self.writer.submit((rec, body)))

    async def last_fetch(self, url: str) -> LastFetch | None:
        """What a conditional request for ``url`` needs (in the process's next batched lookup)."""
        return await asyncio.wrap_future(self.reader.submit(url))

    async def open(self) -> None:
        """Register the portal and join (or open) the crawl run; replay a killed crawl's tallies."""
        async with self._lock:
            if self._opened:
                return
            await self.io(self.archive.register_portals, [self.portal.info()])
            if self.run_id is None:
                self.run_id, resumed = await self.io(self._own_run)
                self.owns_run = True
                log.info("%s crawl run %d for portal %s", "resumed" if resumed else "opened", self.run_id,
                         self.portal.id)
            if self.jobdir and (self.jobdir / JOURNAL).exists():
                for raw in (self.jobdir / JOURNAL).read_text(encoding="utf-8").splitlines():
                    try:
                        self.tally.replay(json.loads(raw))
                    except ValueError:  # the half-written last line of a killed process
                        continue
            self._opened = True

    def _own_run(self) -> tuple[int, bool]:
        """A standalone crawl opens its own run; with a JOBDIR it resumes the run kept there."""
        run_file = self.jobdir / RUN_FILE if self.jobdir else None
        if run_file and run_file.exists():
            try:
                return int(json.loads(run_file.read_text())["run_id"]), True
            except (ValueError, KeyError, OSError):
                pass
        run_id = self.archive.start_run(spider=self.crawler.spider.name,
                                        settings={"portal": self.portal.id, "platform": self.portal.platform})
        if run_file:
            run_file.parent.mkdir(parents=True, exist_ok=True)
            run_file.write_text(json.dumps({"run_id": run_id}))
        return run_id, False

    def journal(self, line: dict[str, Any] | None) -> None:
        if line is None or self.jobdir is None:
            return
        self.jobdir.mkdir(parents=True, exist_ok=True)
        with open(self.jobdir / JOURNAL, "a", encoding="utf-8") as fh:
            fh.write(json.dumps(line) + "\n")

    def count_filed(self, filed: Filed) -> None:
        self.journal(self.tally.filed(filed))

    def count_failure(self, lead: Lead | None, key: str) -> None:
        """A report-like list entry that could not be fetched (its page, or the file it links
        directly); a broken attachment of a page that loaded is not a failed report."""
        if lead is not None and lead.reportish and (lead.kind == "detail" or len(lead.via) <= 1):
            self.journal(self.tally.fail(key))

    def filed(self, sha256: str) -> Filed | None:
        """Where an unchanged document is filed, when this parser version has read it (one query;
        None: it still needs parsing, e.g. a killed crawl stored it but never parsed it)."""
        version = current_parser_version()

        def work(session: Session) -> Filed | None:
            row = session.execute(
                select(Document.id, Parse.parser_version, Parse.status, ReportSource.report_id)
                .outerjoin(Parse, (Parse.document_id == Document.id) & Parse.is_current)
                .outerjoin(ReportSource, ReportSource.document_id == Document.id)
                .where(Document.sha256 == sha256)).first()
            if row is None or row.parser_version != version:
                return None
            return Filed(row.id, sha256, None, version, row.status, report_id=row.report_id, skipped="unchanged")
        return self.archive.read(work)

    def hints(self, lead: Lead | None) -> Hints:
        region = self.portal.region
        if lead is None:
            return Hints(self.portal.agency, None, region)
        return Hints(lead.hints.agency or self.portal.agency, lead.hints.year, region)

    def record_of(self, lead: Lead | None, url: str, **values: Any) -> FetchRecord:
        """A FetchRecord with this crawl's provenance: portal, run, the lead's chain and hints."""
        base: dict[str, Any] = {"url": lead.url if lead else url, "portal_id": self.portal.id,
                                "crawl_run_id": self.run_id, "hints": self.hints(lead)}
        if lead is not None:
            base.update(kind=lead.kind, listing=lead.listing, via=tuple(lead.via), referrer=lead.referrer)
        base.update(values)
        return FetchRecord(**base)

    async def record(self, rec: FetchRecord) -> int | None:
        """Record a non-document outcome; a failing archive is logged, never fatal to the crawl."""
        try:
            return await asyncio.wrap_future(self.writer.submit((rec, None)))
        except ArchiveError as exc:
            log.error("could not record %s for %s: %s", rec.outcome.value, rec.url, exc)
            return None
