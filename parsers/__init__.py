"""Bytes in, facts out: parsing of 政府信息公开工作年度报告 documents.

Pure: no Scrapy, no database. Layers: format backends (``parsers.backends``, chosen by
``parsers.sniff`` from magic bytes) turn bytes into one neutral document model
(``parsers.document``: paragraphs and tables as cell grids); ``parsers.tables`` maps the grids
to the fact keys of ``report-schema.md`` (labels via ``parsers.labels``, numbers via
``parsers.numbers``); ``parsers.meta`` finds agency and year; ``parsers.report`` decides the
status and runs ``parsers.checks``.

Public API::

    from parsers import parse_bytes, parse_path, PARSER_VERSION, ParseResult, Status
    result = parse_bytes(data, name="report.pdf", agency_hint=None, year_hint=None)
    result.to_json()

Bad input never raises: it comes back as a result with a status and a one-line ``error``.
"""
from __future__ import annotations

import os

from parsers.errors import BadInput
from parsers.limits import Limits
from parsers.result import Check, ParseResult, Status, Where

PARSER_VERSION = "1.1.1"  # bump when the output of any document may change (1.1: OCR fallback, unread cells; 1.1.1: OCR agency confirmed by 由…编制 and 请与…联系 too, else taken from the running headers when the title's reading is lone)

__all__ = ["PARSER_VERSION", "Check", "Limits", "ParseResult", "Status", "Where", "parse_bytes", "parse_path"]


def parse_bytes(data: bytes, *, name: str = "<bytes>", content_type: str | None = None,
                agency_hint: str | None = None, year_hint: int | None = None,
                limits: Limits | None = None) -> ParseResult:
    """Parse one document. Bad input gives a result with a status and ``error``, never raises."""
    from parsers import backends, sniff
    from parsers.report import analyze

    limits = limits or Limits.from_env()
    fmt: str | None = None
    try:
        if len(data) > limits.max_bytes:
            raise _too_big(len(data), limits)
        fmt = sniff.detect(data, name=name, content_type=content_type)
        doc = backends.load(fmt, data, limits=limits, content_type=content_type)
    except BadInput as exc:
        result = ParseResult(status=exc.status, parser_version=PARSER_VERSION, format=fmt, error=exc.reason)
    else:
        result = analyze(doc, version=PARSER_VERSION, agency_hint=agency_hint, year_hint=year_hint)
    if result.status is Status.NEEDS_OCR and fmt == "pdf" and limits.ocr:
        return _ocr(data, result, limits, agency_hint, year_hint)
    return result


def _ocr(data: bytes, refused: ParseResult, limits: Limits, agency_hint: str | None,
         year_hint: int | None) -> ParseResult:
    """The OCR fallback for a PDF the text path refused as `needs_ocr` (opt-in: Limits.ocr).

    What OCR reads is kept only when it is a whole report that adds up (`report.vet_ocr`);
    otherwise the result stays `needs_ocr`, its error saying what OCR found."""
    from parsers.backends import ocr
    from parsers.report import analyze, vet_ocr

    try:
        doc = ocr.load(data, limits=limits, reason=refused.error or "no usable text layer")
    except BadInput as exc:
        refused.error = f"{refused.error}; {exc.reason}"
        return refused
    doc.number_tables()
    result = analyze(doc, version=PARSER_VERSION, agency_hint=agency_hint, year_hint=year_hint)
    return vet_ocr(result, doc, refused.error or "no usable text layer", agency_hint, year_hint)


def parse_path(path: str | os.PathLike[str], *, agency_hint: str | None = None,
               year_hint: int | None = None, limits: Limits | None = None) -> ParseResult:
    """Parse a file; an unreadable path gives an UNREADABLE result naming the reason."""
    limits = limits or Limits.from_env()
    try:
        size = os.path.getsize(path)
        if size > limits.max_bytes:
            raise _too_big(size, limits)
        with open(path, "rb") as fh:
            data = fh.read()
    except OSError as exc:
        return ParseResult(status=Status.UNREADABLE, parser_version=PARSER_VERSION,
                           error=f"cannot read file ({exc.strerror or exc})")
    except BadInput as exc:
        return ParseResult(status=exc.status, parser_version=PARSER_VERSION, error=exc.reason)
    return parse_bytes(data, name=os.fspath(path), agency_hint=agency_hint, year_hint=year_hint, limits=limits)


def _too_big(size: int, limits: Limits) -> BadInput:
    from parsers.errors import Unreadable

    mb = 1024 * 1024
    return Unreadable(f"too big ({size / mb:.1f} MB; the limit is {limits.max_bytes / mb:.0f} MB, "
                      "set NIANBAO_MAX_BYTES to raise it)")
