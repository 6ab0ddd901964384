"""The archive's exceptions: one small hierarchy, each carrying what a user needs to act.

Bad input (a file that is too big, a blob that fails its hash) is separated from operational
trouble (an archive that needs ``nianbao db upgrade``). Parse failures are not exceptions: they
are stored as parse rows with a status, as ``parsers`` returns them.
"""
from __future__ import annotations


class ArchiveError(Exception):
    """Base class of every error the archive raises on purpose.

    Subclasses keep their constructor arguments in ``_init`` so errors pickle across process
    pools (a worker's error reaches the main process intact).
    """

    _init: tuple[object, ...] | None = None

    def __reduce__(self):  # type: ignore[no-untyped-def]
        return (type(self), self._init if self._init is not None else self.args)


class ConfigurationError(ArchiveError):
    """A database URL or data directory that cannot be used."""


class NotMigrated(ArchiveError):
    """The database schema is missing or older than this version of nianbao."""

    def __init__(self, url: str, current: str | None, head: str) -> None:
        self.url, self.current, self.head = url, current, head
        self._init = (url, current, head)
        have = f"revision {current}" if current else "no nianbao schema"
        super().__init__(f"{url}: database has {have}, needs {head}; run `nianbao db upgrade --db {url}`")


class BlobError(ArchiveError):
    """A problem with one blob, named by its sha256."""

    def __init__(self, sha256: str, reason: str) -> None:
        self.sha256, self.reason = sha256, reason
        self._init = (sha256, reason)
        super().__init__(f"blob {sha256}: {reason}")


class BlobMissing(BlobError):
    def __init__(self, sha256: str) -> None:
        super().__init__(sha256, "missing from the blob store")
        self._init = (sha256,)


class BlobCorrupt(BlobError):
    def __init__(self, sha256: str, actual: str) -> None:
        self.actual = actual
        super().__init__(sha256, f"content hashes to {actual}: the stored file is corrupt")
        self._init = (sha256, actual)


class InputError(ArchiveError):
    """A document that cannot be stored, named by its path or URL."""

    def __init__(self, source: str, reason: str) -> None:
        self.source, self.reason = source, reason
        self._init = (source, reason)
        super().__init__(f"{source}: {reason}")


class TooLarge(InputError):
    def __init__(self, source: str, limit: int) -> None:
        self.limit = limit
        super().__init__(source, f"larger than the limit of {limit:,} bytes; not stored")
        self._init = (source, limit)
