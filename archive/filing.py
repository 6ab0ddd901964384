"""Filing one parse: its rows, the report it belongs to, and everything that depends on it.

One call of :func:`file_result` is one transaction's worth of work, safe to run from many
processes at once: the document row is locked first (so one document is filed by one process at
a time), then the agency (an advisory lock on PostgreSQL, see ``archive.agencies``), then the
report row. UNIQUE (agency, year), UNIQUE (document, parser_version) and the "one current parse
per document" index turn any race that slips through into an IntegrityError, which
``archive.db.retrying`` answers by running the whole transaction again.

After the parse is stored, its report is recomputed from all its sources:

* the **canonical parse** is the most complete (all checks pass > parsed with failing checks >
  partial > needs OCR / legacy > unreadable), then the preferred source: a correction (更正 /
  修订 in its title) over the original, more facts, the official attachment formats over HTML,
  the earliest seen;
* sources that disagree with the canonical one on a fact make the report a ``conflict``,
  unless the canonical source is a correction, which *supersedes* the originals;
* the **cross-year check** of this year and of the next is recomputed.
"""
from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from archive import agencies
from archive.models import Document, Fact, Fetch, Parse, ParseCheck, Report, ReportSource, utcnow
from archive.records import Filed, Hints
from parsers.result import ParseResult, Status

CORRECTION = re.compile(r"更正|修订|修正|勘误|重新发布|重新公布")
FORMAT_PREFERENCE = {"pdf": 0, "docx": 1, "doc": 2, "wps": 3, "html": 4, "text": 5}
APPLICANT_COLUMNS = ("natural_person", "commercial", "research", "social_org", "legal_service", "other_org", "total")
FACTS_STATUSES = {Status.PARSED.value, Status.PARTIAL.value}


def version_key(version: str) -> tuple[object, ...]:
    """Order parser versions: numerically by release (0.10.0 > 0.9.2), a suffix before its release
    (1.0.0-dev < 1.0.0, as in semantic versioning)."""
    m = re.match(r"(\d+(?:\.\d+)*)(.*)$", version.strip())
    if m is None:
        return ((), 0, version)
    release = tuple(int(p) for p in m.group(1).split("."))
    while len(release) > 1 and release[-1] == 0:
        release = release[:-1]
    return (release, 0 if m.group(2) else 1, m.group(2))


def completeness(status: str | None, checks_ok: bool | None) -> int:
    if status == Status.PARSED.value:
        return 4 if checks_ok is not False else 3
    return {Status.PARTIAL.value: 2, Status.NEEDS_OCR.value: 1, Status.LEGACY_FORMAT.value: 1,
            Status.UNREADABLE.value: 0}.get(status or "", -1)


def report_status(parse: Parse | None, conflicts: int) -> str:
    if conflicts:
        return "conflict"
    if parse is None:
        return Status.UNREADABLE.value
    if parse.status == Status.PARSED.value:
        return "ok" if parse.checks_ok is not False else "checks_failed"
    return parse.status


def same_value(a: float, b: float) -> bool:
    return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-6)


@dataclass
class Change:
    """How a document's current parse changed: the material of reparse's report."""

    old_status: str | None
    new_status: str
    old_checks_ok: bool | None
    new_checks_ok: bool | None
    diffs: list[tuple[str, str, float | None, float | None]] = field(default_factory=list)

    @property
    def fact_diffs(self) -> list[tuple[str, str, float | None, float | None]]:
        """The per-fact changes worth listing: only when both parses had facts (a newly parsed or
        newly failing report is reported as such, not as a list of every fact added or removed)."""
        if self.old_status in FACTS_STATUSES and self.new_status in FACTS_STATUSES:
            return self.diffs
        return []

    @property
    def outcome(self) -> str:
        if self.old_status is None:
            return "new"
        old_facts, new_facts = self.old_status in FACTS_STATUSES, self.new_status in FACTS_STATUSES
        if new_facts and not old_facts:
            return "newly_parsed"
        if old_facts and not new_facts or (self.old_checks_ok is not False and self.new_checks_ok is False):
            return "newly_failing"
        if self.diffs or self.old_status != self.new_status:
            return "changed"
        return "unchanged"


