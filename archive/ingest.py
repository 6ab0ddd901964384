"""``nianbao ingest``: add local files through the same path the crawler uses.

Each file is stored (blob + a ``local`` fetch row naming the file, and the URL it came from when
``--source-url`` says so), then parsed and filed like a crawled document. Running it again on the
same files adds nothing; after ``kill -9`` it finishes what was left (stored documents without a
current parse are parsed, the rest is skipped).
"""
from __future__ import annotations

import datetime as dt
import multiprocessing
import os
import pathlib
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass

from archive.api import Archive, ParserCrashed
from archive.errors import ArchiveError, InputError
from archive.records import FetchRecord, Filed, Hints, Listing, Stored
from archive.work import ParseJob, parse_and_file


@dataclass
class Ingested:
    path: str
    stored: Stored | None = None
    filed: Filed | None = None
    error: str | None = None


def expand(paths: Iterable[str | os.PathLike[str]]) -> Iterator[str]:
    """Files named, and the files under directories named (sorted, hidden ones skipped)."""
    for raw in paths:
        path = pathlib.Path(raw)
        if path.is_dir():
            for child in sorted(path.rglob("*")):
                if child.is_file() and not any(part.startswith(".") for part in child.relative_to(path).parts):
                    yield str(child)
        else:
            yield str(path)


def ingest(archive: Archive, paths: Iterable[str | os.PathLike[str]], *, hints: Hints | None = None,
           source_url: str | None = None, published: dt.date | None = None, title: str | None = None,
           jobs: int = 1, on_item: Callable[[Ingested], None] | None = None) -> list[Ingested]:
    files = list(expand(paths))
    if source_url and len(files) > 1:
        raise ArchiveError("--source-url names the origin of one file; give exactly one FILE with it")
    items: list[Ingested] = []
    for path in files:
        item = Ingested(path)
        absolute = os.path.abspath(path)
        record = FetchRecord(url=source_url or pathlib.Path(absolute).as_uri(), kind="local",
                             hints=hints or Hints(), listing=Listing(title=title, date=published))
        try:
            item.stored = archive.store_file(absolute, record)
        except InputError as exc:
            item.error = exc.reason
            if on_item:
                on_item(item)
        items.append(item)

    by_sha: dict[str, list[Ingested]] = {}
    for item in items:
        if item.stored is not None:
            by_sha.setdefault(item.stored.sha256, []).append(item)

    def done(sha: str, filed: Filed | None, error: str | None) -> None:
        for item in by_sha[sha]:
            item.filed, item.error = filed, error
            if on_item:
                on_item(item)

    shas = list(by_sha)
    if jobs > 1 and len(shas) > 1:
        with ProcessPoolExecutor(min(jobs, len(shas)), mp_context=multiprocessing.get_context("spawn")) as pool:
            futures = {sha: pool.submit(parse_and_file, ParseJob(archive.settings, sha)) for sha in shas}
            for sha, future in futures.items():
                try:
                    done(sha, future.result(), None)
                except ParserCrashed as exc:
                    done(sha, None, str(exc))
    else:
        for sha in shas:
            try:
                done(sha, archive.parse_and_file(sha), None)
            except ParserCrashed as exc:
                done(sha, None, str(exc))
    return items
