"""PDF reports via pdfminer.six: file structure and fonts from pdfminer, text and ruling
lines from a lean interpreter (`pdfcontent`), tables rebuilt from them (`pdflayout`).

Refuses, with a reason: encrypted files that need a password, truncated or corrupt files,
and files whose text layer is missing (scans) or unusable (fonts without a Unicode
mapping, which extract as Latin-1 garbage or unmapped glyphs): those are `needs_ocr`.
"""
from __future__ import annotations

import io
import logging
import time

from pdfminer.pdfdocument import PDFDocument, PDFEncryptionError, PDFPasswordIncorrect
from pdfminer.pdfpage import PDFPage
from pdfminer.pdfparser import PDFParser
from pdfminer.psexceptions import PSException

from parsers.backends.pdfcontent import Interpreter, PageContent
from parsers.backends.pdffonts import FastResourceManager
from parsers.backends.pdflayout import layout_page
from parsers.document import Document
from parsers.errors import NeedsOcr, Unreadable
from parsers.limits import Limits
from parsers.textnorm import cjk_count

# pdfminer warns through `logging` about every oddity of a font (Chrome's fonts have no
# FontBBox, …); with no handler configured those land on stderr, one line per glyph run.
logging.getLogger("pdfminer").setLevel(logging.ERROR)


def load(data: bytes, *, limits: Limits, fmt: str = "pdf", content_type: str | None = None) -> Document:
    start = data.find(b"%PDF-")
    if start > 0:
        data = data[start:]
    if b"%%EOF" not in data[-2048:] and b"startxref" not in data[-4096:]:
        raise Unreadable("truncated PDF (the end of the file is missing)")
    deadline = time.monotonic() + limits.max_seconds
    try:
        document = PDFDocument(PDFParser(io.BytesIO(data)), password="")
    except PDFPasswordIncorrect as exc:
        raise Unreadable("encrypted PDF: a password is needed to open it") from exc
    except PDFEncryptionError as exc:
        raise Unreadable(f"encrypted PDF ({exc})") from exc
    except (PSException, ValueError, KeyError, TypeError, AttributeError, IndexError, AssertionError) as exc:
        raise Unreadable(f"corrupt PDF ({type(exc).__name__}: {str(exc)[:80]})") from exc
    rsrc = FastResourceManager(caching=True)
    interp = Interpreter(rsrc, deadline)
    doc = Document(format="pdf")
    contents: list[PageContent] = []
    try:
        for n, page in enumerate(PDFPage.create_pages(document), 1):
            if n > limits.max_pages:
                doc.warnings.append(f"only the first {limits.max_pages} pages were read")
                break
            if time.monotonic() > deadline:
                raise Unreadable(f"PDF takes too long to read (over {limits.max_seconds:.0f} s at page {n})")
            content = interp.page(page.contents, page.resources, page.cropbox, page.rotate)
            contents.append(content)
            doc.blocks += layout_page(content, n)
    except Unreadable:
        raise
    except (PSException, ValueError, KeyError, TypeError, AttributeError, IndexError, AssertionError,
            RecursionError, ZeroDivisionError) as exc:
        if not contents:
            raise Unreadable(f"corrupt PDF ({type(exc).__name__}: {str(exc)[:80]})") from exc
        doc.warnings.append(f"PDF damaged after page {len(contents)}; the rest was not read")
    if not contents:
        raise Unreadable("PDF has no pages")
    doc.pages = len(contents)
    doc.images = sum(c.images for c in contents)
    doc.chars = sum(len(c.chars) for c in contents)
    _check_text_layer(contents)
    return doc


def _check_text_layer(contents: list[PageContent]) -> None:
    """Raise NeedsOcr when the text cannot be a Chinese report's text."""
    text = "".join(ch.text for c in contents for ch in c.chars)
    total = len(text)
    undecodable = sum(c.undecodable for c in contents)
    images = sum(c.images for c in contents)
    cjk = cjk_count(text)
    if total < 20:
        if images:
            raise NeedsOcr(f"scanned PDF: no text layer ({images} images on {len(contents)} pages)")
        raise NeedsOcr("PDF has no text layer (text drawn as outlines or missing)")
    if undecodable > total / 2:
        raise NeedsOcr(f"text layer unusable: {undecodable} of {total} glyphs have no Unicode mapping")
    if cjk < 20 or cjk < 0.15 * total:
        raise NeedsOcr(f"text layer unusable: {total} characters but only {cjk} Chinese "
                       "(fonts without a usable encoding)")
