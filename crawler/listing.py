"""What list rows and links say, read the way a person reads a 政务公开 column.

Pure functions over strings, shared by every spider: is this title an annual report, which
agency and year does it name (the hints the parsers get for documents that do not say, such
as scans), when was it published, and does this link point at a document file.
"""
from __future__ import annotations

import datetime as dt
import posixpath
import re
import urllib.parse
from dataclasses import dataclass

# 政府信息公开工作年度报告 and the ways portals shorten or vary it
_REPORT = re.compile(r"(政府信息公开|政务公开|信息公开).{0,8}(年度报告|年报|工作报告)|信息公开年报|公开年度报告")
_YEAR = re.compile(r"((?:19|20)\d\d)\s*年")
_NOT_AGENCY = re.compile(r"^(关于|转发|印发|公布|发布|[(（【\[].*?[)）】\]])+")
_CONNECTOR = re.compile(r"(关于)?(印发|公布|发布|公开)?(的)?$")  # 某局关于(公布)2021年… → 某局
_EDITION = re.compile(r"[（(【\[][^）)】\]]*(更正|修订|修正|图片|超链|扫描|PDF|pdf|版)[^）)】\]]*[）)】\]]\s*$")
_SPACE = re.compile(r"\s+")
_DATES = (
    re.compile(r"((?:19|20)\d\d)\s*[-/.]\s*(\d{1,2})\s*[-/.]\s*(\d{1,2})"),
    re.compile(r"((?:19|20)\d\d)\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日"),
)

DOCUMENT_EXTENSIONS = ("pdf", "doc", "docx", "wps", "ofd", "rtf", "xls", "xlsx", "et")
_DOWNLOAD_PARAMS = ("filename", "fileName", "fname", "file", "name", "fText")
_DOWNLOAD_PATHS = re.compile(r"(downfile|download|attach|fujian|/group\d+/M\d\d/)", re.I)


def clean(text: str | None) -> str:
    """Collapse whitespace (full-width too) into single spaces."""
    return _SPACE.sub(" ", (text or "").replace("\u3000", " ").replace("\xa0", " ")).strip()


def looks_like_report(title: str | None) -> bool:
    """An annual report on open government information, by its title (any year)."""
    return bool(title) and bool(_REPORT.search(clean(title).replace(" ", "")))


@dataclass(frozen=True)
class TitleHints:
    agency: str | None
    year: int | None


def title_hints(title: str | None) -> TitleHints:
    """Agency and year a report title names: ``禾川区财政局2022年政府信息公开工作年度报告`` →
    (禾川区财政局, 2022). Titles that are not reports give nothing, so a 工作要点 never carries
    a year that could make it look like a report."""
    text = clean(title).replace(" ", "")
    if not looks_like_report(text):
        return TitleHints(None, None)
    text = _EDITION.sub("", text)
    m = _YEAR.search(text)
    if m is None:
        return TitleHints(None, None)
    year = int(m.group(1))
    agency = _NOT_AGENCY.sub("", text[:m.start()]).strip("《》“”\"' -—_:：")
    agency = _CONNECTOR.sub("", agency).strip("《》“”\"' -—_:：")
    return TitleHints(agency if len(agency) >= 3 and not agency.isdigit() else None, year)


def parse_date(text: str | None) -> dt.date | None:
    """The first date written as 2024-01-20, 2024/1/20, 2024.01.20 or 2024年1月20日."""
    if not text:
        return None
    for pattern in _DATES:
        m = pattern.search(text)
        if m:
            try:
                return dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
            except ValueError:
                continue
    return None


def from_timestamp(value: object) -> dt.date | None:
    """A unix timestamp in seconds or milliseconds (China time), as JSON list APIs give them."""
    try:
        seconds = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return parse_date(str(value)) if value else None
    if seconds > 1e11:
        seconds /= 1000
    if seconds <= 0:
        return None
    return dt.datetime.fromtimestamp(seconds, dt.timezone(dt.timedelta(hours=8))).date()


def extension(url: str, text: str | None = None) -> str | None:
    """The document extension a link names: in its path, a download parameter, or its text."""
    parts = urllib.parse.urlsplit(url)
    candidates = [posixpath.basename(urllib.parse.unquote(parts.path))]
    query = urllib.parse.parse_qs(parts.query)
    candidates += [v for key in _DOWNLOAD_PARAMS for v in query.get(key, [])]
    if text and _DOWNLOAD_PATHS.search(parts.path):
        candidates.append(clean(text))
    for name in candidates:
        stem, dot, ext = name.rpartition(".")
        if dot and stem and ext.lower() in DOCUMENT_EXTENSIONS:
            return ext.lower()
    return None


def is_document_link(url: str, text: str | None = None) -> bool:
    """A link to a document file (an attachment), not to another page."""
    return extension(url, text) is not None
