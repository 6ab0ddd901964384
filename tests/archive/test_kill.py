"""kill -9 in the middle of ingest and of reparse: nothing half-written, and a rerun finishes the job."""
from __future__ import annotations

import os
import signal
import subprocess
import time

import psutil
import pytest
from sqlalchemy import text

import parsers
from archive import Archive
from archive.ingest import ingest
from tests.dbs import clear

from .helpers import count, inconsistencies, nianbao, write_reports


def kill_when(proc: subprocess.Popen, archive: Archive, sql: str, at_least: int) -> int:
    """SIGKILL ``proc`` (and its workers) once ``sql`` counts ``at_least``; returns the count then."""
    deadline = time.monotonic() + 120
    while True:
        assert proc.poll() is None, f"finished before it could be killed: {proc.communicate()}"
        assert time.monotonic() < deadline, "never reached the point to kill at"
        try:
            n = count(archive, sql)
        except Exception:
            n = 0
        if n >= at_least:
            break
        time.sleep(0.02)
    children = psutil.Process(proc.pid).children(recursive=True)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    gone, alive = psutil.wait_procs(children, timeout=10)
    assert not alive, f"workers outlived their parent: {alive}"
    return n


@pytest.mark.parametrize("phase", ["storing", "filing"])
def test_kill_9_during_ingest(db_url, tmp_path, phase):
    clear(db_url)
    data = tmp_path / "data"
    paths = [str(p) for p in write_reports(tmp_path / "in", 40)]
    where = ["--db", db_url, "--data-dir", str(data)]
    with Archive.open(db_url, data) as ar:
        proc = subprocess.Popen(nianbao("ingest", *paths, *where), stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL)
        sql = "SELECT COUNT(*) FROM documents" if phase == "storing" else "SELECT COUNT(*) FROM reports"
        kill_when(proc, ar, sql, 3 if phase == "storing" else 10)
        assert inconsistencies(ar) == {}
        assert count(ar, "SELECT COUNT(*) FROM reports") < 40
    rerun = subprocess.run(nianbao("ingest", *paths, *where), capture_output=True, text=True)
    assert rerun.returncode == 0, rerun.stderr
    with Archive.open(db_url, data) as ar:
        assert inconsistencies(ar) == {}
        assert count(ar, "SELECT COUNT(*) FROM reports") == 40
        assert count(ar, "SELECT COUNT(*) FROM documents") == 40
        assert count(ar, "SELECT COUNT(*) FROM fetches") == 40
    assert not list((data / "staging").iterdir())


AGENCIES = 120  # text reports reparse in milliseconds: enough documents that the kill lands mid-run
REPARSED = 2 * AGENCIES  # each agency's report and a byte-different copy of it


def test_kill_9_during_reparse(db_url, tmp_path):
    clear(db_url)
    data = tmp_path / "data"
    with Archive.open(db_url, data) as ar:
        ingest(ar, write_reports(tmp_path / "in", AGENCIES, copies=AGENCIES))
        ar.write(lambda s: s.execute(text("UPDATE parses SET parser_version = :v"),
                                     {"v": parsers.PARSER_VERSION + "-old"}))
        where = ["--db", db_url, "--data-dir", str(data)]
        proc = subprocess.Popen(nianbao("reparse", "--stale", "-j", "2", "-q", *where),
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        done = kill_when(proc, ar, "SELECT COUNT(*) FROM reparse_items WHERE state = 'done'", 6)
        assert inconsistencies(ar) == {}
        left = count(ar, "SELECT COUNT(*) FROM reparse_items WHERE state <> 'done'")
        assert left > 0 and done + left <= REPARSED
    rerun = subprocess.run(nianbao("reparse", "--stale", "-j", "2", "-q", *where), capture_output=True, text=True,
                           timeout=240)
    assert rerun.returncode == 0, rerun.stderr
    assert "reparse (run 1;" in rerun.stdout  # the same run, resumed
    with Archive.open(db_url, data) as ar:
        assert inconsistencies(ar) == {}
        assert count(ar, "SELECT COUNT(*) FROM reparse_runs WHERE status = 'finished'") == 1
        assert count(ar, "SELECT COUNT(*) FROM reparse_items WHERE state = 'done'") == REPARSED
        assert count(ar, "SELECT COUNT(*) FROM parses WHERE is_current AND parser_version = :v",
                     v=parsers.PARSER_VERSION) == REPARSED
        assert count(ar, "SELECT COUNT(*) FROM reports") == AGENCIES
