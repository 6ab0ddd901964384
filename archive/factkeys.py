"""The fact keys of report-schema.md as rows of the ``fact_keys`` table.

SQL users pivot facts by ``section`` / ``item`` / ``measure`` (the views do) and read the
Chinese ``label`` of each key as the report prints it. This module is the schema's table
transcribed; a migration loads it (and a later migration reloads it if the schema grows).
"""
from __future__ import annotations

from typing import TypedDict


class FactKeyRow(TypedDict):
    key: str
    position: int
    section: str
    item: str
    measure: str
    layouts: str
    unit: str
    label: str


ART20_ITEMS = {  # key prefix: (item, label)
    "art20.1.rules": ("rules", "第二十条第（一）项 规章"),
    "art20.1.normative": ("normative", "第二十条第（一）项 规范性文件"),
    "art20.5.licensing": ("licensing", "第二十条第（五）项 行政许可"),
    "art20.5.other_services": ("other_services", "第二十条第（五）项 其他对外管理服务事项"),
    "art20.6.penalty": ("penalty", "第二十条第（六）项 行政处罚"),
    "art20.6.coercion": ("coercion", "第二十条第（六）项 行政强制"),
    "art20.8.fees": ("fees", "第二十条第（八）项 行政事业性收费"),
    "art20.9.procurement": ("procurement", "第二十条第（九）项 政府集中采购"),
}
ART20_MEASURES = {
    "made": "本年新制作数量", "published": "本年新公开数量", "total": "对外公开总数量",
    "issued": "本年制发件数", "repealed": "本年废止件数", "in_force": "现行有效件数",
    "previous": "上一年项目数量", "change": "本年增/减", "decisions": "处理决定数量",
    "projects": "采购项目数量", "amount_wan": "金额（万元）",
}
ART20_KEYS = {  # item prefix: [(measure, layouts)]
    "art20.1.rules": [("made", "2019"), ("published", "2019"), ("total", "2019"),
                      ("issued", "2021"), ("repealed", "2021"), ("in_force", "2021")],
    "art20.1.normative": [("made", "2019"), ("published", "2019"), ("total", "2019"),
                          ("issued", "2021"), ("repealed", "2021"), ("in_force", "2021")],
    "art20.5.licensing": [("previous", "2019"), ("change", "2019"), ("decisions", "both")],
    "art20.5.other_services": [("previous", "2019"), ("change", "2019"), ("decisions", "2019")],
    "art20.6.penalty": [("previous", "2019"), ("change", "2019"), ("decisions", "both")],
    "art20.6.coercion": [("previous", "2019"), ("change", "2019"), ("decisions", "both")],
    "art20.8.fees": [("previous", "2019"), ("change", "2019"), ("amount_wan", "2021")],
    "art20.9.procurement": [("projects", "2019"), ("amount_wan", "2019")],
}

APPLICANTS = {
    "natural_person": "自然人", "commercial": "商业企业", "research": "科研机构",
    "social_org": "社会公益组织", "legal_service": "法律服务机构", "other_org": "其他", "total": "总计",
}
APPLICATION_ROWS = [  # (row, label, layouts)
    ("new", "一、本年新收政府信息公开申请数量", "both"),
    ("carried_in", "二、上年结转政府信息公开申请数量", "both"),
    ("granted", "三、（一）予以公开", "both"),
    ("partial", "三、（二）部分公开", "both"),
    ("denied.state_secret", "（三）不予公开 1.属于国家秘密", "both"),
    ("denied.prohibited", "（三）不予公开 2.其他法律行政法规禁止公开", "both"),
    ("denied.security", "（三）不予公开 3.危及“三安全一稳定”", "both"),
    ("denied.third_party", "（三）不予公开 4.保护第三方合法权益", "both"),
    ("denied.internal", "（三）不予公开 5.属于三类内部事务信息", "both"),
    ("denied.process", "（三）不予公开 6.属于四类过程性信息", "both"),
    ("denied.enforcement_file", "（三）不予公开 7.属于行政执法案卷", "both"),
    ("denied.query", "（三）不予公开 8.属于行政查询事项", "both"),
    ("unavailable.not_held", "（四）无法提供 1.本机关不掌握相关政府信息", "both"),
    ("unavailable.needs_creation", "（四）无法提供 2.没有现成信息需要另行制作", "both"),
    ("unavailable.unclear", "（四）无法提供 3.补正后申请内容仍不明确", "both"),
    ("not_processed.complaint", "（五）不予处理 1.信访举报投诉类申请", "both"),
    ("not_processed.duplicate", "（五）不予处理 2.重复申请", "both"),
    ("not_processed.publication", "（五）不予处理 3.要求提供公开出版物", "both"),
    ("not_processed.excessive", "（五）不予处理 4.无正当理由大量反复申请", "both"),
    ("not_processed.confirmation", "（五）不予处理 5.要求行政机关确认或重新出具已获取信息", "both"),
    ("other", "（六）其他处理", "both"),
    ("other.no_correction", "（六）其他处理 1.申请人无正当理由逾期不补正", "2021"),
    ("other.unpaid_fee", "（六）其他处理 2.申请人逾期未按收费通知要求缴纳费用", "2021"),
    ("other.misc", "（六）其他处理 3.其他", "2021"),
    ("total", "（七）总计", "both"),
    ("carried_out", "四、结转下年度继续办理", "both"),
]

OUTCOMES = {"upheld": "结果维持", "corrected": "结果纠正", "other": "其他结果", "pending": "尚未审结", "total": "总计"}
REVIEW_GROUPS = {"review": "行政复议", "litigation.direct": "行政诉讼 未经复议直接起诉",
                 "litigation.after_review": "行政诉讼 复议后起诉"}


def catalog() -> list[FactKeyRow]:
    rows: list[FactKeyRow] = []
    for prefix, measures in ART20_KEYS.items():
        item, label = ART20_ITEMS[prefix]
        for measure, layouts in measures:
            unit = "wan_yuan" if measure == "amount_wan" else "count"
            rows.append(FactKeyRow(key=f"{prefix}.{measure}", position=len(rows) + 1, section="art20", item=item, measure=measure,
                                   layouts=layouts, unit=unit, label=f"{label} · {ART20_MEASURES[measure]}"))
    for row, label, layouts in APPLICATION_ROWS:
        for col, col_label in APPLICANTS.items():
            rows.append(FactKeyRow(key=f"applications.{row}.{col}", position=len(rows) + 1, section="applications", item=row, measure=col,
                                   layouts=layouts, unit="count", label=f"{label} · {col_label}"))
    for group, label in REVIEW_GROUPS.items():
        for outcome, out_label in OUTCOMES.items():
            rows.append(FactKeyRow(key=f"{group}.{outcome}", position=len(rows) + 1, section=group.split(".")[0], item=group,
                                   measure=outcome, layouts="both", unit="count", label=f"{label} · {out_label}"))
    return rows


UNITS = {row["key"]: row["unit"] for row in catalog()}


def as_number(key: str, value: float) -> int | float:
    """A stored value as the schema types it: counts are integers, money a decimal."""
    if UNITS.get(key, "count") == "count" and float(value).is_integer():
        return int(value)
    return value
