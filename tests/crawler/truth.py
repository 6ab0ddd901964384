"""A crawl's archive measured against the sandbox's ground truth.

``compare(db_url, truth, sites)`` reads the archive's reports and canonical facts and says
which published reports are missing (recall), which reports are not in the ground truth
(precision), which agency-years are filed twice, and which facts differ. Used by the crawler's
end-to-end tests and its benchmark.
"""
from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa

YEARS = range(2019, 2025)


@dataclass
class Comparison:
    expected: set[tuple[str, int]] = field(default_factory=set)       # (agency name, year) published
    found: set[tuple[str, int]] = field(default_factory=set)
    missing: set[tuple[str, int]] = field(default_factory=set)
    extra: list[tuple[str, int, str]] = field(default_factory=list)    # archive reports not in the truth
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


def archive_reports(db_url: str) -> tuple[list[tuple[int, str, int, str, int | None]], dict[str, set[int]]]:
    """(report id, agency id → names) rows of the archive."""
    engine = sa.create_engine(db_url.replace("postgresql://", "postgresql+psycopg://", 1))
    try:
        with engine.connect() as conn:
            rows = [tuple(r) for r in conn.execute(sa.text(
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
    finally:
        engine.dispose()
    archive_reports.facts = facts  # type: ignore[attr-defined]
    return rows, names  # type: ignore[return-value]


def compare(db_url: str, truth: dict[str, Any], sites: Iterable[str] | None = None,
            exclude_sites: Iterable[str] = ()) -> Comparison:
    expected = expected_reports(truth, sites, exclude_sites)
    rows, names = archive_reports(db_url)
    facts: dict[int, dict[str, float]] = archive_reports.facts  # type: ignore[attr-defined]
    by_agency_year: dict[tuple[int, int], list[tuple[int, str, int | None]]] = defaultdict(list)
    for rid, agency_id, year, status, parse_id in rows:
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
    for (aid, year), reports in by_agency_year.items():
        if (aid, year) in claimed or year not in YEARS:
            continue
        label = sorted(agency_names[aid] & known_agencies) or sorted(agency_names[aid])
        for _rid, status, _ in reports:
            result.extra.append((label[0] if label else f"agency {aid}", year, status))
    return result
