"""The archive's commands: ingest, reparse, db, browse, export, stats (registered in crawler/cli.py).

Thin wrappers over library functions; every ArchiveError becomes a one-line message and exit
status 1. ``--db`` and ``--data-dir`` default to NIANBAO_DATABASE_URL / NIANBAO_DATA_DIR, then
``./data/nianbao.sqlite`` and ``./data``.
"""
from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import functools
import json
import os
import sys
from collections.abc import Callable, Iterator
from typing import Any, TypeVar

import click

from archive.errors import ArchiveError
from archive.settings import ArchiveSettings
from parsers import Status

STATUSES = [s.value for s in Status]

F = TypeVar("F", bound=Callable[..., Any])


def archive_options(fn: F) -> F:
    fn = click.option("--data-dir", type=click.Path(file_okay=False),
                      help="Blob store and default SQLite location [env NIANBAO_DATA_DIR; ./data].")(fn)
    fn = click.option("--db", "database_url", metavar="URL",
                      help="Database URL: sqlite:///path or postgresql://user@host/db "
                           "[env NIANBAO_DATABASE_URL; DATA_DIR/nianbao.sqlite].")(fn)
    return fn


@contextlib.contextmanager
def errors() -> Iterator[None]:
    try:
        yield
    except ArchiveError as exc:
        raise click.ClickException(str(exc)) from exc


def settings_of(database_url: str | None, data_dir: str | None) -> ArchiveSettings:
    with errors():
        return ArchiveSettings.resolve(database_url, data_dir)


def open_archive(database_url: str | None, data_dir: str | None):  # type: ignore[no-untyped-def]
    from archive.api import Archive

    with errors():
        return Archive(settings_of(database_url, data_dir))


def handled(fn: F) -> F:
    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        with errors():
            return fn(*args, **kwargs)
    return wrapper  # type: ignore[return-value]


def _number(value: float | None) -> str:
    if value is None:
        return "—"
    return f"{value:g}"


# --- ingest ------------------------------------------------------------------------------------


@click.command()
@click.argument("files", nargs=-1, required=True, type=click.Path())
@click.option("--agency", help="The reporting agency, when the document does not say (a parser hint).")
@click.option("--year", type=int, help="The report year, when the document does not say (a parser hint).")
@click.option("--region", metavar="省/市/县", help='The agency\'s region, e.g. "江苏省/淮安市/洪泽区".')
@click.option("--region-code", metavar="CODE", help="The region's 6-digit 行政区划代码.")
@click.option("--source-url", metavar="URL", help="Where the (single) file was downloaded from.")
@click.option("--published", type=click.DateTime(["%Y-%m-%d"]), help="Publication date (YYYY-MM-DD).")
@click.option("--title", help="The title the document was published under.")
@click.option("--jobs", "-j", type=click.IntRange(1), default=1, show_default=True, help="Parser processes.")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per file instead of text.")
@archive_options
@handled
def ingest(files: tuple[str, ...], agency: str | None, year: int | None, region: str | None,
           region_code: str | None, source_url: str | None, published: dt.datetime | None, title: str | None,
           jobs: int, as_json: bool, database_url: str | None, data_dir: str | None) -> None:
    """Add local files (or directories of files) to the archive and parse them.

    Files go through the same path as crawled documents: stored by content hash with their
    provenance, parsed, and filed under their agency and year. Ingesting the same file again
    adds nothing.

    \b
    Example:
      nianbao ingest reports/*.pdf
      nianbao ingest scan.pdf --agency 洪泽区人民政府 --year 2023 --region 江苏省/淮安市/洪泽区
    """
    from archive.ingest import Ingested
    from archive.ingest import ingest as run_ingest
    from archive.records import Hints, Region

    hints = Hints(agency, year, dataclasses.replace(Region.parse(region), code=region_code))
    failures = 0
    tally = {"documents": 0, "new_documents": 0, "reports_created": 0, "reports_changed": 0, "not_filed": 0}

    def show(item: Ingested) -> None:
        nonlocal failures
        if item.error is not None:
            failures += 1
            if as_json:
                click.echo(json.dumps({"path": item.path, "error": item.error}, ensure_ascii=False))
            else:
                click.echo(f"error: {item.path}: {item.error}", err=True)
            return
        stored, filed = item.stored, item.filed
        assert stored is not None and filed is not None
        tally["documents"] += 1
        tally["new_documents"] += stored.new_document
        tally["reports_created"] += filed.report_created
        tally["reports_changed"] += filed.report_changed and not filed.report_created
        tally["not_filed"] += filed.report_id is None
        if as_json:
            click.echo(json.dumps({"path": item.path, **dataclasses.asdict(stored), **dataclasses.asdict(filed)},
                                  ensure_ascii=False, default=str))
            return
        what = f"{filed.status}"
        if filed.report_id is not None:
            change = "new" if filed.report_created else "updated" if filed.report_changed else "unchanged"
            what += f" · {filed.agency} {filed.year} → report {filed.report_id} ({change}, {filed.report_status})"
        elif filed.error:
            what += f" · not filed: {filed.error}"
        else:
            what += " · not filed: no agency and year"
        click.echo(f"{item.path}: {stored.sha256[:12]} {what}")

    archive = open_archive(database_url, data_dir)
    try:
        run_ingest(archive, files, hints=hints, source_url=source_url,
                   published=published.date() if published else None, title=title, jobs=jobs, on_item=show)
    finally:
        archive.close()
    if not as_json:
        click.echo(f"{tally['documents']} documents ({tally['new_documents']} new): "
                   f"{tally['reports_created']} reports created, {tally['reports_changed']} updated, "
                   f"{tally['not_filed']} not filed as reports; {failures} errors", err=True)
    if failures:
        sys.exit(1)


