"""Rows that say where every document came from: ``documents`` and ``fetches``.

A fetch row is written for every response the crawler decides about and for every local file
added by hand. When a URL gives the same outcome and the same bytes as its last fetch, that row's
``last_seen_at`` / ``times_seen`` are updated instead, so re-crawling an unchanged portal (or
re-ingesting the same file) adds nothing but the time it was seen.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from archive import headers as hdr
from archive.models import Document, Fetch, utcnow
from archive.records import FetchRecord, Hints, LastFetch, Outcome, Region


def _insert(session: Session):  # type: ignore[no-untyped-def]
    return postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert


def ensure_document(session: Session, sha256: str, size: int, *, content_type: str | None,
                    filename: str | None) -> tuple[int, bool]:
    """The id of the document row for ``sha256``, inserted if new (race-free: ON CONFLICT)."""
    stmt = _insert(session)(Document.__table__).values(sha256=sha256, size=size, content_type=content_type,
                                                        filename=filename, first_seen_at=utcnow())
    stmt = stmt.on_conflict_do_nothing(index_elements=["sha256"]).returning(Document.__table__.c.id)
    inserted = session.execute(stmt).first() is not None
    doc = session.scalars(select(Document).where(Document.sha256 == sha256)).one()
    if not inserted:
        doc.content_type = doc.content_type or content_type
        doc.filename = doc.filename or filename
    return doc.id, inserted


@dataclass(frozen=True)
class Described:
    """What a FetchRecord's headers say, decoded once."""

    headers: dict[str, str]
    content_type: str | None
    etag: str | None
    last_modified: str | None
    filename: str | None


def describe(rec: FetchRecord) -> Described:
    headers = hdr.normalise(rec.headers)
    filename = rec.filename or hdr.content_disposition_filename(hdr.raw_header(rec.headers, "content-disposition"))
    if filename is None and rec.local_path:
        filename = rec.local_path.replace("\\", "/").rsplit("/", 1)[-1] or None
    if filename is None:
        filename = hdr.url_filename(rec.final_url or rec.url)
    content_type = rec.content_type or headers.get("content-type")
    return Described(headers, content_type, headers.get("etag"), headers.get("last-modified"), filename)


def _as_date(value: object) -> dt.date | None:
    if value is None or isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return value  # type: ignore[return-value]
    if isinstance(value, dt.datetime):
        return value.date()
    try:
        return dt.date.fromisoformat(str(value).strip()[:10])
    except ValueError:
        return None


def record_fetch(session: Session, rec: FetchRecord, info: Described, *, document_id: int | None,
                 size: int | None) -> tuple[int, bool, bool]:
    """Insert (or refresh) the fetch row of ``rec``. Returns (fetch id, repeat, changed)."""
    now = rec.fetched_at or utcnow()
    last = session.scalars(select(Fetch).where(Fetch.url == rec.url).order_by(Fetch.last_seen_at.desc(),
                                                                           Fetch.id.desc()).limit(1)).first()
    previous_doc = session.scalars(
        select(Fetch.document_id).where(Fetch.url == rec.url, Fetch.document_id.is_not(None))
        .order_by(Fetch.last_seen_at.desc(), Fetch.id.desc()).limit(1)).first()
    changed = previous_doc is not None and document_id is not None and previous_doc != document_id
    if (last is not None and last.outcome == rec.outcome.value and last.document_id == document_id
            and last.status_code == rec.status and last.portal_id == rec.portal_id
            and last.local_path == rec.local_path):
        last.last_seen_at = max(now, last.last_seen_at)
        last.times_seen += 1
        last.last_crawl_run_id = rec.crawl_run_id or last.last_crawl_run_id
        _fill(last, rec)
        session.flush()
        return last.id, True, False
    region = rec.hints.region
    row = Fetch(
        url=rec.url, final_url=rec.final_url, redirects=list(rec.redirects), method=rec.method, kind=rec.kind,
        outcome=rec.outcome.value, status_code=rec.status, error=rec.error, document_id=document_id, size=size,
        content_type=info.content_type, etag=info.etag, last_modified=info.last_modified, filename=info.filename,
        headers=info.headers, fetched_at=now, last_seen_at=now, times_seen=1, referrer=rec.referrer,
        via=list(rec.via), parent_id=rec.parent_fetch_id, list_title=rec.listing.title,
        list_date=_as_date(rec.listing.date), index_no=rec.listing.index_no, publisher=rec.listing.publisher,
        doc_no=rec.listing.doc_no, portal_id=rec.portal_id, crawl_run_id=rec.crawl_run_id,
        last_crawl_run_id=rec.crawl_run_id, local_path=rec.local_path, agency_hint=rec.hints.agency,
        year_hint=rec.hints.year, province=region.province, city=region.city, county=region.county,
        region_code=region.code)
    session.add(row)
    session.flush()
    return row.id, False, changed


def _fill(row: Fetch, rec: FetchRecord) -> None:
    """Complete a repeated fetch with what this observation knows and the last one did not."""
    listing, region = rec.listing, rec.hints.region
    for attr, value in (("list_title", listing.title), ("list_date", _as_date(listing.date)),
                        ("index_no", listing.index_no), ("publisher", listing.publisher),
                        ("doc_no", listing.doc_no), ("agency_hint", rec.hints.agency),
                        ("year_hint", rec.hints.year), ("province", region.province), ("city", region.city),
                        ("county", region.county), ("region_code", region.code), ("referrer", rec.referrer)):
        if value is not None and getattr(row, attr) is None:
            setattr(row, attr, value)
    if rec.via and not row.via:
        row.via = list(rec.via)


def last_fetch(session: Session, url: str) -> LastFetch | None:
    row = session.execute(
        select(Fetch, Document.sha256).join(Document, Document.id == Fetch.document_id)
        .where(Fetch.url == url, Fetch.outcome == Outcome.DOCUMENT.value)
        .order_by(Fetch.fetched_at.desc(), Fetch.id.desc()).limit(1)).first()
    if row is None:
        return None
    fetch, sha = row
    seen = session.scalars(select(Fetch.last_seen_at).where(
        Fetch.url == url, Fetch.document_id == fetch.document_id).order_by(Fetch.last_seen_at.desc())).first()
    return LastFetch(fetch.id, url, sha, fetch.etag, fetch.last_modified, fetch.fetched_at, seen or fetch.last_seen_at)


def document_context(session: Session, document_id: int) -> tuple[Hints, str, str | None]:
    """Hints, name and content type to parse a stored document with, from its fetches.

    Fetches that carry an agency hint come first, then the most recent; each hint is taken from
    the first fetch that has it, the region from the fetch that knows the most about it.
    """
    doc = session.get(Document, document_id)
    assert doc is not None
    rows = list(session.scalars(select(Fetch).where(Fetch.document_id == document_id)
                                .order_by(Fetch.agency_hint.is_(None), Fetch.last_seen_at.desc())))
    agency = next((r.agency_hint for r in rows if r.agency_hint), None)
    year = next((r.year_hint for r in rows if r.year_hint), None)
    best = max(rows, key=lambda r: sum(1 for v in (r.province, r.city, r.county, r.region_code) if v), default=None)
    region = Region(best.province, best.city, best.county, best.region_code) if best else Region()
    name = doc.filename or next((r.filename for r in rows if r.filename), None) or doc.sha256
    return Hints(agency, year, region), name, doc.content_type
