"""Re-parse stored documents with the current parsers: no network, versioned, resumable, shared.

A re-parse is a *run* (``reparse_runs``) over a set of documents (``reparse_items``), chosen by
a selection: ``stale`` (no current parse by this parser version) or ``all``, optionally narrowed
to an agency, a year or the statuses of the current parses (``needs_ocr`` once OCR is turned
on). Any number of worker processes, on any number of machines sharing the database, join the
open run with the same selection and parser version and *claim* a few items at a time:
``SELECT … FOR UPDATE SKIP LOCKED`` on PostgreSQL, a ``BEGIN IMMEDIATE`` transaction on SQLite.
A claim carries the worker's id and a lease. Filing a document and marking its item done are
one transaction, so a worker killed at any moment leaves its items claimed but nothing half
written; its claims are taken over at once by a worker on the same host that sees the process is
gone, or by anyone once the lease expires. An item whose worker died three times is marked failed
(a document that crashes or hangs the parser cannot stall a run).

What changed is stored per item (outcome, old and new status) and per fact (``reparse_diffs``),
so the summary — newly parsed, newly failing, changed facts — covers all workers of the run.
"""
from __future__ import annotations

import contextlib
import csv
import ctypes
import datetime as dt
import multiprocessing
import os
import signal
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from typing import IO, Any

from sqlalchemy import Select, and_, delete, exists, func, literal, or_, select, update
from sqlalchemy.orm import Session

from archive import filing, liveness
from archive.api import Archive, ParserCrashed, current_parser_version, parse_bytes
from archive.errors import BlobError
from archive.models import (
    Agency,
    AgencyAlias,
    Document,
    Fetch,
    Parse,
    ReparseDiff,
    ReparseItem,
    ReparseRun,
    Report,
    ReportSource,
    utcnow,
)
from archive.settings import ArchiveSettings

MAX_ATTEMPTS = 3
LEASE = dt.timedelta(minutes=10)
BATCH = 4


@dataclass(frozen=True)
class Selection:
    mode: str = "stale"  # stale | all
    agency: str | None = None
    year: int | None = None
    statuses: tuple[str, ...] = ()  # of the current parse; () for any

    @property
    def status_filter(self) -> str | None:
        return ",".join(sorted(set(self.statuses))) or None

    def key(self, version: str) -> str:
        return f"{self.mode}|{self.agency or ''}|{self.year or ''}|{self.status_filter or ''}|{version}"[:200]


def documents(selection: Selection, version: str) -> Select[tuple[int]]:
    """The ids of the documents ``selection`` names."""
    q = select(Document.id)
    if selection.mode == "stale":
        q = q.where(~exists().where(Parse.document_id == Document.id, Parse.is_current,
                                    Parse.parser_version == version))
    if selection.agency:
        like = f"%{selection.agency.strip()}%"
        agencies = select(AgencyAlias.agency_id).where(AgencyAlias.norm.like(like)).union(
            select(Agency.id).where(Agency.name.like(like)))
        q = q.where(or_(
            Document.id.in_(select(ReportSource.document_id).join(Report, Report.id == ReportSource.report_id)
                            .where(Report.agency_id.in_(agencies))),
            Document.id.in_(select(Parse.document_id).where(Parse.is_current, Parse.agency.like(like))),
            Document.id.in_(select(Fetch.document_id).where(Fetch.agency_hint.like(like)))))
    if selection.statuses:
        q = q.where(Document.id.in_(select(Parse.document_id).where(Parse.is_current,
                                                                    Parse.status.in_(selection.statuses))))
    if selection.year:
        q = q.where(or_(
            Document.id.in_(select(ReportSource.document_id).join(Report, Report.id == ReportSource.report_id)
                            .where(Report.year == selection.year)),
            Document.id.in_(select(Parse.document_id).where(Parse.is_current, Parse.year == selection.year)),
            Document.id.in_(select(Fetch.document_id).where(Fetch.year_hint == selection.year))))
    return q


