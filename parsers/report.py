"""From a neutral document to a ParseResult: recognise, map, derive, check, decide status."""
from __future__ import annotations

import re

from parsers.checks import run_checks
from parsers.document import Document
from parsers.meta import TITLE, agency_ok, clean_agency, detect
from parsers.numbers import read_number
from parsers.recognize import non_report, says_report, title_kind
from parsers.result import ParseResult, Status
from parsers.schema import APPLICATION_ROWS, ART20_LAYOUT, REVIEW_KEYS, layout_keys
from parsers.tables import map_tables
from parsers.textnorm import halfwidth

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


def vet_ocr(result: ParseResult, doc: Document, why: str, agency_hint: str | None = None,
            year_hint: int | None = None) -> ParseResult:
    """Keep what OCR read only when it is a whole report whose numbers add up.

    OCR misreads digits (6 as 日, 1 as ]); the schema's checks (row totals, outcome total,
    balance, review totals) tie every number of sections 三 and 四 to others, so a misread
    there almost never survives all four. What no check can catch is refused as well: a
    number the mapper placed by position into a cell the grid does not have (it reads as a
    blank 0); row totals computed because no 总计 column was read (the row check would hold
    by construction); and a money amount converted from 元, since OCR that drops or misreads
    the 万 of 万元 would silently divide it by 10,000. Anything short of that stays `needs_ocr`
    without facts (OCR never invents a number) and the error says what OCR found, naming the
    failing checks. Agency and year must be read alike twice (title and signature, 由…编制 or
    请与…联系; title and statistics period; the agency not as the tail of a longer name), else
    the caller's hint or nothing is kept: one misread or missing character would file the
    report under another agency.
    """
    failed = [c for c in result.checks if not c.ok]
    unplaced = sorted(k for k, w in result.where.items() if w.row is None)
    converted = sorted(k for k in result.facts if k.endswith("amount_wan") and k in result.where
                       and _printed(result.where[k].text) != result.facts[k])
    summed = sorted(k for k in result.derived if k.endswith(".total") and not k.startswith("applications.other."))
    if result.status is Status.PARSED and result.checks and not (failed or unplaced or converted or summed):
        text = re.sub(r"[ \t\u3000]+", "", doc.text())
        if result.agency and _reads(result.agency, text) < 2:
            other = _read_alike_elsewhere(result.agency, text)
            if other:
                result.warnings.append(f"agency read by OCR as {result.agency} once, as {other} "
                                       f"{_reads(other, text)} times elsewhere in the report; {other} kept")
            else:
                result.warnings.append(f"agency read by OCR as {result.agency}, not confirmed elsewhere in the "
                                       "report; not kept (pass --agency-hint)")
            result.agency = other or agency_hint
        if result.year and text.count(f"{result.year}年") < 2:
            result.warnings.append(f"year read by OCR as {result.year}, not confirmed elsewhere in the report; "
                                   "not kept (pass --year-hint)")
            result.year = year_hint
        return result
    if failed:
        found = "its tables do not add up: " + "; ".join(f"{c.name} ({c.detail})" for c in failed)
    elif result.status is Status.PARSED and unplaced:
        found = f"{len(unplaced)} numbers were not read from a cell of their own ({', '.join(unplaced[:3])})"
    elif result.status is Status.PARSED and converted:
        found = f"OCR cannot vouch for the unit (元 or 万元) of {', '.join(converted)}"
    elif result.status is Status.PARSED:
        found = "no 总计 column was read, so the row totals cannot be checked"
    elif result.status.has_facts:
        found = f"not every table could be read ({result.error})"
    else:
        found = f"no report tables were found ({result.error})"
    ocr = next((w for w in result.warnings if w.startswith("read by OCR")), "read by OCR").split(": ")[0]
    # nothing OCR read is kept, not even agency and year: like the text path's refusal
    return ParseResult(status=Status.NEEDS_OCR, parser_version=result.parser_version, format=result.format,
                       error=f"{why}; {ocr}, but {found}"[:600])


def _reads(agency: str, text: str) -> int:
    """How often ``agency`` is printed in ``text`` as a name of its own: at the start of a line
    or after a non-Chinese character, or after the 由/与 of 由…编制 and 请与…联系; never as the
    tail of a longer name (司法局 of 清源市司法局)."""
    return len(re.findall(f"(?:(?<![\u4e00-\u9fff])|(?<=由|与)){re.escape(agency)}", text))


def _read_alike_elsewhere(misread: str, text: str) -> str | None:
    """The agency that the report's repeated titles (running headers) and its signature line
    print alike at least twice, differing from ``misread`` in a character or two: the title's
    lone reading gives way to the name the rest of the report prints."""
    text = halfwidth(text)
    names = {clean_agency(m.group("agency")) for m in TITLE.finditer(text)}
    names |= {clean_agency(line) for line in text.splitlines() if 2 <= len(line) <= 40}
    alike = [n for n in names if n and n != misread and agency_ok(n) and len(n) == len(misread)
             and sum(a != b for a, b in zip(n, misread, strict=True)) <= 2 and _reads(n, text) >= 2]
    return alike[0] if len(alike) == 1 else None  # two such names: no telling which is right


def _printed(text: str | None) -> int | float | None:
    """The number printed in a cell, its unit (if any) left out."""
    reading = read_number(re.sub(r"[万亿]?元\s*$", "", text or ""), money=True)
    return None if reading is None else reading.value
