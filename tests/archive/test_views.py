"""The SQL views users browse with: the same answers on SQLite and PostgreSQL."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import text

from archive import Listing

from .helpers import expected, put, result

H23, H24, HA24 = expected("hongze-district-2023"), expected("hongze-district-2024"), expected("huaian-city-2024")


def rows(archive, sql, **params):
    return archive.read(lambda s: [dict(r) for r in s.execute(text(sql), params).mappings()])


def file(archive, exp, url, published=None, **kw):
    stored = put(archive, url.encode(), url, listing=Listing(date=published))
    return archive.file(stored.sha256, result(exp, **kw))


def test_coverage_found_late_missing_with_legal_deadlines(archive):
    # a department: deadline 31 January; a county government: 31 March
    dept = dict(H23, agency="淮安市洪泽区教育局")
    file(archive, dept, "http://a.test/edu2021.pdf", dt.date(2022, 1, 30), year=2021)
    file(archive, dept, "http://a.test/edu2023.pdf", dt.date(2024, 2, 5), year=2023)  # after 31 Jan: late
    file(archive, H23, "http://a.test/gov2023.pdf", dt.date(2024, 3, 28))  # before 31 Mar: on time
    file(archive, H24, "http://a.test/gov2024.pdf", dt.date(2025, 4, 1))   # after 31 Mar: late
    cov = {(r["agency"], r["year"]): (r["coverage"], str(r["deadline"]))
           for r in rows(archive, "SELECT * FROM v_coverage")}
    assert cov == {
        ("淮安市洪泽区教育局", 2021): ("found", "2022-01-31"),
        ("淮安市洪泽区教育局", 2022): ("missing", "2023-01-31"),
        ("淮安市洪泽区教育局", 2023): ("late", "2024-01-31"),
        ("淮安市洪泽区教育局", 2024): ("missing", "2025-01-31"),
        ("淮安市洪泽区人民政府", 2023): ("found", "2024-03-31"),
        ("淮安市洪泽区人民政府", 2024): ("late", "2025-03-31"),
    }
    late = rows(archive, "SELECT agency, year, late FROM v_reports ORDER BY agency, year")
    assert [bool(r["late"]) for r in late] == [False, True, False, True]


def test_table_views_pivot_the_canonical_facts(archive):
    file(archive, HA24, "http://a.test/ha.pdf")
    apps = rows(archive, "SELECT * FROM v_applications ORDER BY position")
    assert [a["row_name"] for a in apps][:3] == ["new", "carried_in", "granted"]
    new = apps[0]
    facts = HA24["facts"]
    assert {k: new[k] for k in ("natural_person", "commercial", "total")} == {
        k: facts[f"applications.new.{k}"] for k in ("natural_person", "commercial", "total")}
    art20 = {r["item"]: r for r in rows(archive, "SELECT * FROM v_art20")}
    assert art20["penalty"]["decisions"] == facts["art20.6.penalty.decisions"]
    assert art20["fees"]["amount_wan"] == facts["art20.8.fees.amount_wan"]
    review = {r["proceeding"]: r for r in rows(archive, "SELECT * FROM v_review")}
    assert review["review"]["total"] == facts["review.total"]
    assert review["litigation.after_review"]["upheld"] == facts["litigation.after_review.upheld"]


def test_facts_view_says_where_each_fact_was_read(archive):
    filed = file(archive, H24, "http://a.test/r.pdf")
    (fact,) = rows(archive, "SELECT * FROM v_facts WHERE report_id = :r AND key = 'applications.new.total'",
                   r=filed.report_id)
    assert fact["value"] == H24["facts"]["applications.new.total"] and fact["page"] == 2 and fact["table_no"] == 1
    assert fact["cell_text"] == str(H24["facts"]["applications.new.total"]) and bool(fact["canonical"])
    assert fact["label"] == "一、本年新收政府信息公开申请数量 · 总计"
    assert fact["source_url"] == "http://a.test/r.pdf"