def open_run(archive: Archive, selection: Selection, version: str) -> int:
    """The open run for ``selection`` (joined if another worker started it), with its items."""
    key = selection.key(version)

    def find_or_create(session: Session) -> int:
        run = session.scalar(select(ReparseRun).where(ReparseRun.selection_key == key,
                                                      ReparseRun.finished_at.is_(None)))
        if run is None:
            # an open run of the same selection by another parser version will never finish
            session.execute(update(ReparseRun).where(ReparseRun.finished_at.is_(None),
                                                     ReparseRun.mode == selection.mode,
                                                     ReparseRun.selection_key != key,
                                                     ReparseRun.agency_filter.is_not_distinct_from(selection.agency),
                                                     ReparseRun.year_filter.is_not_distinct_from(selection.year),
                                                     ReparseRun.status_filter.is_not_distinct_from(
                                                         selection.status_filter))
                            .values(status="abandoned", finished_at=utcnow()))
            run = ReparseRun(selection_key=key, mode=selection.mode, agency_filter=selection.agency,
                             year_filter=selection.year, status_filter=selection.status_filter,
                             parser_version=version, status="running", started_at=utcnow())
            session.add(run)
            session.flush()
        return run.id
    run_id = archive.write(find_or_create)

    def populate(session: Session) -> None:
        ids = documents(selection, version).where(
            ~exists().where(ReparseItem.run_id == run_id, ReparseItem.document_id == Document.id))
        chosen = ids.subquery()
        session.execute(ReparseItem.__table__.insert().from_select(
            ["run_id", "document_id", "state", "attempts", "n_changes"],
            select(literal(run_id), chosen.c.id, literal("pending"), literal(0), literal(0))))
    archive.write(populate)
    return run_id


def claim(session: Session, run_id: int, worker: str, n: int = BATCH, lease: dt.timedelta = LEASE) -> list[int]:
    """Claim up to ``n`` items: pending ones, or claimed ones whose worker is gone or lease expired."""
    now = utcnow()
    holders = session.scalars(select(ReparseItem.worker).distinct().where(
        ReparseItem.run_id == run_id, ReparseItem.state == "claimed"))
    dead = [w for w in holders if w and w != worker and liveness.is_dead(w)]
    claimable = or_(ReparseItem.state == "pending",
                    and_(ReparseItem.state == "claimed",
                         or_(ReparseItem.lease_until < now, ReparseItem.worker.in_(dead))))
    rows = session.execute(select(ReparseItem.document_id, ReparseItem.attempts)
                           .where(ReparseItem.run_id == run_id, claimable)
                           .order_by(ReparseItem.document_id).limit(n)
                           .with_for_update(skip_locked=True)).all()
    poisoned = [d for d, attempts in rows if attempts >= MAX_ATTEMPTS]
    ids = [d for d, attempts in rows if attempts < MAX_ATTEMPTS]
    if poisoned:
        session.execute(update(ReparseItem).where(ReparseItem.run_id == run_id,
                                                  ReparseItem.document_id.in_(poisoned))
                        .values(state="failed", outcome="failed", finished_at=now,
                                error=f"the worker parsing it died {MAX_ATTEMPTS} times (parser crash or hang?)"))
    if ids:
        session.execute(update(ReparseItem).where(ReparseItem.run_id == run_id, ReparseItem.document_id.in_(ids))
                        .values(state="claimed", worker=worker, lease_until=now + lease,
                                attempts=ReparseItem.attempts + 1))
    return ids


def _finish_item(session: Session, run_id: int, document_id: int, **values: Any) -> None:
    session.execute(update(ReparseItem).where(ReparseItem.run_id == run_id, ReparseItem.document_id == document_id)
                    .values(finished_at=utcnow(), **values))


