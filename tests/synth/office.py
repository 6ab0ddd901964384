"""LibreOffice conversions (DOCX → DOC, DOCX → PDF), batched and cached by content hash.

One ``soffice`` start costs seconds; one conversion inside a running soffice costs a fraction
of that. So ``convert_many`` converts every missing file of a batch with one soffice call per
target format (two in parallel on two cores, each with a private profile), and keeps each
result under ``$NIANBAO_CACHE_DIR/synth`` (default ``~/.cache/nianbao/synth``) keyed by the
sha256 of the input: a second run, or a second report with the same bytes, costs nothing.

Outputs are normalised before they are cached, so a clean machine produces the same bytes:
PDF dates, XMP and /ID are removed (``pdfs.stamp`` later sets deterministic ones); a DOC takes
its dates from the DOCX's fixed core properties, so it needs nothing.
"""
from __future__ import annotations

import concurrent.futures
import fcntl
import hashlib
import io
import os
import shutil
import signal
import subprocess
import tempfile
from pathlib import Path

import pikepdf

CACHE_VERSION = "5"
SOFFICE = shutil.which("soffice") or "/usr/bin/soffice"
FILTERS = {"doc": 'doc:MS Word 97', "pdf": "pdf:writer_pdf_Export"}
CHUNK = 40          # files per soffice call: bounds the damage of one hung conversion
SECONDS_PER_FILE = 20


class ConversionError(RuntimeError):
    """LibreOffice failed to convert a document (names the input and the reason)."""


def cache_dir() -> Path:
    base = os.environ.get("NIANBAO_CACHE_DIR")
    root = Path(base) / "synth" if base else Path.home() / ".cache" / "nianbao" / "synth"
    root.mkdir(parents=True, exist_ok=True)
    return root


def key_of(data: bytes, target: str) -> str:
    return hashlib.sha256(f"synth-office:{CACHE_VERSION}:{target}:".encode() + data).hexdigest()


def _cached(key: str, target: str) -> Path:
    return cache_dir() / key[:2] / f"{key}.{target}"


def cache_get(key: str, suffix: str) -> bytes | None:
    path = _cached(key, suffix)
    return path.read_bytes() if path.exists() else None


def cache_put(key: str, suffix: str, data: bytes) -> None:
    """Write atomically: a concurrent reader sees the whole file or none."""
    path = _cached(key, suffix)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(f".tmp{os.getpid()}")
    tmp.write_bytes(data)
    os.replace(tmp, path)


def normalise_pdf(data: bytes) -> bytes:
    """Drop what LibreOffice stamps per run: dates, XMP, /DocChecksum, the random /ID."""
    with pikepdf.open(io.BytesIO(data)) as pdf:
        for name in ("/CreationDate", "/ModDate"):
            if name in pdf.docinfo:
                del pdf.docinfo[name]
        if "/Metadata" in pdf.Root:
            del pdf.Root["/Metadata"]
        for name in ("/DocChecksum", "/ID"):  # a checksum over the whole file, time included; a random ID
            if name in pdf.trailer:
                del pdf.trailer[name]
        out = io.BytesIO()
        pdf.save(out, static_id=True, deterministic_id=False, compress_streams=True,
                 object_stream_mode=pikepdf.ObjectStreamMode.preserve)
        return out.getvalue()


def _normalise(data: bytes, target: str) -> bytes:
    # A DOC needs nothing: LibreOffice takes its dates from the DOCX's fixed core properties.
    return normalise_pdf(data) if target == "pdf" else data


FONT_ALIASES = {"仿宋_GB2312": "Noto Serif CJK SC", "仿宋": "Noto Serif CJK SC", "宋体": "Noto Serif CJK SC",
                "方正小标宋简体": "Noto Serif CJK SC", "楷体_GB2312": "Noto Serif CJK SC", "黑体": "Noto Sans CJK SC"}


