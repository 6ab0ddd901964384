"""Synthetic 政府信息公开工作年度报告 with known facts, rendered to every format portals publish.

Deterministic from a seed (same arguments → byte-identical output in every format), and
rendered by real tools: python-docx for DOCX, LibreOffice for DOC/WPS/PDF (batched, cached by
content hash in ``$NIANBAO_CACHE_DIR/synth`` or ``~/.cache/nianbao/synth``), poppler for scans.

    from tests.synth import make_report, make_document, render, render_many, Report

    r = make_report(seed=7, agency="荥阳市政务服务和大数据管理局", year=2021, region="郑州市荥阳市")
    r.facts, r.derived, r.checks, r.layout, r.hybrid, r.title, r.publication_date
    render(r, "pdf")                       # bytes
    render_many([(r, "doc"), (r, "pdf")])  # one LibreOffice batch
    make_document(3, kind="notice", agency=..., year=2021)  # a non-report, same interface

Formats: text, html, html_body, html_word, docx, doc, wps, pdf, scan_pdf (``FORMATS``).
Perturbations: ``perturb=True`` (random realistic), ``False`` (plain), or a dict of ``Style``
fields (plain plus those); see tests/synth/style.py.
"""
from tests.synth.documents import KINDS, Document, make_document
from tests.synth.render import (
           CONTENT_TYPES,
           EXTENSIONS,
           FORMATS,
           content_type,
           document,
           filename,
           render,
           render_many,
)
from tests.synth.report import Report, make_report
from tests.synth.style import Style

__all__ = ["CONTENT_TYPES", "EXTENSIONS", "FORMATS", "KINDS", "Document", "Report", "Style", "content_type",
           "document", "filename", "make_document", "make_report", "render", "render_many"]
