"""Parsing off the caller's thread: what a worker process runs.

The crawler (or ``nianbao ingest --jobs``) submits :func:`parse_and_file` with a
:class:`ParseJob` to a process pool. The job is small and picklable (the archive's settings,
a sha256, optional hints); each worker process opens the archive once and keeps it. Parsing and
filing both happen in the worker; filing is safe with any number of workers at once (see
``archive.filing``). For a "parse in the worker, file in the main process" split, run
``archive.api.parse_bytes`` in the worker and :meth:`archive.Archive.file` in the main process.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from archive.records import Filed, Hints
from archive.settings import ArchiveSettings

if TYPE_CHECKING:
    from archive.api import Archive

_OPEN: dict[ArchiveSettings, Archive] = {}


@dataclass(frozen=True)
class ParseJob:
    settings: ArchiveSettings
    sha256: str
    hints: Hints | None = None  # completes the hints stored with the document's fetches
    force: bool = False         # parse again even if this parser version already did


def archive_for(settings: ArchiveSettings) -> Archive:
    """This process's archive for ``settings``, opened on first use."""
    from archive.api import Archive

    if settings not in _OPEN:
        _OPEN[settings] = Archive(settings, migrate=False)
    return _OPEN[settings]


def parse_and_file(job: ParseJob) -> Filed:
    """Parse one stored document and file the result; runs in any process."""
    return archive_for(job.settings).parse_and_file(job.sha256, job.hints, force=job.force)


def forget() -> None:
    """Drop this process's open archives (after a fork, or in tests)."""
    for archive in _OPEN.values():
        archive.engine.dispose(close=False)
    _OPEN.clear()
