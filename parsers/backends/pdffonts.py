"""Font loading for the PDF backend: pdfminer's fonts, with a fast ToUnicode reader.

pdfminer parses ToUnicode CMaps with its general PostScript parser, which costs more than
the whole page text on reports whose subset fonts each carry one. The ToUnicode syntax that
matters (`bfchar`, `bfrange`) is simple enough to read with regular expressions; the map is
then handed to pdfminer's font object, which does everything else (encodings, CIDs, widths).
"""
from __future__ import annotations

import contextlib
import re
from typing import Any

from pdfminer.pdffont import PDFFont, PDFUnicodeNotDefined
from pdfminer.pdfinterp import PDFResourceManager
from pdfminer.pdftypes import PDFStream, resolve1
from pdfminer.psparser import LIT

_SECTION = re.compile(rb"begin(bfchar|bfrange)(.*?)end\1", re.S)
_HEX = rb"<([0-9A-Fa-f\s]*)>"
_CHAR = re.compile(_HEX + rb"\s*(?:" + _HEX + rb"|/([^\s<>\[\]/]+))")
_RANGE = re.compile(_HEX + rb"\s*" + _HEX + rb"\s*(?:" + _HEX + rb"|\[(.*?)\])", re.S)
_ARRAY_ITEM = re.compile(_HEX)
MAX_RANGE = 65536


class ToUnicode:
    """A CID → text map with the interface pdfminer's fonts call (`get_unichr`)."""

    def __init__(self, mapping: dict[int, str]) -> None:
        self.cid2unichr = mapping

    def get_unichr(self, cid: int) -> str:
        return self.cid2unichr[cid]  # KeyError: not defined, as pdfminer expects


def _hex(raw: bytes) -> bytes:
    h = re.sub(rb"\s", b"", raw)
    if len(h) % 2:
        h += b"0"
    return bytes.fromhex(h.decode("ascii"))


def _text(code: bytes) -> str:
    return code.decode("utf-16-be", "ignore")


def parse_tounicode(data: bytes) -> dict[int, str]:
    out: dict[int, str] = {}
    for kind, body in _SECTION.findall(data):
        if kind == b"bfchar":
            for src, dst, name in _CHAR.findall(body):
                if dst or not name:
                    out[int.from_bytes(_hex(src), "big")] = _text(_hex(dst))
        else:
            for lo, hi, dst, array in _RANGE.findall(body):
                a, b = int.from_bytes(_hex(lo), "big"), int.from_bytes(_hex(hi), "big")
                if b < a or b - a > MAX_RANGE:
                    continue
                if array:
                    for i, item in enumerate(_ARRAY_ITEM.findall(array)):
                        if a + i <= b:
                            out[a + i] = _text(_hex(item))
                    continue
                base = _hex(dst)
                if len(base) < 2:
                    continue
                prefix, last = base[:-2], int.from_bytes(base[-2:], "big")
                for i in range(b - a + 1):
                    out[a + i] = _text(prefix + (last + i).to_bytes(2, "big")) if last + i < 0x10000 else ""
    return out


class IdentityCIDFont:
    """A Type0 font with Identity-H/V encoding and a ToUnicode map: the font of nearly every
    Chinese PDF (WPS, Word, LibreOffice). Only what the interpreter calls is implemented;
    pdfminer's own PDFCIDFont would also decompress and parse the embedded font program."""

    def __init__(self, spec: dict[str, Any], descendant: dict[str, Any], tounicode: dict[int, str]) -> None:
        self.fontname = str(getattr(spec.get("BaseFont"), "name", spec.get("BaseFont", "")))
        self.unicode_map = ToUnicode(tounicode)
        self.vertical = str(getattr(spec.get("Encoding"), "name", "")).endswith("-V")
        dw = resolve1(descendant.get("DW", 1000))
        self.default_width = float(dw) if isinstance(dw, (int, float)) else 1000.0
        self.widths = _cid_widths(resolve1(descendant.get("W")) or [])

    def is_multibyte(self) -> bool:
        return True

    def is_vertical(self) -> bool:
        return self.vertical

    def decode(self, data: bytes) -> list[int]:
        return [(data[i] << 8) | data[i + 1] for i in range(0, len(data) - 1, 2)]

    def char_width(self, cid: int) -> float:
        return self.widths.get(cid, self.default_width) * 0.001

    def to_unichr(self, cid: int) -> str:
        try:
            return self.unicode_map.get_unichr(cid)
        except KeyError:
            raise PDFUnicodeNotDefined(None, cid) from None


