"""What ``nianbao crawl`` shows: a live progress line while it runs, a table per portal after.

The line is redrawn twice a second from the running crawlers' stats (rich, on stderr; log
records print above it); without a terminal a line per finished portal is printed instead.
"""
from __future__ import annotations

import time
from typing import Any

from rich.console import Console
from rich.live import Live
from rich.table import Table
from rich.text import Text

from crawler.monitor import PortalResult
from crawler.runner import Runner, RunOutcome

LIVE_KEYS = {"pages": ("nianbao/pages/list", "nianbao/pages/detail"), "documents": ("nianbao/documents/stored",),
             "bytes": ("downloader/response_bytes",), "reports": ("nianbao/reports/found",),
             "new": ("nianbao/reports/new",), "changed": ("nianbao/reports/changed",), "errors": ("nianbao/errors",)}


def size(n: float) -> str:
    for unit in ("B", "KB", "MB", "GB"):
        if n < 1024 or unit == "GB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1024
    return f"{n:.1f} GB"


class Progress:
    def __init__(self, console: Console, total: int, *, live: bool) -> None:
        self.console, self.total = console, total
        self.started = time.monotonic()
        self.live = Live(Text(""), console=console, refresh_per_second=4, transient=True) if live else None
        if self.live is not None:
            self.live.start()

    def line(self, runner: Runner) -> Text:
        sums = dict.fromkeys(LIVE_KEYS, 0.0)
        for stats in runner.live_stats().values():
            for name, keys in LIVE_KEYS.items():
                sums[name] += sum(float(stats.get(k, 0) or 0) for k in keys)
        for result in runner.results.values():
            c = result.counts
            for name, value in (("pages", c.pages), ("documents", c.documents), ("bytes", c.bytes),
                                ("reports", c.reports_found), ("new", c.reports_new),
                                ("changed", c.reports_changed), ("errors", c.errors)):
                sums[name] += value
        elapsed = int(time.monotonic() - self.started)
        running = ", ".join(sorted(runner.active)[:3]) + (" …" if len(runner.active) > 3 else "")
        return Text.assemble(
            ("crawl ", "bold"), f"{len(runner.results)}/{self.total} portals · ",
            f"{int(sums['pages'])} pages · {int(sums['documents'])} documents ({size(sums['bytes'])}) · ",
            (f"{int(sums['reports'])} reports", "green"), f" ({int(sums['new'])} new, {int(sums['changed'])} changed)",
            (f" · {int(sums['errors'])} errors" if sums["errors"] else "", "yellow"),
            f" · {elapsed // 60:02d}:{elapsed % 60:02d}", (f" · {running}" if running else "", "dim"))

    def update(self, runner: Runner) -> None:
        if self.live is not None:
            self.live.update(self.line(runner))

    def portal_done(self, result: PortalResult) -> None:
        if self.live is None:
            c = result.counts
            self.console.print(f"{result.portal}: {result.reason}, {c.reports_found} reports ({c.reports_new} new, "
                               f"{c.reports_changed} changed, {c.reports_failed} failed), {c.pages} pages, "
                               f"{c.documents} documents, {c.errors} errors", highlight=False)

    def stop(self) -> None:
        if self.live is not None:
            self.live.stop()


def summary_table(outcome: RunOutcome) -> Table:
    table = Table(title=f"crawl run {outcome.run_id}: {outcome.status}", title_justify="left")
    for name, justify in (("portal", "left"), ("reports", "right"), ("new", "right"), ("changed", "right"),
                          ("failed", "right"), ("pages", "right"), ("documents", "right"), ("bytes", "right"),
                          ("errors", "right"), ("alerts / notes", "left")):
        table.add_column(name, justify=justify)  # type: ignore[arg-type]
    rows: list[tuple[str, Any]] = [(pid, r) for pid, r in outcome.results.items()]
    for pid, r in rows:
        c = r.counts
        remarks = [*(f"[red]{a}[/red]" for a in c.alerts), *r.notes]
        if r.reason not in ("finished",):
            remarks.insert(0, f"[yellow]{r.reason}[/yellow]")
        table.add_row(pid, str(c.reports_found), str(c.reports_new), str(c.reports_changed), str(c.reports_failed),
                      str(c.pages), str(c.documents), size(c.bytes), str(c.errors), "; ".join(remarks))
    t = outcome.totals()
    table.add_section()
    table.add_row("total", str(t.reports_found), str(t.reports_new), str(t.reports_changed), str(t.reports_failed),
                  str(t.pages), str(t.documents), size(t.bytes), str(t.errors), f"{len(outcome.alerts)} alerts")
    return table
