"""The fact keys of docs/report-schema.md, written out again on purpose.

The generator must not share the parser's tables (``parsers.schema``): a mistake there would
then be repeated here and every round trip would still pass. ``test_synth`` checks these keys
against the Markdown of the spec itself.
"""
from __future__ import annotations

from typing import Final

# Section 三 columns, in the table's order.
APPLICANTS: Final = ("natural_person", "commercial", "research", "social_org", "legal_service", "other_org")
APP_COLUMNS: Final = (*APPLICANTS, "total")

# Section 三 rows: key, canonical label, group label, sub-group label.
G3 = "三、本年度办理结果"
APP_ROWS_2019: Final[tuple[tuple[str, str, str | None, str | None], ...]] = (
    ("new", "一、本年新收政府信息公开申请数量", None, None),
    ("carried_in", "二、上年结转政府信息公开申请数量", None, None),
    ("granted", "（一）予以公开", G3, None),
    ("partial", "（二）部分公开（区分处理的，只计这一情形，不计其他情形）", G3, None),
    ("denied.state_secret", "1.属于国家秘密", G3, "（三）不予公开"),
    ("denied.prohibited", "2.其他法律行政法规禁止公开", G3, "（三）不予公开"),
    ("denied.security", "3.危及“三安全一稳定”", G3, "（三）不予公开"),
    ("denied.third_party", "4.保护第三方合法权益", G3, "（三）不予公开"),
    ("denied.internal", "5.属于三类内部事务信息", G3, "（三）不予公开"),
    ("denied.process", "6.属于四类过程性信息", G3, "（三）不予公开"),
    ("denied.enforcement_file", "7.属于行政执法案卷", G3, "（三）不予公开"),
    ("denied.query", "8.属于行政查询事项", G3, "（三）不予公开"),
    ("unavailable.not_held", "1.本机关不掌握相关政府信息", G3, "（四）无法提供"),
    ("unavailable.needs_creation", "2.没有现成信息需要另行制作", G3, "（四）无法提供"),
    ("unavailable.unclear", "3.补正后申请内容仍不明确", G3, "（四）无法提供"),
    ("not_processed.complaint", "1.信访举报投诉类申请", G3, "（五）不予处理"),
    ("not_processed.duplicate", "2.重复申请", G3, "（五）不予处理"),
    ("not_processed.publication", "3.要求提供公开出版物", G3, "（五）不予处理"),
    ("not_processed.excessive", "4.无正当理由大量反复申请", G3, "（五）不予处理"),
    ("not_processed.confirmation", "5.要求行政机关确认或重新出具已获取信息", G3, "（五）不予处理"),
    ("other", "（六）其他处理", G3, None),
    ("total", "（七）总计", G3, None),
    ("carried_out", "四、结转下年度继续办理", None, None),
)
OTHER_SUBS: Final = (
    ("other.no_correction", "1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请", G3, "（六）其他处理"),
    ("other.unpaid_fee", "2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请", G3, "（六）其他处理"),
    ("other.misc", "3.其他", G3, "（六）其他处理"),
)


def app_rows(layout: str, hybrid: bool = False) -> tuple[tuple[str, str, str | None, str | None], ...]:
    """The printed rows of 表三: the 2021 layout prints the three (六) sub-rows instead of (六)."""
    if layout == "2019" or hybrid:
        return APP_ROWS_2019
    i = [r[0] for r in APP_ROWS_2019].index("other")
    return APP_ROWS_2019[:i] + OTHER_SUBS + APP_ROWS_2019[i + 1:]


# Outcome rows summed by (七) 总计 (the 2021 layout's (六) is the sum of its sub-rows).
OUTCOME_ROWS: Final = tuple(r[0] for r in APP_ROWS_2019 if r[2] == G3 and r[0] != "total")

# Section 二: (table heading, row key, row label, ((column key, header), ...)).
Art20Table = tuple[str, tuple[tuple[str, str], ...], tuple[tuple[str, str], ...]]
ART20_2019: Final[tuple[Art20Table, ...]] = (
    ("第二十条第（一）项", (("art20.1.rules", "规章"), ("art20.1.normative", "规范性文件")),
     (("made", "本年新制作数量"), ("published", "本年新公开数量"), ("total", "对外公开总数量"))),
    ("第二十条第（五）项", (("art20.5.licensing", "行政许可"), ("art20.5.other_services", "其他对外管理服务事项")),
     (("previous", "上一年项目数量"), ("change", "本年增/减"), ("decisions", "处理决定数量"))),
    ("第二十条第（六）项", (("art20.6.penalty", "行政处罚"), ("art20.6.coercion", "行政强制")),
     (("previous", "上一年项目数量"), ("change", "本年增/减"), ("decisions", "处理决定数量"))),
    ("第二十条第（八）项", (("art20.8.fees", "行政事业性收费"),),
     (("previous", "上一年项目数量"), ("change", "本年增/减"))),
    ("第二十条第（九）项", (("art20.9.procurement", "政府集中采购"),),
     (("projects", "采购项目数量"), ("amount_wan", "采购总金额（单位：万元）"))),
)
ART20_2021: Final[tuple[Art20Table, ...]] = (
    ("第二十条第（一）项", (("art20.1.rules", "规章"), ("art20.1.normative", "行政规范性文件")),
     (("issued", "本年制发件数"), ("repealed", "本年废止件数"), ("in_force", "现行有效件数"))),
    ("第二十条第（五）项", (("art20.5.licensing", "行政许可"),), (("decisions", "本年处理决定数量"),)),
    ("第二十条第（六）项", (("art20.6.penalty", "行政处罚"), ("art20.6.coercion", "行政强制")),
     (("decisions", "本年处理决定数量"),)),
    ("第二十条第（八）项", (("art20.8.fees", "行政事业性收费"),), (("amount_wan", "本年收费金额（单位：万元）"),)),
)
MONEY_KEYS: Final = frozenset({"art20.9.procurement.amount_wan", "art20.8.fees.amount_wan"})
SIGNED_SUFFIX: Final = ".change"

REVIEW_COLUMNS: Final = ("upheld", "corrected", "other", "pending", "total")
REVIEW_HEADERS: Final = ("结果维持", "结果纠正", "其他结果", "尚未审结", "总计")
REVIEW_GROUPS: Final = ("review", "litigation.direct", "litigation.after_review")

CHECKS: Final = ("applications.row_totals", "applications.outcome_total", "applications.balance", "review.total")


def art20_tables(layout: str) -> tuple[Art20Table, ...]:
    return ART20_2019 if layout == "2019" else ART20_2021


def fact_keys(layout: str, hybrid: bool = False) -> list[str]:
    """Every key a complete report of this layout has, in the spec's order."""
    keys = [f"{row}.{col}" for _, rows, cols in art20_tables(layout) for row, _ in rows for col, _ in cols]
    rows = [r[0] for r in app_rows(layout, hybrid)]
    if layout == "2021" and not hybrid:  # (六) is derived from its sub-rows but still a key
        i = rows.index("other.no_correction")
        rows.insert(i, "other")
    keys += [f"applications.{row}.{col}" for row in rows for col in APP_COLUMNS]
    keys += [f"{group}.{col}" for group in REVIEW_GROUPS for col in REVIEW_COLUMNS]
    return keys
