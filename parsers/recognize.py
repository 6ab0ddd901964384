"""What kind of document this is, when it is not (or not yet) a report with tables.

The layout of a report is decided by its table headers (`parsers.tables`), never by its
year; this module names everything else: a pre-2019 report, a 工作要点, a notice, a guide,
an error page.
"""
from __future__ import annotations

import re

from parsers.document import Document
from parsers.textnorm import halfwidth

_ERROR_PAGE = re.compile(r"404|403|500|not\s*found|页面不存在|页面未找到|找不到|无法访问|访问出错|已删除|"
                         r"页面错误|出错了|file not found|error", re.I)
_KINDS = (
    ("work_plan", re.compile(r"工作要点|工作计划|工作安排|任务分解"), "a 工作要点 (work plan)"),
    ("notice", re.compile(r"通知|公告|通告|函$"), "a notice (通知/公告)"),
    ("guide", re.compile(r"指南|目录|办事流程"), "a guide (指南/目录)"),
)
_TITLE_KINDS = (
    ("work_plan", re.compile(r"(?:工作要点|要点|工作计划|工作安排|任务分解表?|实施方案|方案)$"), "a 工作要点 (work plan)"),
    ("notice", re.compile(r"(?:通知|公告|通告|通报|函|意见|决定|批复)$"), "a notice (通知/公告)"),
    ("guide", re.compile(r"(?:指南|目录|办事流程|指引)$"), "a guide (指南/目录)"),
)
_TITLE_TAIL = re.compile(r"[\s()（）【】\[\]《》“”\"]*(?:全文|正文|附件\d*|图片版|超链版|文字版)?[\s()（）【】\[\]]*$")
REPORT_TITLE_END = re.compile(r"(?:年度报告|年报|工作报告)$")


def title_kind(doc: Document, *, has_tables: bool = False) -> tuple[str, str] | None:
    """(kind, what) when the document's title names a non-report (…的通知, …工作要点,
    …指南); None when the title is a report's or there is no title line. When report tables
    were found, only a title about reports counts (关于做好…年度报告…的通知 with the blank
    template), not a portal column name such as 通知公告 in <title>."""
    paras = [p.text for p in doc.paragraphs[:4]]
    lines = list(doc.title_hints)
    for i, text in enumerate(paras):  # a title broken over two lines is judged whole first
        if i + 1 < len(paras) and len(text) <= 40 and len(paras[i + 1]) <= 40 and not text.endswith(("。", "：", ":")):
            lines.append(text + paras[i + 1])
        lines.append(text)
    for line in lines:
        text = _TITLE_TAIL.sub("", halfwidth(line).strip())
        if not text or len(text) > 80:
            continue
        if REPORT_TITLE_END.search(text):
            return None
        for kind, pattern, what in _TITLE_KINDS:
            if pattern.search(text) and (not has_tables or "报告" in text or "年报" in text):
                return kind, what
    return None


REPORT_WORDS = re.compile(r"政府信息公开.{0,6}(?:年度报告|年报)|信息公开工作.{0,4}报告")


def heading_text(doc: Document) -> str:
    parts = list(doc.title_hints) + [p.text for p in doc.paragraphs[:6]]
    return halfwidth(" ".join(parts))[:600]


def non_report(doc: Document, title: str | None) -> tuple[str, str]:
    """(kind, reason) for a document that is not a 2019/2021 report."""
    head = heading_text(doc)
    if not doc.tables and len(doc.text(limit=4000)) < 2000 and _ERROR_PAGE.search(head):
        m = _ERROR_PAGE.search(head)
        return "error_page", f"an error page ({m.group(0) if m else 'error'})"
    for kind, pattern, what in _KINDS:
        if pattern.search(head):
            return kind, what
    if not doc.chars:
        return "empty", "no text"
    return "other", "no report title and no report tables"


def says_report(doc: Document, title: str | None) -> bool:
    return bool(title) or bool(REPORT_WORDS.search(heading_text(doc)))
