"""``nianbao db verify``: does every document row have its blob, intact, and nothing else?"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

from sqlalchemy import select

from archive.api import Archive
from archive.blobstore import CHUNK
from archive.errors import BlobMissing
from archive.models import Document


@dataclass
class Verification:
    documents: int = 0
    blobs: int = 0
    missing: list[str] = field(default_factory=list)   # a row without its blob
    corrupt: list[str] = field(default_factory=list)   # a blob whose bytes hash to something else
    dangling: list[str] = field(default_factory=list)  # a blob no row names
    staged: int = 0                                    # files waiting in staging/

    @property
    def ok(self) -> bool:
        return not (self.missing or self.corrupt or self.dangling)


def verify(archive: Archive, *, hashes: bool = True) -> Verification:
    report = Verification()
    known = set(archive.read(lambda s: s.scalars(select(Document.sha256)).all()))
    report.documents = len(known)
    stored = set()
    for sha in archive.blobs:
        stored.add(sha)
        if sha not in known:
            report.dangling.append(sha)
        elif hashes:
            digest = hashlib.sha256()
            with archive.blobs.open(sha) as fh:
                while chunk := fh.read(CHUNK):
                    digest.update(chunk)
            if digest.hexdigest() != sha:
                report.corrupt.append(sha)
    report.blobs = len(stored)
    for sha in sorted(known - stored):
        try:
            archive.read_blob(sha)  # committed, possibly still staged
        except BlobMissing:
            report.missing.append(sha)
    root = archive.staging.root
    report.staged = sum(1 for _ in root.iterdir()) if root.is_dir() else 0
    return report
