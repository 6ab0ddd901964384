"""The archive as the crawler and the commands use it: one object, a few typed calls.

::

    from archive import Archive, FetchRecord, Hints, Listing, Outcome, Region
    with Archive.open() as ar:                       # NIANBAO_DATABASE_URL / NIANBAO_DATA_DIR
        stored = ar.store(FetchRecord(url=..., status=200, headers=response.headers,
                                      via=[list_url, detail_url], listing=Listing(title=..., date=...),
                                      portal_id="...", crawl_run_id=run, hints=Hints(region=...)),
                          response.body)
        if stored.needs_parse:
            pool.submit(parse_and_file, ar.job(stored.sha256))   # archive.parse_and_file, in a worker process
        ar.record(FetchRecord(url=..., outcome=Outcome.SOFT_404, status=200))
        ar.last_fetch(url)                           # ETag / Last-Modified for a conditional GET

Every write is one short transaction, retried on the transient failures of concurrent writers
(``archive.db.retrying``); bytes are staged before and published after their row is committed
(``archive.staging``).
"""
from __future__ import annotations

import contextlib
import dataclasses
import logging
import os
import pathlib
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any, TypeVar

from sqlalchemy import exists, select
from sqlalchemy.orm import Session

from archive import db, filing, provenance, runs
from archive.blobstore import open_blob_store, read_verified
from archive.errors import ArchiveError, BlobMissing, InputError
from archive.models import Document, Parse
from archive.records import (
    FetchRecord,
    Filed,
    Hints,
    LastFetch,
    Outcome,
    PortalCounts,
    PortalInfo,
    Stored,
)
from archive.settings import ArchiveSettings
from archive.staging import Source, StagedBlob, Staging
from archive.work import ParseJob

log = logging.getLogger(__name__)
T = TypeVar("T")


def _one(results: list[Stored | int | ArchiveError]) -> Stored | int:
    (result,) = results
    if isinstance(result, ArchiveError):
        raise result
    return result


class ParserCrashed(ArchiveError):
    """``parsers.parse_bytes`` raised: a parser bug, not a property of the document."""

    def __init__(self, sha256: str, name: str, error: str) -> None:
        self.sha256, self.name, self.error = sha256, name, error
        self._init = (sha256, name, error)
        super().__init__(f"{name} ({sha256[:12]}): the parser failed: {error}")


def parse_bytes(data: bytes, *, name: str, content_type: str | None, hints: Hints, sha256: str):  # type: ignore[no-untyped-def]
    """Run the parsers on one blob; returns (ParseResult, milliseconds). Pure: no database."""
    import time

    import parsers

    started = time.perf_counter()
    try:
        result = parsers.parse_bytes(data, name=name, content_type=content_type,
                                     agency_hint=hints.agency, year_hint=hints.year)
    except Exception as exc:  # the contract says it never raises; if it does, say so and file nothing
        raise ParserCrashed(sha256, name, f"{type(exc).__name__}: {exc}".rstrip(": ")) from exc
    return result, int((time.perf_counter() - started) * 1000)


def current_parser_version() -> str:
    import parsers

    return parsers.PARSER_VERSION


