"""SQLite writers take turns through a lock file beside the database, across processes."""
from __future__ import annotations

import subprocess
import sys
import time

from archive import Archive, FetchRecord, Outcome

HOLD = """
import sys, time
from archive.db import WriteLock
with WriteLock(sys.argv[1]):
    print("holding", flush=True)
    time.sleep(1.0)
    released = time.time()
print(released, flush=True)
"""


def test_a_write_waits_for_the_writer_before_it_and_starts_when_it_is_done(tmp_path):
    data = tmp_path / "data"
    with Archive.open(None, data) as ar:
        ar.record(FetchRecord(url="http://a.test/first", outcome=Outcome.SOFT_404, status=200))
        database = ar.engine.url.database
        holder = subprocess.Popen([sys.executable, "-c", HOLD, database], stdout=subprocess.PIPE, text=True)
        assert holder.stdout.readline().strip() == "holding"
        ar.record(FetchRecord(url="http://a.test/second", outcome=Outcome.SOFT_404, status=200))
        written = time.time()
        released = float(holder.stdout.readline())
        assert holder.wait(10) == 0
        assert written >= released  # it queued behind the other process
        assert (data / "nianbao.sqlite.lock").exists()