def diff_facts(old: dict[str, float], new: dict[str, float]) -> list[tuple[str, str, float | None, float | None]]:
    out: list[tuple[str, str, float | None, float | None]] = []
    for key in sorted(old.keys() | new.keys()):
        if key not in new:
            out.append((key, "removed", old[key], None))
        elif key not in old:
            out.append((key, "added", None, new[key]))
        elif not same_value(old[key], new[key]):
            out.append((key, "changed", old[key], new[key]))
    return out


def facts_of(session: Session, parse_ids: Iterable[int], prefix: str | None = None) -> dict[int, dict[str, float]]:
    ids = list(parse_ids)
    out: dict[int, dict[str, float]] = {i: {} for i in ids}
    if not ids:
        return out
    q = select(Fact.parse_id, Fact.key, Fact.value).where(Fact.parse_id.in_(ids))
    if prefix:
        q = q.where(Fact.key.startswith(prefix))
    for pid, key, value in session.execute(q):
        out[pid][key] = value
    return out


def _parse_rows(result: ParseResult) -> tuple[dict[str, object], list[dict[str, object]], list[dict[str, object]]]:
    checks_ok = all(c.ok for c in result.checks) if result.checks else None
    has_facts = result.status.has_facts
    columns: dict[str, object] = {
        "status": result.status.value, "agency": result.agency, "year": result.year, "layout": result.layout,
        "format": result.format, "kind": result.kind, "title": result.title, "error": result.error,
        "warnings": list(result.warnings), "derived": list(result.derived),
        "n_facts": len(result.facts) if has_facts else 0, "checks_ok": checks_ok}
    derived = set(result.derived)
    facts: list[dict[str, object]] = []
    if has_facts:  # "a table that cannot be read is reported as unreadable, never as zeros"
        for key, value in result.facts.items():
            w = result.where.get(key)
            facts.append({"key": key, "value": float(value), "derived": key in derived,
                          "page": w.page if w else None, "table_no": w.table if w else None,
                          "row_no": w.row if w else None, "col_no": w.col if w else None,
                          "line_no": w.line if w else None, "cell_text": w.text if w else None})
    checks = [{"name": c.name, "ok": bool(c.ok), "detail": c.detail} for c in result.checks]
    return columns, facts, checks


def file_result(session: Session, document: Document, result: ParseResult, hints: Hints, *,
                duration_ms: int | None = None, force: bool = False) -> tuple[Filed, Change | None]:
    """Store ``result`` as the current parse of ``document`` and update its report."""
    session.execute(select(Document.id).where(Document.id == document.id).with_for_update())
    version = result.parser_version
    current = session.scalar(select(Parse).where(Parse.document_id == document.id, Parse.is_current))
    if current is not None and version_key(current.parser_version) > version_key(version):
        return unchanged(session, document, f"parsed by the newer parser {current.parser_version}", current), None
    if current is not None and current.parser_version == version and not force:
        return unchanged(session, document, f"already parsed by parser {version}", current), None
    old_facts = facts_of(session, [current.id])[current.id] if current is not None else {}
    old_status, old_checks_ok = (current.status, current.checks_ok) if current is not None else (None, None)

    agency_name, year = result.agency or hints.agency, result.year or hints.year
    target: Report | None = None
    created, before = False, None
    if result.status != Status.NOT_A_REPORT and agency_name and year:
        agency = agencies.resolve(session, agency_name, hints)
        target, created = _report(session, agency.id, year)
        if not created:
            known = {current.id: old_facts} if current is not None else {}
            before = _snapshot(session, target, known)

    columns, fact_rows, check_rows = _parse_rows(result)
    columns.update(agency_hint=hints.agency, year_hint=hints.year, parsed_at=utcnow(), duration_ms=duration_ms)
    if current is not None and current.parser_version == version:  # --all with an unchanged version
        parse = current
        session.execute(delete(Fact).where(Fact.parse_id == parse.id))
        session.execute(delete(ParseCheck).where(ParseCheck.parse_id == parse.id))
        for name, value in columns.items():
            setattr(parse, name, value)
    else:
        session.execute(update(Parse).where(Parse.document_id == document.id, Parse.is_current)
                        .values(is_current=False))
        parse = Parse(document_id=document.id, parser_version=version, is_current=True, **columns)
        session.add(parse)
    session.flush()
    if fact_rows:
        session.execute(Fact.__table__.insert(), [dict(r, parse_id=parse.id) for r in fact_rows])
    if check_rows:
        session.execute(ParseCheck.__table__.insert(), [dict(r, parse_id=parse.id) for r in check_rows])

    link = session.get(ReportSource, document.id)
    if link is not None and (target is None or link.report_id != target.id):
        old_report = session.get(Report, link.report_id)
        session.delete(link)
        session.flush()
        if old_report is not None:
            old_agency, old_year = old_report.agency_id, old_report.year
            recompute(session, old_report)
            cross_year(session, old_agency, old_year)
            cross_year(session, old_agency, old_year + 1)
        link = None
    if target is not None and link is None:
        session.add(ReportSource(document_id=document.id, report_id=target.id, added_at=utcnow()))
        session.flush()

    filed_status = None
    changed = False
    if target is not None:
        recompute(session, target)
        cross_year(session, target.agency_id, target.year)
        cross_year(session, target.agency_id, target.year + 1)
        filed_status = target.status
        new_facts = {r["key"]: r["value"] for r in fact_rows}
        changed = created or before != _snapshot(session, target, {parse.id: new_facts})  # type: ignore[misc]
    change = Change(old_status, result.status.value, old_checks_ok, columns["checks_ok"],  # type: ignore[arg-type]
                    diff_facts(old_facts, {r["key"]: r["value"] for r in fact_rows}))  # type: ignore[misc]
    filed = Filed(document_id=document.id, sha256=document.sha256, parse_id=parse.id, parser_version=version,
                  status=result.status.value, agency=agency_name, year=year,
                  report_id=target.id if target else None, agency_id=target.agency_id if target else None,
                  report_status=filed_status, report_created=created, report_changed=changed,
                  error=result.error)
    return filed, change


