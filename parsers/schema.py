"""The fact keys of docs/report-schema.md, with the labels that identify each row and column.

Everything layout-specific lives here as data: the mapper (`parsers.tables`) and the checks
(`parsers.checks`) only walk these tables. Labels are written in their folded form
(`parsers.textnorm.fold`): no numbering, punctuation or spaces.
"""
from __future__ import annotations

from typing import Final

LAYOUTS: Final = ("2019", "2021")

# ---------------------------------------------------------------- section 二 (第二十条)
# row key → labels that name it (first = canonical)
ART20_ROWS: Final[dict[str, tuple[str, ...]]] = {
    "art20.1.rules": ("规章",),
    "art20.1.normative": ("规范性文件", "行政规范性文件"),
    "art20.5.licensing": ("行政许可",),
    "art20.5.other_services": ("其他对外管理服务事项", "其他对外管理服务"),
    "art20.6.penalty": ("行政处罚",),
    "art20.6.coercion": ("行政强制",),
    "art20.8.fees": ("行政事业性收费",),
    "art20.9.procurement": ("政府集中采购",),
}

# column header (folded) → column key; "money" columns are in 万元 unless the header says 元.
ART20_COLUMNS: Final[dict[str, str]] = {
    "本年新制作数量": "made",
    "本年新公开数量": "published",
    "对外公开总数量": "total",
    "上一年项目数量": "previous",
    "本年增减": "change",
    "本年增加减少": "change",
    "处理决定数量": "decisions",
    "本年处理决定数量": "decisions",
    "采购项目数量": "projects",
    "采购总金额": "amount_wan",
    "本年制发件数": "issued",
    "本年废止件数": "repealed",
    "现行有效件数": "in_force",
    "本年收费金额": "amount_wan",
}
MONEY_COLUMNS: Final = frozenset({"amount_wan"})

# Headers that only one layout uses: they decide the layout (never the year).
LAYOUT_HEADERS: Final[dict[str, str]] = {
    "本年新制作数量": "2019", "本年新公开数量": "2019", "对外公开总数量": "2019",
    "上一年项目数量": "2019", "本年增减": "2019", "采购项目数量": "2019", "采购总金额": "2019",
    "本年制发件数": "2021", "本年废止件数": "2021", "现行有效件数": "2021", "本年收费金额": "2021",
    "本年处理决定数量": "2021",
}

# The columns each layout defines for each row, in the table's order (used when a table's
# header row cannot be read, and to know which keys a complete report has).
ART20_LAYOUT: Final[dict[str, dict[str, tuple[str, ...]]]] = {
    "2019": {
        "art20.1.rules": ("made", "published", "total"),
        "art20.1.normative": ("made", "published", "total"),
        "art20.5.licensing": ("previous", "change", "decisions"),
        "art20.5.other_services": ("previous", "change", "decisions"),
        "art20.6.penalty": ("previous", "change", "decisions"),
        "art20.6.coercion": ("previous", "change", "decisions"),
        "art20.8.fees": ("previous", "change"),
        "art20.9.procurement": ("projects", "amount_wan"),
    },
    "2021": {
        "art20.1.rules": ("issued", "repealed", "in_force"),
        "art20.1.normative": ("issued", "repealed", "in_force"),
        "art20.5.licensing": ("decisions",),
        "art20.6.penalty": ("decisions",),
        "art20.6.coercion": ("decisions",),
        "art20.8.fees": ("amount_wan",),
    },
}

# ---------------------------------------------------------------- section 三 (applications)
APPLICANT_COLUMNS: Final = ("natural_person", "commercial", "research", "social_org",
                            "legal_service", "other_org")
APPLICATION_COLUMNS: Final = (*APPLICANT_COLUMNS, "total")
APPLICANT_HEADERS: Final[dict[str, str]] = {
    "自然人": "natural_person", "商业企业": "commercial", "科研机构": "research",
    "社会公益组织": "social_org", "法律服务机构": "legal_service", "其他": "other_org", "总计": "total",
}

# row key → labels (folded; first = canonical), in the table's order.
APPLICATION_ROWS: Final[dict[str, tuple[str, ...]]] = {
    "new": ("本年新收政府信息公开申请数量", "本年新收申请数量"),
    "carried_in": ("上年结转政府信息公开申请数量", "上年结转申请数量"),
    "granted": ("予以公开",),
    "partial": ("部分公开区分处理的只计这一情形不计其他情形", "部分公开"),
    "denied.state_secret": ("属于国家秘密",),
    "denied.prohibited": ("其他法律行政法规禁止公开",),
    "denied.security": ("危及三安全一稳定",),
    "denied.third_party": ("保护第三方合法权益",),
    "denied.internal": ("属于三类内部事务信息",),
    "denied.process": ("属于四类过程性信息",),
    "denied.enforcement_file": ("属于行政执法案卷",),
    "denied.query": ("属于行政查询事项",),
    "unavailable.not_held": ("本机关不掌握相关政府信息",),
    "unavailable.needs_creation": ("没有现成信息需要另行制作",),
    "unavailable.unclear": ("补正后申请内容仍不明确",),
    "not_processed.complaint": ("信访举报投诉类申请",),
    "not_processed.duplicate": ("重复申请",),
    "not_processed.publication": ("要求提供公开出版物",),
    "not_processed.excessive": ("无正当理由大量反复申请",),
    "not_processed.confirmation": ("要求行政机关确认或重新出具已获取信息",),
    "other": ("其他处理",),
    "other.no_correction": ("申请人无正当理由逾期不补正行政机关不再处理其政府信息公开申请",),
    "other.unpaid_fee": ("申请人逾期未按收费通知要求缴纳费用行政机关不再处理其政府信息公开申请",),
    "other.misc": ("其他",),
    "total": ("总计",),
    "carried_out": ("结转下年度继续办理",),
}
OTHER_SUBROWS: Final = ("other.no_correction", "other.unpaid_fee", "other.misc")
# Rows a label may only name inside their group (a bare 其他 is 其他 of (六)).
GROUPED_ROWS: Final[dict[str, str]] = {"other.misc": "其他处理"}
APPLICATION_GROUPS: Final[dict[str, str]] = {
    "不予公开": "denied", "无法提供": "unavailable", "不予处理": "not_processed", "其他处理": "other",
}

# ---------------------------------------------------------------- section 四 (review, litigation)
REVIEW_COLUMNS: Final = ("upheld", "corrected", "other", "pending", "total")
REVIEW_GROUPS: Final = ("review", "litigation.direct", "litigation.after_review")
REVIEW_KEYS: Final = tuple(f"{g}.{c}" for g in REVIEW_GROUPS for c in REVIEW_COLUMNS)


def application_rows(layout: str, hybrid: bool) -> tuple[str, ...]:
    rows = tuple(APPLICATION_ROWS)
    if layout == "2019" or hybrid:
        rows = tuple(r for r in rows if r not in OTHER_SUBROWS)
    return rows


def layout_keys(layout: str, hybrid: bool = False) -> list[str]:
    """Every fact key a complete report of this layout has, in the order of the spec."""
    keys = [f"{row}.{col}" for row, cols in ART20_LAYOUT[layout].items() for col in cols]
    keys += [f"applications.{row}.{col}" for row in application_rows(layout, hybrid)
             for col in APPLICATION_COLUMNS]
    keys += list(REVIEW_KEYS)
    return keys


def is_money(key: str) -> bool:
    return key.endswith(".amount_wan")