# --- reparse -----------------------------------------------------------------------------------


def _progress(label: str) -> tuple[Callable[[int, int], None], Callable[[], None]]:
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    bar = Progress(TextColumn(label), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(),
                   console=Console(stderr=True), transient=False)
    task = bar.add_task(label, total=None)
    bar.start()

    def update(done: int, total: int) -> None:
        bar.update(task, completed=done, total=total)
    return update, bar.stop


def _print_summary(summary: Any, limit: int) -> None:
    mode = "dry run, nothing written" if summary.run_id is None else f"run {summary.run_id}"
    click.echo(f"reparse ({mode}; parser {summary.parser_version}; {summary.mode}): {summary.total} documents")
    for outcome in ("new", "newly_parsed", "newly_failing", "changed", "unchanged", "skipped", "failed"):
        if summary.outcomes.get(outcome):
            click.echo(f"  {outcome.replace('_', ' '):<14} {summary.outcomes[outcome]}")
    click.echo(f"  changed facts  {summary.changed_facts}")
    if not summary.finished:
        left = summary.states.get("pending", 0) + summary.states.get("claimed", 0)
        click.echo(f"  still to do    {left} (claimed by other workers, or interrupted: run again to finish)")

    def who(e: dict[str, Any]) -> str:
        return f"{e.get('agency') or '?'} {e.get('year') or '?'} [{(e.get('sha256') or '')[:12]}]"
    for title, entries in (("newly parsed", summary.newly_parsed), ("newly failing", summary.newly_failing),
                           ("failed", summary.failed)):
        if entries:
            click.echo(f"{title}:")
            for e in entries[:limit]:
                detail = e.get("error") if title == "failed" else f"{e.get('old_status')} → {e.get('new_status')}"
                click.echo(f"  {who(e)}: {detail}")
            if len(entries) > limit:
                click.echo(f"  … and {len(entries) - limit} more")
    if summary.diffs:
        click.echo("changed facts:")
        for d in summary.diffs[:limit]:
            click.echo(f"  {who(d)} {d['key']}: {_number(d['old_value'])} → {_number(d['new_value'])}")
        if summary.changed_facts > limit:
            click.echo(f"  … {summary.changed_facts - limit} more (--diff-out FILE writes them all as CSV)")


@click.command()
@click.option("--stale", "mode", flag_value="stale", default=True,
              help="Documents not yet parsed by the current parser version (default).")
@click.option("--all", "mode", flag_value="all", help="Every document, even those already parsed by this version.")
@click.option("--agency", help="Only documents of agencies whose name contains this.")
@click.option("--year", type=int, help="Only documents of this report year.")
@click.option("--status", "statuses", multiple=True, type=click.Choice(STATUSES),
              help="Only documents whose current parse has this status (repeatable), e.g. needs_ocr "
                   "once NIANBAO_OCR=1.")
@click.option("--jobs", "-j", type=click.IntRange(1), default=os.cpu_count() or 1, show_default=True,
              help="Worker processes on this machine (more machines: run the same command there).")
@click.option("--dry-run", is_flag=True, help="Parse and report what would change; write nothing.")
@click.option("--diff-out", type=click.Path(dir_okay=False, writable=True),
              help="Write every changed fact as CSV to this file.")
