"""What `nianbao crawl` shows while it runs and when it is done."""
from __future__ import annotations

import io
from types import SimpleNamespace

from rich.console import Console

from archive import PortalCounts
from crawler.monitor import PortalResult
from crawler.progress import Progress, size, summary_table
from crawler.runner import RunOutcome, result_from_json, result_to_json


def test_the_live_line_adds_running_and_finished_portals() -> None:
    finished = PortalResult("a", "finished", PortalCounts(reports_found=5, reports_new=2, pages=10, documents=7,
                                                          bytes=2048, errors=1))
    runner = SimpleNamespace(results={"a": finished}, active={"b": None, "c": None},
                             live_stats=lambda: {"b": {"nianbao/pages/list": 3, "nianbao/pages/detail": 4,
                                                       "nianbao/documents/stored": 2, "nianbao/reports/found": 1,
                                                       "downloader/response_bytes": 1024}})
    progress = Progress(Console(file=io.StringIO()), total=3, live=False)
    line = progress.line(runner).plain  # type: ignore[arg-type]
    assert line.startswith("crawl 1/3 portals · 17 pages · 9 documents (3.0 KB) · 6 reports (2 new, 0 changed)")
    assert "1 errors" in line and "b, c" in line


def test_the_summary_table_and_json_round_trip() -> None:
    alert = PortalResult("x", "finished", PortalCounts(reports_found=3, alerts=("fewer reports than the previous run",)))
    quiet = PortalResult("y", "finished", PortalCounts(reports_found=4), notes=("robots.txt forbids",))
    outcome = RunOutcome(7, "finished", {"x": alert, "y": quiet})
    out = io.StringIO()
    Console(file=out, width=200).print(summary_table(outcome))
    text = out.getvalue()
    assert "crawl run 7: finished" in text and "fewer reports" in text and "robots.txt forbids" in text
    assert outcome.totals().reports_found == 7 and outcome.alerts == [("x", "fewer reports than the previous run")]
    assert result_from_json(result_to_json(alert)) == alert
    assert size(1536) == "1.5 KB" and size(12) == "12 B"
