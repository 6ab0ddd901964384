"""``nianbao stats``: what the archive holds, and coverage by region × year."""
from __future__ import annotations

from typing import Any

from sqlalchemy import text
from sqlalchemy.orm import Session

from archive.api import Archive

LEVELS = {"province": ["province"], "city": ["province", "city"], "county": ["province", "city", "county"]}


def totals(archive: Archive) -> dict[str, Any]:
    def work(session: Session) -> dict[str, Any]:
        one = lambda sql: session.execute(text(sql)).scalar()  # noqa: E731
        return {
            "documents": one("SELECT COUNT(*) FROM documents"),
            "bytes": one("SELECT COALESCE(SUM(size), 0) FROM documents"),
            "fetches": one("SELECT COUNT(*) FROM fetches"),
            "agencies": one("SELECT COUNT(*) FROM agencies"),
            "reports": one("SELECT COUNT(*) FROM reports"),
            "report_status": dict(session.execute(text(  # type: ignore[arg-type]
                "SELECT status, COUNT(*) FROM reports GROUP BY status ORDER BY status")).all()),
            "parse_status": dict(session.execute(text(  # type: ignore[arg-type]
                "SELECT status, COUNT(*) FROM parses WHERE is_current GROUP BY status ORDER BY status")).all()),
            "carry_check": dict(session.execute(text(  # type: ignore[arg-type]
                "SELECT COALESCE(carry_check, 'none'), COUNT(*) FROM reports GROUP BY carry_check")).all()),
            "parser_versions": dict(session.execute(text(  # type: ignore[arg-type]
                "SELECT parser_version, COUNT(*) FROM parses WHERE is_current GROUP BY parser_version")).all()),
            "last_crawl_run": session.execute(text(
                "SELECT id, status, started_at, finished_at FROM crawl_runs ORDER BY id DESC LIMIT 1")).mappings()
            .first(),
        }
    result = archive.read(work)
    if result["last_crawl_run"] is not None:
        result["last_crawl_run"] = {k: str(v) if v is not None else None
                                    for k, v in dict(result["last_crawl_run"]).items()}
    return result


def coverage(archive: Archive, *, by: str = "province", year: int | None = None,
             province: str | None = None) -> list[dict[str, Any]]:
    """One row per region and year: agencies expected, reports found, late, missing, ok, failing."""
    keys = LEVELS[by]
    cols = ", ".join(f"COALESCE({k}, '?') AS {k}" for k in keys)
    group = ", ".join(f"COALESCE({k}, '?')" for k in keys)
    where, params = [], {}
    if year is not None:
        where.append("year = :year")
        params["year"] = year
    if province is not None:
        where.append("province = :province")
        params["province"] = province
    sql = f"""
        SELECT {cols}, year, COUNT(*) AS expected,
               SUM(CASE WHEN coverage <> 'missing' THEN 1 ELSE 0 END) AS found,
               SUM(CASE WHEN coverage = 'late' THEN 1 ELSE 0 END) AS late,
               SUM(CASE WHEN coverage = 'missing' THEN 1 ELSE 0 END) AS missing,
               SUM(CASE WHEN report_status = 'ok' THEN 1 ELSE 0 END) AS ok,
               SUM(CASE WHEN report_status IN ('checks_failed', 'conflict') THEN 1 ELSE 0 END) AS flagged,
               SUM(CASE WHEN report_status IN ('partial', 'needs_ocr', 'unreadable', 'legacy_format')
                        THEN 1 ELSE 0 END) AS unreadable
        FROM v_coverage {"WHERE " + " AND ".join(where) if where else ""}
        GROUP BY {group}, year ORDER BY {group}, year"""
    return archive.read(lambda s: [dict(r) for r in s.execute(text(sql), params).mappings()])