def process(archive: Archive, run_id: int, document_id: int, *, mode: str, version: str) -> str:
    """Re-parse one claimed document and mark its item; returns the outcome."""
    sha, hints, name, content_type, current = archive.read(lambda s: _context(s, document_id))
    if mode == "stale" and current == version:
        archive.write(lambda s: _finish_item(s, run_id, document_id, state="done", outcome="skipped",
                                             error="already parsed by this version"))
        return "skipped"
    try:
        result, ms = parse_bytes(archive.read_blob(sha), name=name, content_type=content_type, hints=hints,
                                 sha256=sha)
    except (BlobError, ParserCrashed) as exc:
        reason = str(exc)
        archive.write(lambda s: _finish_item(s, run_id, document_id, state="failed", outcome="failed",
                                             error=reason))
        return "failed"
    outcome = ""

    def record(session: Session, filed: Any, change: filing.Change | None) -> None:
        nonlocal outcome
        if change is None:
            outcome = "skipped"
            _finish_item(session, run_id, document_id, state="done", outcome=outcome, error=filed.skipped)
            return
        outcome = change.outcome
        session.execute(delete(ReparseDiff).where(ReparseDiff.run_id == run_id,
                                                  ReparseDiff.document_id == document_id))
        if change.fact_diffs:
            session.execute(ReparseDiff.__table__.insert(), [
                {"run_id": run_id, "document_id": document_id, "key": k, "change": c, "old_value": o, "new_value": n}
                for k, c, o, n in change.fact_diffs])
        _finish_item(session, run_id, document_id, state="done", outcome=outcome, old_status=change.old_status,
                     new_status=change.new_status, n_changes=len(change.fact_diffs), error=result.error)
    archive.file(sha, result, hints=hints, duration_ms=ms, force=(mode == "all"), document_id=document_id,
                 also=record)
    return outcome


def _context(session: Session, document_id: int) -> tuple[str, Any, str, str | None, str | None]:
    from archive.provenance import document_context

    sha = session.scalar(select(Document.sha256).where(Document.id == document_id))
    hints, name, content_type = document_context(session, document_id)
    version = session.scalar(select(Parse.parser_version).where(Parse.document_id == document_id, Parse.is_current))
    return sha, hints, name, content_type, version  # type: ignore[return-value]


def work(archive: Archive, run_id: int, *, mode: str, version: str,
         stop: Callable[[], bool] = lambda: False, on_item: Callable[[str], None] | None = None) -> int:
    """Claim and process items of ``run_id`` until none is left; returns how many this worker did."""
    worker = liveness.worker_id()
    done = 0
    while not stop():
        ids = archive.write(lambda s: claim(s, run_id, worker))
        if not ids:
            break
        for document_id in ids:
            if stop():
                return done
            outcome = process(archive, run_id, document_id, mode=mode, version=version)
            done += 1
            if on_item:
                on_item(outcome)
    return done


def _die_with_parent(parent: int) -> Callable[[], bool]:
    """In a worker process: be killed with the parent (Linux), and notice it elsewhere.

    ``parent`` is the pid the parent gave: a spawned worker starts a second or so after it was
    asked for, and a parent killed meanwhile is gone before the death signal is armed (the
    worker, adopted by init, would otherwise reparse on alone)."""
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    return lambda: os.getppid() != parent


def _worker_main(settings: ArchiveSettings, run_id: int, mode: str, version: str, parent: int) -> None:
    stop = _die_with_parent(parent)
    if stop():
        return
    archive = Archive(settings, migrate=False)
    try:
        work(archive, run_id, mode=mode, version=version, stop=stop)
    finally:
        archive.close()


def state_counts(archive: Archive, run_id: int) -> dict[str, int]:
    return dict(archive.read(lambda s: s.execute(  # type: ignore[arg-type]
        select(ReparseItem.state, func.count()).where(ReparseItem.run_id == run_id)
        .group_by(ReparseItem.state)).all()))


def close_if_done(archive: Archive, run_id: int) -> bool:
    def work_(session: Session) -> bool:
        left = session.scalar(select(func.count()).select_from(ReparseItem).where(
            ReparseItem.run_id == run_id, ReparseItem.state.in_(("pending", "claimed"))))
        if left:
            return False
        session.execute(update(ReparseRun).where(ReparseRun.id == run_id, ReparseRun.finished_at.is_(None))
                        .values(finished_at=utcnow(), status="finished"))
        return True
    return archive.write(work_)


def run(archive: Archive, selection: Selection, *, jobs: int = 1,
        progress: Callable[[int, int], None] | None = None, poll: float = 0.5) -> int:
    """Run (or join, or resume) the re-parse of ``selection`` with ``jobs`` processes; returns the run id."""
    archive.sweep()
    version = current_parser_version()
    run_id = open_run(archive, selection, version)

    def report() -> None:
        if progress:
            counts = state_counts(archive, run_id)
            progress(counts.get("done", 0) + counts.get("failed", 0), sum(counts.values()))
    if jobs <= 1:
        report()
        work(archive, run_id, mode=selection.mode, version=version, on_item=lambda _: report())
    else:
        ctx = multiprocessing.get_context("spawn")
        procs = [ctx.Process(target=_worker_main, args=(archive.settings, run_id, selection.mode, version, os.getpid()),
                             name=f"nianbao-reparse-{i}", daemon=True) for i in range(jobs)]
        for p in procs:
            p.start()
        try:
            while any(p.is_alive() for p in procs):
                report()
                time.sleep(poll)
        finally:
            for p in procs:
                p.join(timeout=0.1)
        report()
    close_if_done(archive, run_id)
    return run_id


