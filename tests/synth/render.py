"""``render(obj, fmt) -> bytes`` for every format, and ``render_many`` that batches LibreOffice.

Formats: text, html (the report inside portal chrome), html_body (the report's fragment),
html_word (Word "Save as Web Page"), docx (python-docx), doc and wps (DOC by LibreOffice; WPS
Office saves .wps files in the same binary format), pdf (LibreOffice from the DOCX, or Chromium
printing the HTML when ``Style.pdf_engine`` says so), scan_pdf (the PDF's pages as images, no
text layer). doc, wps, pdf and scan_pdf are slow: pass many to ``render_many`` at once.
"""
from __future__ import annotations

import hashlib
from collections.abc import Sequence

from tests.synth import chrome, chromium, office, pdfs, render_docx, render_html, render_text, render_word
from tests.synth.build import build
from tests.synth.doc import Doc
from tests.synth.documents import Document
from tests.synth.report import Report

FORMATS = ("text", "html", "html_body", "html_word", "docx", "doc", "wps", "pdf", "scan_pdf")
OFFICE_FORMATS = frozenset({"doc", "wps", "pdf", "scan_pdf"})
EXTENSIONS = {"text": "txt", "html": "html", "html_body": "html", "html_word": "htm", "docx": "docx",
              "doc": "doc", "wps": "wps", "pdf": "pdf", "scan_pdf": "pdf"}
CONTENT_TYPES = {"text": "text/plain; charset=utf-8", "html": "text/html; charset=utf-8",
                 "html_body": "text/html; charset=utf-8", "html_word": "text/html; charset=gb2312",
                 "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
                 "doc": "application/msword", "wps": "application/kswps", "pdf": "application/pdf",
                 "scan_pdf": "application/pdf"}
Renderable = Report | Document


def document(obj: Renderable) -> Doc:
    return build(obj) if isinstance(obj, Report) else obj.doc


def _author(obj: Renderable) -> str:
    return ("Administrator", "user", "dell", "lenovo", "微软用户", obj.agency[:4])[obj.seed % 6]


def _docx(obj: Renderable, rotate: bool = True) -> bytes:
    return render_docx.render(document(obj), obj.style, title=obj.title, author=_author(obj),
                              when=obj.publication_date, seed=obj.seed, rotate=rotate)


def _fast(obj: Renderable, fmt: str) -> bytes:
    doc = document(obj)
    st = obj.style
    if fmt == "text":
        return render_text.render(doc, st.text_mode, st.wrap_labels)
    if fmt == "html_body":
        return render_html.fragment(doc, st, obj.seed).encode("utf-8")
    if fmt == "html":
        body = render_html.fragment(doc, st, obj.seed)
        page = chrome.page(obj.title, body, obj.voice, obj.publication_date, st.chrome, obj.seed,
                           related=st.related_links, year=obj.year, layout_tables=st.layout_tables)
        if st.charset == "gbk":  # an older platform serving GBK pages
            return page.replace('<meta charset="utf-8"/>', '<meta http-equiv="Content-Type" '
                                'content="text/html; charset=gbk"/>').encode("gbk", errors="xmlcharrefreplace")
        return page.encode("utf-8")
    if fmt == "html_word":
        return render_word.render(doc, st, title=obj.title, author=_author(obj), when=obj.publication_date,
                                  seed=obj.seed)
    if fmt == "docx":
        return _docx(obj)
    raise ValueError(f"unknown format {fmt!r}; formats: {', '.join(FORMATS)}")


def _finish_pdf(obj: Renderable, raw: bytes) -> bytes:
    printed = obj.style.pdf_engine.startswith("chromium")  # keeps its own Creator/Producer
    return pdfs.stamp(raw, title=obj.title, author=_author(obj), when=obj.publication_date,
                      producer=None if printed else obj.seed)


def _scan(pdf: bytes) -> bytes:
    key = hashlib.sha256(b"synth-scan:2:" + pdf).hexdigest()
    data = office.cache_get(key, "scan.pdf")
    if data is None:
        data = pdfs.scan(pdf)
        office.cache_put(key, "scan.pdf", data)
    return data


def _chromium_pdfs(objs: list[Renderable]) -> list[bytes]:
    """PDFs printed by Chromium from each report's HTML fragment, cached by the page's hash."""
    pages = [chromium.page(obj.title, render_html.fragment(document(obj), obj.style, obj.seed),
                           "type3" if obj.style.pdf_engine == "chromium_type3" else "truetype") for obj in objs]
    keys = [hashlib.sha256(b"synth-chromium:1:" + html.encode()).hexdigest() for html in pages]
    out = {k: office.cache_get(k, "chromium.pdf") for k in keys}
    todo = list(dict.fromkeys(k for k, data in out.items() if data is None))
    if todo:
        printed = chromium.print_many([pages[keys.index(k)] for k in todo])
        for key, raw in zip(todo, printed, strict=True):
            out[key] = office.normalise_pdf(raw)
            office.cache_put(key, "chromium.pdf", out[key])
    return [out[k] for k in keys]  # type: ignore[misc]


def render_many(pairs: Sequence[tuple[Renderable, str]]) -> list[bytes]:
    """Render [(report or document, format)], converting every LibreOffice format in one batch."""
    for _, fmt in pairs:
        if fmt not in FORMATS:
            raise ValueError(f"unknown format {fmt!r}; formats: {', '.join(FORMATS)}")
    jobs: list[tuple[bytes, str, str]] = []
    index: dict[int, int] = {}
    printed: list[int] = []
    for i, (obj, fmt) in enumerate(pairs):
        if fmt in ("pdf", "scan_pdf") and obj.style.pdf_engine.startswith("chromium"):
            printed.append(i)
        elif fmt in OFFICE_FORMATS:
            index[i] = len(jobs)
            doc = fmt in ("doc", "wps")
            jobs.append((_docx(obj, rotate=doc), "docx", "doc" if doc else "pdf"))
    converted = office.convert_many(jobs) if jobs else []
    raw_pdf = {i: converted[j] for i, j in index.items()}
    raw_pdf |= dict(zip(printed, _chromium_pdfs([pairs[i][0] for i in printed]), strict=True))
    out = []
    for i, (obj, fmt) in enumerate(pairs):
        if fmt not in OFFICE_FORMATS:
            out.append(_fast(obj, fmt))
        elif fmt in ("doc", "wps"):
            out.append(raw_pdf[i])
        elif fmt == "pdf":
            out.append(_finish_pdf(obj, raw_pdf[i]))
        else:
            out.append(_scan(raw_pdf[i]))
    return out


def render(obj: Renderable, fmt: str) -> bytes:
    """The bytes of ``obj`` in format ``fmt`` (see FORMATS); deterministic."""
    return render_many([(obj, fmt)])[0]


def filename(obj: Renderable, fmt: str) -> str:
    return f"{obj.title}.{EXTENSIONS[fmt]}"


def content_type(fmt: str, obj: Renderable | None = None) -> str:
    """The Content-Type a portal serves ``fmt`` with (an ``html`` page may be GBK: pass ``obj``)."""
    if fmt == "html" and obj is not None and obj.style.charset == "gbk":
        return "text/html; charset=gbk"
    return CONTENT_TYPES[fmt]

