"""The SQL archive: raw documents with provenance, one report per agency and year, re-parse.

Storage layout (under ``NIANBAO_DATA_DIR``, default ``./data``)::

    nianbao.sqlite            the embedded database (WAL); or PostgreSQL via NIANBAO_DATABASE_URL
    blobs/ab/cd/<sha256>      every document's bytes, read-only, verified on read, never rewritten
    staging/                  bytes whose database row is being committed (see archive.staging)

Public API (details in docs/archive.md)::

    from archive import Archive, FetchRecord, Hints, Listing, Outcome, Region, ParseJob, parse_and_file

Layers: ``records`` (typed values) → ``blobstore`` / ``staging`` (bytes) → ``models`` / ``db``
(tables, migrations, transactions) → ``provenance`` / ``agencies`` / ``filing`` / ``runs`` (rules)
→ ``api.Archive`` (the facade) → ``ingest`` / ``reparse`` / ``export`` / ``stats`` / ``browse`` →
``cli``. ``archive`` imports ``parsers`` and never ``crawler``.
"""
from archive.api import Archive, ParserCrashed
from archive.errors import (
    ArchiveError,
    BlobCorrupt,
    BlobError,
    BlobMissing,
    ConfigurationError,
    InputError,
    NotMigrated,
    TooLarge,
)
from archive.records import (
    FetchRecord,
    Filed,
    Hints,
    LastFetch,
    Listing,
    Outcome,
    PortalCounts,
    PortalInfo,
    Region,
    Stored,
)
from archive.settings import ArchiveSettings
from archive.work import ParseJob, parse_and_file

__all__ = [
    "Archive", "ArchiveError", "ArchiveSettings", "BlobCorrupt", "BlobError", "BlobMissing", "ConfigurationError",
    "FetchRecord", "Filed", "Hints", "InputError", "LastFetch", "Listing", "NotMigrated", "Outcome", "ParseJob",
    "ParserCrashed", "PortalCounts", "PortalInfo", "Region", "Stored", "TooLarge", "parse_and_file",
]
