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