@click.option("--limit", type=int, default=30, show_default=True, help="Lines per list in the summary.")
@click.option("--quiet", "-q", is_flag=True, help="No progress bar.")
@archive_options
@handled
def reparse(mode: str, agency: str | None, year: int | None, statuses: tuple[str, ...], jobs: int, dry_run: bool,
            diff_out: str | None, limit: int, quiet: bool, database_url: str | None, data_dir: str | None) -> None:
    """Re-run the parsers on stored documents (no network), in parallel, and print what changed.

    Idempotent and resumable: an interrupted run is finished by running the same command again,
    and workers on several machines sharing a PostgreSQL archive split one run between them.

    \b
    Example:
      nianbao reparse --stale --jobs 4
      nianbao reparse --all --agency 洪泽区 --dry-run --diff-out changes.csv
      NIANBAO_OCR=1 nianbao reparse --all --status needs_ocr
    """
    from archive import reparse as rp

    selection = rp.Selection(mode, agency, year, statuses)
    archive = open_archive(database_url, data_dir)
    update, stop = (lambda d, t: None), (lambda: None)
    if not quiet:
        update, stop = _progress("reparse")
    try:
        if dry_run:
            summary = rp.dry_run(archive, selection, jobs=jobs, progress=update)
        else:
            run_id = rp.run(archive, selection, jobs=jobs, progress=update)
            summary = rp.summarize(archive, run_id, limit=max(limit, 1))
        stop()
        _print_summary(summary, limit)
        if diff_out:
            with open(diff_out, "w", newline="", encoding="utf-8") as fh:
                if summary.run_id is None:
                    import csv

                    writer = csv.DictWriter(fh, rp.DIFF_COLUMNS, extrasaction="ignore")
                    writer.writeheader()
                    writer.writerows(summary.diffs)
                    n = len(summary.diffs)
                else:
                    n = rp.write_diffs(archive, summary.run_id, fh)
            click.echo(f"{n} changed facts written to {diff_out}", err=True)
    finally:
        stop()
        archive.close()
    if summary.outcomes.get("failed"):
        sys.exit(1)


# --- db ----------------------------------------------------------------------------------------


@click.group()
def db() -> None:
    """Create, migrate and check the archive database."""


@db.command()
@click.option("--revision", default="head", show_default=True, help="Target revision.")
@archive_options
@handled
def upgrade(revision: str, database_url: str | None, data_dir: str | None) -> None:
    """Create or migrate the database schema (Alembic).

    \b
    Example:
      nianbao db upgrade --db postgresql://nianbao@localhost/nianbao
    """
    from archive import db as database

    settings = settings_of(database_url, data_dir)
    engine = database.create_engine(settings.database_url)
    try:
        before = database.current_revision(engine)
        database.upgrade(engine, revision)
        after = database.current_revision(engine)
    finally:
        engine.dispose()
    click.echo(f"{settings.redacted_url}: {before or 'empty'} → {after}")


@db.command()
@click.argument("revision")
@archive_options
@handled
def downgrade(revision: str, database_url: str | None, data_dir: str | None) -> None:
    """Migrate the schema down to REVISION ("base" drops everything nianbao created)."""
    from archive import db as database

    settings = settings_of(database_url, data_dir)
    engine = database.create_engine(settings.database_url)
    try:
        database.downgrade(engine, revision)
        click.echo(f"{settings.redacted_url}: now at {database.current_revision(engine) or 'base'}")
    finally:
        engine.dispose()


@db.command()
@archive_options
@handled
def current(database_url: str | None, data_dir: str | None) -> None:
    """Print the schema revision of the database and the one this nianbao needs."""
    from archive import db as database

    settings = settings_of(database_url, data_dir)
    engine = database.create_engine(settings.database_url)
    try:
        click.echo(f"{settings.redacted_url}: {database.current_revision(engine) or 'empty'} "
                   f"(head {database.head_revision()})")
    finally:
        engine.dispose()


@db.command()
@click.option("--no-hashes", is_flag=True, help="Only check that blobs exist; do not re-hash them.")
@archive_options
@handled
def verify(no_hashes: bool, database_url: str | None, data_dir: str | None) -> None:
    """Check that every document has its blob, intact, and that no blob is unaccounted for."""
    from archive.maintenance import verify as run_verify

    archive = open_archive(database_url, data_dir)
    try:
        archive.sweep()
        report = run_verify(archive, hashes=not no_hashes)
    finally:
        archive.close()
    click.echo(f"{report.documents} documents, {report.blobs} blobs, {report.staged} staged")
    for label, shas in (("missing", report.missing), ("corrupt", report.corrupt), ("dangling", report.dangling)):
        for sha in shas:
            click.echo(f"{label}: {sha}")
    if not report.ok:
        sys.exit(1)


