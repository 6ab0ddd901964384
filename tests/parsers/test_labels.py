"""Label matching: variants, typos, brackets, traditional characters, numbering, wrapping."""
from __future__ import annotations

import pytest

from parsers.labels import match_application_row, match_art20_column, match_art20_row, similarity
from parsers.textnorm import fold, halfwidth, segments


@pytest.mark.parametrize(("label", "key"), [
    ("一、本年新收政府信息公开申请数量", "new"),
    ("一、本年新收政府信息公开申请数", "new"),
    ("二、上年结转政府信息公开申请数量", "carried_in"),
    ("（一）予以公开", "granted"),
    ("(一)予以公开的", "granted"),
    ("（二）部分公开（区分处理的，只计这一情形，不计其他情形）", "partial"),
    ("（二）部分公开（区分处理的，只计 这一情形，不计其他情形）", "partial"),
    ("（二）部分公开", "partial"),
    ("1.属于国家秘密", "denied.state_secret"),
    ("2.其他法律行政止公开", "denied.prohibited"),        # a real typo (hongze)
    ("2．其它法律行政法规禁止公开", "denied.prohibited"),
    ("3.危及“三安全一稳 定”", "denied.security"),
    ("3、危及‘三安全一稳定’", "denied.security"),
    ("5. 属于三类内部事务 信息", "denied.internal"),
    ("6.属于四类过程信息", "denied.process"),
    ("1.本机关不掌握相关信息", "unavailable.not_held"),    # seed 004
    ("2.没有现成信息需另行制作", "unavailable.needs_creation"),
    ("3.补正后申请内容仍不明确的", "unavailable.unclear"),
    ("1.信访举报投诉类申 请", "not_processed.complaint"),
    ("2.重複申請", "not_processed.duplicate"),
    ("3.要求提供公共出版物", "not_processed.publication"),
    ("4.无正当理由大量、反复申请", "not_processed.excessive"),
    ("5.要求行政机关确认或重新出\n具已获取信息", "not_processed.confirmation"),
    ("（六）其他处理", "other"),
    ("（六）其它处理", "other"),
    ("1、申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请", "other.no_correction"),
    ("2.申请人逾期未按收费通知要求缴纳费用，行政机关不再处理其政府信息公开申请", "other.unpaid_fee"),
    ("（七）总计", "total"),
    ("（七）总  计", "total"),
    ("（七）合计", "total"),
    ("四、结转下年度继续办理", "carried_out"),
    ("三、本年度办理结果 （三）不予公开 8.属于行政查询事项", "denied.query"),
    ("三、本年度辦理結果（五）不予處理 1.信訪舉報投訴類申請", "not_processed.complaint"),
])
def test_application_rows(label: str, key: str) -> None:
    assert match_application_row(segments(label), in_group=None)[0] == key


def test_bare_other_needs_its_group() -> None:
    assert match_application_row(segments("3.其他"), in_group=None)[0] is None
    assert match_application_row(segments("3.其他"), in_group="其他处理")[0] == "other.misc"
    assert match_application_row(segments("（六）其他处理 3.其他"), in_group=None)[0] == "other.misc"


@pytest.mark.parametrize("label", ["", "信息内容", "申请人情况", "行政复议", "合计金额说明", "本机关"])
def test_unrelated_labels_do_not_match(label: str) -> None:
    assert match_application_row(segments(label), in_group=None)[0] is None


@pytest.mark.parametrize(("label", "key"), [
    ("规章", "art20.1.rules"), ("规范性文件", "art20.1.normative"), ("行政规范性文件", "art20.1.normative"),
    ("行政许可", "art20.5.licensing"), ("其他对外管理服务事项", "art20.5.other_services"),
    ("行政处罚", "art20.6.penalty"), ("行政強制", "art20.6.coercion"), ("行政事业性收费", "art20.8.fees"),
    ("政府集中采购", "art20.9.procurement"), ("政府集中採購", "art20.9.procurement"),
])
def test_art20_rows(label: str, key: str) -> None:
    assert match_art20_row(segments(label))[0] == key


@pytest.mark.parametrize(("header", "label"), [
    ("本年新\n制作数量", "本年新制作数量"), ("本年增/减", "本年增减"), ("本年增加/减少", "本年增加减少"),
    ("本年增／减", "本年增减"), ("采购总金额（单位：万元，保留4位小数）", "采购总金额"),
    ("本年收费金额（单位：万元）", "本年收费金额"), ("本年处理决定数量", "本年处理决定数量"),
    ("处理决定数量", "处理决定数量"), ("現行有效件數", "现行有效件数"),
])
def test_art20_columns(header: str, label: str) -> None:
    assert match_art20_column(fold(header)) == label


def test_folding() -> None:
    assert halfwidth("（一）１２３，：") == "(一)123,:"
    assert fold("三、本年度 办理结果") == "本年度办理结果"
    assert fold("關於") == "关于"
    assert segments("三、本年度办理结果（三）不予公开1.属于国家秘密") == ["本年度办理结果", "不予公开", "属于国家秘密"]
    assert similarity("其他法律行政止公开", "其他法律行政法规禁止公开") > 0.7


def test_radicals_from_pdf_writers_are_ordinary_ideographs() -> None:
    """Chrome's PDFs map glyphs to Kangxi/supplement radicals (⼯ ⼈ ⺠ ⾏) in ToUnicode."""
    from parsers.textnorm import ideographs

    assert ideographs("政府信息公开⼯作年度报告 中华⼈⺠共和国 ⻔户⽹站 ⼀⼆⼗") == \
        "政府信息公开工作年度报告 中华人民共和国 门户网站 一二十"
    assert fold("⾏政强制") == "行政强制"
    assert match_application_row(segments("（⼀）予以公开"), in_group=None)[0] == "granted"
