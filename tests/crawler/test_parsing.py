"""The crawl's parser process pool (crawler.parsing) when a parser process dies.

A parser that takes its interpreter down (a segfault in a PDF library, the OOM killer) must
cost the crawl that one document, never the pool: the dead worker is replaced, the documents it
held are parsed again once, one that dies twice is reported as ParseCrashed, and the documents
after it are parsed as usual. Here the real pool (forkserver workers running
``archive.parse_and_file``) parses real stored documents, and its workers are really killed
with SIGKILL. When to kill is not a matter of timing: the test holds the archive's SQLite
write lock, so a worker that has parsed its document waits to file it — a worker with the
lock file open is one that holds a document.
"""
from __future__ import annotations

import asyncio
import os
import pathlib
import signal
import time

import psutil
import pytest
import sqlalchemy as sa

from archive import Archive, Filed, ParseJob
from crawler.parsing import ParseCrashed, ParsePool
from tests.synth import make_report, render

pytestmark = pytest.mark.slow

AGENCIES = [("禾川区教育局", 2021), ("禾川区财政局", 2022), ("禾川区卫生健康委员会", 2023), ("禾川区民政局", 2020)]


def filing_worker(lock: pathlib.Path, not_in: set[int], timeout: float = 60) -> int:
    """The pid of a process of this test (a pool worker) waiting for the archive's write lock —
    it parsed a document and waits to file it — other than the pids in ``not_in``. Waiters are
    read from /proc/locks (``->`` lines: blocked on a lock, by inode)."""
    inode = str(os.stat(lock).st_ino)  # the file exists: the archive stored the documents through it
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        mine = {c.pid for c in psutil.Process().children(recursive=True)} - not_in
        for line in pathlib.Path("/proc/locks").read_text().splitlines():
            fields = line.split()
            if "->" in fields and "FLOCK" in fields:
                pid, device = fields[fields.index("->") + 4:fields.index("->") + 6]
                if int(pid) in mine and device.rsplit(":", 1)[1] == inode:
                    return int(pid)
        time.sleep(0.05)
    raise AssertionError(f"no parser process came to file a document within {timeout} s")


def test_a_killed_parser_is_replaced_and_its_document_parsed_again_or_reported(tmp_path: pathlib.Path) -> None:
    ar = Archive.open(f"sqlite:///{tmp_path / 'nianbao.sqlite'}", tmp_path / "data")
    shas = []
    for i, (agency, year) in enumerate(AGENCIES):
        page = tmp_path / f"report-{i}.html"
        page.write_bytes(render(make_report(seed=40 + i, agency=agency, year=year, region="江岚省禾川区",
                                            inconsistent=False), "html"))
        shas.append(ar.store_file(page).sha256)
    once, twice, *after = shas
    lock = pathlib.Path(f"{tmp_path / 'nianbao.sqlite'}.lock")
    pool = ParsePool(workers=1)
    killed: set[int] = set()

    async def parse_killing(sha256: str, kills: int) -> Filed:
        """Parse one document while the write lock is held, killing the worker that holds it
        ``kills`` times; the lock is released afterwards so that a live worker can file it."""
        with ar.write_lock:
            task = asyncio.ensure_future(pool.parse(ParseJob(ar.settings, sha256)))
            for _ in range(kills):
                pid = await asyncio.to_thread(filing_worker, lock, killed)
                os.kill(pid, signal.SIGKILL)
                killed.add(pid)
            if kills == 1:  # a new worker took the document again: it comes to file it too
                await asyncio.to_thread(filing_worker, lock, killed)
        return await task

    async def scenario() -> tuple[Filed, BaseException | Filed, list[Filed]]:
        first = await parse_killing(once, kills=1)
        try:
            second: BaseException | Filed = await parse_killing(twice, kills=2)
        except ParseCrashed as exc:
            second = exc
        rest = await asyncio.gather(*(pool.parse(ParseJob(ar.settings, sha)) for sha in after))
        return first, second, list(rest)

    try:
        first, second, rest = asyncio.run(scenario())
    finally:
        pool.shutdown()
    assert len(killed) == 3  # three workers died, each replaced by a new one
    # killed once: parsed again by the replacement worker and filed
    assert first.sha256 == once and first.report_id is not None and (first.agency, first.year) == AGENCIES[0]
    # killed twice: reported, left unparsed for `nianbao reparse --stale`
    assert isinstance(second, ParseCrashed) and second.sha256 == twice
    # the documents after it: parsed by the new pool as usual
    assert [(f.sha256, f.agency, f.year) for f in rest] == [(s, *a) for s, a in zip(after, AGENCIES[2:], strict=True)]
    assert all(f.report_id is not None for f in rest)
    with ar.engine.connect() as conn:
        parsed = dict(conn.execute(sa.text("SELECT d.sha256, count(p.id) FROM documents d "
                                           "LEFT JOIN parses p ON p.document_id = d.id GROUP BY d.sha256")).all())
        years = sorted(conn.execute(sa.text("SELECT year FROM reports")).scalars())
    ar.close()
    assert parsed == {once: 1, twice: 0, **dict.fromkeys(after, 1)}
    assert years == sorted(y for i, (_, y) in enumerate(AGENCIES) if i != 1)
