"""Filing parses into reports: canonical choice, conflicts, corrections, cross-year, moves."""
from __future__ import annotations

from sqlalchemy import func, select, text

from archive import Hints, Listing
from archive.models import Fact, Parse, Report, ReportSource
from parsers.result import Status

from .helpers import expected, put, result

H23, H24, HA24 = expected("hongze-district-2023"), expected("hongze-district-2024"), expected("huaian-city-2024")


def rows(archive, sql, **params):
    return archive.read(lambda s: [dict(r) for r in s.execute(text(sql), params).mappings()])


def test_one_report_per_agency_year_with_every_source(archive):
    pdf = put(archive, b"2024 pdf", "http://www.hz.gov.cn.test/P0.pdf")
    html = put(archive, b"2024 html", "http://www.hz.gov.cn.test/t2024.html")
    copy = put(archive, b"2024 copy", "http://www.ha.gov.cn.test/copy.pdf")
    filed = [archive.file(s.sha256, result(H24, fmt=f)) for s, f in ((pdf, "pdf"), (html, "html"), (copy, "pdf"))]
    assert len({f.report_id for f in filed}) == 1
    assert [f.report_created for f in filed] == [True, False, False]
    (report,) = rows(archive, "SELECT * FROM v_reports")
    assert report["n_sources"] == 3 and report["status"] == "ok" and report["n_conflicts"] == 0
    assert report["source_sha256"] == pdf.sha256  # the official attachment, first seen, is canonical
    assert {r["url"] for r in rows(archive, "SELECT url FROM v_sources")} == {
        "http://www.hz.gov.cn.test/P0.pdf", "http://www.hz.gov.cn.test/t2024.html", "http://www.ha.gov.cn.test/copy.pdf"}


def test_canonical_parse_is_the_most_complete(archive):
    partial = put(archive, b"partial", "http://a.test/1.html")
    failing = put(archive, b"failing", "http://a.test/2.pdf")
    scan = put(archive, b"scan", "http://a.test/3.pdf")
    best = put(archive, b"best", "http://a.test/4.html")
    archive.file(partial.sha256, result(H23, status=Status.PARTIAL, fmt="html"))
    assert rows(archive, "SELECT status FROM reports")[0]["status"] == "partial"
    archive.file(scan.sha256, result(status=Status.NEEDS_OCR, agency=H23["agency"], year=2023))
    archive.file(failing.sha256, result(H23, checks_ok=False))
    assert rows(archive, "SELECT status, source_sha256 FROM v_reports")[0] == {
        "status": "checks_failed", "source_sha256": failing.sha256}
    archive.file(best.sha256, result(H23, fmt="html"))
    (report,) = rows(archive, "SELECT status, source_sha256, n_sources, check_balance FROM v_reports")
    assert report == {"status": "ok", "source_sha256": best.sha256, "n_sources": 4, "check_balance": True}
    ranks = rows(archive, "SELECT rank, sha256 FROM v_sources ORDER BY rank")
    assert [r["sha256"] for r in ranks] == [best.sha256, failing.sha256, partial.sha256, scan.sha256]


def test_disagreeing_sources_make_a_conflict_and_both_stay_queryable(archive):
    a = put(archive, b"pdf", "http://a.test/r.pdf")
    b = put(archive, b"html", "http://a.test/r.html")
    archive.file(a.sha256, result(H24))
    filed = archive.file(b.sha256, result(H24, fmt="html", changes={"applications.new.total": 96}))
    assert filed.report_status == "conflict" and filed.report_changed
    (conflict,) = rows(archive, "SELECT * FROM v_conflicts")
    assert (conflict["key"], conflict["canonical_value"], conflict["other_value"]) == (
        "applications.new.total", 95, 96)
    both = rows(archive, "SELECT sha256, value, canonical FROM v_facts WHERE key = 'applications.new.total' "
                         "ORDER BY value")
    assert [(r["sha256"], r["value"], bool(r["canonical"])) for r in both] == [
        (a.sha256, 95, True), (b.sha256, 96, False)]


def test_a_correction_supersedes_the_original(archive):
    original = put(archive, b"v1", "http://a.test/v1.pdf", listing=Listing("洪泽区2024年政府信息公开工作年度报告", "2025-01-20"))
    corrected = put(archive, b"v2", "http://a.test/v2.pdf",
                    listing=Listing("洪泽区2024年政府信息公开工作年度报告（更正）", "2025-02-10"))
    archive.file(original.sha256, result(H24))
    filed = archive.file(corrected.sha256, result(H24, changes={"applications.new.total": 96}))
    assert filed.report_status == "ok"
    (report,) = rows(archive, "SELECT source_sha256, applications_new, publication_date FROM v_reports")
    assert report["source_sha256"] == corrected.sha256 and report["applications_new"] == 96
    assert str(report["publication_date"]) == "2025-01-20"  # first publication counts for the deadline
    roles = {r["sha256"]: (r["role"], bool(r["correction"])) for r in rows(archive, "SELECT * FROM v_sources")}
    assert roles == {corrected.sha256: ("source", True), original.sha256: ("superseded", False)}


