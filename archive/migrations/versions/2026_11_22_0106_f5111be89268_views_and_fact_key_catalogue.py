"""views and fact key catalogue

The SQL views users browse the archive with (documented in docs/archive.md) and the
``fact_keys`` catalogue of report-schema.md. The view text is frozen here: a later change to a
view is a new migration that drops and re-creates it. The only dialect difference is how a
date is built (the legal deadline of a report year).

Revision ID: f5111be89268
Revises: 57ccef2a4051
Create Date: 2026-11-22 01:06:59.718766
"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = 'f5111be89268'
down_revision: str | Sequence[str] | None = '57ccef2a4051'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# {mar31} / {jan31}: 31 March / 31 January of the year after r.year (or y.year in v_coverage)
DEADLINE = ("CASE WHEN a.level IN ('province', 'city', 'county') THEN {mar31} ELSE {jan31} END")
DATES = {
    "sqlite": {"mar31": "printf('%d-03-31', {y} + 1)", "jan31": "printf('%d-01-31', {y} + 1)"},
    "postgresql": {"mar31": "make_date({y} + 1, 3, 31)", "jan31": "make_date({y} + 1, 1, 31)"},
}


def _fact(key: str, column: str) -> str:  # the headline columns are all counts: integers
    return (f"CAST((SELECT f.value FROM facts f WHERE f.parse_id = r.canonical_parse_id AND f.key = '{key}') "
            f"AS INTEGER) AS {column}")


def _check(name: str, column: str) -> str:
    return (f"(SELECT c.ok FROM parse_checks c WHERE c.parse_id = r.canonical_parse_id AND c.name = '{name}') "
            f"AS {column}")


def _pivot(measures: Sequence[str]) -> str:
    """One column per measure; counts as integers, amounts (万元) as decimals."""
    def column(m: str) -> str:
        value = f"MAX(CASE WHEN k.measure = '{m}' THEN f.value END)"
        return f"{value} AS {m}" if m == "amount_wan" else f"CAST({value} AS INTEGER) AS {m}"
    return ",\n       ".join(column(m) for m in measures)


def _source_url(document: str) -> str:
    return (f"(SELECT x.url FROM fetches x WHERE x.document_id = {document} AND x.outcome = 'document' "
            f"ORDER BY x.fetched_at, x.id LIMIT 1)")


HEADLINES = [
    ("applications.new.total", "applications_new"),
    ("applications.carried_in.total", "applications_carried_in"),
    ("applications.granted.total", "applications_granted"),
    ("applications.total.total", "applications_processed"),
    ("applications.carried_out.total", "applications_carried_out"),
    ("review.total", "review_total"),
    ("litigation.direct.total", "litigation_direct_total"),
    ("litigation.after_review.total", "litigation_after_review_total"),
    ("art20.5.licensing.decisions", "licensing_decisions"),
    ("art20.6.penalty.decisions", "penalty_decisions"),
    ("art20.6.coercion.decisions", "coercion_decisions"),
]
CHECKS = [
    ("applications.row_totals", "check_row_totals"),
    ("applications.outcome_total", "check_outcome_total"),
    ("applications.balance", "check_balance"),
    ("review.total", "check_review_total"),
]
APPLICANTS = ["natural_person", "commercial", "research", "social_org", "legal_service", "other_org", "total"]
ART20 = ["made", "published", "total", "issued", "repealed", "in_force", "previous", "change", "decisions",
         "projects", "amount_wan"]
OUTCOMES = ["upheld", "corrected", "other", "pending", "total"]
REPORT_REGION = "a.id AS agency_id, a.name AS agency, a.province, a.city, a.county, a.region_code, a.level"


def views(dialect: str) -> dict[str, str]:
    dates = DATES["postgresql" if dialect == "postgresql" else "sqlite"]
    deadline_r = DEADLINE.format(**{k: v.format(y="r.year") for k, v in dates.items()})
    deadline_y = DEADLINE.format(**{k: v.format(y="y.year") for k, v in dates.items()})
    headline = ",\n       ".join(_fact(k, c) for k, c in HEADLINES)
    checks = ",\n       ".join(_check(k, c) for k, c in CHECKS)
    return {
        "v_reports": f"""
SELECT r.id AS report_id, {REPORT_REGION}, r.year, r.status, r.layout,
       r.publication_date, {deadline_r} AS deadline,
       r.publication_date > {deadline_r} AS late,
       r.checks_ok, {checks},
       r.carry_check, r.carry_detail,
       {headline},
       r.n_sources, r.n_conflicts, p.parser_version, p.format, d.sha256 AS source_sha256,
       {_source_url("p.document_id")} AS source_url, r.updated_at
FROM reports r
JOIN agencies a ON a.id = r.agency_id
LEFT JOIN parses p ON p.id = r.canonical_parse_id
LEFT JOIN documents d ON d.id = p.document_id""",
        "v_applications": f"""
SELECT r.id AS report_id, a.name AS agency, a.province, a.city, a.county, r.year, r.layout,
       k.item AS row_name, MIN(k.position) AS position,
       {_pivot(APPLICANTS)}
FROM reports r
JOIN agencies a ON a.id = r.agency_id
JOIN facts f ON f.parse_id = r.canonical_parse_id
JOIN fact_keys k ON k.key = f.key AND k.section = 'applications'
GROUP BY r.id, a.name, a.province, a.city, a.county, r.year, r.layout, k.item""",
        "v_art20": f"""
SELECT r.id AS report_id, a.name AS agency, a.province, a.city, a.county, r.year, r.layout,
       k.item, MIN(k.position) AS position,
       {_pivot(ART20)}
