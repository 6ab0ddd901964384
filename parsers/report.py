"""From a neutral document to a ParseResult: recognise, map, derive, check, decide status."""
from __future__ import annotations

from parsers.checks import run_checks
from parsers.document import Document
from parsers.meta import detect
from parsers.recognize import non_report, says_report, title_kind
from parsers.result import ParseResult, Status
from parsers.schema import APPLICATION_ROWS, ART20_LAYOUT, REVIEW_KEYS, layout_keys
from parsers.tables import map_tables

LEGACY_BEFORE = 2019  # the 国办公开办函〔2019〕60号 tables start with the 2019 reports


def analyze(doc: Document, *, version: str, agency_hint: str | None = None,
            year_hint: int | None = None) -> ParseResult:
    mapper = map_tables(doc)
    m = mapper.m
    meta = detect(doc, agency_hint, year_hint)
    result = ParseResult(status=Status.UNREADABLE, parser_version=version, agency=meta.agency,
                         year=meta.year, format=doc.format, title=meta.title,
                         warnings=list(doc.warnings) + meta.warnings)
    found = bool(m.art20_rows) or bool(m.facts)
    header_layout = m.layout_from_headers
    named = title_kind(doc, has_tables=found)
    if named is not None:  # 关于做好…年度报告…的通知 may even carry the blank template tables
        result.kind, why = named
        result.status, result.error = Status.NOT_A_REPORT, f"not a report: {why}"
        return result
    if meta.year is not None and meta.year < LEGACY_BEFORE and header_layout is None \
            and says_report(doc, meta.title):
        result.status, result.kind = Status.LEGACY_FORMAT, "legacy_report"
        result.error = f"a {meta.year} report in the pre-2019 layout: its tables are not parsed into facts"
        return result
    if not found:
        kind, why = non_report(doc, meta.title)
        if kind not in ("other", "empty") or not says_report(doc, meta.title):
            result.kind, result.status, result.error = kind, Status.NOT_A_REPORT, f"not a report: {why}"
        else:
            result.kind = "report"
            if doc.attachments and not doc.tables:
                result.status, result.kind = Status.NOT_A_REPORT, "attachment_page"
                result.error = f"the report itself is an attachment of this page ({doc.attachments[0]})"
            elif doc.images and not doc.tables:
                result.status = Status.NEEDS_OCR
                result.error = f"report tables are pictures ({doc.images} images, no text tables)"
            else:
                result.error = "a report, but none of its tables could be read"
        return result

    layout = header_layout or ("2021" if m.subrows_seen else
                               "2021" if (meta.year or 0) >= 2021 else "2019")
    mapper.finish(layout)
    hybrid = layout == "2021" and m.other_printed and not m.subrows_seen
    expected = layout_keys(layout, hybrid)
    result.kind, result.layout = "report", layout
    result.facts = {k: m.facts[k] for k in expected if k in m.facts}
    result.where = {k: m.where[k] for k in result.facts if k in m.where}
    result.derived = [k for k in m.derived if k in result.facts]
    result.warnings += m.warnings
    missing = [k for k in expected if k not in result.facts]
    if not result.facts:
        result.error = "report tables found, but no number in them could be read"
        return result
    result.warnings += _missing_warnings(missing, layout)
    result.status = Status.PARTIAL if missing else Status.PARSED
    if missing:
        result.error = f"{len(missing)} of {len(expected)} facts could not be read"
    result.checks = run_checks(result.facts)
    if meta.agency is None:
        result.warnings.append("agency not found in the document; pass --agency-hint")
    if meta.year is None:
        result.warnings.append("report year not found in the document; pass --year-hint")
    return result


def _missing_warnings(missing: list[str], layout: str) -> list[str]:
    """One warning per section (or table row) that was not read, never one per key."""
    if not missing:
        return []
    out = []
    art20 = sorted({k.rsplit(".", 1)[0] for k in missing if k.startswith("art20.")},
                   key=list(ART20_LAYOUT[layout]).index)
    if art20:
        out.append("section 二 (第二十条) not read: " + ", ".join(art20))
    def row_of(key: str) -> str:
        return key.removeprefix("applications.").rsplit(".", 1)[0]

    rows = [r for r in APPLICATION_ROWS if any(row_of(k) == r for k in missing if k.startswith("applications."))]
    if len(rows) == len({row_of(k) for k in layout_keys(layout) if k.startswith("applications.")}):
        out.append("section 三 (applications table) not read")
    elif rows:
        out.append("section 三 rows not read: " + ", ".join(rows))
    review = [k for k in REVIEW_KEYS if k in missing]
    if len(review) == len(REVIEW_KEYS):
        out.append("section 四 (review and litigation table) not read")
    elif review:
        out.append("section 四 cells not read: " + ", ".join(review))
    return out