def test_cross_year_check_links_spellings_of_one_agency(archive):
    d23 = put(archive, b"2023", "http://a.test/2023.pdf")
    d24 = put(archive, b"2024", "http://a.test/2024.pdf")
    archive.file(d24.sha256, result(H24))  # 淮安市洪泽区人民政府, filed first
    assert rows(archive, "SELECT carry_check FROM reports")[0]["carry_check"] == "no_previous"
    archive.file(d23.sha256, result(H23))  # 洪泽区人民政府: the same agency, the year before
    checks = rows(archive, "SELECT agency, year, carry_check, carry_detail FROM v_reports ORDER BY year")
    assert [(c["year"], c["carry_check"]) for c in checks] == [(2023, "no_previous"), (2024, "ok")]
    assert checks[0]["agency"] == checks[1]["agency"] == "淮安市洪泽区人民政府"
    # last year's carried_out now disagrees with this year's carried_in
    d23b = put(archive, b"2023 corrected", "http://a.test/2023b.pdf")
    archive.file(d23b.sha256, result(H23, changes={"applications.carried_out.natural_person": 4,
                                                   "applications.carried_out.total": 4}, fmt="html"))
    (c24,) = rows(archive, "SELECT carry_check, carry_detail FROM v_reports WHERE year = 2024")
    assert c24["carry_check"] == "ok"  # the canonical 2023 parse (PDF) is unchanged
    archive.file(d23.sha256, result(H23, status=Status.UNREADABLE, version="9.1.0", error="damaged"))
    (c24,) = rows(archive, "SELECT carry_check, carry_detail FROM v_reports WHERE year = 2024")
    assert c24["carry_check"] == "mismatch"
    assert "natural_person: carried_in 0 ≠ 2023 carried_out 4" in c24["carry_detail"]


def test_reparse_that_changes_the_year_moves_the_document(archive):
    doc = put(archive, b"doc", "http://a.test/d.pdf")
    first = archive.file(doc.sha256, result(H23, year=2022))
    second = archive.file(doc.sha256, result(H23, version="9.1.0"))
    assert first.report_id != second.report_id
    assert rows(archive, "SELECT year FROM reports") == [{"year": 2023}]  # no report without a document
    assert archive.read(lambda s: s.scalar(select(func.count()).select_from(Parse))) == 2
    assert archive.read(lambda s: s.scalar(select(func.count()).select_from(Parse).where(Parse.is_current))) == 1


def test_documents_that_are_not_reports_are_not_filed(archive):
    doc = put(archive, b"work plan", "http://a.test/plan.html")
    filed = archive.file(doc.sha256, result(status=Status.NOT_A_REPORT, agency="洪泽区人民政府", year=2024,
                                           error="工作要点, not an annual report"))
    assert filed.report_id is None and filed.parse_id is not None
    assert rows(archive, "SELECT COUNT(*) AS n FROM reports") == [{"n": 0}]


def test_unreadable_report_is_found_but_has_no_facts(archive):
    doc = put(archive, b"%PDF-1.4 truncated", "http://a.test/bad.pdf",
              hints=Hints(agency="洪泽区人民政府", year=2023))
    filed = archive.file(doc.sha256, result(status=Status.UNREADABLE, error="truncated PDF"),
                         hints=Hints(agency="洪泽区人民政府", year=2023))
    assert filed.report_status == "unreadable" and filed.agency == "洪泽区人民政府"
    (report,) = rows(archive, "SELECT status, applications_new, checks_ok FROM v_reports")
    assert report == {"status": "unreadable", "applications_new": None, "checks_ok": None}  # never zeros
    assert archive.read(lambda s: s.scalar(select(func.count()).select_from(Fact))) == 0
    (cov,) = rows(archive, "SELECT coverage, report_status FROM v_coverage")
    assert cov == {"coverage": "found", "report_status": "unreadable"}


def test_filing_again_is_idempotent_and_versions_only_move_forward(archive):
    doc = put(archive, b"doc", "http://a.test/d.pdf")
    archive.file(doc.sha256, result(H24, version="2.0.0"))
    again = archive.file(doc.sha256, result(H24, version="2.0.0"))
    assert again.skipped == "already parsed by parser 2.0.0"
    older = archive.file(doc.sha256, result(H24, version="1.9.9", changes={"applications.new.total": 1}))
    assert older.skipped == "parsed by the newer parser 2.0.0"
    forced = archive.file(doc.sha256, result(H24, version="2.0.0"), force=True)
    assert forced.skipped is None and not forced.report_changed
    counts = archive.read(lambda s: (s.scalar(select(func.count()).select_from(Parse)),
                                     s.scalar(select(func.count()).select_from(Fact)),
                                     s.scalar(select(func.count()).select_from(Report)),
                                     s.scalar(select(func.count()).select_from(ReportSource))))
    assert counts == (1, len(H24["facts"]), 1, 1)
    newer = archive.file(doc.sha256, result(H24, version="2.0.10", changes={"applications.new.total": 94}))
    assert newer.report_changed and newer.parse_id != forced.parse_id  # 2.0.10 > 2.0.9 > 2.0.0
