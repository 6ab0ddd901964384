"""HTTP response headers as Chinese portals send them, decoded for provenance.

Portals name attachments every way there is: RFC 5987 ``filename*=UTF-8''…``, percent-encoded
UTF-8 or GBK inside a plain ``filename=``, raw GBK bytes (which Python's HTTP clients hand over as
latin-1 text), and now and then a MIME encoded word. :func:`content_disposition_filename` turns
all of them into the name a user would see in a browser.
"""
from __future__ import annotations

import email.header
import posixpath
import re
from collections.abc import Mapping
from typing import Any
from urllib.parse import unquote, unquote_to_bytes, urlsplit

_PARAM = re.compile(rb"""(?:^|;)\s*([!#$%&'*+.^_`|~0-9A-Za-z-]+)\s*=\s*("(?:[^"\\]|\\.)*"|[^;]*)""")
_PCT = re.compile(rb"%[0-9A-Fa-f]{2}")


def _as_bytes(value: bytes | str) -> bytes:
    if isinstance(value, bytes):
        return value
    try:
        return value.encode("latin-1")  # http.client and requests decode raw header bytes as latin-1
    except UnicodeEncodeError:
        return value.encode("utf-8")    # already real text


def decode_text(raw: bytes) -> str:
    """Bytes in whichever of UTF-8 or GB18030 (a superset of GBK) they are valid."""
    for codec in ("utf-8", "gb18030"):
        try:
            return raw.decode(codec)
        except UnicodeDecodeError:
            continue
    return raw.decode("utf-8", errors="replace")


def _clean(name: str) -> str | None:
    name = name.replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in name if ch >= " " and ch != "\x7f").strip().strip(".")
    return name or None


def content_disposition_filename(value: bytes | str | None) -> str | None:
    """The file name of a Content-Disposition header, decoded; None when it names none."""
    if not value:
        return None
    raw = _as_bytes(value)
    params: dict[bytes, bytes] = {}
    for key, val in _PARAM.findall(raw):
        val = val.strip()
        if val.startswith(b'"') and val.endswith(b'"') and len(val) >= 2:
            val = val[1:-1].replace(b'\\"', b'"')  # only \" : old upload forms send C:\path\name unescaped
        params.setdefault(key.lower(), val)
    extended = params.get(b"filename*")
    if extended:  # RFC 5987: charset'language'percent-encoded
        charset, _, rest = extended.partition(b"'")
        _, _, encoded = rest.partition(b"'")
        data = unquote_to_bytes(encoded or extended)
        try:
            return _clean(data.decode(charset.decode("ascii", "replace") or "utf-8"))
        except (LookupError, UnicodeDecodeError):
            return _clean(decode_text(data))
    plain = params.get(b"filename")
    if plain is None:
        return None
    if plain.startswith(b"=?") and plain.endswith(b"?="):  # MIME encoded word
        parts = email.header.decode_header(plain.decode("ascii", "replace"))
        return _clean("".join(p.decode(c or "utf-8", "replace") if isinstance(p, bytes) else p for p, c in parts))
    if _PCT.search(plain):
        plain = unquote_to_bytes(plain)
    return _clean(decode_text(plain))


def url_filename(url: str) -> str | None:
    """The last path segment of a URL, percent-decoded (UTF-8, else GBK)."""
    path = urlsplit(url).path
    segment = posixpath.basename(path)
    if not segment:
        return None
    try:
        return _clean(unquote(segment, errors="strict"))
    except UnicodeDecodeError:
        return _clean(decode_text(unquote_to_bytes(segment)))


def normalise(headers: Mapping[Any, Any] | None) -> dict[str, str]:
    """Lower-case names and text values; repeated headers joined with ``, `` as HTTP allows."""
    out: dict[str, str] = {}
    for name, value in (headers or {}).items():
        key = (name.decode("latin-1") if isinstance(name, bytes) else str(name)).lower()
        values = value if isinstance(value, list | tuple) else [value]
        texts = [decode_text(_as_bytes(v if isinstance(v, bytes) else str(v))) for v in values]
        out[key] = ", ".join(texts) if key != "set-cookie" else "\n".join(texts)
    return out


def raw_header(headers: Mapping[Any, Any] | None, name: str) -> bytes | str | None:
    """One header's first value as given (bytes stay bytes, for :func:`content_disposition_filename`)."""
    for key, value in (headers or {}).items():
        k = key.decode("latin-1") if isinstance(key, bytes) else str(key)
        if k.lower() == name:
            return value[0] if isinstance(value, list | tuple) and value else value
    return None