FROM reports r
JOIN agencies a ON a.id = r.agency_id
JOIN facts f ON f.parse_id = r.canonical_parse_id
JOIN fact_keys k ON k.key = f.key AND k.section = 'art20'
GROUP BY r.id, a.name, a.province, a.city, a.county, r.year, r.layout, k.item""",
        "v_review": f"""
SELECT r.id AS report_id, a.name AS agency, a.province, a.city, a.county, r.year,
       k.item AS proceeding, MIN(k.position) AS position,
       {_pivot(OUTCOMES)}
FROM reports r
JOIN agencies a ON a.id = r.agency_id
JOIN facts f ON f.parse_id = r.canonical_parse_id
JOIN fact_keys k ON k.key = f.key AND k.section IN ('review', 'litigation')
GROUP BY r.id, a.name, a.province, a.city, a.county, r.year, k.item""",
        "v_coverage": f"""
WITH RECURSIVE bounds AS (SELECT MIN(year) AS lo, MAX(year) AS hi FROM reports),
years(year) AS (
    SELECT lo FROM bounds WHERE lo IS NOT NULL
    UNION ALL
    SELECT years.year + 1 FROM years, bounds WHERE years.year < bounds.hi),
spans AS (
    SELECT a.id AS agency_id, COALESCE(a.expected_from, MIN(r.year)) AS first_year
    FROM agencies a LEFT JOIN reports r ON r.agency_id = a.id
    GROUP BY a.id, a.expected_from)
SELECT {REPORT_REGION}, y.year,
       CASE WHEN r.id IS NULL THEN 'missing'
            WHEN r.publication_date > {deadline_y} THEN 'late'
            ELSE 'found' END AS coverage,
       r.id AS report_id, r.status AS report_status, r.publication_date, {deadline_y} AS deadline
FROM agencies a
JOIN spans s ON s.agency_id = a.id
JOIN years y ON y.year >= s.first_year
LEFT JOIN reports r ON r.agency_id = a.id AND r.year = y.year""",
        "v_facts": f"""
SELECT rs.report_id, a.name AS agency, r.year, f.key, k.label, f.value, f.derived,
       p.id = r.canonical_parse_id AS canonical,
       f.page, f.table_no, f.row_no, f.col_no, f.line_no, f.cell_text,
       p.id AS parse_id, p.parser_version, p.format, d.sha256, {_source_url("d.id")} AS source_url
FROM report_sources rs
JOIN reports r ON r.id = rs.report_id
JOIN agencies a ON a.id = r.agency_id
JOIN parses p ON p.document_id = rs.document_id AND p.is_current
JOIN facts f ON f.parse_id = p.id
JOIN documents d ON d.id = rs.document_id
LEFT JOIN fact_keys k ON k.key = f.key""",
        "v_sources": """
SELECT rs.report_id, a.name AS agency, r.year, rs.rank, rs.role, rs.correction,
       d.sha256, d.size, d.filename, p.status AS parse_status, p.format, p.parser_version, p.n_facts,
       p.checks_ok, p.error AS parse_error,
       x.url, x.final_url, x.kind, x.list_title, x.list_date, x.index_no, x.publisher, x.doc_no,
       x.portal_id, x.crawl_run_id, x.local_path, x.fetched_at, x.last_seen_at
FROM report_sources rs
JOIN reports r ON r.id = rs.report_id
JOIN agencies a ON a.id = r.agency_id
JOIN documents d ON d.id = rs.document_id
LEFT JOIN parses p ON p.document_id = d.id AND p.is_current
LEFT JOIN fetches x ON x.document_id = d.id AND x.outcome = 'document'""",
        "v_conflicts": """
SELECT r.id AS report_id, a.name AS agency, r.year, f.key, cf.value AS canonical_value,
       f.value AS other_value, rs.role, d.sha256 AS other_sha256, cd.sha256 AS canonical_sha256
FROM reports r
JOIN agencies a ON a.id = r.agency_id
JOIN parses cp ON cp.id = r.canonical_parse_id
JOIN documents cd ON cd.id = cp.document_id
JOIN report_sources rs ON rs.report_id = r.id AND rs.document_id <> cp.document_id
JOIN parses p ON p.document_id = rs.document_id AND p.is_current
JOIN facts f ON f.parse_id = p.id
JOIN facts cf ON cf.parse_id = r.canonical_parse_id AND cf.key = f.key
JOIN documents d ON d.id = rs.document_id
WHERE ABS(f.value - cf.value) > 0.000001""",
        "v_runs": """
SELECT c.run_id, r.spider, r.status AS run_status, r.started_at, r.finished_at, c.portal_id, p.name AS portal,
       c.reports_found,
       LAG(c.reports_found) OVER (PARTITION BY c.portal_id ORDER BY c.run_id) AS previous_reports_found,
       c.reports_new, c.reports_changed, c.reports_failed, c.pages, c.documents, c.bytes, c.errors, c.alerts
FROM crawl_run_portals c
JOIN crawl_runs r ON r.id = c.run_id
LEFT JOIN portals p ON p.id = c.portal_id""",
    }


FACT_KEYS = sa.table("fact_keys", sa.column("key"), sa.column("position"), sa.column("section"),
                     sa.column("item"), sa.column("measure"), sa.column("layouts"), sa.column("unit"),
                     sa.column("label"))


def upgrade() -> None:
    from archive.factkeys import catalog

    op.bulk_insert(FACT_KEYS, [dict(row) for row in catalog()])
    for name, sql in views(op.get_bind().dialect.name).items():
        op.execute(f"CREATE VIEW {name} AS {sql.strip()}")


def downgrade() -> None:
    for name in reversed(list(views(op.get_bind().dialect.name))):
        op.execute(f"DROP VIEW IF EXISTS {name}")
    op.execute(FACT_KEYS.delete())
