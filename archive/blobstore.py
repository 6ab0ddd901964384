"""Content-addressed, write-once storage of raw document bytes.

A blob is named by the SHA-256 of its bytes, never by a URL, so the same report served from two
portals is stored once. The file-system backend fans the names out as ``ab/cd/<sha256>``, adds a
blob with a hard link (an atomic create that never overwrites), makes it read-only, and verifies
the hash again whenever it is read back. Other backends (an S3-compatible store) implement the
small :class:`BlobStore` protocol and register a URI scheme in :data:`SCHEMES`.
"""
from __future__ import annotations

import contextlib
import hashlib
import os
import pathlib
import shutil
import uuid
from collections.abc import Callable, Iterator
from typing import BinaryIO, Protocol, runtime_checkable
from urllib.parse import urlsplit

from archive.errors import BlobCorrupt, BlobMissing, ConfigurationError

CHUNK = 1024 * 1024


def is_sha256(name: str) -> bool:
    return len(name) == 64 and all(c in "0123456789abcdef" for c in name)


@runtime_checkable
class BlobStore(Protocol):
    """Where verified blobs live. Implementations must make ``put_file`` create-if-absent."""

    def exists(self, sha256: str) -> bool: ...

    def open(self, sha256: str) -> BinaryIO:
        """The stored bytes, unverified; raises BlobMissing."""
        ...

    def put_file(self, sha256: str, path: pathlib.Path) -> bool:
        """Add the local file ``path`` (whose hash the caller has checked) as ``sha256``.

        Returns False when the blob was already there (it is never rewritten).
        """
        ...

    def delete(self, sha256: str) -> None:
        """Only for repair tools: blobs are otherwise immutable."""
        ...

    def __iter__(self) -> Iterator[str]: ...


class FileSystemBlobStore:
    """Blobs as read-only files ``<root>/ab/cd/<sha256>``."""

    def __init__(self, root: str | os.PathLike[str]) -> None:
        self.root = pathlib.Path(root)

    def __repr__(self) -> str:
        return f"FileSystemBlobStore({str(self.root)!r})"

    def path(self, sha256: str) -> pathlib.Path:
        if not is_sha256(sha256):
            raise ValueError(f"not a sha256: {sha256!r}")
        return self.root / sha256[:2] / sha256[2:4] / sha256

    def exists(self, sha256: str) -> bool:
        return self.path(sha256).is_file()

    def open(self, sha256: str) -> BinaryIO:
        try:
            return self.path(sha256).open("rb")
        except FileNotFoundError:
            raise BlobMissing(sha256) from None

    def put_file(self, sha256: str, path: pathlib.Path) -> bool:
        target = self.path(sha256)
        if target.exists():
            return False
        target.parent.mkdir(parents=True, exist_ok=True)
        try:
            os.link(path, target)  # atomic, and fails rather than overwrite
        except FileExistsError:
            return False
        except OSError:  # another file system (or no hard links): copy, then rename into place
            tmp = target.with_name(f".{sha256}.{uuid.uuid4().hex}.tmp")
            shutil.copyfile(path, tmp)
            _fsync_file(tmp)
            if target.exists():
                tmp.unlink()
                return False
            os.replace(tmp, target)
        os.chmod(target, 0o444)
        fsync_dir(target.parent)
        return True

    def delete(self, sha256: str) -> None:
        with contextlib.suppress(FileNotFoundError):
            self.path(sha256).unlink()

    def __iter__(self) -> Iterator[str]:
        if not self.root.is_dir():
            return
        for first in sorted(self.root.iterdir()):
            if len(first.name) != 2 or not first.is_dir():
                continue
            for second in sorted(first.iterdir()):
                for blob in sorted(second.iterdir()):
                    if is_sha256(blob.name):
                        yield blob.name


SCHEMES: dict[str, Callable[[str], BlobStore]] = {
    "file": lambda uri: FileSystemBlobStore(urlsplit(uri).path),
}


def open_blob_store(location: str) -> BlobStore:
    """A store from a path or ``scheme://`` URI (``file://`` built in; more via :data:`SCHEMES`)."""
    scheme = urlsplit(location).scheme if "://" in location else ""
    if not scheme:
        return FileSystemBlobStore(location)
    if scheme not in SCHEMES:
        raise ConfigurationError(f"no blob store for {location!r}; known schemes: {sorted(SCHEMES)}")
    return SCHEMES[scheme](location)


def read_verified(stream: BinaryIO, sha256: str) -> bytes:
    """All bytes of ``stream``, after checking they hash to ``sha256``."""
    with stream:
        data = stream.read()
    actual = hashlib.sha256(data).hexdigest()
    if actual != sha256:
        raise BlobCorrupt(sha256, actual)
    return data


def _fsync_file(path: pathlib.Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def fsync_dir(path: pathlib.Path) -> None:
    with contextlib.suppress(OSError):  # not every file system lets a directory be fsynced
        _fsync_file(path)
