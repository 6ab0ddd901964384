"""Incoming bytes wait here until the database row that names them is committed.

The order of a store is: stream to a temp file while hashing (with a size cap) and fsync it;
rename it to ``staging/<sha256>~<worker>`` and fsync the directory; commit the document and fetch rows; then publish
the staged file into the blob store (create-if-absent) and remove it. So the blob store never
holds a blob that no document row names, and a committed row's bytes are always either published
or still staged (``find`` serves them from here in the meantime). ``kill -9`` at any point leaves
at most a temp or staged file of a dead worker, which :meth:`Staging.sweep` publishes (row
committed) or deletes (row not committed) the next time the archive is opened for writing.
"""
from __future__ import annotations

import contextlib
import hashlib
import io
import os
import pathlib
import uuid
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor, wait
from dataclasses import dataclass
from typing import BinaryIO

from archive import liveness
from archive.blobstore import CHUNK, BlobStore, fsync_dir, is_sha256
from archive.errors import ArchiveError, InputError, TooLarge

Source = bytes | BinaryIO | Iterable[bytes]


@dataclass
class StagedBlob:
    sha256: str
    size: int
    path: pathlib.Path | None  # None when the store already held these bytes


def _chunks(source: Source) -> Iterable[bytes]:
    if isinstance(source, bytes | bytearray | memoryview):
        source = io.BytesIO(source)
    if hasattr(source, "read"):
        reader: BinaryIO = source  # type: ignore[assignment]
        while chunk := reader.read(CHUNK):
            yield chunk
    else:
        yield from source  # type: ignore[misc]


_THREADS = ThreadPoolExecutor(max_workers=8, thread_name_prefix="staging")


class Staging:
    def __init__(self, root: pathlib.Path, store: BlobStore) -> None:
        self.root = root
        self.store = store

    def _token(self) -> str:
        return liveness.worker_id().replace(":", "~")

    def write(self, source: Source, *, name: str, max_bytes: int) -> StagedBlob:
        """Stage ``source``; raises TooLarge (nothing kept) past ``max_bytes``."""
        self.root.mkdir(parents=True, exist_ok=True)
        tmp = self.root / f"tmp.{uuid.uuid4().hex}~{self._token()}"
        digest, size = hashlib.sha256(), 0
        try:
            with tmp.open("wb") as out:
                for chunk in _chunks(source):
                    size += len(chunk)
                    if size > max_bytes:
                        raise TooLarge(name, max_bytes)
                    digest.update(chunk)
                    out.write(chunk)
                out.flush()
                os.fsync(out.fileno())
        except OSError as exc:
            tmp.unlink(missing_ok=True)
            raise InputError(name, f"cannot be read or staged: {exc.strerror or exc}") from exc
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise
        sha = digest.hexdigest()
        if self.store.exists(sha):
            tmp.unlink()
            return StagedBlob(sha, size, None)
        staged = self.root / f"{sha}~{self._token()}"
        os.replace(tmp, staged)
        return StagedBlob(sha, size, staged)

    def write_many(self, sources: Sequence[tuple[Source, str]], *, max_bytes: int) -> list[StagedBlob | ArchiveError]:
        """Stage several ``(source, name)`` at once: their hashing, writing and fsyncs overlap in
        threads, and one fsync of the staging directory makes all their names durable. A source
        that cannot be staged (too large, unreadable) gives its error in its place."""
        def stage(source: Source, name: str) -> StagedBlob | ArchiveError:
            try:
                return self.write(source, name=name, max_bytes=max_bytes)
            except ArchiveError as exc:
                return exc

        jobs = [_THREADS.submit(stage, src, name) for src, name in sources]
        wait(jobs)
        out = [job.result() for job in jobs if job.exception() is None]
        if len(out) < len(jobs):  # a defect, not a property of one source: stage nothing
            self.discard_many(b for b in out if isinstance(b, StagedBlob))
            raise next(job.exception() for job in jobs if job.exception() is not None)  # type: ignore[misc]
        first: dict[str, StagedBlob] = {}
        for blob in out:  # the same bytes twice share one staged file: publish it once
            if isinstance(blob, StagedBlob) and blob.path is not None:
                if blob.sha256 in first:
                    blob.path = None
                else:
                    first[blob.sha256] = blob
        if first:
            fsync_dir(self.root)
        return out

    def publish_many(self, blobs: Iterable[StagedBlob]) -> None:
        """Publish staged blobs; call only after their rows are committed (directory fsyncs overlap)."""
        for job in [_THREADS.submit(self.publish, b) for b in blobs if b.path is not None]:
            job.result()

    def discard_many(self, blobs: Iterable[StagedBlob]) -> None:
        for blob in blobs:
            self.discard(blob)

    def publish(self, blob: StagedBlob) -> None:
        """Move a staged blob into the store; call only after its row is committed."""
        if blob.path is not None:
            self.store.put_file(blob.sha256, blob.path)
            blob.path.unlink(missing_ok=True)
            blob.path = None

    def discard(self, blob: StagedBlob) -> None:
        if blob.path is not None:
            blob.path.unlink(missing_ok=True)
            blob.path = None

    def find(self, sha256: str) -> pathlib.Path | None:
        """A staged copy of ``sha256`` (committed but not yet published), if any."""
        if not self.root.is_dir():
            return None
        return next(iter(sorted(self.root.glob(f"{sha256}~*"))), None)

    def sweep(self, committed: Callable[[str], bool]) -> dict[str, int]:
        """Finish what dead workers left: publish committed blobs, delete the rest."""
        counts = {"published": 0, "deleted": 0}
        if not self.root.is_dir():
            return counts
        for path in sorted(self.root.iterdir()):
            head, sep, owner = path.name.partition("~")
            if not sep or not liveness.is_dead(owner.replace("~", ":")):
                continue
            keep = is_sha256(head) and committed(head)
            if keep:
                with contextlib.suppress(FileNotFoundError):
                    self.store.put_file(head, path)
            path.unlink(missing_ok=True)
            counts["published" if keep else "deleted"] += 1
        return counts