def fonts_conf() -> Path:
    """Map the fonts government documents name to the installed Noto CJK faces.

    Without it fontconfig answers DejaVu Sans and LibreOffice falls back glyph by glyph,
    which doubles the time of a PDF export; with it the PDF embeds real CJK fonts, as one
    made on a machine that has 仿宋_GB2312 does.
    """
    path = cache_dir() / "fonts.conf"
    aliases = "".join(f'<alias binding="same"><family>{a}</family><prefer><family>{b}</family></prefer></alias>'
                      for a, b in FONT_ALIASES.items())
    text = ('<?xml version="1.0"?><!DOCTYPE fontconfig SYSTEM "urn:fontconfig:fonts.dtd"><fontconfig>'
            f'<include ignore_missing="yes">/etc/fonts/fonts.conf</include>{aliases}</fontconfig>\n')
    if not path.exists() or path.read_text(encoding="utf-8") != text:
        tmp = path.with_suffix(f".tmp{os.getpid()}")
        tmp.write_text(text, encoding="utf-8")
        os.replace(tmp, path)
    return path


def _profile(slot: int) -> Path:
    path = cache_dir() / "profiles" / f"lo-{slot}"
    path.mkdir(parents=True, exist_ok=True)
    return path


def _run_batch(slot: int, target: str, jobs: list[tuple[str, bytes, str]]) -> dict[str, bytes]:
    """Convert [(key, bytes, input extension)] in one soffice call; returns key → output bytes."""
    profile = _profile(slot)
    with open(profile.parent / f"lo-{slot}.lock", "w") as lock, tempfile.TemporaryDirectory(prefix="synth-lo-") as tmp:
        fcntl.flock(lock, fcntl.LOCK_EX)  # one soffice per profile, across processes too
        src, out = Path(tmp) / "in", Path(tmp) / "out"
        src.mkdir()
        paths = []
        for key, data, ext in jobs:
            path = src / f"{key}.{ext}"
            path.write_bytes(data)
            paths.append(str(path))
        cmd = [SOFFICE, "--headless", "--norestore", "--nolockcheck", "--nodefault", "--nologo",
               f"-env:UserInstallation=file://{profile}", "--convert-to", FILTERS[target],
               "--outdir", str(out), *paths]
        timeout = 60 + SECONDS_PER_FILE * len(jobs)
        env = {**os.environ, "HOME": str(profile), "SAL_USE_VCLPLUGIN": "svp", "FONTCONFIG_FILE": str(fonts_conf())}
        # its own process group, so a hung soffice.bin dies with the launcher on a timeout
        proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=tmp, env=env,
                                start_new_session=True)
        try:
            _, stderr = proc.communicate(timeout=timeout)
        except subprocess.TimeoutExpired as exc:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.communicate()
            raise ConversionError(f"soffice --convert-to {target} of {len(jobs)} files timed out "
                                  f"after {timeout} s") from exc
        results = {}
        for key, _, _ in jobs:
            made = out / f"{key}.{target}"
            if not made.exists():
                err = stderr.decode(errors="replace").strip().splitlines()[-1:] or ["no output"]
                raise ConversionError(f"soffice did not convert {key[:12]}….docx to {target} "
                                      f"(exit {proc.returncode}: {err[0]})")
            results[key] = _normalise(made.read_bytes(), target)
        return results


def convert_many(items: list[tuple[bytes, str, str]], workers: int | None = None) -> list[bytes]:
    """Convert [(input bytes, input extension, target "doc"|"pdf")], cached, in batches."""
    keys = [key_of(data, target) for data, _, target in items]
    found: dict[str, bytes] = {}
    todo: dict[str, dict[str, tuple[bytes, str]]] = {}
    for key, (data, ext, target) in zip(keys, items, strict=True):
        path = _cached(key, target)
        if key in found:
            continue
        if path.exists():
            found[key] = path.read_bytes()
        else:
            todo.setdefault(target, {})[key] = (data, ext)
    batches = []
    for target, jobs in todo.items():
        listed = [(k, d, e) for k, (d, e) in jobs.items()]
        n = max(1, min(workers or os.cpu_count() or 1, 2, -(-len(listed) // 4)))
        size = min(CHUNK, -(-len(listed) // n))
        batches += [(target, listed[i:i + size]) for i in range(0, len(listed), size)]
    if batches:
        n = max(1, min(workers or os.cpu_count() or 1, 2, len(batches)))
        with concurrent.futures.ThreadPoolExecutor(n) as pool:
            futures = [pool.submit(_run_batch, i % n, target, jobs) for i, (target, jobs) in enumerate(batches)]
            for (target, _), future in zip(batches, futures, strict=True):
                for key, data in future.result().items():
                    cache_put(key, target, data)
                    found[key] = data
    return [found[k] for k in keys]
