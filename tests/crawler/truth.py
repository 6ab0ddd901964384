"""A crawl's archive measured against the sandbox's ground truth.

``compare(db_url, truth, sites)`` reads the archive's reports and canonical facts and says
which published reports are missing (recall), which reports are not in the ground truth
(precision), which agency-years are filed twice, and which facts differ. Used by the crawler's
end-to-end tests and its benchmark.

Precision covers every year, not only the published ones: a pre-2019 report is expected only as
what the sandbox's ``legacy_report`` noise asks for (``legacy_format``, filed under its own
agency and year); any other report of a year the truth does not publish is extra. And a real
report does not hide a non-report filed beside it: a report with a source fetched from a noise
URL that is never a report (``not_a_report``, ``soft_404``, ``http_404``; or a ``legacy_report``
page under anything but its own legacy filing) — or from an attachment of such a page — is
extra too.
"""
from __future__ import annotations

import math
import urllib.parse
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa

NEVER_SOURCES = ("not_a_report", "soft_404", "http_404")  # noise kinds whose URLs never carry a report


@dataclass
class Comparison:
    expected: set[tuple[str, int]] = field(default_factory=set)       # (agency name, year) published
    found: set[tuple[str, int]] = field(default_factory=set)
    missing: set[tuple[str, int]] = field(default_factory=set)
    # (agency, year, "status[: why]") of archive reports the truth does not publish (any year),
    # or whose sources include a noise document that is never a report
    extra: list[tuple[str, int, str]] = field(default_factory=list)
    legacy: set[tuple[str, int]] = field(default_factory=set)          # legacy_report noise filed as legacy_format
    duplicates: dict[tuple[str, int], int] = field(default_factory=dict)
    wrong_facts: dict[tuple[str, int], list[str]] = field(default_factory=dict)
    wrong_status: dict[tuple[str, int], str] = field(default_factory=dict)
    checked_facts: int = 0

    @property
    def recall(self) -> float:
        return len(self.found & self.expected) / max(1, len(self.expected))

    def problems(self, limit: int = 12) -> str:
        out = []
        for name, items in (("missing", sorted(self.missing)), ("extra", self.extra),
                            ("duplicates", sorted(self.duplicates.items())),
                            ("wrong facts", sorted(self.wrong_facts.items())),
                            ("wrong status", sorted(self.wrong_status.items()))):
            if items:
                out.append(f"{name} ({len(items)}): {list(items)[:limit]}")
        return "\n".join(out) or "none"


def expected_reports(truth: dict[str, Any], sites: Iterable[str] | None = None,
                     exclude_sites: Iterable[str] = ()) -> dict[tuple[str, int], dict[str, Any]]:
    """Published reports with a reachable publication on the given sites."""
    wanted = set(sites) if sites is not None else None
    skip = set(exclude_sites)
    out = {}
    for r in truth["reports"]:
        if r["status"] != "published":
            continue
        pubs = [p for p in r["publications"] if p["status"] == "ok" and p["site"] not in skip
                and (wanted is None or p["site"] in wanted)]
        if pubs:
            out[(r["agency"], r["year"])] = r
    return out


@dataclass
class Archived:
    """What the archive holds, as compare reads it."""

    reports: list[tuple[int, int, int, str, int | None]]   # (report id, agency id, year, status, canonical parse)
    names: dict[str, set[int]]                               # agency name or alias → agency ids
    facts: dict[int, dict[str, float]]                       # canonical parse → key → value
    sources: list[tuple[int, str | None, str | None, str | None]]  # (report id, fetch URL, final URL, parent's URL)


def archive_reports(db_url: str, connection: sa.Connection | None = None) -> Archived:
    """The archive's reports, agency names, canonical facts and where each source was fetched
    (on ``connection`` when given: a caller's transaction sees its own uncommitted changes)."""
    if connection is not None:
        return _read(connection)
    engine = sa.create_engine(db_url.replace("postgresql://", "postgresql+psycopg://", 1))
    try:
        with engine.connect() as conn:
            return _read(conn)
    finally:
        engine.dispose()


def _read(conn: sa.Connection) -> Archived:
    reports = [tuple(r) for r in conn.execute(sa.text(
        "SELECT r.id, r.agency_id, r.year, r.status, r.canonical_parse_id FROM reports r"))]
    names: dict[str, set[int]] = defaultdict(set)
    for agency_id, alias in conn.execute(sa.text("SELECT agency_id, alias FROM agency_aliases")):
        names[alias].add(agency_id)
    for agency_id, name in conn.execute(sa.text("SELECT id, name FROM agencies")):
        names[name].add(agency_id)
    facts: dict[int, dict[str, float]] = defaultdict(dict)
    for pid, key, value in conn.execute(sa.text(
            "SELECT f.parse_id, f.key, f.value FROM facts f JOIN reports r ON r.canonical_parse_id = f.parse_id")):
        facts[pid][key] = value
    sources = [tuple(r) for r in conn.execute(sa.text(
        "SELECT rs.report_id, f.url, f.final_url, p.url FROM report_sources rs "
        "JOIN fetches f ON f.document_id = rs.document_id LEFT JOIN fetches p ON p.id = f.parent_id"))]
    return Archived(reports, names, facts, sources)  # type: ignore[arg-type]


