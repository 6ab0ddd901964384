"""Rows that say where every document came from: ``documents`` and ``fetches``.

A fetch row is written for every response the crawler decides about and for every local file
added by hand. When a URL gives the same outcome and the same bytes as its last fetch, that row's
``last_seen_at`` / ``times_seen`` are updated instead, so re-crawling an unchanged portal (or
re-ingesting the same file) adds nothing but the time it was seen.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from archive import headers as hdr
from archive.models import Document, Fetch, utcnow
from archive.records import FetchRecord, Hints, LastFetch, Outcome, Region


def _insert(session: Session):  # type: ignore[no-untyped-def]
    return postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert


@dataclass(frozen=True)
class NewBlob:
    sha256: str
    size: int
    content_type: str | None
    filename: str | None


def ensure_documents(session: Session, blobs: Sequence[NewBlob]) -> dict[str, tuple[int, bool]]:
    """sha256 → (document id, inserted now) for each blob; rows are inserted race-free (ON
    CONFLICT DO NOTHING) and a known document gets the content type and filename it lacked."""
    wanted = {b.sha256: b for b in blobs}
    out: dict[str, tuple[int, bool]] = {}
    known = {d.sha256: d for d in session.scalars(select(Document).where(Document.sha256.in_(wanted)))}
    missing = [b for sha, b in wanted.items() if sha not in known]
    if missing:
        table = Document.__table__
        now = utcnow()
        rows = [{"sha256": b.sha256, "size": b.size, "content_type": b.content_type, "filename": b.filename,
                 "first_seen_at": now} for b in missing]
        stmt = (_insert(session)(table).values(rows)
                .on_conflict_do_nothing(index_elements=["sha256"]).returning(table.c.sha256, table.c.id))
        for sha, doc_id in session.execute(stmt):
            out[sha] = (doc_id, True)
        raced = [b.sha256 for b in missing if b.sha256 not in out]  # another process inserted it meanwhile
        if raced:
            known.update({d.sha256: d for d in session.scalars(select(Document).where(Document.sha256.in_(raced)))})
    for sha, doc in known.items():
        blob = wanted[sha]
        doc.content_type = doc.content_type or blob.content_type
        doc.filename = doc.filename or blob.filename
        out[sha] = (doc.id, False)
    return out


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


@dataclass(frozen=True)
class Observation:
    """One fetch to record: the crawler's record, its decoded headers, and the document it gave."""

    rec: FetchRecord
    info: Described
    document_id: int | None
    size: int | None


class _UrlState:
    """What the archive holds for one URL while a batch is recorded: its latest fetch row and the
    document of its latest fetch that had one (kept up to date as the batch adds rows)."""

    def __init__(self, rows: list[Fetch]) -> None:
        order = sorted(rows, key=lambda r: (r.last_seen_at, r.id), reverse=True)
        self.last = order[0] if order else None
        self.previous_doc = next((r.document_id for r in order if r.document_id is not None), None)

    def seen(self, row: Fetch) -> None:
        self.last = row
        if row.document_id is not None:
            self.previous_doc = row.document_id


def record_fetches(session: Session, observations: Sequence[Observation]) -> list[tuple[int, bool, bool]]:
    """Insert (or refresh) the fetch row of each observation, in order, with one query for what
    the archive knew of their URLs. Returns (fetch id, repeat, changed) for each."""
    urls = {o.rec.url for o in observations}
    rows: dict[str, list[Fetch]] = {u: [] for u in urls}
    for row in session.scalars(select(Fetch).where(Fetch.url.in_(urls))):
        rows[row.url].append(row)
    state = {u: _UrlState(r) for u, r in rows.items()}
    decided: list[tuple[Fetch, bool, bool]] = []
    for o in observations:
        rec, url = o.rec, state[o.rec.url]
        now = rec.fetched_at or utcnow()
        last = url.last
        changed = url.previous_doc is not None and o.document_id is not None and url.previous_doc != o.document_id
        if (last is not None and last.outcome == rec.outcome.value and last.document_id == o.document_id
                and last.status_code == rec.status and last.portal_id == rec.portal_id
                and last.local_path == rec.local_path):
            last.last_seen_at = max(now, last.last_seen_at)
            last.times_seen += 1
            last.last_crawl_run_id = rec.crawl_run_id or last.last_crawl_run_id
            _fill(last, rec)
            decided.append((last, True, False))
            continue
        row = _new_row(o, now)
        session.add(row)
        url.seen(row)
        decided.append((row, False, changed))
    session.flush()
    return [(row.id, repeat, changed) for row, repeat, changed in decided]


def _new_row(o: Observation, now: dt.datetime) -> Fetch:
    rec, info, region = o.rec, o.info, o.rec.hints.region
    return Fetch(
        url=rec.url, final_url=rec.final_url, redirects=list(rec.redirects), method=rec.method, kind=rec.kind,
        outcome=rec.outcome.value, status_code=rec.status, error=rec.error, document_id=o.document_id,
        size=o.size, content_type=info.content_type, etag=info.etag, last_modified=info.last_modified,
        filename=info.filename, headers=info.headers, fetched_at=now, last_seen_at=now, times_seen=1,
        referrer=rec.referrer, via=list(rec.via), parent_id=rec.parent_fetch_id, list_title=rec.listing.title,
        list_date=_as_date(rec.listing.date), index_no=rec.listing.index_no, publisher=rec.listing.publisher,
        doc_no=rec.listing.doc_no, portal_id=rec.portal_id, crawl_run_id=rec.crawl_run_id,
        last_crawl_run_id=rec.crawl_run_id, local_path=rec.local_path, agency_hint=rec.hints.agency,
        year_hint=rec.hints.year, province=region.province, city=region.city, county=region.county,
        region_code=region.code)


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


def last_fetches(session: Session, urls: Iterable[str]) -> dict[str, LastFetch]:
    """The last fetch that gave a document, for each of ``urls`` that has one (one query)."""
    wanted = set(urls)
    rows = session.execute(
        select(Fetch.id, Fetch.url, Fetch.outcome, Fetch.document_id, Fetch.etag, Fetch.last_modified,
               Fetch.fetched_at, Fetch.last_seen_at, Document.sha256)
        .join(Document, Document.id == Fetch.document_id).where(Fetch.url.in_(wanted))).all()
    by_url: dict[str, list[Any]] = {}
    for r in rows:
        by_url.setdefault(r.url, []).append(r)
    out: dict[str, LastFetch] = {}
    for url, mine in by_url.items():
        documents = [r for r in mine if r.outcome == Outcome.DOCUMENT.value]
        if not documents:
            continue
        last = max(documents, key=lambda r: (r.fetched_at, r.id))
        seen = max(r.last_seen_at for r in mine if r.document_id == last.document_id)
        out[url] = LastFetch(last.id, url, last.sha256, last.etag, last.last_modified, last.fetched_at, seen)
    return out


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
