"""Plain typed records passed between the crawler (or ``nianbao ingest``) and the archive.

All are frozen dataclasses of simple values, so they pickle into worker processes and compare
in tests. The crawler builds a :class:`FetchRecord` for every response it decides about and hands
it to :meth:`archive.Archive.store` (documents) or :meth:`archive.Archive.record` (everything
else); it gets back :class:`Stored` and, after parsing, :class:`Filed`.
"""
from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any


class Outcome(enum.StrEnum):
    """What a fetch gave. Only DOCUMENT stores bytes; the others are recorded as provenance."""

    DOCUMENT = "document"
    NOT_MODIFIED = "not_modified"  # a 304 to If-None-Match / If-Modified-Since: nothing re-downloaded
    CHALLENGE = "challenge"        # an anti-bot page (412/521 JavaScript cookie challenge, captcha)
    SOFT_404 = "soft_404"          # status 200 with a "page not found" body
    HTTP_ERROR = "http_error"      # 4xx/5xx after retries
    TOO_LARGE = "too_large"        # over the size limit; not stored
    ERROR = "error"                # network or protocol failure


@dataclass(frozen=True)
class Region:
    """Where an agency sits: 省 / 市 / 县(区), and the 6-digit 行政区划代码 when known."""

    province: str | None = None
    city: str | None = None
    county: str | None = None
    code: str | None = None

    @property
    def parts(self) -> tuple[str | None, str | None, str | None]:
        return (self.province, self.city, self.county)

    @property
    def is_empty(self) -> bool:
        return not any(self.parts) and not self.code

    @classmethod
    def parse(cls, text: str | None) -> Region:
        """From ``"江苏省/淮安市/洪泽区"`` (the form ``nianbao ingest --region`` takes)."""
        parts = [p.strip() or None for p in (text or "").split("/")] + [None, None, None]
        return cls(parts[0], parts[1], parts[2])


@dataclass(frozen=True)
class Hints:
    """What the caller knows about a document before parsing: the portal's agency and region, the
    year from the list page. Stored with the fetch, so re-parsing replays them without the network."""

    agency: str | None = None
    year: int | None = None
    region: Region = field(default_factory=Region)

    def merged(self, other: Hints) -> Hints:
        """These hints, completed from ``other``."""
        region = self.region if not self.region.is_empty else other.region
        return Hints(self.agency or other.agency, self.year or other.year, region)


@dataclass(frozen=True)
class Listing:
    """A document's entry on a list page: title, publication date, 索引号, 发布机构, 文号."""

    title: str | None = None
    date: dt.date | None = None
    index_no: str | None = None
    publisher: str | None = None
    doc_no: str | None = None


@dataclass(frozen=True)
class FetchRecord:
    """One response (or local file) and everything known about how it was reached.

    ``headers`` may be Scrapy's (bytes keys, lists of bytes values) or a plain str mapping; ETag,
    Last-Modified, Content-Type and the Content-Disposition filename are read from it unless given.
    ``via`` is the chain of pages that led here, oldest first: ``[list page, detail page]`` for
    an attachment, ``[list page]`` for a detail page.
    """

    url: str
    outcome: Outcome = Outcome.DOCUMENT
    status: int | None = None
    final_url: str | None = None
    redirects: Sequence[str] = ()
    headers: Mapping[Any, Any] = field(default_factory=dict)
    fetched_at: dt.datetime | None = None
    kind: str = "document"  # detail | attachment | document | local
    method: str = "GET"
    referrer: str | None = None
    via: Sequence[str] = ()
    parent_fetch_id: int | None = None
    listing: Listing = field(default_factory=Listing)
    portal_id: str | None = None
    crawl_run_id: int | None = None
    hints: Hints = field(default_factory=Hints)
    error: str | None = None
    local_path: str | None = None
    content_type: str | None = None  # override of the header
    filename: str | None = None      # override of Content-Disposition / URL path


@dataclass(frozen=True)
class Stored:
    """What :meth:`Archive.store` did with a document response."""

    fetch_id: int
    document_id: int
    sha256: str
    size: int
    new_document: bool  # these bytes were not in the archive before
    changed: bool       # this URL gave other bytes (or nothing) the last time it was fetched
    repeat: bool        # same URL, same bytes as its last fetch: only last_seen_at was updated
    needs_parse: bool   # no parse of these bytes by the current parser version yet


@dataclass(frozen=True)
class LastFetch:
    """The last successful fetch of a URL: what a conditional request needs."""

    fetch_id: int
    url: str
    sha256: str
    etag: str | None
    last_modified: str | None
    fetched_at: dt.datetime
    last_seen_at: dt.datetime


@dataclass(frozen=True)
class Filed:
    """What filing one parse did to the archive."""

    document_id: int
    sha256: str
    parse_id: int | None
    parser_version: str
    status: str                      # the parse status (parsers.Status value)
    agency: str | None = None
    year: int | None = None
    report_id: int | None = None     # None when the document is not a report (or lacks agency/year)
    agency_id: int | None = None
    report_status: str | None = None
    report_created: bool = False
    report_changed: bool = False     # canonical facts or status differ from before
    skipped: str | None = None       # why nothing was filed (already parsed at this version, …)
    error: str | None = None         # the parse's one-line error, for statuses without facts


@dataclass(frozen=True)
class PortalCounts:
    """Per-portal counters of a crawl run."""

    reports_found: int = 0
    reports_new: int = 0
    reports_changed: int = 0
    reports_failed: int = 0
    pages: int = 0
    documents: int = 0
    bytes: int = 0
    errors: int = 0
    alerts: Sequence[str] = ()


@dataclass(frozen=True)
class PortalInfo:
    """A registry entry, as the crawler's portal registry gives it."""

    id: str
    name: str | None = None
    platform: str | None = None
    level: str | None = None
    region: Region = field(default_factory=Region)
    agency: str | None = None
    start_url: str | None = None
