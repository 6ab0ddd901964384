"""Agency and year detection: title, statistics period, body, signature, hints."""
from __future__ import annotations

from parsers import parse_bytes
from tests.parsers.helpers import report


def parse(data: bytes, **kw):
    return parse_bytes(data, name="r.txt", **kw)


def test_title_gives_agency_and_year() -> None:
    r = parse(report(title="临江市河西区教育局 2020 年度政府信息公开工作年度报告"))
    assert (r.agency, r.year) == ("临江市河西区教育局", 2020)
    assert r.title == "临江市河西区教育局2020年度政府信息公开工作年度报告"


def test_title_broken_over_two_lines() -> None:
    r = parse(report(title="洪泽区人民政府\n\n2023 年政府信息公开工作年度报告", layout="2021"))
    assert (r.agency, r.year) == ("洪泽区人民政府", 2023)


def test_period_gives_year_when_title_has_none() -> None:
    r = parse(report(title="政府信息公开工作年度报告",
                     intro="本报告由白河市统计局办公室编制。本报告中所列数据的统计期限自2020年1月1日起至2020年12月31日止。"))
    assert (r.agency, r.year) == ("白河市统计局", 2020)


def test_body_gives_region_prefix_the_title_lacks() -> None:
    r = parse(report(title="洪泽区人民政府2023年政府信息公开工作年度报告", layout="2021",
                     intro="本报告由淮安市洪泽区人民政府办公室根据《条例》要求编制。"))
    assert r.agency == "淮安市洪泽区人民政府"


def test_signature_and_date() -> None:
    r = parse(report(title=None, tail="安平市水利局\n\n2021年1月28日"))
    assert (r.agency, r.year) == ("安平市水利局", 2020)  # published 2021, covers 2020


def test_hints_fill_what_the_document_does_not_say() -> None:
    r = parse(report(title=None), agency_hint="宁远市商务局", year_hint=2020)
    assert (r.agency, r.year) == ("宁远市商务局", 2020)
    assert r.status.value == "parsed"


def test_hint_with_region_prefix_wins_over_short_name() -> None:
    r = parse(report(title="二七区建设和交通局2020年政府信息公开工作年度报告"), agency_hint="郑州市二七区建设和交通局")
    assert r.agency == "郑州市二七区建设和交通局"


def test_document_beats_a_wrong_year_hint_and_says_so() -> None:
    r = parse(report(), year_hint=2019)
    assert r.year == 2020
    assert any("2019" in w for w in r.warnings)


def test_we_is_never_an_agency() -> None:
    r = parse(report(title=None, intro="现将我局2020年政府信息公开工作年度报告如下。"))
    assert r.agency is None
    assert any("agency" in w for w in r.warnings)


def test_years_in_prose_do_not_override_the_title() -> None:
    r = parse(report(intro="较2019年增长20%，2021年将继续努力。"))
    assert r.year == 2020
