"""What a document is, from its bytes (never from its name).

Portals serve PDFs named .doc, HTML named .doc ("Word" pages), RTF named .doc, DOC files
named .wps, and images named .pdf. The name and Content-Type only serve to tell a DOC from a
WPS file and to word the error ("not a PDF (PNG image)").
"""
from __future__ import annotations

import io
import re
import zipfile

from parsers.errors import NeedsOcr, Unreadable

OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_IMAGES = (
    (b"\x89PNG\r\n\x1a\n", "PNG image"), (b"\xff\xd8\xff", "JPEG image"), (b"GIF87a", "GIF image"),
    (b"GIF89a", "GIF image"), (b"II*\x00", "TIFF image"), (b"MM\x00*", "TIFF image"), (b"BM", "BMP image"),
)
_OTHER = (
    (b"Rar!\x1a\x07", "RAR archive"), (b"7z\xbc\xaf\x27\x1c", "7-Zip archive"), (b"\x1f\x8b", "gzip file"),
    (b"OggS", "audio file"), (b"\x00\x00\x00\x18ftyp", "video file"), (b"\x00\x00\x00\x20ftyp", "video file"),
)
_HTML = re.compile(rb"^\s*(?:<\?xml[^>]*>\s*)?(?:<!--.*?-->\s*)*<(?:!doctype\s+html|html|head|body|meta|title|"
                   rb"table|div|p|span|style|script|link|h[1-6])[\s>/]", re.I | re.S)
_CLAIMS = {".pdf": "PDF", ".docx": "DOCX", ".doc": "DOC", ".wps": "WPS", ".html": "HTML", ".htm": "HTML",
           ".txt": "text"}


def _claimed(name: str, content_type: str | None) -> str | None:
    lower = name.lower()
    for ext, what in _CLAIMS.items():
        if lower.endswith(ext):
            return what
    ct = (content_type or "").lower()
    if "pdf" in ct:
        return "PDF"
    if "wordprocessingml" in ct:
        return "DOCX"
    if "msword" in ct:
        return "DOC"
    return None


def detect(data: bytes, *, name: str = "", content_type: str | None = None) -> str:
    """One of pdf, docx, doc, wps, rtf, html, text; or raise Unreadable/NeedsOcr saying why."""
    if not data:
        raise Unreadable("empty file (0 bytes)")
    head = data[:2048]
    claimed = _claimed(name, content_type)
    if b"%PDF-" in data[:1024]:
        return "pdf"
    if head.startswith(OLE2):
        return _ole_kind(data, name, claimed)
    if head.startswith(b"{\\rtf"):
        return "rtf"
    if head.startswith(b"PK\x03\x04") or head.startswith(b"PK\x05\x06"):
        return _zip_kind(data, claimed)
    for magic, what in _IMAGES:
        if head.startswith(magic):
            if claimed and claimed != "text":
                raise Unreadable(f"not a {claimed} ({what})")
            raise NeedsOcr(f"{what}: no text layer")
    for magic, what in _OTHER:
        if head.startswith(magic):
            raise Unreadable(f"not a report document ({what})" if not claimed else f"not a {claimed} ({what})")
    stripped = head.lstrip(b"\xef\xbb\xbf")
    if _HTML.match(stripped) or (content_type or "").lower().startswith(("text/html", "application/xhtml")):
        return "html"
    if _looks_like_text(head):
        if claimed in ("PDF", "DOCX", "DOC", "WPS") and b"<" in head and re.search(rb"<(?:html|table|p|div)\b", data[:65536], re.I):
            return "html"  # "Word" documents that are HTML pages
        if claimed == "PDF":
            raise Unreadable("not a PDF (text file)")
        return "text"
    if claimed:
        raise Unreadable(f"not a {claimed} (unknown binary data)")
    raise Unreadable("unknown binary format")


_OLE_STREAMS = (("WordDocument", None), ("Workbook", "Excel workbook"), ("Book", "Excel workbook"),
                ("PowerPoint Document", "PowerPoint presentation"), ("VisioDocument", "Visio drawing"))


def _ole_kind(data: bytes, name: str, claimed: str | None) -> str:
    """DOC or WPS when the OLE2 container holds a WordDocument stream (names are UTF-16LE in
    its directory); other Office files and junk are refused without starting LibreOffice."""
    for stream, what in _OLE_STREAMS:
        if stream.encode("utf-16-le") in data:
            if what is None:
                return "wps" if name.lower().endswith(".wps") else "doc"
            raise Unreadable(f"not a report document ({what})" if not claimed else f"not a {claimed} ({what})")
    raise Unreadable("corrupt DOC/WPS file, or an old WPS format LibreOffice cannot read "
                     "(an OLE2 container without a WordDocument stream)")


def _looks_like_text(head: bytes) -> bool:
    if b"\x00" in head and not head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return False
    try:
        head.decode("utf-8")
        return True
    except UnicodeDecodeError as exc:
        if exc.start >= len(head) - 4:  # a multi-byte character cut by the 2 KB window
            return True
    try:
        head.decode("gb18030")
        return True
    except UnicodeDecodeError:
        return False


def _zip_kind(data: bytes, claimed: str | None) -> str:
    try:
        names = set(zipfile.ZipFile(io.BytesIO(data)).namelist())
    except (zipfile.BadZipFile, ValueError, OSError) as exc:
        raise Unreadable(f"corrupt ZIP container ({exc})") from exc
    if "word/document.xml" in names:
        return "docx"
    if "OFD.xml" in names:
        raise Unreadable("OFD document (not supported; the portal usually offers a PDF twin)")
    if "xl/workbook.xml" in names:
        raise Unreadable("not a report document (Excel workbook)")
    if "content.xml" in names:
        raise Unreadable("OpenDocument file (not supported)")
    raise Unreadable("not a report document (ZIP archive)" if not claimed else f"not a {claimed} (ZIP archive)")
