"""Where the archive lives: database URL, data directory, limits — from arguments or environment.

Defaults suit a laptop: everything under ``./data`` (``data/nianbao.sqlite`` and
``data/blobs``). A server sets ``NIANBAO_DATABASE_URL`` (PostgreSQL) and ``NIANBAO_DATA_DIR``.

| variable | default | meaning |
| --- | --- | --- |
| ``NIANBAO_DATA_DIR`` | ``data`` | root of the blob store and the default SQLite file |
| ``NIANBAO_DATABASE_URL`` | ``sqlite:///<data dir>/nianbao.sqlite`` | SQLAlchemy URL; ``postgresql://`` uses psycopg 3 |
| ``NIANBAO_BLOB_STORE`` | ``<data dir>/blobs`` | blob store location (a path or ``file://`` URI) |
| ``NIANBAO_MAX_DOCUMENT_BYTES`` | 268435456 (256 MiB) | larger documents are refused, never stored |
"""
from __future__ import annotations

import os
import pathlib
from dataclasses import dataclass

from sqlalchemy.engine import URL, make_url

from archive.errors import ConfigurationError

DEFAULT_MAX_DOCUMENT_BYTES = 256 * 1024 * 1024


def normalise_url(url: str) -> str:
    """Accept the URL forms users type and pin the drivers nianbao ships with."""
    try:
        parsed: URL = make_url(url)
    except Exception as exc:  # sqlalchemy raises ArgumentError with a terse message
        raise ConfigurationError(f"not a database URL: {url!r} ({exc})") from exc
    driver = parsed.drivername
    if driver in ("postgresql", "postgres", "postgresql+psycopg2"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    elif driver not in ("sqlite", "sqlite+pysqlite", "postgresql+psycopg"):
        raise ConfigurationError(f"unsupported database {driver!r} in {url!r}: use sqlite:/// or postgresql://")
    return parsed.render_as_string(hide_password=False)


@dataclass(frozen=True)
class ArchiveSettings:
    """Everything needed to open an archive; picklable, so worker processes get a copy."""

    database_url: str
    data_dir: pathlib.Path
    blob_store: str
    max_document_bytes: int = DEFAULT_MAX_DOCUMENT_BYTES

    @classmethod
    def resolve(cls, database_url: str | None = None, data_dir: str | os.PathLike[str] | None = None,
                *, blob_store: str | None = None, max_document_bytes: int | None = None) -> ArchiveSettings:
        root = pathlib.Path(data_dir or os.environ.get("NIANBAO_DATA_DIR") or "data").absolute()
        url = database_url or os.environ.get("NIANBAO_DATABASE_URL") or f"sqlite:///{root / 'nianbao.sqlite'}"
        store = blob_store or os.environ.get("NIANBAO_BLOB_STORE") or str(root / "blobs")
        limit = max_document_bytes or int(os.environ.get("NIANBAO_MAX_DOCUMENT_BYTES") or DEFAULT_MAX_DOCUMENT_BYTES)
        return cls(normalise_url(url), root, store, limit)

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")

    @property
    def redacted_url(self) -> str:
        return make_url(self.database_url).render_as_string(hide_password=True)