# --- what changed --------------------------------------------------------------------------


@dataclass
class Summary:
    run_id: int | None
    parser_version: str
    mode: str
    total: int = 0
    outcomes: dict[str, int] = field(default_factory=dict)
    states: dict[str, int] = field(default_factory=dict)
    finished: bool = True
    changed_facts: int = 0
    newly_parsed: list[dict[str, Any]] = field(default_factory=list)
    newly_failing: list[dict[str, Any]] = field(default_factory=list)
    failed: list[dict[str, Any]] = field(default_factory=list)
    diffs: list[dict[str, Any]] = field(default_factory=list)


DIFF_COLUMNS = ["agency", "year", "report_id", "sha256", "source", "key", "change", "old_value", "new_value",
                "old_status", "new_status"]


def _label(session: Session, document_ids: list[int]) -> dict[int, dict[str, Any]]:
    """Agency, year, report and source of documents, for the summary lines."""
    out: dict[int, dict[str, Any]] = {}
    for i in range(0, len(document_ids), 500):
        chunk = document_ids[i:i + 500]
        rows = session.execute(
            select(Document.id, Document.sha256, Document.filename, Agency.name, Report.year, Report.id)
            .outerjoin(ReportSource, ReportSource.document_id == Document.id)
            .outerjoin(Report, Report.id == ReportSource.report_id)
            .outerjoin(Agency, Agency.id == Report.agency_id)
            .where(Document.id.in_(chunk)))
        for doc_id, sha, filename, agency, year, report_id in rows:
            out[doc_id] = {"agency": agency, "year": year, "report_id": report_id, "sha256": sha, "source": filename}
    return out


def summarize(archive: Archive, run_id: int, *, limit: int | None = 50) -> Summary:
    def work_(session: Session) -> Summary:
        run_row = session.get(ReparseRun, run_id)
        assert run_row is not None
        s = Summary(run_id, run_row.parser_version, run_row.mode, finished=run_row.finished_at is not None)
        s.states = dict(session.execute(select(ReparseItem.state, func.count())  # type: ignore[arg-type]
                                        .where(ReparseItem.run_id == run_id).group_by(ReparseItem.state)).all())
        s.total = sum(s.states.values())
        s.outcomes = dict(session.execute(select(ReparseItem.outcome, func.count())  # type: ignore[arg-type]
                                          .where(ReparseItem.run_id == run_id, ReparseItem.outcome.is_not(None))
                                          .group_by(ReparseItem.outcome)).all())
        s.changed_facts = session.scalar(select(func.count()).select_from(ReparseDiff)
                                         .where(ReparseDiff.run_id == run_id)) or 0
        items = session.execute(select(ReparseItem.document_id, ReparseItem.outcome, ReparseItem.old_status,
                                       ReparseItem.new_status, ReparseItem.error)
                                .where(ReparseItem.run_id == run_id,
                                       ReparseItem.outcome.in_(("newly_parsed", "newly_failing", "failed")))
                                .order_by(ReparseItem.document_id)).all()
        diffs = session.execute(select(ReparseDiff).where(ReparseDiff.run_id == run_id)
                                .order_by(ReparseDiff.document_id, ReparseDiff.key).limit(limit)).scalars().all()
        labels = _label(session, sorted({i[0] for i in items} | {d.document_id for d in diffs}))
        for doc_id, outcome, old, new, error in items:
            entry = dict(labels.get(doc_id, {}), old_status=old, new_status=new, error=error)
            {"newly_parsed": s.newly_parsed, "newly_failing": s.newly_failing, "failed": s.failed}[outcome] \
                .append(entry)
        s.diffs = [dict(labels.get(d.document_id, {}), key=d.key, change=d.change, old_value=d.old_value,
                        new_value=d.new_value) for d in diffs]
        return s
    return archive.read(work_)


