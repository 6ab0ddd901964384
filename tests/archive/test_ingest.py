"""`ingest` beyond the fixtures: copies, conflicts, bad input, hints."""
from __future__ import annotations

import pytest
from sqlalchemy import text

from archive import Hints
from archive.ingest import ingest

from .helpers import seed_report


def rows(archive, sql, **params):
    return archive.read(lambda s: [dict(r) for r in s.execute(text(sql), params).mappings()])


def test_copies_are_sources_of_one_report_and_a_disagreeing_one_is_a_conflict(archive, tmp_path):
    (tmp_path / "dept.txt").write_bytes(seed_report())
    (tmp_path / "county-copy.txt").write_bytes(seed_report(trailer="\n\n"))
    first = ingest(archive, [tmp_path / "dept.txt", tmp_path / "county-copy.txt"])
    assert first[0].filed.report_id == first[1].filed.report_id
    assert first[1].filed.report_status == "ok" and first[1].stored.new_document
    (tmp_path / "other-portal.txt").write_bytes(seed_report(procurement_projects=3))
    (third,) = ingest(archive, [tmp_path / "other-portal.txt"])
    assert third.filed.report_id == first[0].filed.report_id and third.filed.report_status == "conflict"
    (conflict,) = rows(archive, "SELECT key, canonical_value, other_value FROM v_conflicts")
    assert conflict == {"key": "art20.9.procurement.projects", "canonical_value": 2, "other_value": 3}
    (report,) = rows(archive, "SELECT status, n_sources, n_conflicts FROM v_reports")
    assert report == {"status": "conflict", "n_sources": 3, "n_conflicts": 1}


@pytest.mark.parametrize(("name", "body"), [
    ("empty.pdf", b""),
    ("image.pdf", b"\x89PNG\r\n\x1a\n" + b"\x00" * 64),
    ("truncated.pdf", b"%PDF-1.7\n1 0 obj\n<< /Type /Catalog"),
])
def test_bad_input_is_stored_with_a_clear_status_and_never_as_zeros(archive, tmp_path, name, body):
    path = tmp_path / name
    path.write_bytes(body)
    (item,) = ingest(archive, [path], hints=Hints(agency="洪泽区人民政府", year=2023))
    assert item.error is None and item.filed.status in ("unreadable", "not_a_report")
    assert item.filed.error  # one line saying why
    facts = rows(archive, "SELECT COUNT(*) AS n FROM facts")
    assert facts == [{"n": 0}]
    if item.filed.status == "unreadable":  # the hints file it as found but unreadable
        (report,) = rows(archive, "SELECT status, applications_new FROM v_reports")
        assert report == {"status": "unreadable", "applications_new": None}


def test_missing_and_unreadable_paths_are_named(archive, tmp_path):
    items = ingest(archive, [tmp_path / "nope.pdf", tmp_path])
    assert items[0].error == "no such file" and items[0].path.endswith("nope.pdf")


@pytest.mark.libreoffice
def test_html_page_and_its_pdf_attachment_are_one_report_with_two_sources(archive, synth_pair):
    """The crawler's path: a detail page and the attachment it links, each stored, then parsed and filed."""
    from archive import FetchRecord, Listing

    report, html, pdf = synth_pair
    listing = Listing(title=report.title, date=report.publication_date)
    list_url, page_url = "http://www.hz.gov.cn.test/col/index.html", "http://www.hz.gov.cn.test/art/t1.html"
    page = archive.store(FetchRecord(url=page_url, status=200, kind="detail", via=[list_url], listing=listing,
                                     headers={"Content-Type": "text/html; charset=utf-8"}), html)
    attachment = archive.store(FetchRecord(url="http://www.hz.gov.cn.test/art/P0.pdf", status=200, kind="attachment",
                                           via=[list_url, page_url], referrer=page_url, parent_fetch_id=page.fetch_id,
                                           listing=listing, headers={"Content-Type": "application/pdf"}), pdf)
    first, second = archive.parse_and_file(page.sha256), archive.parse_and_file(attachment.sha256)
    assert first.report_created and not second.report_created and first.report_id == second.report_id
    assert second.report_status == ("ok" if all(report.checks.values()) else "checks_failed")
    (row,) = rows(archive, "SELECT agency, year, n_sources, n_conflicts, publication_date FROM v_reports")
    assert (row["agency"], row["year"], row["n_sources"], row["n_conflicts"]) == (report.agency, 2023, 2, 0)
    assert str(row["publication_date"]) == str(report.publication_date)
    facts = {r["key"]: r["value"] for r in rows(archive, "SELECT key, value FROM v_facts WHERE canonical")}
    assert facts == pytest.approx({k: float(v) for k, v in report.facts.items()})
    kinds = {r["kind"]: r["format"] for r in rows(archive, "SELECT kind, format FROM v_sources")}
    assert kinds == {"detail": "html", "attachment": "pdf"}
