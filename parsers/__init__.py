"""Bytes in, facts out: parsing of 政府信息公开工作年度报告 documents.

Pure: no Scrapy, no database. Layers: format backends (``parsers.backends``) turn bytes into
one neutral document model (paragraphs and tables as cell grids); the report recognizer
decides what the document is; the table mapper turns grids into the fact keys of
``report-schema.md``; checks verify the printed numbers.

Public API::

    from parsers import parse_bytes, parse_path, PARSER_VERSION, ParseResult, Status
    result = parse_bytes(data, name="report.pdf", agency_hint=None, year_hint=None)
    result.to_json()

Bad input never raises: it comes back as a result with a status and a one-line ``error``.
"""
from parsers.result import Check, ParseResult, Status, Where

PARSER_VERSION = "0.0.0"  # bump when the output of any document may change

__all__ = ["PARSER_VERSION", "Check", "ParseResult", "Status", "Where", "parse_bytes", "parse_path"]


def parse_bytes(data: bytes, *, name: str = "<bytes>", content_type: str | None = None,
                agency_hint: str | None = None, year_hint: int | None = None) -> ParseResult:
    raise NotImplementedError  # being written (issue 2)


def parse_path(path, *, agency_hint: str | None = None, year_hint: int | None = None) -> ParseResult:
    raise NotImplementedError  # being written (issue 2)