def write_diffs(archive: Archive, run_id: int, out: IO[str]) -> int:
    """Every fact the run changed, as CSV (``--diff-out``)."""
    writer = csv.DictWriter(out, DIFF_COLUMNS, extrasaction="ignore")
    writer.writeheader()

    def rows(session: Session) -> Iterator[dict[str, Any]]:
        diffs = session.execute(select(ReparseDiff, ReparseItem.old_status, ReparseItem.new_status)
                                .join(ReparseItem, and_(ReparseItem.run_id == ReparseDiff.run_id,
                                                        ReparseItem.document_id == ReparseDiff.document_id))
                                .where(ReparseDiff.run_id == run_id)
                                .order_by(ReparseDiff.document_id, ReparseDiff.key)).all()
        labels = _label(session, sorted({d.document_id for d, _, _ in diffs}))
        for d, old, new in diffs:
            yield dict(labels.get(d.document_id, {}), key=d.key, change=d.change, old_value=d.old_value,
                       new_value=d.new_value, old_status=old, new_status=new)
    n = 0
    for row in archive.read(lambda s: list(rows(s))):
        writer.writerow(row)
        n += 1
    return n


# --- dry run -------------------------------------------------------------------------------


def _dry_parse(settings: ArchiveSettings, document_id: int) -> tuple[int, str, bool | None, dict[str, float], str | None]:
    from archive.work import archive_for

    archive = archive_for(settings)
    sha, hints, name, content_type, _ = archive.read(lambda s: _context(s, document_id))
    try:
        result, _ms = parse_bytes(archive.read_blob(sha), name=name, content_type=content_type, hints=hints,
                                  sha256=sha)
    except (BlobError, ParserCrashed) as exc:
        return document_id, "failed", None, {}, str(exc)
    checks_ok = all(c.ok for c in result.checks) if result.checks else None
    facts = {k: float(v) for k, v in result.facts.items()} if result.status.has_facts else {}
    return document_id, result.status.value, checks_ok, facts, result.error


def dry_run(archive: Archive, selection: Selection, *, jobs: int = 1,
            progress: Callable[[int, int], None] | None = None) -> Summary:
    """What a re-parse would change, written nowhere."""
    version = current_parser_version()
    ids = list(archive.read(lambda s: s.scalars(documents(selection, version).order_by(Document.id)).all()))
    summary = Summary(None, version, selection.mode, total=len(ids))
    if jobs > 1 and len(ids) > 1:
        pool = ProcessPoolExecutor(jobs, mp_context=multiprocessing.get_context("spawn"))
        results = pool.map(_dry_parse, [archive.settings] * len(ids), ids, chunksize=4)
    else:
        pool, results = None, map(_dry_parse, [archive.settings] * len(ids), ids)
    labels = archive.read(lambda s: _label(s, ids))
    try:
        for n, (doc_id, status, checks_ok, facts, error) in enumerate(results, start=1):
            if progress:
                progress(n, len(ids))
            if status == "failed":
                summary.failed.append(dict(labels.get(doc_id, {}), error=error))
                summary.outcomes["failed"] = summary.outcomes.get("failed", 0) + 1
                continue
            old = archive.read(lambda s, d=doc_id: s.scalar(select(Parse).where(Parse.document_id == d,
                                                                                Parse.is_current)))
            old_facts = archive.read(lambda s, p=old: filing.facts_of(s, [p.id])[p.id]) if old else {}
            change = filing.Change(old.status if old else None, status, old.checks_ok if old else None, checks_ok,
                                   filing.diff_facts(old_facts, facts))
            outcome = change.outcome
            summary.outcomes[outcome] = summary.outcomes.get(outcome, 0) + 1
            entry = dict(labels.get(doc_id, {}), old_status=change.old_status, new_status=status, error=error)
            if outcome == "newly_parsed":
                summary.newly_parsed.append(entry)
            elif outcome == "newly_failing":
                summary.newly_failing.append(entry)
            summary.changed_facts += len(change.fact_diffs)
            summary.diffs += [dict(labels.get(doc_id, {}), key=k, change=c, old_value=o, new_value=v,
                                   old_status=change.old_status, new_status=status)
                              for k, c, o, v in change.fact_diffs]
    finally:
        if pool is not None:
            pool.shutdown(cancel_futures=True)
    return summary