class Archive:
    def __init__(self, settings: ArchiveSettings, *, migrate: bool = True) -> None:
        self.settings = settings
        self.engine = db.create_engine(settings.database_url)
        if migrate:
            db.ensure_schema(self.engine)
        self.sessions = db.session_factory(self.engine)
        self.read_sessions = db.session_factory(db.reader(self.engine))
        self.write_lock = db.write_lock(self.engine)
        self.blobs = open_blob_store(settings.blob_store)
        self.staging = Staging(settings.data_dir / "staging", self.blobs)
        self._swept = False

    @classmethod
    def open(cls, database_url: str | None = None, data_dir: str | os.PathLike[str] | None = None, *,
             blob_store: str | None = None, max_document_bytes: int | None = None, migrate: bool = True) -> Archive:
        """Open the archive at ``database_url`` / ``data_dir`` (default: environment, then ./data)."""
        settings = ArchiveSettings.resolve(database_url, data_dir, blob_store=blob_store,
                                           max_document_bytes=max_document_bytes)
        return cls(settings, migrate=migrate)

    def __enter__(self) -> Archive:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        if self.engine.dialect.name == "sqlite" and self._swept:  # this process wrote: refresh planner stats
            with contextlib.suppress(Exception), db.reader(self.engine).begin() as conn:
                conn.exec_driver_sql("PRAGMA busy_timeout=200")  # never hold up closing for it
                conn.exec_driver_sql("PRAGMA analysis_limit=1000")
                conn.exec_driver_sql("PRAGMA optimize")
        self.engine.dispose()
        if isinstance(self.write_lock, db.WriteLock):
            self.write_lock.close()

    def __repr__(self) -> str:
        return f"Archive({self.settings.redacted_url!r}, blobs={self.settings.blob_store!r})"

    # --- transactions ----------------------------------------------------------------------

    def write(self, work: Callable[[Session], T]) -> T:
        """Run ``work`` in one write transaction, retried on transient failures."""
        def attempt() -> T:
            with self.write_lock, self.sessions() as session, session.begin():
                return work(session)
        return db.retrying(attempt)

    def read(self, work: Callable[[Session], T]) -> T:
        with self.read_sessions() as session, session.begin():
            return work(session)

    def sweep(self) -> dict[str, int]:
        """Publish or delete what killed processes left in the staging area."""
        def committed(sha: str) -> bool:
            return bool(self.read(lambda s: s.scalar(select(exists().where(Document.sha256 == sha)))))
        counts = self.staging.sweep(committed)
        self._swept = True
        if any(counts.values()):
            log.info("staging sweep: %s", counts)
        return counts

    # --- bytes and provenance --------------------------------------------------------------

    def store(self, fetch: FetchRecord, body: Source) -> Stored:
        """Store a document response (or local file) with its provenance; dedup by sha256."""
        if fetch.outcome is not Outcome.DOCUMENT:
            raise ValueError(f"store() takes documents; record() the outcome {fetch.outcome.value}")
        return _one(self.store_many([(fetch, body)]))  # type: ignore[return-value]

    def store_file(self, path: str | os.PathLike[str], fetch: FetchRecord | None = None) -> Stored:
        """Store a local file; provenance names the file (and ``fetch.url`` when it was downloaded)."""
        path = os.path.abspath(path)
        if not os.path.isfile(path):
            raise InputError(path, "no such file" if not os.path.exists(path) else "not a regular file")
        rec = dataclasses.replace(fetch or FetchRecord(url=pathlib.Path(path).as_uri(), kind="local"),
                                  local_path=path)
        with open(path, "rb") as fh:
            return self.store(rec, fh)

    def record(self, fetch: FetchRecord) -> int:
        """Record a non-document outcome (challenge, soft 404, error, too large, 304): no bytes kept.

        A NOT_MODIFIED fetch is linked to the document the URL gave last time.
        """
        if fetch.outcome is Outcome.DOCUMENT:
            raise ValueError("record() is for non-document outcomes; store() documents")
        return _one(self.store_many([(fetch, None)]))  # type: ignore[return-value]

    def store_many(self, items: Sequence[tuple[FetchRecord, Source | None]]) -> list[Stored | int | ArchiveError]:
        """Store documents (``(record, bytes)``) and record other outcomes (``(record, None)``) in
        one transaction: a crawler's group commit. Returns, in order, :class:`Stored` for each
        document, the fetch id for each other outcome, or the error of an item that could not be
        stored on its own (too large, unreadable; nothing of it is kept). A failing transaction
        raises, and none of the items is kept."""
        for rec, body in items:
            if (body is not None) != (rec.outcome is Outcome.DOCUMENT):
                raise ValueError(f"{rec.url}: bytes go with outcome document, not {rec.outcome.value}")
        if not self._swept:
            self.sweep()
        infos = [provenance.describe(rec) for rec, _ in items]
        docs = [i for i, (_, body) in enumerate(items) if body is not None]
        staged: dict[int, StagedBlob | ArchiveError] = dict(zip(docs, self.staging.write_many(
            [(items[i][1], items[i][0].local_path or items[i][0].url) for i in docs],  # type: ignore[misc]
            max_bytes=self.settings.max_document_bytes), strict=True))
        blobs = [b for b in staged.values() if isinstance(b, StagedBlob)]
        version = current_parser_version()

        def work(session: Session) -> list[Stored | int | ArchiveError]:
            ids = provenance.ensure_documents(session, [
                provenance.NewBlob(b.sha256, b.size, infos[i].content_type, infos[i].filename)
                for i, b in staged.items() if isinstance(b, StagedBlob)])
            unchanged = [rec.url for rec, _ in items if rec.outcome is Outcome.NOT_MODIFIED]
            last = provenance.last_fetches(session, unchanged) if unchanged else {}
            shas = {lf.sha256 for lf in last.values()}
            known = dict(session.execute(select(Document.sha256, Document.id)
                                         .where(Document.sha256.in_(shas))).all()) if shas else {}
            observations, places = [], []
            for i, (rec, _) in enumerate(items):
                blob = staged.get(i)
                if isinstance(blob, ArchiveError):
                    continue
                if blob is not None:
                    doc_id, size = ids[blob.sha256][0], blob.size
                else:
                    seen = last.get(rec.url) if rec.outcome is Outcome.NOT_MODIFIED else None
                    doc_id, size = (known.get(seen.sha256) if seen else None), None
                observations.append(provenance.Observation(rec, infos[i], doc_id, size))
                places.append(i)
            recorded = provenance.record_fetches(session, observations) if observations else []
            doc_ids = [o.document_id for o in observations if o.document_id is not None]
            parsed = set(session.scalars(select(Parse.document_id).where(
                Parse.document_id.in_(doc_ids), Parse.is_current, Parse.parser_version == version))) if doc_ids else set()
            out: list[Stored | int | ArchiveError] = [
                blob if isinstance(blob := staged.get(i), ArchiveError) else 0 for i in range(len(items))]
            told: set[str] = set()  # the same new bytes twice in a batch: new the first time only
            for i, o, (fetch_id, repeat, changed) in zip(places, observations, recorded, strict=True):
                blob = staged.get(i)
                if isinstance(blob, StagedBlob):
                    new = ids[blob.sha256][1] and blob.sha256 not in told
                    told.add(blob.sha256)
                    out[i] = Stored(fetch_id, o.document_id, blob.sha256, blob.size, new,  # type: ignore[arg-type]
                                    changed, repeat, o.document_id not in parsed)
                else:
                    out[i] = fetch_id
            return out
        try:
            results = self.write(work)
        except BaseException:
            self.staging.discard_many(blobs)
            raise
        self.staging.publish_many(blobs)
        return results

    def last_fetch(self, url: str) -> LastFetch | None:
        """The last fetch of ``url`` that stored a document: validators for If-None-Match etc."""
        return self.last_fetches([url]).get(url)

    def last_fetches(self, urls: Iterable[str]) -> dict[str, LastFetch]:
        """ETag / Last-Modified / sha256 of the last document each URL gave (one query)."""
        wanted = list(urls)
        return self.read(lambda s: provenance.last_fetches(s, wanted)) if wanted else {}

    def read_blob(self, sha256: str) -> bytes:
        """The bytes of a stored document, verified against their hash."""
        try:
            return read_verified(self.blobs.open(sha256), sha256)
        except BlobMissing:
            staged = self.staging.find(sha256)  # committed, not yet published by a live writer
            if staged is None:
                raise
            return read_verified(staged.open("rb"), sha256)

    # --- parsing and filing ----------------------------------------------------------------

    def job(self, sha256: str, hints: Hints | None = None, *, force: bool = False) -> ParseJob:
        """A picklable description of parsing one stored document, for :func:`parse_and_file`."""
        return ParseJob(self.settings, sha256, hints, force)

    def context(self, sha256: str) -> tuple[int, Hints, str, str | None, str | None]:
        """(document id, stored hints, name, content type, current parser version) of a document."""
        def work(session: Session) -> tuple[int, Hints, str, str | None, str | None]:
            doc_id = session.scalar(select(Document.id).where(Document.sha256 == sha256))
            if doc_id is None:
                raise BlobMissing(sha256)
            hints, name, content_type = provenance.document_context(session, doc_id)
            version = session.scalar(select(Parse.parser_version).where(Parse.document_id == doc_id,
                                                                        Parse.is_current))
            return doc_id, hints, name, content_type, version
        return self.read(work)

    def parse_and_file(self, sha256: str, hints: Hints | None = None, *, force: bool = False) -> Filed:
        """Parse a stored document (unless already parsed by this parser version) and file it."""
        doc_id, stored_hints, name, content_type, version = self.context(sha256)
        if version == current_parser_version() and not force:
            why = f"already parsed by parser {version}"
            return self.read(lambda s: filing.unchanged(s, s.get(Document, doc_id), why))
        hints = (hints or Hints()).merged(stored_hints)
        result, ms = parse_bytes(self.read_blob(sha256), name=name, content_type=content_type, hints=hints,
                                 sha256=sha256)
        return self.file(sha256, result, hints=hints, duration_ms=ms, force=force, document_id=doc_id)

    def file(self, sha256: str, result: Any, *, hints: Hints | None = None, duration_ms: int | None = None,
             force: bool = False, document_id: int | None = None,
             also: Callable[[Session, Filed, filing.Change | None], None] | None = None) -> Filed:
        """File a ParseResult computed elsewhere (the "parse in a worker, file here" split)."""
        if document_id is None or hints is None:
            doc_id, stored_hints, *_ = self.context(sha256)
            document_id, hints = doc_id, (hints or Hints()).merged(stored_hints)

        def work(session: Session) -> Filed:
            doc = session.get(Document, document_id)
            filed, change = filing.file_result(session, doc, result, hints, duration_ms=duration_ms, force=force)
            if also is not None:
                also(session, filed, change)
            return filed
        return self.write(work)

    # --- crawl runs ------------------------------------------------------------------------

    def start_run(self, *, spider: str | None = None, settings: Mapping[str, Any] | None = None) -> int:
        return self.write(lambda s: runs.start(s, spider=spider, settings=settings))

    def save_portal_counts(self, run_id: int, portal_id: str, counts: PortalCounts) -> None:
        self.write(lambda s: runs.save_counts(s, run_id, portal_id, counts))

    def finish_run(self, run_id: int, *, status: str = "finished", summary: Mapping[str, Any] | None = None,
                   portals: Mapping[str, PortalCounts] | None = None) -> None:
        def work(session: Session) -> None:
            for portal_id, counts in (portals or {}).items():
                runs.save_counts(session, run_id, portal_id, counts)
            runs.finish(session, run_id, status=status, summary=summary)
        self.write(work)

    def previous_counts(self, portal_id: str, *, before_run: int | None = None) -> tuple[int, PortalCounts] | None:
        """(run id, counters) of the last finished run that visited ``portal_id``."""
        return self.read(lambda s: runs.previous_counts(s, portal_id, before_run))

    def register_portals(self, portals: Iterable[PortalInfo]) -> int:
        items = list(portals)
        return self.write(lambda s: runs.register_portals(s, items))
