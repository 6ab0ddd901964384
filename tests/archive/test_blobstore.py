"""The content-addressed blob store and the staging area (no database involved)."""
from __future__ import annotations

import hashlib
import os
import signal
import subprocess
import sys
import textwrap

import pytest

from archive.blobstore import FileSystemBlobStore, open_blob_store, read_verified
from archive.errors import BlobCorrupt, BlobMissing, TooLarge
from archive.staging import Staging


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def test_blobs_are_named_by_content_fanned_out_and_read_only(tmp_path):
    store = FileSystemBlobStore(tmp_path / "blobs")
    staging = Staging(tmp_path / "staging", store)
    staged = staging.write(b"report bytes", name="a.pdf", max_bytes=100)
    assert staged.sha256 == sha(b"report bytes")
    staging.publish(staged)
    path = tmp_path / "blobs" / staged.sha256[:2] / staged.sha256[2:4] / staged.sha256
    assert path.read_bytes() == b"report bytes"
    assert not os.access(path, os.W_OK) or os.geteuid() == 0  # root ignores permissions
    assert oct(path.stat().st_mode & 0o777) == "0o444"
    assert list(store) == [staged.sha256]
    assert not list((tmp_path / "staging").iterdir())


def test_existing_blob_is_never_rewritten(tmp_path):
    store = FileSystemBlobStore(tmp_path)
    digest = sha(b"one")
    first = tmp_path / "first"
    first.write_bytes(b"one")
    assert store.put_file(digest, first) is True
    impostor = tmp_path / "impostor"
    impostor.write_bytes(b"not one")
    assert store.put_file(digest, impostor) is False
    assert read_verified(store.open(digest), digest) == b"one"


def test_staging_skips_bytes_the_store_already_holds(tmp_path):
    store = FileSystemBlobStore(tmp_path / "blobs")
    staging = Staging(tmp_path / "staging", store)
    staging.publish(staging.write(b"same", name="a", max_bytes=10))
    again = staging.write(iter([b"sa", b"me"]), name="b", max_bytes=10)
    assert again.path is None and again.sha256 == sha(b"same")


def test_reads_are_verified(tmp_path):
    store = FileSystemBlobStore(tmp_path)
    digest = sha(b"original")
    src = tmp_path / "src"
    src.write_bytes(b"original")
    store.put_file(digest, src)
    path = store.path(digest)
    os.chmod(path, 0o644)
    path.write_bytes(b"bit rot")
    with pytest.raises(BlobCorrupt) as err:
        read_verified(store.open(digest), digest)
    assert digest in str(err.value) and sha(b"bit rot") in str(err.value)
    with pytest.raises(BlobMissing):
        store.open(sha(b"never stored"))


def test_size_cap_leaves_nothing_behind(tmp_path):
    staging = Staging(tmp_path / "staging", FileSystemBlobStore(tmp_path / "blobs"))
    chunks = (b"x" * 1000 for _ in range(50))
    with pytest.raises(TooLarge) as err:
        staging.write(chunks, name="http://portal.test/huge.pdf", max_bytes=10_000)
    assert "http://portal.test/huge.pdf" in str(err.value) and "10,000" in str(err.value)
    assert not list((tmp_path / "staging").iterdir())
    assert not list(FileSystemBlobStore(tmp_path / "blobs"))


def test_unknown_store_scheme_is_a_clear_error(tmp_path):
    from archive.errors import ConfigurationError

    with pytest.raises(ConfigurationError, match="s3://bucket"):
        open_blob_store("s3://bucket/prefix")
    assert isinstance(open_blob_store(f"file://{tmp_path}"), FileSystemBlobStore)


def test_sweep_finishes_what_a_killed_writer_left(tmp_path):
    """A process staging two blobs is killed; sweep publishes the committed one, deletes the other."""
    script = textwrap.dedent(f"""
        import sys, time
        from archive.blobstore import FileSystemBlobStore
        from archive.staging import Staging
        s = Staging(__import__("pathlib").Path({str(tmp_path / 'staging')!r}),
                    FileSystemBlobStore({str(tmp_path / 'blobs')!r}))
        s.write(b"committed", name="a", max_bytes=100)
        s.write(b"uncommitted", name="b", max_bytes=100)
        (s.root / ("tmp.partial~" + s._token())).write_bytes(b"half a downl")
        print("ready", flush=True)
        time.sleep(60)
    """)
    proc = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    assert proc.stdout.readline().strip() == "ready"
    store = FileSystemBlobStore(tmp_path / "blobs")
    staging = Staging(tmp_path / "staging", store)
    assert staging.sweep(lambda s: True) == {"published": 0, "deleted": 0}  # the writer is alive: hands off
    assert staging.find(sha(b"committed")) is not None
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    counts = staging.sweep(lambda digest: digest == sha(b"committed"))
    assert counts == {"published": 1, "deleted": 2}
    assert list(store) == [sha(b"committed")]
    assert not list((tmp_path / "staging").iterdir())
