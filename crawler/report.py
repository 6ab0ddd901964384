"""The run report of a crawl: what ``--json`` prints, and the summary table as text, kept on disk.

An unattended crawl (a systemd timer, cron) has nobody reading its output. With
``nianbao crawl --report-dir DIR`` each run leaves ``DIR/run-<id>.json`` (the run, each
portal's counters, stats and alerts, the exit status) and ``DIR/run-<id>.txt`` (the same as a
person reads it), written atomically, so a monitoring script or a person can look at the last
runs. A process of a shared run (``--redis``) that does not close the run writes
``run-<id>.<process>.{json,txt}`` with its own share instead.
"""
from __future__ import annotations

import datetime as dt
import io
import json
import pathlib
from typing import Any

from rich.console import Console

from crawler.progress import summary_table
from crawler.runner import RunOutcome, result_to_json


def as_json(outcome: RunOutcome) -> dict[str, Any]:
    return {"run_id": outcome.run_id, "status": outcome.status, "resumed": outcome.resumed,
            "summary": outcome.summary(), "portals": [result_to_json(r) for r in outcome.results.values()]}


def exit_status(outcome: RunOutcome) -> int:
    """0; 1 when a monitor raised an alert; 130 when the crawl was interrupted."""
    if outcome.status == "interrupted":
        return 130
    return 1 if outcome.alerts else 0


def as_text(outcome: RunOutcome) -> str:
    out = io.StringIO()
    console = Console(file=out, width=150, color_system=None, highlight=False)
    console.print(summary_table(outcome))
    for portal_id, alert in outcome.alerts:
        console.print(f"ALERT {portal_id}: {alert}")
    return out.getvalue()


def write(outcome: RunOutcome, directory: pathlib.Path, *, process: str | None = None) -> pathlib.Path:
    """Write the run's report into ``directory``; returns the JSON file."""
    directory.mkdir(parents=True, exist_ok=True)
    name = f"run-{outcome.run_id}" + (f".{process.replace(':', '-')}" if process and not outcome.closed_run else "")
    data = as_json(outcome) | {"exit_status": exit_status(outcome), "closed_run": outcome.closed_run,
                               "written_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds")}
    text = f"nianbao crawl run {outcome.run_id}: {outcome.status}, exit status {exit_status(outcome)}\n\n"
    for suffix, content in ((".txt", text + as_text(outcome)),
                            (".json", json.dumps(data, ensure_ascii=False, indent=1) + "\n")):
        tmp = directory / f".{name}{suffix}.tmp"
        tmp.write_text(content, encoding="utf-8")
        tmp.replace(directory / f"{name}{suffix}")
    return directory / f"{name}.json"
