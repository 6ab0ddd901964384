"""The archive's tables: typed SQLAlchemy 2.0 models, the source of Alembic's migrations.

Four groups of tables:

* **what was fetched** — ``documents`` (one row per distinct blob, by sha256), ``fetches``
  (provenance: every URL or local file a document came from, and typed non-document outcomes),
  ``portals`` and ``crawl_runs`` / ``crawl_run_portals`` (per-portal counters of each run);
* **what it says** — ``parses`` (one row per document and parser version), ``facts`` (long
  form, with where each fact was read), ``parse_checks``, and ``fact_keys`` (the catalogue of
  report-schema.md, for SQL users);
* **who and when** — ``agencies`` (canonical name, region, level), ``agency_aliases``,
  ``reports`` (UNIQUE agency × year, its canonical parse, status, cross-year check) and
  ``report_sources`` (every document of a report);
* **work** — ``reparse_runs``, ``reparse_items`` (row claims shared by reparse workers) and
  ``reparse_diffs`` (what a re-parse changed).

Booleans, dates and JSON map to native types on PostgreSQL and to integers, ISO text and
JSON text on SQLite; the SQL views (see the migrations) hide the difference.
"""
from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    MetaData,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.types import TypeDecorator

# Constraint names are derived, so migrations never carry hand-made or dialect-made names.
NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s__%(column_0_N_name)s",
    "uq": "uq_%(table_name)s__%(column_0_N_name)s",
    "ck": "ck_%(table_name)s__%(constraint_name)s",
    "fk": "fk_%(table_name)s__%(column_0_name)s__%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class UTCDateTime(TypeDecorator[dt.datetime]):
    """Timestamps in UTC, aware in Python on both databases (SQLite keeps no zone of its own)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: Any) -> dt.datetime | None:
        if value is None:
            return None
        value = value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value.astimezone(dt.UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: dt.datetime | None, dialect: Any) -> dt.datetime | None:
        if value is not None and value.tzinfo is None:
            value = value.replace(tzinfo=dt.UTC)
        return value


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map = {
        dt.datetime: UTCDateTime(),
        dict[str, Any]: JSON,
        list[Any]: JSON,
        str: Text,
    }


# --- what was fetched -------------------------------------------------------------------


class Document(Base):
    """One distinct blob of bytes; its file is ``blobs/ab/cd/<sha256>``."""

    __tablename__ = "documents"
    id: Mapped[int] = mapped_column(primary_key=True)
    sha256: Mapped[str] = mapped_column(String(64), unique=True)
    size: Mapped[int] = mapped_column(BigInteger)
    content_type: Mapped[str | None]  # as first declared by a server (or guessed for a local file)
    filename: Mapped[str | None]       # first name seen: Content-Disposition, URL path or local file
    first_seen_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class Portal(Base):
    """A site the crawler visits, as its registry describes it (region, level, platform)."""

    __tablename__ = "portals"
    id: Mapped[str] = mapped_column(String(200), primary_key=True)
    name: Mapped[str | None]
    platform: Mapped[str | None] = mapped_column(String(40))
    level: Mapped[str | None] = mapped_column(String(20))
    province: Mapped[str | None]
    city: Mapped[str | None]
    county: Mapped[str | None]
    region_code: Mapped[str | None] = mapped_column(String(12))
    agency: Mapped[str | None]
    start_url: Mapped[str | None]
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class CrawlRun(Base):
    __tablename__ = "crawl_runs"
    id: Mapped[int] = mapped_column(primary_key=True)
    started_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    finished_at: Mapped[dt.datetime | None]
    status: Mapped[str] = mapped_column(String(20), default="running")  # running|finished|failed|interrupted
    spider: Mapped[str | None]
    host: Mapped[str | None]
    settings: Mapped[dict[str, Any] | None]
    summary: Mapped[dict[str, Any] | None]


class CrawlRunPortal(Base):
    """Per-portal counters of one crawl run; the crawler compares them with the previous run."""

    __tablename__ = "crawl_run_portals"
    run_id: Mapped[int] = mapped_column(ForeignKey("crawl_runs.id", ondelete="CASCADE"), primary_key=True)
    portal_id: Mapped[str] = mapped_column(String(200), primary_key=True, index=True)
    reports_found: Mapped[int] = mapped_column(default=0)
    reports_new: Mapped[int] = mapped_column(default=0)
    reports_changed: Mapped[int] = mapped_column(default=0)
    reports_failed: Mapped[int] = mapped_column(default=0)
    pages: Mapped[int] = mapped_column(default=0)
    documents: Mapped[int] = mapped_column(default=0)
    bytes: Mapped[int] = mapped_column(BigInteger, default=0)
    errors: Mapped[int] = mapped_column(default=0)
    alerts: Mapped[list[Any]] = mapped_column(default=list)


class Fetch(Base):
    """Provenance of one observation of a URL (or local file) and what it gave.

    ``outcome`` is ``document`` (bytes stored, ``document_id`` set) or a typed non-document
    outcome that is recorded but never stored: ``not_modified`` (a 304; ``document_id`` is the
    unchanged document), ``challenge``, ``soft_404``, ``http_error``, ``too_large``, ``error``.
    Seeing the same URL give the same outcome and bytes again updates ``last_seen_at`` and
    ``times_seen`` instead of adding a row, so the table records changes, not repetitions.
    """

    __tablename__ = "fetches"
    id: Mapped[int] = mapped_column(primary_key=True)
    url: Mapped[str]
    final_url: Mapped[str | None]
    redirects: Mapped[list[Any]] = mapped_column(default=list)  # the URLs redirected through, in order
    method: Mapped[str] = mapped_column(String(10), default="GET")
    kind: Mapped[str] = mapped_column(String(20), default="document")  # detail|attachment|document|local
    outcome: Mapped[str] = mapped_column(String(20))
    status_code: Mapped[int | None]
    error: Mapped[str | None]
    document_id: Mapped[int | None] = mapped_column(ForeignKey("documents.id"), index=True)
    size: Mapped[int | None] = mapped_column(BigInteger)
    content_type: Mapped[str | None]
    etag: Mapped[str | None]
    last_modified: Mapped[str | None]  # as the server sent it (an HTTP date)
    filename: Mapped[str | None]       # decoded Content-Disposition filename
    headers: Mapped[dict[str, Any]] = mapped_column(default=dict)
    fetched_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    last_seen_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    times_seen: Mapped[int] = mapped_column(default=1)
    # the chain of pages that led here: list page → detail page → this attachment
    referrer: Mapped[str | None]
    via: Mapped[list[Any]] = mapped_column(default=list)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("fetches.id"))
    # the list page's entry for it
    list_title: Mapped[str | None]
    list_date: Mapped[dt.date | None] = mapped_column(Date)
    index_no: Mapped[str | None]   # 索引号
    publisher: Mapped[str | None]  # 发布机构
    doc_no: Mapped[str | None]     # 文号
    # context: where and when, and what the caller knew (replayed by reparse)
    portal_id: Mapped[str | None] = mapped_column(String(200), index=True)
    crawl_run_id: Mapped[int | None] = mapped_column(ForeignKey("crawl_runs.id"), index=True)
    last_crawl_run_id: Mapped[int | None] = mapped_column(ForeignKey("crawl_runs.id"))
    local_path: Mapped[str | None]
    agency_hint: Mapped[str | None]
    year_hint: Mapped[int | None]
    province: Mapped[str | None]
    city: Mapped[str | None]
    county: Mapped[str | None]
    region_code: Mapped[str | None] = mapped_column(String(12))

    __table_args__ = (Index(None, "url", "fetched_at"),)


# --- who and when ------------------------------------------------------------------------


class Agency(Base):
    """A reporting agency: canonical name, region and level.

    Identity is the name without its region prefix (``core_name``: 人民政府, 教育局, …) within
    a region; ``region_key`` makes exact duplicates impossible even under concurrency.
    """

    __tablename__ = "agencies"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str]
    core_name: Mapped[str]
    province: Mapped[str | None] = mapped_column(index=True)
    city: Mapped[str | None]
    county: Mapped[str | None]
    region_code: Mapped[str | None] = mapped_column(String(12))
    region_key: Mapped[str]
    level: Mapped[str] = mapped_column(String(20))  # province|city|county|township|department
    expected_from: Mapped[int | None]  # first year v_coverage expects a report (else its first report)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    __table_args__ = (UniqueConstraint("core_name", "region_key"),)


class AgencyAlias(Base):
    """Every name an agency was seen under (as written), with its normalised form."""

    __tablename__ = "agency_aliases"
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id", ondelete="CASCADE"), primary_key=True)
    norm: Mapped[str] = mapped_column(primary_key=True, index=True)
    alias: Mapped[str]
    first_seen_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class Report(Base):
    """One annual report: an agency and a year, whatever number of documents carry it.

    ``status``: ok (all checks pass) | checks_failed | partial | needs_ocr | legacy_format |
    unreadable, or ``conflict`` when two sources disagree on a fact (see ``v_conflicts``).
    ``carry_check`` compares this year's applications.carried_in.* with last year's
    applications.carried_out.*: ok | mismatch | no_previous | incomplete.
    """

    __tablename__ = "reports"
    id: Mapped[int] = mapped_column(primary_key=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"))
    year: Mapped[int] = mapped_column(index=True)
    status: Mapped[str] = mapped_column(String(20))
    canonical_parse_id: Mapped[int | None] = mapped_column(ForeignKey("parses.id"), index=True)
    layout: Mapped[str | None] = mapped_column(String(10))
    checks_ok: Mapped[bool | None]
    n_sources: Mapped[int] = mapped_column(default=0)
    n_conflicts: Mapped[int] = mapped_column(default=0)
    publication_date: Mapped[dt.date | None] = mapped_column(Date)
    carry_check: Mapped[str | None] = mapped_column(String(20))
    carry_detail: Mapped[str | None]
    first_seen_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    __table_args__ = (UniqueConstraint("agency_id", "year"),)


class ReportSource(Base):
    """A document carrying a report (HTML page, PDF/DOC attachment, copy, correction)."""

    __tablename__ = "report_sources"
    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id"), primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("reports.id", ondelete="CASCADE"), index=True)
    role: Mapped[str] = mapped_column(String(20), default="source")  # source|superseded
    correction: Mapped[bool] = mapped_column(default=False)  # marked as 更正/修订 by its title
    rank: Mapped[int] = mapped_column(default=0)  # 1 = canonical, then by preference
    added_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


# --- what it says ------------------------------------------------------------------------


class Parse(Base):
    """The result of one parser version on one document (``ParseResult.to_json`` in columns)."""

    __tablename__ = "parses"
    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id"))
    parser_version: Mapped[str] = mapped_column(String(40))
    status: Mapped[str] = mapped_column(String(20))
    agency: Mapped[str | None]
    year: Mapped[int | None]
    layout: Mapped[str | None] = mapped_column(String(10))
    format: Mapped[str | None] = mapped_column(String(20))
    kind: Mapped[str | None] = mapped_column(String(40))
    title: Mapped[str | None]
    error: Mapped[str | None]
    warnings: Mapped[list[Any]] = mapped_column(default=list)
    derived: Mapped[list[Any]] = mapped_column(default=list)
    n_facts: Mapped[int] = mapped_column(default=0)
    checks_ok: Mapped[bool | None]  # None when no check could run
    is_current: Mapped[bool] = mapped_column(default=True)
    agency_hint: Mapped[str | None]
    year_hint: Mapped[int | None]
    parsed_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    duration_ms: Mapped[int | None]

    __table_args__ = (
        UniqueConstraint("document_id", "parser_version"),
        Index("ix_parses__current_document", "document_id", unique=True,
              sqlite_where=text("is_current"), postgresql_where=text("is_current")),
    )


class Fact(Base):
    """One number of one parse, and where in the source it was read."""

    __tablename__ = "facts"
    parse_id: Mapped[int] = mapped_column(ForeignKey("parses.id", ondelete="CASCADE"), primary_key=True)
    key: Mapped[str] = mapped_column(String(80), primary_key=True)
    value: Mapped[float] = mapped_column(Float)
    derived: Mapped[bool] = mapped_column(default=False)  # computed from its parts, not printed
    page: Mapped[int | None]
    table_no: Mapped[int | None]
    row_no: Mapped[int | None]
    col_no: Mapped[int | None]
    line_no: Mapped[int | None]
    cell_text: Mapped[str | None]

    __table_args__ = ({"sqlite_with_rowid": False},)


class ParseCheck(Base):
    __tablename__ = "parse_checks"
    parse_id: Mapped[int] = mapped_column(ForeignKey("parses.id", ondelete="CASCADE"), primary_key=True)
    name: Mapped[str] = mapped_column(String(60), primary_key=True)
    ok: Mapped[bool]
    detail: Mapped[str | None]

    __table_args__ = ({"sqlite_with_rowid": False},)


class FactKey(Base):
    """The catalogue of fact keys (report-schema.md), so SQL users can pivot and label them."""

    __tablename__ = "fact_keys"
    key: Mapped[str] = mapped_column(String(80), primary_key=True)
    position: Mapped[int]                              # order of report-schema.md, for sorting
    section: Mapped[str] = mapped_column(String(20))   # art20 | applications | review | litigation
    item: Mapped[str] = mapped_column(String(60))      # the table row: new, denied.state_secret, penalty, …
    measure: Mapped[str] = mapped_column(String(40))   # the table column: total, natural_person, decisions, …
    layouts: Mapped[str] = mapped_column(String(10))   # 2019 | 2021 | both
    unit: Mapped[str] = mapped_column(String(10))      # count | wan_yuan
    label: Mapped[str]                                 # the row and column as the report prints them


# --- work ----------------------------------------------------------------------------------


class ReparseRun(Base):
    """One re-parse job; workers on several machines join an open run with the same selection."""

    __tablename__ = "reparse_runs"
    id: Mapped[int] = mapped_column(primary_key=True)
    selection_key: Mapped[str] = mapped_column(String(200))
    mode: Mapped[str] = mapped_column(String(10))  # stale | all
    agency_filter: Mapped[str | None]
    year_filter: Mapped[int | None]
    status_filter: Mapped[str | None]  # statuses of the current parse, comma-separated
    parser_version: Mapped[str] = mapped_column(String(40))
    status: Mapped[str] = mapped_column(String(20), default="running")  # running | finished | abandoned
    started_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    finished_at: Mapped[dt.datetime | None]

    __table_args__ = (
        Index("ix_reparse_runs__open_selection", "selection_key", unique=True,
              sqlite_where=text("finished_at IS NULL"), postgresql_where=text("finished_at IS NULL")),
    )


class ReparseItem(Base):
    """A row claim: one document of a run, claimed by one worker at a time under a lease."""

    __tablename__ = "reparse_items"
    run_id: Mapped[int] = mapped_column(ForeignKey("reparse_runs.id", ondelete="CASCADE"), primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id"), primary_key=True)
    state: Mapped[str] = mapped_column(String(10), default="pending")  # pending|claimed|done|failed
    worker: Mapped[str | None]
    lease_until: Mapped[dt.datetime | None]
    attempts: Mapped[int] = mapped_column(default=0)
    outcome: Mapped[str | None] = mapped_column(String(20))  # new|unchanged|changed|newly_parsed|newly_failing|skipped
    old_status: Mapped[str | None] = mapped_column(String(20))
    new_status: Mapped[str | None] = mapped_column(String(20))
    n_changes: Mapped[int] = mapped_column(default=0)
    error: Mapped[str | None]
    finished_at: Mapped[dt.datetime | None]

    __table_args__ = (Index(None, "run_id", "state"),)


class ReparseDiff(Base):
    """One fact a re-parse added, removed or changed."""

    __tablename__ = "reparse_diffs"
    run_id: Mapped[int] = mapped_column(ForeignKey("reparse_runs.id", ondelete="CASCADE"), primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id"), primary_key=True)
    key: Mapped[str] = mapped_column(String(80), primary_key=True)
    change: Mapped[str] = mapped_column(String(10))  # added | removed | changed
    old_value: Mapped[float | None] = mapped_column(Float)
    new_value: Mapped[float | None] = mapped_column(Float)
