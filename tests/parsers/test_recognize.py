"""What a document is: layout by table headers, hybrids, partial reports, non-reports."""
from __future__ import annotations

from parsers import Status, parse_bytes
from parsers.schema import layout_keys
from tests.parsers.helpers import ART20_2019, applications, report


def parse(data: bytes, **kw):
    return parse_bytes(data, name="r.txt", **kw)


def test_2019_layout_is_complete_and_converts_yuan() -> None:
    r = parse(report())
    assert r.status is Status.PARSED and r.layout == "2019"
    assert list(r.facts) == layout_keys("2019")
    assert r.facts["art20.9.procurement.amount_wan"] == 25.1  # printed 251000 in a 元 column
    assert r.facts["art20.5.licensing.change"] == -2
    assert r.facts["review.upheld"] == 1


def test_layout_comes_from_headers_not_year() -> None:
    # a 2022 report that kept the 2019 tables
    r = parse(report(title="测试县教育局2022年政府信息公开工作年度报告", layout="2019"))
    assert (r.year, r.layout) == (2022, "2019")
    # a 2020 report already in the 2021 tables
    r = parse(report(layout="2021", other="2021"))
    assert (r.year, r.layout) == (2020, "2021")


def test_2021_layout_derives_other_from_sub_rows() -> None:
    r = parse(report(layout="2021", apps=applications("2021", rows={20: "1\t0\t0\t0\t0\t0\t1", 22: "2\t1\t0\t0\t0\t0\t3"})))
    assert r.status is Status.PARSED
    assert list(r.facts) == layout_keys("2021")
    assert r.facts["applications.other.natural_person"] == 3
    assert r.facts["applications.other.total"] == 4
    assert sorted(r.derived) == sorted(f"applications.other.{c}" for c in (
        "natural_person", "commercial", "research", "social_org", "legal_service", "other_org", "total"))


def test_hybrid_has_the_single_other_row() -> None:
    r = parse(report(layout="2021", other="2019"))
    assert r.status is Status.PARSED and r.layout == "2021"
    assert list(r.facts) == layout_keys("2021", hybrid=True)
    assert "applications.other.misc.total" not in r.facts and not r.derived


def test_missing_section_is_partial_never_zeros() -> None:
    r = parse(report(review=""))
    assert r.status is Status.PARTIAL
    assert not any(k.startswith(("review.", "litigation.")) for k in r.facts)
    assert any("section 四" in w for w in r.warnings)


def test_unreadable_row_is_partial_and_named() -> None:
    r = parse(report(apps=applications(rows={2: "见附件\t\t\t\t\t\t"})))
    assert r.status is Status.PARTIAL
    assert "applications.granted.total" not in r.facts
    assert any("granted" in w for w in r.warnings)


def test_failed_checks_keep_the_printed_numbers() -> None:
    r = parse(report(apps=applications(rows={0: "5\t0\t0\t0\t0\t0\t4"})))
    checks = {c.name: c for c in r.checks}
    assert r.facts["applications.new.total"] == 4
    assert checks["applications.row_totals"].ok is False
    assert "new" in checks["applications.row_totals"].detail
    assert checks["applications.balance"].ok is False


def test_work_plan_is_not_a_report() -> None:
    text = "测试县2021年政务公开工作要点\n\n一、加强政策解读。\n\n二、推进基层政务公开标准化。".encode()
    r = parse(text)
    assert r.status is Status.NOT_A_REPORT and r.kind == "work_plan" and not r.facts
    assert "工作要点" in (r.error or "")


def test_notice_is_not_a_report() -> None:
    r = parse("关于报送2020年政府信息公开工作年度报告的通知\n\n各单位：请于1月31日前报送。".encode())
    assert r.status is Status.NOT_A_REPORT and r.kind == "notice"


def test_pre_2019_report_is_legacy() -> None:
    text = ("测试县教育局2017年政府信息公开工作年度报告\n\n一、概述\n\n二、主动公开政府信息情况\n\n"
            "2017年主动公开政府信息120条。\n\n三、依申请公开政府信息情况\n\n共收到申请3件。").encode()
    r = parse(text)
    assert r.status is Status.LEGACY_FORMAT and r.kind == "legacy_report" and not r.facts


def test_report_without_readable_tables_is_unreadable_not_zeros() -> None:
    r = parse("测试县教育局2021年政府信息公开工作年度报告\n\n一、总体情况\n\n表格见附件。".encode())
    assert r.status is Status.UNREADABLE and not r.facts
    assert "tables" in (r.error or "")


def test_art20_alone_in_a_short_document() -> None:
    r = parse(("测试县教育局2020年政府信息公开工作年度报告\n\n" + ART20_2019).encode())
    assert r.status is Status.PARTIAL
    assert r.facts["art20.1.normative.total"] == 3


def test_notice_carrying_the_template_tables_is_not_a_report() -> None:
    r = parse(report(title="关于做好2020年度政府信息公开工作年度报告编制和发布工作的通知"))
    assert r.status is Status.NOT_A_REPORT and r.kind == "notice" and not r.facts


def test_a_portal_column_name_does_not_unmake_a_report() -> None:
    page = ("<html><head><title>通知公告</title></head><body><div class='TRS_Editor'><p>本报告由测试县教育局办公室编制。"
            "统计期限自2020年1月1日至2020年12月31日。</p><pre>x</pre></div></body></html>")
    r = parse_bytes(page.encode(), name="x.html")
    assert r.status is Status.NOT_A_REPORT  # no tables: the column name decides
    text = "通知公告\n\n" + report().decode()
    r = parse(text.encode())
    assert r.status is Status.PARSED and r.agency == "测试县教育局"


def test_page_that_only_links_the_report_says_where_it_is() -> None:
    page = ("<html><head><meta name='ArticleTitle' content='测试县教育局2020年政府信息公开工作年度报告'></head><body>"
            "<div class='TRS_Editor'><p>测试县教育局2020年政府信息公开工作年度报告</p>"
            "<p>附件：<a href='./P020210120123456789012.pdf'>测试县教育局2020年政府信息公开工作年度报告.pdf</a></p>"
            "</div></body></html>")
    r = parse_bytes(page.encode(), name="t20210120_1.html")
    assert r.status is Status.NOT_A_REPORT and r.kind == "attachment_page" and not r.facts
    assert "P020210120123456789012.pdf" in (r.error or "")


def test_report_tables_as_pictures_need_ocr() -> None:
    page = ("<html><body><div class='TRS_Editor'><p>测试县教育局2020年政府信息公开工作年度报告</p>"
            "<p>一、总体情况</p><p><img src='./W020210120.png'/></p><p><img src='./W020210121.png'/></p>"
            "</div></body></html>")
    r = parse_bytes(page.encode(), name="t.html")
    assert r.status is Status.NEEDS_OCR and not r.facts and "pictures" in (r.error or "")


def test_totals_left_out_by_the_table_are_derived() -> None:
    from tests.parsers.helpers import APP_HEADER, applications

    without_total = applications(rows={0: "3\t1\t0\t0\t0\t0"}).replace("\t总计", "")
    lines = [line if i < 3 else line.rsplit("\t", 1)[0] if line.count("\t") >= 9 else line
             for i, line in enumerate(without_total.split("\n"))]
    assert APP_HEADER.replace("\t总计", "").split("\n")[1] in lines[1]
    r = parse(report(apps="\n".join(lines)))
    assert r.status is Status.PARSED, r.warnings
    assert r.facts["applications.new.total"] == 4
    assert "applications.new.total" in r.derived and len(r.derived) == 23
