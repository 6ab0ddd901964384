"""Table labels as real reports print them: variants, slips, brackets, traditional characters.

Each function takes the canonical label of ``schema`` and returns the printed one; a parser
must map every printed form back to the same fact key.
"""
from __future__ import annotations

import random
import re

from tests.synth.style import Style

# Wordings real reports use instead of the template's (seen on Henan and Jiangsu portals).
VARIANTS: dict[str, tuple[str, ...]] = {
    "（二）部分公开（区分处理的，只计这一情形，不计其他情形）": ("（二）部分公开",),
    "3.危及“三安全一稳定”": ('3.危及"三安全一稳定"', "3.危及‘三安全一稳定’", "3.危及三安全一稳定"),
    "1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请":
        ("1.申请人无正当理由逾期不补正，行政机关不再处理其政府信息公开申请",),
    "2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请":
        ("2.申请人逾期未按收费通知要求缴纳费用，行政机关不再处理其政府信息公开申请",),
    "（七）总计": ("（七）总  计", "（七）合计"),
    "本年增/减": ("本年增加/减少", "本年增／减"),
    "采购总金额（单位：万元）": ("采购总金额（单位：万元，保留4位小数）", "采购总金额（万元）"),
    "本年收费金额（单位：万元）": ("本年收费金额（万元）", "本年收费金额(单位：万元)"),
    "其他对外管理服务事项": ("其他对外管理服务事项",),
    "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）":
        ("（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和。）", ""),
}
# One-character slips and near-synonyms seen in published tables.
TYPOS: tuple[tuple[str, str], ...] = (
    ("其他法律", "其它法律"), ("其他处理", "其它处理"), ("其他结果", "其它结果"),
    ("申请数量", "申请数"), ("仍不明确", "仍不明确的"), ("公开出版物", "公共出版物"),
    ("大量反复", "大量、反复"), ("需要另行", "需另行"), ("过程性信息", "过程信息"),
    ("继续办理", "继续办理的"), ("不掌握相关", "不掌握"), ("予以公开", "予以公开的"),
)
ITEM_NUMBER = re.compile(r"^(\d)\.")

_WORDS_T = {"复议": "復議", "重复": "重複", "反复": "反覆", "制作": "製作", "属于": "屬於", "后": "後"}
_CHARS_T = str.maketrans(
    "开请数结转办处计这区属国规稳护权类务过执询项无机关没现补确访举报诉总继续缴纳费组织业构会维纠审议讼经"
    "发废许罚强额单万采购对减决况系为点条动内获认认当据于复",
    "開請數結轉辦處計這區屬國規穩護權類務過執詢項無機關沒現補確訪舉報訴總繼續繳納費組織業構會維糾審議訟經"
    "發廢許罰強額單萬採購對減決況係為點條動內獲認認當據於復")


def traditional(text: str) -> str:
    for simple, trad in _WORDS_T.items():
        text = text.replace(simple, trad)
    return text.translate(_CHARS_T)


def brackets(text: str, mode: str, rng: random.Random) -> str:
    if mode == "half":
        return text.replace("（", "(").replace("）", ")")
    if mode == "mixed":  # one side of a pair half-width, as slips in Word produce
        side = rng.choice(("（", "）"))
        return text.replace(side, "(" if side == "（" else ")", 1)
    return text


def item_number(text: str, rng: random.Random) -> str:
    """1. → 1、 or 1． (both common)."""
    return ITEM_NUMBER.sub(lambda m: m.group(1) + rng.choice(("、", "．")), text)


def spaced(text: str) -> str:
    """总计 → 总  计: short labels padded with spaces to fill a cell, as editors do."""
    return "  ".join(text) if 2 <= len(text) <= 3 else text


def printed(label: str, style: Style, rng: random.Random) -> str:
    """The printed form of one canonical label under ``style``."""
    if style.label_variants and label in VARIANTS and rng.random() < 0.7:
        label = rng.choice(VARIANTS[label])
    if style.label_variants and rng.random() < 0.3:
        label = item_number(label, rng)
    if style.typos:
        slips = [t for t in TYPOS if t[0] in label]
        if slips and rng.random() < 0.5:
            label = label.replace(*rng.choice(slips), 1)
    if style.spaced_labels:
        label = spaced(label)
    if style.traditional:
        label = traditional(label)
    return brackets(label, style.brackets, rng)
