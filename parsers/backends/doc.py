"""Legacy DOC, WPS (Kingsoft's DOC-compatible files) and RTF, converted to DOCX by LibreOffice.

Conversion runs `soffice --headless` with a private user profile (never the user's own), in
its own process group, with a hard timeout after which the whole group is killed. Profiles
are kept in a small pool guarded by file locks, so concurrent conversions do not collide and
LibreOffice does not pay its first-start cost every time. Results are cached by the sha256
of the input in `$NIANBAO_CACHE_DIR` (default `~/.cache/nianbao/convert`), written atomically.
"""
from __future__ import annotations

import contextlib
import fcntl
import hashlib
import os
import shutil
import signal
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

from parsers.backends import docx
from parsers.document import Document
from parsers.errors import ConversionError
from parsers.limits import Limits

PROFILES = 4  # concurrent conversions before callers wait for a free profile
_SUFFIX = {"doc": ".doc", "wps": ".doc", "rtf": ".rtf"}


def cache_dir() -> Path:
    """`$NIANBAO_CACHE_DIR/convert`, by default `~/.cache/nianbao/convert`."""
    root = os.environ.get("NIANBAO_CACHE_DIR")
    return (Path(root) if root else Path.home() / ".cache" / "nianbao") / "convert"


def soffice() -> str:
    for name in ("soffice", "libreoffice"):
        path = shutil.which(name)
        if path:
            return path
    raise ConversionError("LibreOffice is not installed (soffice not found); DOC/WPS files need it")


def load(data: bytes, *, limits: Limits, fmt: str = "doc", content_type: str | None = None) -> Document:
    converted = to_docx(data, fmt, limits)
    doc = docx.load(converted, limits=limits, fmt=fmt)
    doc.format = fmt
    return doc


def to_docx(data: bytes, fmt: str, limits: Limits) -> bytes:
    """The DOCX LibreOffice makes of `data`, from the cache when it was converted before."""
    digest = hashlib.sha256(data).hexdigest()
    cached = cache_dir() / digest[:2] / f"{digest}.docx"
    if cached.is_file():
        return cached.read_bytes()
    result = _convert(data, _SUFFIX.get(fmt, ".doc"), limits.convert_timeout)
    cached.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=cached.parent, prefix=".tmp-", suffix=".docx")
    with os.fdopen(fd, "wb") as fh:
        fh.write(result)
    os.replace(tmp, cached)
    return result


@contextlib.contextmanager
def _profile() -> Iterator[Path]:
    """A private LibreOffice profile directory from the pool, locked while in use."""
    base = cache_dir().parent / "lo-profiles"
    base.mkdir(parents=True, exist_ok=True)
    while True:
        for i in range(PROFILES):
            lock_path = base / f"profile-{i}.lock"
            fh = open(lock_path, "a+")  # noqa: SIM115 - held for the duration of the conversion
            try:
                fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError:
                fh.close()
                continue
            try:
                yield base / f"profile-{i}"
                return
            finally:
                fcntl.flock(fh, fcntl.LOCK_UN)
                fh.close()
        # every profile busy: wait for the first one
        with open(base / "profile-0.lock", "a+") as fh:
            fcntl.flock(fh, fcntl.LOCK_EX)
            fcntl.flock(fh, fcntl.LOCK_UN)


def _convert(data: bytes, suffix: str, timeout: float) -> bytes:
    exe = soffice()
    with tempfile.TemporaryDirectory(prefix="nianbao-convert-") as tmp, _profile() as profile:
        src = Path(tmp) / f"in{suffix}"
        src.write_bytes(data)
        out = Path(tmp) / "out"
        cmd = [exe, "--headless", "--norestore", "--nologo", "--nodefault", "--nolockcheck",
               f"-env:UserInstallation={profile.resolve().as_uri()}",
               "--convert-to", "docx:MS Word 2007 XML", "--outdir", str(out), str(src)]
        env = dict(os.environ, HOME=tmp, SAL_USE_VCLPLUGIN="svp")
        proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL,
                                start_new_session=True, env=env)
        try:
            _, err = proc.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)
            proc.communicate()
            raise ConversionError(f"LibreOffice did not finish converting within {timeout:.0f} s") from None
        finally:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)  # no stray children left behind
        target = out / "in.docx"
        if not target.is_file():
            why = (err.decode("utf-8", "replace").strip().splitlines() or [f"exit code {proc.returncode}"])[-1]
            raise ConversionError(f"LibreOffice could not convert the file ({why[:120]})")
        return target.read_bytes()