def unchanged(session: Session, document: Document, why: str, parse: Parse | None = None) -> Filed:
    """The filing state of ``document`` as it stands (nothing was filed, for the reason ``why``)."""
    if parse is None:
        parse = session.scalar(select(Parse).where(Parse.document_id == document.id, Parse.is_current))
        assert parse is not None
    link = session.get(ReportSource, document.id)
    report = session.get(Report, link.report_id) if link else None
    return Filed(document_id=document.id, sha256=document.sha256, parse_id=parse.id,
                 parser_version=parse.parser_version, status=parse.status, agency=parse.agency, year=parse.year,
                 report_id=report.id if report else None, agency_id=report.agency_id if report else None,
                 report_status=report.status if report else None, skipped=why, error=parse.error)


def _report(session: Session, agency_id: int, year: int) -> tuple[Report, bool]:
    report = session.scalar(select(Report).where(Report.agency_id == agency_id, Report.year == year)
                            .with_for_update())
    if report is not None:
        return report, False
    report = Report(agency_id=agency_id, year=year, status=Status.UNREADABLE.value, first_seen_at=utcnow())
    session.add(report)
    session.flush()  # a racing insert raises IntegrityError here; the caller retries the transaction
    return report, True


def _snapshot(session: Session, report: Report, known: dict[int, dict[str, float]]) -> tuple[str, dict[str, float]]:
    """What a report says: status and canonical facts (``known`` spares loading facts we hold)."""
    pid = report.canonical_parse_id
    if pid is None:
        return report.status, {}
    return report.status, known[pid] if pid in known else facts_of(session, [pid])[pid]


@dataclass
class _Source:
    link: ReportSource
    document: Document
    parse: Parse | None
    correction: bool
    published: dt.date | None

    def preference(self) -> tuple[object, ...]:
        p = self.parse
        return (-completeness(p.status if p else None, p.checks_ok if p else None),
                not self.correction, -(p.n_facts if p else 0),
                FORMAT_PREFERENCE.get((p.format if p else None) or "", 9),
                self.document.first_seen_at, self.document.id)


