"""Re-parse: versioned replay from blobs, what changed, dry runs, filters, idempotence."""
from __future__ import annotations

import csv
import io

import pytest
from sqlalchemy import text

import parsers
from archive import reparse

from .helpers import age, agency_name


def rows(archive, sql, **params):
    return archive.read(lambda s: [dict(r) for r in s.execute(text(sql), params).mappings()])


@pytest.fixture
def aged(archive, tmp_path):
    """Five reports and a work plan, parsed by an older parser version; three old parses differ from today's."""
    return age(archive, tmp_path)


def test_stale_reparse_reports_what_changed(archive, aged):
    run_id = reparse.run(archive, reparse.Selection("stale"))
    s = reparse.summarize(archive, run_id)
    assert s.finished and s.total == 6
    assert s.outcomes == {"changed": 1, "newly_parsed": 1, "newly_failing": 1, "unchanged": 3}
    assert [(d["agency"], d["key"], d["old_value"], d["new_value"]) for d in s.diffs] == [
        (agency_name(0), "art20.9.procurement.projects", 9, 2)]
    assert [(e["agency"], e["old_status"], e["new_status"]) for e in s.newly_parsed] == [
        (agency_name(1), "unreadable", "parsed")]
    assert [(e["old_status"], e["new_status"]) for e in s.newly_failing] == [("parsed", "not_a_report")]
    out = io.StringIO()
    assert reparse.write_diffs(archive, run_id, out) == 1
    (line,) = list(csv.DictReader(io.StringIO(out.getvalue())))
    assert (line["key"], float(line["old_value"]), float(line["new_value"])) == ("art20.9.procurement.projects", 9, 2)
    versions = rows(archive, "SELECT DISTINCT parser_version AS v FROM parses WHERE is_current")
    assert versions == [{"v": parsers.PARSER_VERSION}]
    again = reparse.summarize(archive, reparse.run(archive, reparse.Selection("stale")))
    assert again.total == 0  # nothing stale any more


def test_dry_run_writes_nothing(archive, aged):
    tables = "SELECT (SELECT COUNT(*) FROM parses), (SELECT COUNT(*) FROM facts), " \
             "(SELECT COUNT(*) FROM reparse_runs), (SELECT SUM(value) FROM facts)"
    before = archive.read(lambda s: tuple(s.execute(text(tables)).one()))
    s = reparse.dry_run(archive, reparse.Selection("stale"))
    assert s.outcomes == {"changed": 1, "newly_parsed": 1, "newly_failing": 1, "unchanged": 3}
    assert [(d["key"], d["old_value"], d["new_value"]) for d in s.diffs] == [("art20.9.procurement.projects", 9, 2)]
    assert archive.read(lambda s: tuple(s.execute(text(tables)).one())) == before


def test_filters_and_all(archive, aged):
    only = reparse.summarize(archive, reparse.run(archive, reparse.Selection("stale", agency=agency_name(0))))
    assert only.total == 1 and only.outcomes == {"changed": 1}
    year = reparse.summarize(archive, reparse.run(archive, reparse.Selection("stale", year=2020)))
    assert year.total == 2  # r1 and r3 are the 2020 reports
    rest = reparse.summarize(archive, reparse.run(archive, reparse.Selection("stale")))
    assert rest.total == 3
    counts = "SELECT (SELECT COUNT(*) FROM parses), (SELECT COUNT(*) FROM facts), (SELECT COUNT(*) FROM reports)"
    before = archive.read(lambda s: tuple(s.execute(text(counts)).one()))
    everything = reparse.summarize(archive, reparse.run(archive, reparse.Selection("all")))
    assert everything.total == 6 and everything.outcomes == {"unchanged": 6}
    assert archive.read(lambda s: tuple(s.execute(text(counts)).one())) == before


def test_a_status_filter_narrows_a_run_to_documents_whose_current_parse_has_it(archive, aged):
    """`--status needs_ocr` once OCR is on; here the document the older parser could not read."""
    unread = reparse.summarize(archive, reparse.run(archive, reparse.Selection("all", statuses=("unreadable",))))
    assert unread.total == 1 and unread.outcomes == {"newly_parsed": 1}
    parsed = reparse.summarize(archive, reparse.run(archive, reparse.Selection("stale", statuses=("parsed",))))
    assert parsed.total == 5  # r1 is current now; the work plan was parsed as a report
    assert parsed.outcomes == {"changed": 1, "newly_failing": 1, "unchanged": 3}
    assert rows(archive, "SELECT status_filter AS f, status FROM reparse_runs ORDER BY id") == [
        {"f": "unreadable", "status": "finished"}, {"f": "parsed", "status": "finished"}]
    none = reparse.summarize(archive, reparse.run(archive, reparse.Selection("all", statuses=("needs_ocr",))))
    assert none.total == 0


@pytest.mark.libreoffice
def test_turning_ocr_on_and_reparsing_the_scans_files_their_facts(db_url, tmp_path):
    """The workflow docs/parsers.md gives: a scan stored as needs_ocr, then
    `NIANBAO_OCR=1 nianbao reparse --all --status needs_ocr` files the report with its facts."""
    import os
    import subprocess

    from archive import Archive
    from archive.ingest import ingest
    from tests.dbs import clear
    from tests.synth import filename, make_report, render_many

    from .helpers import count, nianbao

    clear(db_url)
    report = make_report(14)
    (scan,) = render_many([(report, "scan_pdf")])
    path = tmp_path / filename(report, "scan_pdf")
    path.write_bytes(scan)
    with Archive.open(db_url, tmp_path / "data") as ar:
        ingest(ar, [path])
        assert rows(ar, "SELECT status FROM parses WHERE is_current") == [{"status": "needs_ocr"}]
    where = ["--db", db_url, "--data-dir", str(tmp_path / "data")]
    env = {**os.environ, "NIANBAO_OCR": "1"}
    run = subprocess.run(nianbao("reparse", "--all", "--status", "needs_ocr", "-j", "1", "-q", *where),
                         capture_output=True, text=True, timeout=300, env=env)
    assert run.returncode == 0, run.stderr
    assert "1 documents" in run.stdout and "newly parsed   1" in run.stdout
    with Archive.open(db_url, tmp_path / "data") as ar:
        assert rows(ar, "SELECT agency, year, status FROM v_reports") == [
            {"agency": report.agency, "year": report.year, "status": "ok"}]
        facts = dict(ar.read(lambda s: s.execute(text(
            "SELECT key, value FROM v_facts WHERE canonical")).all()))
        assert facts == {k: float(v) for k, v in report.facts.items()}
        assert count(ar, "SELECT COUNT(*) FROM reparse_runs WHERE status_filter = 'needs_ocr'") == 1
