"""PDF finishing: deterministic metadata, and image-only "scans" of a rendered PDF.

LibreOffice's PDF is stamped with the producer a real portal's file would show (WPS, Word or
LibreOffice) and the report's own date, then saved with a content-derived /ID. A scan is
the PDF's pages rasterised by poppler (``pdftoppm``), JPEG-compressed, one image per page, no
text layer: what a portal publishes as "（图片版）".
"""
from __future__ import annotations

import datetime as dt
import hashlib
import io
import subprocess
import tempfile
from pathlib import Path

import pikepdf
from PIL import Image

PRODUCERS = (("WPS 文字", ""), ("Microsoft® Word 2016", "Microsoft® Word 2016"), ("Writer", "LibreOffice 7.4"))


def stamp(data: bytes, *, title: str, author: str, when: dt.date, producer: int | None) -> bytes:
    """Title, author and the report's date; ``producer`` picks one of PRODUCERS (None: keep the PDF's own)."""
    stamp_time = f"D:{when:%Y%m%d}090000+08'00'"
    with pikepdf.open(io.BytesIO(data)) as pdf:
        info = pdf.docinfo
        info["/Title"] = pikepdf.String(title)
        info["/Author"] = pikepdf.String(author)
        if producer is not None:
            creator, made_by = PRODUCERS[producer % len(PRODUCERS)]
            info["/Creator"] = pikepdf.String(creator)
            if made_by:
                info["/Producer"] = pikepdf.String(made_by)
            elif "/Producer" in info:
                del info["/Producer"]
        info["/CreationDate"] = info["/ModDate"] = pikepdf.String(stamp_time)
        out = io.BytesIO()
        pdf.save(out, deterministic_id=True)
        return out.getvalue()


def scan(data: bytes, dpi: int = 110, quality: int = 55) -> bytes:
    """An image-only PDF of ``data``'s pages (grey JPEG at ``dpi``), A4 like the source.

    Each page is turned by a fraction of a degree, as a sheet lies on a scanner's glass (the
    angle comes from the content, so the same PDF gives the same scan).
    """
    skew = (int.from_bytes(hashlib.sha256(data).digest()[:2], "big") / 65535 - 0.5) * 1.2
    with tempfile.TemporaryDirectory(prefix="synth-scan-") as tmp:
        src = Path(tmp) / "in.pdf"
        src.write_bytes(data)
        subprocess.run(["pdftoppm", "-gray", "-r", str(dpi), str(src), str(Path(tmp) / "p")],
                       check=True, capture_output=True, timeout=120)
        pages = sorted(Path(tmp).glob("p-*.pgm"), key=lambda p: int(p.stem.split("-")[1]))
        pdf = pikepdf.new()
        for path in pages:
            image = Image.open(path).rotate(skew, resample=Image.Resampling.BILINEAR, fillcolor=255)
            jpeg = io.BytesIO()
            image.save(jpeg, "JPEG", quality=quality, optimize=False)
            width, height = image.size
            xobject = pikepdf.Stream(pdf, jpeg.getvalue())
            xobject.Type, xobject.Subtype = pikepdf.Name.XObject, pikepdf.Name.Image
            xobject.Width, xobject.Height = width, height
            xobject.ColorSpace, xobject.BitsPerComponent = pikepdf.Name.DeviceGray, 8
            xobject.Filter = pikepdf.Name.DCTDecode
            w_pt, h_pt = width * 72 / dpi, height * 72 / dpi
            content = pikepdf.Stream(pdf, f"q {w_pt:.2f} 0 0 {h_pt:.2f} 0 0 cm /Im0 Do Q".encode())
            page = pikepdf.Page(pikepdf.Dictionary(
                Type=pikepdf.Name.Page, MediaBox=[0, 0, round(w_pt, 2), round(h_pt, 2)],
                Resources=pikepdf.Dictionary(XObject=pikepdf.Dictionary(Im0=xobject)), Contents=content))
            pdf.pages.append(page)
        pdf.docinfo["/Creator"] = pikepdf.String("Scanner")
        out = io.BytesIO()
        pdf.save(out, deterministic_id=True)
        return out.getvalue()