def _url(url: str | None) -> str | None:
    return urllib.parse.unquote(url) if url else None


def legacy_filings(truth: dict[str, Any]) -> dict[tuple[str, int], list[str]]:
    """(agency, year) → URLs of the ``legacy_report`` noise: pre-2019 reports, whose ``detail``
    is "agency year"."""
    out: dict[tuple[str, int], list[str]] = defaultdict(list)
    for case in truth["noise"]:
        if case["kind"] == "legacy_report" and case.get("detail"):
            agency, _, year = case["detail"].rpartition(" ")
            out[(agency, int(year))].append(case["url"])
    return out


def compare(db_url: str, truth: dict[str, Any], sites: Iterable[str] | None = None,
            exclude_sites: Iterable[str] = (), *, connection: sa.Connection | None = None) -> Comparison:
    expected = expected_reports(truth, sites, exclude_sites)
    archived = archive_reports(db_url, connection)
    names, facts = archived.names, archived.facts
    by_agency_year: dict[tuple[int, int], list[tuple[int, str, int | None]]] = defaultdict(list)
    for rid, agency_id, year, status, parse_id in archived.reports:
        by_agency_year[(agency_id, year)].append((rid, status, parse_id))
    known_agencies = {a["name"] for a in truth["agencies"]}
    result = Comparison(expected=set(expected))
    claimed: set[tuple[int, int]] = set()
    for (agency, year), report in expected.items():
        hits = [(aid, r) for aid in names.get(agency, ()) for r in by_agency_year.get((aid, year), [])]
        if not hits:
            result.missing.add((agency, year))
            continue
        result.found.add((agency, year))
        claimed |= {(aid, year) for aid, _ in hits}
        if len(hits) > 1:
            result.duplicates[(agency, year)] = len(hits)
        _, (rid, status, parse_id) = hits[0]
        if not report["text_layer"]:
            if status != "needs_ocr":
                result.wrong_status[(agency, year)] = status
            continue
        mine = facts.get(parse_id or -1, {})
        wrong = [k for k, v in report["facts"].items()
                 if k not in mine or not math.isclose(mine[k], float(v), rel_tol=1e-9, abs_tol=1e-6)]
        result.checked_facts += len(report["facts"])
        if wrong:
            result.wrong_facts[(agency, year)] = wrong[:5] + ([f"… {len(wrong)} in all"] if len(wrong) > 5 else [])
    agency_names = defaultdict(set)
    for name, ids in names.items():
        for aid in ids:
            agency_names[aid].add(name)

    def label(aid: int) -> str:
        known = sorted(agency_names[aid] & known_agencies) or sorted(agency_names[aid])
        return known[0] if known else f"agency {aid}"

    # pre-2019 reports of the legacy_report noise, filed as legacy_format under their own agency-year
    legacy = legacy_filings(truth)
    legacy_reports: dict[int, tuple[str, int]] = {}
    for (agency, year), _urls in legacy.items():
        for aid in names.get(agency, ()):
            for rid, status, _ in by_agency_year.get((aid, year), []):
                if status == "legacy_format":
                    legacy_reports[rid] = (agency, year)
    published_years = {r["year"] for r in truth["reports"]}
    report_of = {rid: (aid, year, status) for rid, aid, year, status, _ in archived.reports}
    for (aid, year), reports in by_agency_year.items():
        if (aid, year) in claimed:
            continue
        for rid, status, _ in reports:
            if rid in legacy_reports:
                result.legacy.add(legacy_reports[rid])
            elif year in published_years:
                result.extra.append((label(aid), year, status))
            else:
                result.extra.append((label(aid), year, f"{status}: a year the truth does not publish"))
    # sources fetched from noise URLs: never a report, or a legacy page filed as something else
    noise = {_url(c["url"]): c for c in truth["noise"] if c["kind"] in (*NEVER_SOURCES, "legacy_report")}
    flagged: set[tuple[int, str]] = set()
    for rid, url, final_url, parent_url in archived.sources:
        for where in (url, final_url, parent_url):
            case = noise.get(_url(where))
            if case is None or (rid, case["url"]) in flagged:
                continue
            if case["kind"] == "legacy_report" and rid in legacy_reports and case["url"] in legacy[legacy_reports[rid]]:
                continue  # the legacy page (or its attachment) in its own legacy filing
            flagged.add((rid, case["url"]))
            aid, year, status = report_of[rid]
            how = "" if where != parent_url else "an attachment of "
            result.extra.append((label(aid), year, f"{status}: a source is {how}{case['kind']} noise {case['url']}"))
    return result
