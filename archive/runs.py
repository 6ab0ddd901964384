"""Crawl runs and their per-portal counters, and the portal registry as the archive knows it.

The crawler opens a run, saves each portal's counters as it goes (so a killed crawl still
leaves them), closes the run with a status and a summary, and asks for the previous run's
counters of a portal to alert when a portal suddenly yields fewer reports.
"""
from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from archive import liveness
from archive.models import CrawlRun, CrawlRunPortal, Portal, utcnow
from archive.records import PortalCounts, PortalInfo

RUN_STATUSES = ("running", "finished", "failed", "interrupted")


def start(session: Session, *, spider: str | None, settings: Mapping[str, Any] | None) -> int:
    run = CrawlRun(spider=spider, host=liveness.host(), settings=dict(settings or {}), status="running",
                   started_at=utcnow())
    session.add(run)
    session.flush()
    return run.id


def save_counts(session: Session, run_id: int, portal_id: str, counts: PortalCounts) -> None:
    values = dataclasses.asdict(counts)
    values["alerts"] = list(counts.alerts)
    row = session.get(CrawlRunPortal, (run_id, portal_id))
    if row is None:
        session.add(CrawlRunPortal(run_id=run_id, portal_id=portal_id, **values))
    else:
        for key, value in values.items():
            setattr(row, key, value)
    session.flush()


def finish(session: Session, run_id: int, *, status: str, summary: Mapping[str, Any] | None) -> None:
    if status not in RUN_STATUSES:
        raise ValueError(f"run status must be one of {RUN_STATUSES}, not {status!r}")
    run = session.get(CrawlRun, run_id)
    if run is None:
        raise KeyError(f"no crawl run {run_id}")
    run.status, run.finished_at, run.summary = status, utcnow(), dict(summary or {})
    session.flush()


def previous_counts(session: Session, portal_id: str, before_run: int | None) -> tuple[int, PortalCounts] | None:
    """The counters of the last finished run (before ``before_run``) that visited ``portal_id``."""
    q = (select(CrawlRunPortal).join(CrawlRun, CrawlRun.id == CrawlRunPortal.run_id)
         .where(CrawlRunPortal.portal_id == portal_id, CrawlRun.status == "finished")
         .order_by(CrawlRun.id.desc()).limit(1))
    if before_run is not None:
        q = q.where(CrawlRun.id < before_run)
    row = session.scalars(q).first()
    if row is None:
        return None
    fields = {f.name for f in dataclasses.fields(PortalCounts)}
    values = {name: getattr(row, name) for name in fields}
    values["alerts"] = tuple(values["alerts"] or ())
    return row.run_id, PortalCounts(**values)


def register_portals(session: Session, portals: Iterable[PortalInfo]) -> int:
    n = 0
    for info in portals:
        row = session.get(Portal, info.id) or Portal(id=info.id)
        row.name, row.platform, row.level, row.agency, row.start_url = (
            info.name, info.platform, info.level, info.agency, info.start_url)
        row.province, row.city, row.county, row.region_code = (
            info.region.province, info.region.city, info.region.county, info.region.code)
        row.updated_at = utcnow()
        session.add(row)
        n += 1
    session.flush()
    return n
