"""Several processes on one archive at once: no duplicate report, agency or parse; work shared once."""
from __future__ import annotations

import subprocess
import time

from sqlalchemy import event, func, select, text
from sqlalchemy.exc import IntegrityError, OperationalError

import parsers
from archive import Archive, agencies, db, filing
from archive.ingest import ingest
from archive.models import Report
from tests.dbs import clear

from .helpers import count, inconsistencies, nianbao, write_reports

BARRIER = """
import pathlib, sys, time
import archive.cli, archive.reparse, archive.ingest, parsers  # import everything before the start line
from crawler.cli import main
ready, go = pathlib.Path(sys.argv[1]), pathlib.Path(sys.argv[2])
ready.touch()
while not go.exists():
    time.sleep(0.01)
sys.argv = ["nianbao", *sys.argv[3:]]
main()
"""


def start_together(tmp_path, *commands: list[str]) -> list[subprocess.Popen]:
    """Start processes that all begin their command at the same moment."""
    import sys

    go = tmp_path / "go"
    procs, ready = [], []
    for i, args in enumerate(commands):
        ready.append(tmp_path / f"ready{i}")
        procs.append(subprocess.Popen([sys.executable, "-c", BARRIER, str(ready[-1]), str(go), *args[3:]],
                                      stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True))
    deadline = time.monotonic() + 60
    while not all(r.exists() for r in ready):
        assert time.monotonic() < deadline, "processes did not start"
        assert all(p.poll() is None for p in procs), [p.communicate() for p in procs if p.poll() is not None]
        time.sleep(0.02)
    go.touch()
    return procs


def finish(procs: list[subprocess.Popen]) -> list[str]:
    outs = []
    for p in procs:
        out, err = p.communicate(timeout=240)
        assert p.returncode == 0, f"exit {p.returncode}\n{out}\n{err}"
        outs.append(out)
    return outs


def test_two_ingests_and_a_reparse_at_once(db_url, tmp_path):
    clear(db_url)
    data = tmp_path / "data"
    paths = [str(p) for p in write_reports(tmp_path / "in", 20, copies=6)]
    where = ["--db", db_url, "--data-dir", str(data)]
    with Archive.open(db_url, data) as ar:  # something for the reparse to start on
        ingest(ar, paths[:4])
    procs = start_together(tmp_path, nianbao("ingest", *paths, *where), nianbao("ingest", *reversed(paths), *where),
                           nianbao("reparse", "--all", "-j", "1", "-q", *where))
    finish(procs)
    with Archive.open(db_url, data) as ar:
        assert inconsistencies(ar) == {}
        assert count(ar, "SELECT COUNT(*) FROM reports") == 20
        assert count(ar, "SELECT COUNT(*) FROM agencies") == 20
        assert count(ar, "SELECT COUNT(*) FROM report_sources") == 26
        assert count(ar, "SELECT COUNT(*) FROM reports WHERE n_sources = 2") == 6
        assert count(ar, "SELECT COUNT(*) FROM parses WHERE is_current") == 26
        assert count(ar, "SELECT COUNT(*) FROM reports WHERE status <> 'ok'") == 0


def test_two_reparse_workers_share_one_run(db_url, tmp_path):
    """Two `nianbao reparse` processes (as on two machines) split one run: every item done once."""
    clear(db_url)
    data = tmp_path / "data"
    with Archive.open(db_url, data) as ar:
        ingest(ar, write_reports(tmp_path / "in", 60))
        ar.write(lambda s: s.execute(text("UPDATE parses SET parser_version = :v"),
                                     {"v": parsers.PARSER_VERSION + "-old"}))
    where = ["--db", db_url, "--data-dir", str(data)]
    outs = finish(start_together(tmp_path, nianbao("reparse", "--stale", "-j", "1", "-q", *where),
                                 nianbao("reparse", "--stale", "-j", "1", "-q", *where)))
    assert all("reparse (run 1;" in out for out in outs), outs  # both joined the same run
    with Archive.open(db_url, data) as ar:
        assert count(ar, "SELECT COUNT(*) FROM reparse_runs") == 1
        assert count(ar, "SELECT COUNT(*) FROM reparse_items WHERE state = 'done' AND attempts = 1") == 60
        workers = ar.read(lambda s: s.execute(text(
            "SELECT worker, COUNT(*) FROM reparse_items GROUP BY worker")).all())
        assert len(workers) == 2 and all(n >= 4 for _, n in workers), workers
        assert count(ar, "SELECT COUNT(*) FROM parses WHERE is_current AND parser_version = :v",
                     v=parsers.PARSER_VERSION) == 60
        assert inconsistencies(ar) == {}


def test_a_report_lost_to_a_racing_writer_is_found_when_the_transaction_is_retried(archive, db_url):
    """The tenacity path of `db.retrying`: another connection files the same agency-year between
    our look-up and our insert, so the first attempt really fails and the second finds its report.

    On PostgreSQL (READ COMMITTED, the archive's write session) the insert loses UNIQUE (agency,
    year): an IntegrityError. SQLite's BEGIN IMMEDIATE keeps a racer out of a write transaction, so
    there the race runs in a deferred one, which SQLite stops from writing over the newer commit
    (SQLITE_BUSY_SNAPSHOT, "database is locked"). Both are errors the retry must answer.
    """
    def new_agency(session) -> int:
        agency = agencies.resolve(session, "淮安市洪泽区人民政府")
        session.flush()
        return agency.id
    agency_id = archive.write(new_agency)
    racer = db.create_engine(db_url)
    racer_ids: list[int] = []

    def race(*_: object) -> None:  # another process files the same agency-year and commits
        with db.session_factory(racer)() as session, session.begin():
            report, created = filing._report(session, agency_id, 2023)
            assert created
            racer_ids.append(report.id)

    sqlite = archive.engine.dialect.name == "sqlite"
    calls: list[BaseException | None] = []

    def attempt() -> tuple[int, bool]:
        calls.append(None)
        try:
            with (archive.read_sessions if sqlite else archive.sessions)() as session, session.begin():
                if len(calls) == 1:  # between _report's look-up and its insert
                    event.listen(session, "before_flush", race)
                report, created = filing._report(session, agency_id, 2023)
                return report.id, created
        except Exception as exc:
            calls[-1] = exc
            raise

    try:
        report_id, created = db.retrying(attempt)
    finally:
        racer.dispose()
    assert len(calls) == 2 and calls[1] is None
    first = calls[0]
    if sqlite:
        assert isinstance(first, OperationalError) and first.orig.sqlite_errorname == "SQLITE_BUSY_SNAPSHOT"
    else:
        assert isinstance(first, IntegrityError) and "uq_reports__agency_id_year" in str(first.orig)
    assert (report_id, created) == (racer_ids[0], False)
    n = archive.read(lambda s: s.scalar(select(func.count()).select_from(Report)
                                        .where(Report.agency_id == agency_id, Report.year == 2023)))
    assert n == 1