# --- browse, export, stats ---------------------------------------------------------------------


@click.command(context_settings={"ignore_unknown_options": True})
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", "-p", type=int, default=8001, show_default=True, help="0 picks a free port.")
@click.argument("datasette_args", nargs=-1, type=click.UNPROCESSED)
@archive_options
@handled
def browse(host: str, port: int, datasette_args: tuple[str, ...], database_url: str | None,
           data_dir: str | None) -> None:
    """Browse the SQLite archive in Datasette: views, facets and canned queries.

    Extra arguments go to `datasette serve` (e.g. --open).

    \b
    Example:
      nianbao browse --port 8001
    """
    from archive import browse as datasette

    archive = open_archive(database_url, data_dir)  # migrates a fresh file, refuses an old one
    archive.close()
    datasette.serve(archive.settings, host=host, port=port, extra=datasette_args)


@click.command()
@click.option("--format", "fmt", type=click.Choice(["csv", "parquet"]), default="csv", show_default=True)
@click.option("--out", "out_dir", type=click.Path(file_okay=False), default="export", show_default=True)
@click.option("--dataset", "datasets", multiple=True, metavar="NAME",
              help="reports, applications, art20, review, facts, sources, coverage, conflicts (default: all).")
@click.option("--year", type=int, help="Only this report year.")
@click.option("--province", help="Only this province.")
@archive_options
@handled
def export(fmt: str, out_dir: str, datasets: tuple[str, ...], year: int | None, province: str | None,
           database_url: str | None, data_dir: str | None) -> None:
    """Export the archive's views as CSV or Parquet files, one per dataset.

    \b
    Example:
      nianbao export --format parquet --out exports/ --year 2023
    """
    from archive.export import DATASETS
    from archive.export import export as run_export

    unknown = [d for d in datasets if d not in DATASETS]
    if unknown:
        raise click.BadParameter(f"unknown dataset(s) {unknown}; choose from {list(DATASETS)}",
                                 param_hint="--dataset")
    archive = open_archive(database_url, data_dir)
    try:
        written = run_export(archive, out_dir, fmt=fmt, datasets=datasets, year=year, province=province)
    finally:
        archive.close()
    for name, rows in written.items():
        click.echo(f"{os.path.join(out_dir, name)}: {rows} rows")


@click.command()
@click.option("--by", type=click.Choice(["province", "city", "county"]), default="province", show_default=True)
@click.option("--year", type=int, help="Only this report year.")
@click.option("--province", help="Only this province.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of tables.")
@archive_options
@handled
def stats(by: str, year: int | None, province: str | None, as_json: bool, database_url: str | None,
          data_dir: str | None) -> None:
    """What the archive holds, and report coverage by region × year.

    \b
    Example:
      nianbao stats --by city --province 江苏省
    """
    from archive import stats as st

    archive = open_archive(database_url, data_dir)
    try:
        totals = st.totals(archive)
        rows = st.coverage(archive, by=by, year=year, province=province)
    finally:
        archive.close()
    if as_json:
        click.echo(json.dumps({"totals": totals, "coverage": rows}, ensure_ascii=False, indent=2, default=str))
        return
    from rich.console import Console
    from rich.table import Table

    console = Console()
    console.print(f"{totals['documents']} documents ({totals['bytes']:,} bytes), {totals['agencies']} agencies, "
                  f"{totals['reports']} reports: " + ", ".join(f"{k} {v}" for k, v in totals["report_status"].items()))
    if totals["carry_check"]:
        console.print("cross-year check: " + ", ".join(f"{k} {v}" for k, v in totals["carry_check"].items()))
    if not rows:
        console.print("no reports yet: nothing to show coverage of")
        return
    years = sorted({r["year"] for r in rows})
    regions = sorted({tuple(r[k] for k in st.LEVELS[by]) for r in rows})
    table = Table(title=f"coverage by {by} × year: found/expected (late, missing)")
    table.add_column(by)
    for y in years:
        table.add_column(str(y), justify="right")
    cells = {(tuple(r[k] for k in st.LEVELS[by]), r["year"]): r for r in rows}
    for region in regions:
        line = ["/".join(region)]
        for y in years:
            r = cells.get((region, y))
            if r is None:
                line.append("")
                continue
            notes = ", ".join(f"{r[k]} {k}" for k in ("late", "missing") if r[k])
            line.append(f"{r['found']}/{r['expected']}" + (f" ({notes})" if notes else ""))
        table.add_row(*line)
    console.print(table)
