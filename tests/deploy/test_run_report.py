"""`nianbao crawl --report-dir`: every run leaves run-<id>.json and run-<id>.txt, and the exit
status says whether a monitor raised an alert (what a systemd unit or cron job acts on)."""
from __future__ import annotations

import json
import pathlib

import pytest

from tests.crawler.conftest import FAST, run_nianbao
from tests.sandbox.server import Sandbox

pytestmark = [pytest.mark.slow]


def test_each_run_leaves_a_report_and_alerts_exit_1(small: Sandbox, tmp_path: pathlib.Path) -> None:
    truth = small.ground_truth()
    portal = next(n["site"] for n in truth["noise"] if n["kind"] == "http_404")  # a portal with a dead link
    reports = tmp_path / "reports"
    base = ["crawl", "--portal", portal, "--registry", small.registry_path, "--data-dir", tmp_path / "data",
            "--report-dir", reports, "--json", *FAST]
    small.reset()
    strict = run_nianbao(*base, "-s", "NIANBAO_MAX_ERROR_RATE=0")  # any failed request is an alert
    assert strict.returncode == 1, strict.stderr[-2000:]
    run_id = strict.summary["run_id"]
    data = json.loads((reports / f"run-{run_id}.json").read_text())
    assert data["exit_status"] == 1 and data["closed_run"] and data["status"] == "finished"
    assert data["summary"] == strict.summary["summary"] and data["portals"] == strict.summary["portals"]
    alerts = data["portals"][0]["counts"]["alerts"]
    assert alerts and "error rate" in alerts[0]
    text = (reports / f"run-{run_id}.txt").read_text()
    assert f"run {run_id}: finished, exit status 1" in text and portal in text and f"ALERT {portal}" in text

    small.reset()
    calm = run_nianbao(*base)
    assert calm.returncode == 0, calm.stderr[-2000:]
    second = json.loads((reports / f"run-{calm.summary['run_id']}.json").read_text())
    assert second["exit_status"] == 0 and second["summary"]["totals"]["alerts"] == 0
    assert sorted(p.name for p in reports.iterdir()) == sorted(
        f"run-{r}.{ext}" for r in (run_id, calm.summary["run_id"]) for ext in ("json", "txt"))