def _cid_widths(w: list[Any]) -> dict[int, float]:
    """The /W array: `c [w1 w2 …]` (consecutive CIDs) or `c_first c_last w` (a range)."""
    out: dict[int, float] = {}
    i, n = 0, len(w)
    while i < n:
        first = resolve1(w[i])
        nxt = resolve1(w[i + 1]) if i + 1 < n else None
        if isinstance(nxt, list) and isinstance(first, int):
            for k, width in enumerate(nxt):
                width = resolve1(width)
                if isinstance(width, (int, float)):
                    out[first + k] = float(width)
            i += 2
        elif i + 2 < n and isinstance(first, int) and isinstance(nxt, int):
            width = resolve1(w[i + 2])
            if isinstance(width, (int, float)) and 0 <= nxt - first <= MAX_RANGE:
                for cid in range(first, nxt + 1):
                    out[cid] = float(width)
            i += 3
        else:
            i += 1
    return out


def _identity_font(spec: dict[str, Any]) -> IdentityCIDFont | None:
    if getattr(spec.get("Subtype"), "name", None) != "Type0":
        return None
    if str(getattr(resolve1(spec.get("Encoding")), "name", "")) not in ("Identity-H", "Identity-V"):
        return None
    tounicode = resolve1(spec.get("ToUnicode"))
    descendants = resolve1(spec.get("DescendantFonts"))
    if not isinstance(tounicode, PDFStream) or not isinstance(descendants, list) or not descendants:
        return None
    descendant = resolve1(descendants[0])
    if not isinstance(descendant, dict):
        return None
    return IdentityCIDFont(spec, descendant, parse_tounicode(tounicode.get_data()))


class FastResourceManager(PDFResourceManager):
    """pdfminer's resource manager, with a fast path for Identity-encoded CID fonts and a
    fast ToUnicode reader for the others."""

    def get_font(self, objid: object, spec: Any) -> PDFFont:
        if objid and objid in self._cached_fonts:
            return self._cached_fonts[objid]
        fast = None
        if isinstance(spec, dict):
            try:
                fast = _identity_font(spec)
            except Exception:  # anything odd: let pdfminer read the font its own way
                fast = None
        if fast is not None:
            if objid and self.caching:
                self._cached_fonts[objid] = fast  # type: ignore[assignment]
            return fast  # type: ignore[return-value]
        tounicode = resolve1(spec.get("ToUnicode")) if isinstance(spec, dict) else None
        if isinstance(tounicode, PDFStream):
            spec = {k: v for k, v in spec.items() if k != "ToUnicode"}
            subtype = getattr(spec.get("Subtype"), "name", None)
            if subtype == "Type3" or ("Encoding" not in spec and subtype in ("Type1", "MMType1")):
                # The ToUnicode map gives the text; the encoding would only be read to be
                # ignored, and it is slow to read: a Type1 font without /Encoding makes pdfminer
                # parse the embedded font program, and Chrome's Type3 fonts carry long
                # /Differences of glyph names (dozens of fonts per document).
                spec["Encoding"] = LIT("StandardEncoding")
            font = super().get_font(None, spec)
            with contextlib.suppress(Exception):  # a broken map: keep what pdfminer derived from the encoding
                font.unicode_map = ToUnicode(parse_tounicode(tounicode.get_data()))  # type: ignore[attr-defined]
        else:
            font = super().get_font(None, spec)
        if objid and self.caching:
            self._cached_fonts[objid] = font
        return font
