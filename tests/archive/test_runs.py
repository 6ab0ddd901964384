"""Crawl runs: per-portal counters stored, queryable, and compared with the previous run."""
from __future__ import annotations

from sqlalchemy import text

from archive import PortalCounts, PortalInfo, Region


def test_runs_keep_per_portal_counters_and_the_previous_count(archive):
    archive.register_portals([PortalInfo("js-hz", "洪泽区人民政府", "trs", "county",
                                         Region("江苏省", "淮安市", "洪泽区", "320813"), None, "http://hz.test/")])
    assert archive.previous_counts("js-hz") is None
    first = archive.start_run(spider="trs", settings={"DOWNLOAD_DELAY": 1})
    archive.save_portal_counts(first, "js-hz", PortalCounts(reports_found=10, pages=3))
    archive.finish_run(first, summary={"reports": 10},
                       portals={"js-hz": PortalCounts(reports_found=12, reports_new=12, pages=4, bytes=123456)})
    second = archive.start_run(spider="trs")
    assert archive.previous_counts("js-hz", before_run=second) == (first, PortalCounts(
        reports_found=12, reports_new=12, pages=4, bytes=123456))
    archive.finish_run(second, portals={"js-hz": PortalCounts(reports_found=7, alerts=("fewer reports than last run",))})
    failed = archive.start_run(spider="trs")
    archive.finish_run(failed, status="failed", portals={"js-hz": PortalCounts(reports_found=0)})
    third = archive.start_run()
    run_id, counts = archive.previous_counts("js-hz", before_run=third)  # a failed run is no baseline
    assert run_id == second and counts.reports_found == 7 and counts.alerts == ("fewer reports than last run",)
    view = archive.read(lambda s: [dict(r) for r in s.execute(text(
        "SELECT run_id, run_status, portal, reports_found, previous_reports_found FROM v_runs ORDER BY run_id"))
        .mappings()])
    assert [(v["run_id"], v["run_status"], v["reports_found"], v["previous_reports_found"]) for v in view] == [
        (first, "finished", 12, None), (second, "finished", 7, 12), (failed, "failed", 0, 7)]
    assert view[0]["portal"] == "洪泽区人民政府"