def recompute(session: Session, report: Report) -> Report | None:
    """Canonical parse, status, conflicts and publication date of ``report`` from its sources.

    A report whose last source moved away is deleted: a report exists only with a document.
    """
    rows = session.execute(
        select(ReportSource, Document, Parse)
        .join(Document, Document.id == ReportSource.document_id)
        .outerjoin(Parse, (Parse.document_id == Document.id) & Parse.is_current)
        .where(ReportSource.report_id == report.id)).all()
    if not rows:
        session.delete(report)
        session.flush()
        return None
    doc_ids = [d.id for _, d, _ in rows]
    titles: dict[int, list[str]] = {i: [] for i in doc_ids}
    published: dict[int, dt.date] = {}
    for doc_id, title, filename, list_date in session.execute(
            select(Fetch.document_id, Fetch.list_title, Fetch.filename, Fetch.list_date)
            .where(Fetch.document_id.in_(doc_ids))):
        titles[doc_id] += [t for t in (title, filename) if t]
        if list_date and (doc_id not in published or list_date < published[doc_id]):
            published[doc_id] = list_date
    sources = []
    for link, doc, parse in rows:
        names = titles[doc.id] + [t for t in (parse.title if parse else None, doc.filename) if t]
        sources.append(_Source(link, doc, parse, any(CORRECTION.search(n) for n in names), published.get(doc.id)))
    sources.sort(key=_Source.preference)
    canonical = sources[0]
    with_facts = [s for s in sources if s.parse is not None and s.parse.status in FACTS_STATUSES]
    conflicting: set[str] = set()
    if canonical.parse is not None and canonical in with_facts and len(with_facts) > 1:
        facts = facts_of(session, [s.parse.id for s in with_facts])  # type: ignore[union-attr]
        mine = facts[canonical.parse.id]
        for other in with_facts:
            if other is canonical:
                continue
            theirs = facts[other.parse.id]  # type: ignore[union-attr]
            differ = {k for k in mine.keys() & theirs.keys() if not same_value(mine[k], theirs[k])}
            superseded = bool(differ) and canonical.correction and not other.correction
            other.link.role = "superseded" if superseded else "source"
            if not superseded:
                conflicting |= differ
    for rank, source in enumerate(sources, start=1):
        source.link.rank = rank
        if source is canonical or source not in with_facts:
            source.link.role = "source"
        source.link.correction = source.correction
    parse = canonical.parse
    report.canonical_parse_id = parse.id if parse else None
    report.layout = parse.layout if parse else None
    report.checks_ok = parse.checks_ok if parse else None
    report.n_sources = len(sources)
    report.n_conflicts = len(conflicting)
    report.status = report_status(parse, len(conflicting))
    dates = [s.published for s in sources if s.published]
    report.publication_date = min(dates) if dates else None
    report.updated_at = utcnow()
    session.flush()
    return report


def cross_year(session: Session, agency_id: int, year: int) -> None:
    """Store whether this year's carried_in.* equals last year's carried_out.* (the same agency)."""
    reports = {r.year: r for r in session.scalars(
        select(Report).where(Report.agency_id == agency_id, Report.year.in_((year - 1, year))))}
    this, prev = reports.get(year), reports.get(year - 1)
    if this is None:
        return
    if prev is None:
        result, detail = "no_previous", f"no report for {year - 1}"
    else:
        ids = [i for i in (this.canonical_parse_id, prev.canonical_parse_id) if i]
        facts = facts_of(session, ids, prefix="applications.carried_")
        carried_in = {k.rsplit(".", 1)[1]: v for k, v in facts.get(this.canonical_parse_id or -1, {}).items()
                      if k.startswith("applications.carried_in.")}
        carried_out = {k.rsplit(".", 1)[1]: v for k, v in facts.get(prev.canonical_parse_id or -1, {}).items()
                       if k.startswith("applications.carried_out.")}
        common = [c for c in APPLICANT_COLUMNS if c in carried_in and c in carried_out]
        wrong = [c for c in common if not same_value(carried_in[c], carried_out[c])]
        if wrong:
            result = "mismatch"
            detail = "; ".join(f"{c}: carried_in {carried_in[c]:g} ≠ {year - 1} carried_out {carried_out[c]:g}"
                               for c in wrong)
        elif not common:
            result, detail = "incomplete", "carried_in or last year's carried_out was not read"
        else:
            result, detail = "ok", f"{len(common)} columns equal"
    if (this.carry_check, this.carry_detail) != (result, detail):
        this.carry_check, this.carry_detail = result, detail
        session.flush()
