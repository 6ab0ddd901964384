"""``nianbao browse``: Datasette on the SQLite archive, with titles, descriptions and canned queries.

Datasette reads SQLite only; a PostgreSQL archive is browsed with any SQL client (the same
views exist there) or exported with ``nianbao export``.
"""
from __future__ import annotations

import json
import os
import pathlib
import sys
from typing import Any

from sqlalchemy.engine import make_url

from archive.errors import ConfigurationError
from archive.settings import ArchiveSettings

VIEWS: dict[str, tuple[str, str]] = {  # name: (title, description) — also the docs' list of views
    "v_reports": ("Reports", "One row per agency and year: region, status, publication date against the legal "
                  "deadline, the headline totals, the result of every check and of the cross-year check."),
    "v_applications": ("Applications (section 三)", "The applications table of each report's canonical parse: "
                       "one row per table row, one column per applicant type."),
    "v_art20": ("Proactive disclosure (第二十条)", "Section 二 of each report: one row per item (rules, "
                "licensing, penalty, fees, …), one column per measure."),
    "v_review": ("Administrative review and litigation", "Section 四: review, direct litigation and "
                 "litigation after review, by outcome."),
    "v_coverage": ("Coverage", "Agency × year from each agency's first report to the archive's latest year: "
                   "found, published after the legal deadline (late), or missing."),
    "v_facts": ("Facts with where each was read", "Every fact of every source of a report (canonical or not), "
                "with page / table / row / column / line and the cell text as printed."),
    "v_sources": ("Sources", "Every document of a report and every URL or file it came from, with the list "
                  "page's title, date, 索引号, 发布机构 and 文号."),
    "v_conflicts": ("Conflicts", "Facts on which a report's sources disagree with its canonical parse."),
    "v_runs": ("Crawl runs", "Per-portal counters of each crawl run, next to the previous run's count."),
}

QUERIES: dict[str, dict[str, Any]] = {
    "failing_checks": {
        "title": "Reports failing 勾稽 (consistency checks)",
        "description": "Reports whose printed numbers do not add up (row totals, outcome totals, the 勾稽关系 "
                       "balance, review totals) or whose carried-in applications differ from last year's "
                       "carried-out ones.",
        "sql": "SELECT report_id, agency, province, city, county, year, status, check_row_totals, "
               "check_outcome_total, check_balance, check_review_total, carry_check, carry_detail, source_url "
               "FROM v_reports WHERE checks_ok = 0 OR carry_check = 'mismatch' "
               "ORDER BY province, city, county, agency, year",
    },
    "coverage_by_region": {
        "title": "Coverage by region and year",
        "description": "Agencies expected to report, reports found, published late, and missing, by province, "
                       "city and year. Leave the province empty for all.",
        "sql": "SELECT province, city, year, COUNT(*) AS agencies, "
               "SUM(coverage <> 'missing') AS found, SUM(coverage = 'late') AS late, "
               "SUM(coverage = 'missing') AS missing FROM v_coverage "
               "WHERE :province = '' OR province = :province "
               "GROUP BY province, city, year ORDER BY province, city, year",
    },
    "report_facts": {
        "title": "Facts of one report, with where each was read",
        "description": "Every fact of the report's canonical parse (and of its other sources), with the page, "
                       "table cell or line it was read from and the text printed there.",
        "sql": "SELECT f.key, f.label, f.value, f.derived, f.canonical, f.page, f.table_no, f.row_no, f.col_no, "
               "f.line_no, f.cell_text, f.format, f.sha256, f.source_url FROM v_facts f "
               "LEFT JOIN fact_keys k ON k.key = f.key "
               "WHERE f.report_id = :report_id ORDER BY f.canonical DESC, f.parse_id, k.position, f.key",
    },
}


def sqlite_path(settings: ArchiveSettings) -> pathlib.Path:
    url = make_url(settings.database_url)
    if url.get_backend_name() != "sqlite" or not url.database or url.database == ":memory:":
        raise ConfigurationError(f"browse serves the SQLite archive with Datasette; {settings.redacted_url} is not "
                                 "one (query PostgreSQL's views with any SQL client, or `nianbao export`)")
    return pathlib.Path(url.database)


def metadata(database: str) -> dict[str, Any]:
    tables: dict[str, Any] = {name: {"title": title, "description": description}
                              for name, (title, description) in VIEWS.items()}
    tables["v_reports"]["facets"] = ["province", "year", "status"]
    tables["v_coverage"]["facets"] = ["province", "year", "coverage"]
    return {
        "title": "nianbao: 政府信息公开工作年度报告 archive",
        "description": "Annual reports on open government information, parsed into facts, one report per "
                       "agency and year. Start with Reports, Coverage, or the canned queries below.",
        "databases": {database: {"tables": tables, "queries": QUERIES}},
    }


def command(settings: ArchiveSettings, *, host: str, port: int, extra: tuple[str, ...] = ()) -> list[str]:
    """The Datasette command line for the archive (writes its metadata file next to the database)."""
    db_path = sqlite_path(settings)
    if not db_path.exists():
        raise ConfigurationError(f"{db_path}: no archive there yet (ingest or crawl something first)")
    meta = settings.data_dir / "datasette-metadata.json"
    meta.parent.mkdir(parents=True, exist_ok=True)
    meta.write_text(json.dumps(metadata(db_path.stem), ensure_ascii=False, indent=2), encoding="utf-8")
    return [sys.executable, "-m", "datasette", "serve", str(db_path), "--metadata", str(meta), "--host", host,
            "--port", str(port), "--setting", "sql_time_limit_ms", "5000", "--setting", "default_page_size", "50",
            *extra]


def serve(settings: ArchiveSettings, *, host: str = "127.0.0.1", port: int = 8001, extra: tuple[str, ...] = ()) -> None:
    """Replace this process with Datasette (so signals and exit codes are Datasette's)."""
    argv = command(settings, host=host, port=port, extra=extra)
    sys.stdout.flush()
    os.execv(argv[0], argv)
