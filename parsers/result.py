"""The result of parsing one document: the public contract of `parsers/`.

`ParseResult.to_json()` is exactly the object of ``report-schema.md`` (agency, year,
layout, facts, derived, checks, warnings) plus ``status``, ``parser_version`` and ``where``
(for each fact, where in the source it was read): nothing else, because scripts and the
scoring tool read it as a contract. The descriptive fields (format, title, kind, error) stay
on the object, and the archive stores them in columns of their own; in the JSON, a document
without facts says why in its one warning.
"""
from __future__ import annotations

import enum
from dataclasses import asdict, dataclass, field
from typing import Any


class Status(enum.StrEnum):
    """What became of a document. Only PARSED and PARTIAL carry facts."""

    PARSED = "parsed"            # a 2019/2021 report, every table read
    PARTIAL = "partial"          # a report, but some table or section could not be read
    NEEDS_OCR = "needs_ocr"      # no usable text layer (scan, garbled font encoding)
    LEGACY_FORMAT = "legacy_format"  # a pre-2019 report (old table layout)
    NOT_A_REPORT = "not_a_report"    # 工作要点, 通知, a 404 page, …
    UNREADABLE = "unreadable"    # corrupt, encrypted, truncated, wrong type, too big

    @property
    def has_facts(self) -> bool:
        return self in (Status.PARSED, Status.PARTIAL)


@dataclass(frozen=True)
class Where:
    """Where one fact was read, precise enough for a user to find the cell by eye.

    PDFs give page (1-based); HTML/DOCX give table and cell; plain text gives line.
    ``text`` is the cell text as printed, before number normalisation.
    """

    page: int | None = None
    table: int | None = None  # 1-based index of the table in the document
    row: int | None = None    # 1-based row in that table's cell grid
    col: int | None = None    # 1-based column
    line: int | None = None   # 1-based line, for text sources
    text: str | None = None


@dataclass
class Check:
    name: str
    ok: bool
    detail: str


@dataclass
class ParseResult:
    status: Status
    parser_version: str
    agency: str | None = None
    year: int | None = None
    layout: str | None = None              # "2019" | "2021" | None
    facts: dict[str, int | float] = field(default_factory=dict)
    derived: list[str] = field(default_factory=list)
    checks: list[Check] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    where: dict[str, Where] = field(default_factory=dict)
    format: str | None = None              # detected format: pdf, html, docx, doc, wps, text, …
    title: str | None = None               # the document's title as found
    kind: str | None = None                # report | work_plan | notice | legacy_report | …
    error: str | None = None               # one line, why (for every status without facts)

    def to_json(self) -> dict[str, Any]:
        return {
            "status": self.status.value,
            "parser_version": self.parser_version,
            "agency": self.agency,
            "year": self.year,
            "layout": self.layout,
            "facts": dict(self.facts),
            "derived": list(self.derived),
            "checks": [asdict(c) for c in self.checks],
            "warnings": list(self.warnings) or ([self.error] if self.error and not self.status.has_facts else []),
            "where": {k: {a: v for a, v in asdict(w).items() if v is not None}
                      for k, w in self.where.items()},
        }
