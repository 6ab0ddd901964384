"""The real fixtures through `ingest` with the real parsers: one report per agency-year, exact facts."""
from __future__ import annotations

import json

import pytest
from sqlalchemy import text

from archive import Archive
from archive.ingest import ingest
from tests.dbs import clear

from .helpers import FIXTURES

DOCUMENTS = sorted((FIXTURES / "seeds").glob("*.txt")) + sorted((FIXTURES / "realdata").glob("*.pdf"))
COUNTS = "SELECT (SELECT COUNT(*) FROM documents), (SELECT COUNT(*) FROM fetches), (SELECT COUNT(*) FROM parses), " \
         "(SELECT COUNT(*) FROM facts), (SELECT COUNT(*) FROM reports), (SELECT COUNT(*) FROM agencies)"


@pytest.fixture(scope="module")
def ingested(db_url, tmp_path_factory):
    clear(db_url)
    archive = Archive.open(db_url, tmp_path_factory.mktemp("data"))
    items = ingest(archive, DOCUMENTS)
    yield archive, items
    archive.close()


def rows(archive, sql, **params):
    return archive.read(lambda s: [dict(r) for r in s.execute(text(sql), params).mappings()])


def test_every_fixture_is_one_report_of_its_agency_and_year(ingested):
    archive, items = ingested
    assert [i.error for i in items] == [None] * len(DOCUMENTS)
    reports = rows(archive, "SELECT report_id, agency, year, status, n_sources FROM v_reports")
    assert len(reports) == len(DOCUMENTS) == len({(r["agency"], r["year"]) for r in reports})
    assert all(r["n_sources"] == 1 for r in reports)


@pytest.mark.parametrize("doc", DOCUMENTS, ids=lambda p: p.name)
def test_stored_facts_are_what_the_report_prints(ingested, doc):
    archive, items = ingested
    want = json.loads((doc.parent / "expected" / f"{doc.stem}.json").read_text(encoding="utf-8"))
    (item,) = [i for i in items if i.path == str(doc)]
    facts = {r["key"]: r["value"] for r in rows(
        archive, "SELECT key, value FROM v_facts WHERE report_id = :r AND canonical", r=item.filed.report_id)}
    assert {k: facts.get(k) for k in want["facts"]} == pytest.approx(want["facts"])
    (report,) = rows(archive, "SELECT year, layout FROM v_reports WHERE report_id = :r", r=item.filed.report_id)
    assert (report["year"], report["layout"]) == (want["year"], want["layout"])
    where = rows(archive, "SELECT page, table_no, row_no, line_no, cell_text FROM v_facts WHERE report_id = :r "
                          "AND key = 'applications.new.total'", r=item.filed.report_id)
    assert where and any(where[0][k] is not None for k in ("page", "table_no", "line_no"))


def test_hongze_2023_and_2024_are_one_agency_with_a_stored_cross_year_check(ingested):
    archive, _ = ingested
    hongze = rows(archive, "SELECT agency_id, agency, year, carry_check, carry_detail FROM v_reports "
                           "WHERE county = '洪泽区' ORDER BY year")
    assert [h["year"] for h in hongze] == [2023, 2024]
    assert hongze[0]["agency_id"] == hongze[1]["agency_id"]
    assert "洪泽区人民政府" in hongze[0]["agency"]
    assert hongze[1]["carry_check"] == "ok"  # 2024 carried_in = 2023 carried_out (all 0 in these reports)
    aliases = rows(archive, "SELECT alias FROM agency_aliases WHERE agency_id = :a", a=hongze[0]["agency_id"])
    assert aliases and all(a["alias"].endswith("洪泽区人民政府") for a in aliases)
    city = rows(archive, "SELECT agency_id FROM v_reports WHERE agency = '淮安市人民政府'")
    assert city and city[0]["agency_id"] != hongze[0]["agency_id"]


def test_ingesting_the_same_bytes_again_adds_nothing(ingested):
    archive, _ = ingested
    before = archive.read(lambda s: tuple(s.execute(text(COUNTS)).one()))
    again = ingest(archive, DOCUMENTS)
    assert all(i.filed.skipped and not i.filed.report_created and not i.filed.report_changed for i in again)
    assert archive.read(lambda s: tuple(s.execute(text(COUNTS)).one())) == before
