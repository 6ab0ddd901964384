"""Who reports, for which year: from the title, the 统计期限, the body, the signature, hints.

The title (`XX局2020年政府信息公开工作年度报告`) names both; PDFs often break it over two
lines, and some documents have none (a CMS page whose title is in the page chrome). The
statistics period (`统计期限自2020年1月1日至2020年12月31日`) gives the year the numbers cover,
`本报告由XX办公室编制` and the signature above the date give the agency. Hints from the caller
(the portal's listing) fill what the document does not say, and supply the region prefix
the spec asks for (郑州市二七区建设和交通局 rather than 二七区建设和交通局).
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from parsers.document import Document, Paragraph
from parsers.textnorm import halfwidth

_YEAR = r"((?:19|20)\d{2})"
TITLE = re.compile(
    r"(?P<agency>[\u4e00-\u9fff()（）]{2,60}?)?\s*(?:关于)?\s*(?:公布|发布|印发)?\s*" + _YEAR
    + r"\s*年\s*度?\s*(?:的)?\s*(?:本?(?:机关|单位))?\s*(?:政\s*府|政\s*务)?\s*信\s*息\s*公\s*开\s*(?:工\s*作)?\s*"
    r"(?:年\s*度\s*(?:工\s*作\s*)?报\s*告|年\s*报|报\s*告)")
PERIOD = re.compile(
    r"统计(?:期限|时限|时间|周期|区间|期间)[^0-9]{0,12}" + _YEAR + r"\s*年\s*0?1\s*月\s*0?1\s*日"
    r"[^0-9]{0,6}?(?:至|到|-|~)\s*" + _YEAR + r"\s*年\s*12\s*月\s*31\s*日")
COMPILED_BY = re.compile(
    r"(?:本(?:年度)?报告(?:是)?由|[,，]\s*由)\s*(?P<agency>[\u4e00-\u9fff()（）]{2,40}?)\s*"
    r"(?:办公室|办公厅|综合科|综合股|政务公开办公室|政务公开办)?\s*(?:根据|依据|按照|依照|编制|负责编制|制作|起草)")
SIGN_DATE = re.compile(r"^\s*" + _YEAR + r"\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日\s*$")
AGENCY_SUFFIX = re.compile(
    r"(?:人民政府|政府|办公室|办公厅|办事处|委员会|管理委员会|局|委|厅|院|处|中心|所|站|队|会|部|署|司|"
    r"公司|集团|馆|社|校|台|街道|镇|乡|场|办|室|科|股)$")
_BAD_START = re.compile(r"^(?:本|关于|各|全|以下|有关|现将|特|根据|按照|依据|[的年度])|我|如下")
YEAR_RANGE = range(2008, 2100)
_YEAR_MARK = re.compile(_YEAR + r"\s*年")


@dataclass
class Meta:
    agency: str | None = None
    year: int | None = None
    title: str | None = None
    warnings: list[str] = field(default_factory=list)
    title_year: int | None = None
    period_year: int | None = None


def agency_ok(name: str | None) -> bool:
    return bool(name) and len(name) >= 2 and not _BAD_START.search(name) and bool(AGENCY_SUFFIX.search(name))  # type: ignore[arg-type]


def clean_agency(name: str | None) -> str | None:
    if not name:
        return None
    name = re.sub(r"\s+", "", halfwidth(name)).strip("()")
    name = re.sub(r"^(?:关于|印发|公布|发布)", "", name)
    return name or None


def find_title(doc: Document) -> tuple[str | None, str | None, int | None]:
    """(title as printed, agency from it, year from it): hints first, then the first lines."""
    candidates: list[str] = [h for h in doc.title_hints if h]
    paras = [b for b in doc.blocks[:40] if isinstance(b, Paragraph)]
    texts = [p.text.strip() for p in paras[:12]]
    candidates += texts
    # a title broken over lines: the agency alone on the line(s) above "2023年…年度报告"
    for i in range(len(texts)):
        for n in (1, 2):
            head = "".join(texts[i:i + n])
            if i + n < len(texts) and len(head) <= 40 and agency_ok(clean_agency(head)):
                candidates.append(head + texts[i + n])
        # …or broken anywhere after its year: "XX局2020年度政府信息公" / "开工作年度报告"
        if i + 1 < len(texts) and len(texts[i]) <= 40 and _YEAR_MARK.search(halfwidth(texts[i])) \
                and not TITLE.search(halfwidth(texts[i])):
            candidates.append(texts[i] + texts[i + 1])
    best: tuple[str | None, str | None, int | None] = (None, None, None)
    for cand in candidates:
        text = halfwidth(cand)
        if len(text) > 120:
            text = text[:120]
        m = TITLE.search(text)
        if not m:
            continue
        rest = text[m.end():]
        if len(rest) > 12 or "。" in rest or len(text) - len(rest) > 80:
            continue  # a sentence that mentions a report, not a title
        year = int(m.group(2))
        agency = clean_agency(m.group("agency"))
        if not agency_ok(agency):
            agency = None
        title = re.sub(r"\s+", "", text[m.start():m.end()]) if m else None
        if agency:
            return title, agency, year
        if best[0] is None:
            best = (title, None, year)
    return best


def find_period_year(text: str) -> int | None:
    m = PERIOD.search(halfwidth(text))
    if m and m.group(1) == m.group(2):
        return int(m.group(1))
    return None


def find_compiler(text: str) -> str | None:
    for m in COMPILED_BY.finditer(halfwidth(text[:5000])):
        agency = clean_agency(m.group("agency"))
        if agency_ok(agency):
            return agency
    return None


def find_signature(doc: Document) -> tuple[str | None, int | None]:
    """The agency line above the closing date, and the date's year."""
    paras = [p.text.strip() for p in doc.paragraphs[-12:] if p.text.strip()]
    for i in range(len(paras) - 1, 0, -1):
        m = SIGN_DATE.match(halfwidth(paras[i]))
        if m:
            name = clean_agency(paras[i - 1])
            return (name if agency_ok(name) and len(name or "") <= 40 else None), int(m.group(1))
    return None, None


def detect(doc: Document, agency_hint: str | None, year_hint: int | None) -> Meta:
    meta = Meta()
    title, t_agency, t_year = find_title(doc)
    body = doc.text(limit=20000)
    meta.title = title
    meta.title_year = t_year
    meta.period_year = find_period_year(body)
    compiler = find_compiler(body)
    signer, sign_year = find_signature(doc)

    # year: the title, else the statistics period, else the caller, else the year before signing
    for year in (t_year, meta.period_year, year_hint, (sign_year - 1) if sign_year else None):
        if year in YEAR_RANGE:
            meta.year = year
            break
    if t_year and meta.period_year and t_year != meta.period_year:
        meta.warnings.append(f"title says {t_year}, statistics period says {meta.period_year}")
    if year_hint and meta.year and year_hint != meta.year:
        meta.warnings.append(f"year hint {year_hint} differs from the document's {meta.year}")

    agency = t_agency or compiler or signer
    hint = clean_agency(agency_hint)
    if agency is None:
        agency = hint
    else:
        # prefer a longer name that ends with the same agency: it carries the region prefix
        for longer in (compiler, signer, hint):
            if longer and longer != agency and longer.endswith(agency):
                agency = longer
                break
    meta.agency = agency
    return meta
