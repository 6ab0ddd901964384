"""Parsing off the reactor: a process pool shared by every crawl of the process.

The pipeline stores a document and submits ``archive.parse_and_file`` for it here; the reactor
only awaits the result, so a slow PDF (or a DOC going through LibreOffice) never stalls
downloads. Workers run at a lower CPU priority (``NIANBAO_PARSE_NICE``): on a busy machine the
crawl keeps its pace and the parsers use what it leaves, catching up once downloads are over;
the crawl's own writes do not wait for them, being group commits off the reactor
(``crawler.batching``). Workers are started by a forkserver that has imported the parsers and
the archive once. A worker that dies (a parser crashing the interpreter) breaks the pool: it is replaced and
the documents that were in it are parsed again once; the one that breaks it twice is reported.
"""
from __future__ import annotations

import asyncio
import logging
import multiprocessing
import os
import signal
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool

from archive import Filed, ParseJob, parse_and_file
from crawler.errors import CrawlerError

log = logging.getLogger(__name__)


class ParseCrashed(CrawlerError):
    def __init__(self, sha256: str) -> None:
        self.sha256 = sha256
        super().__init__(f"document {sha256[:12]}: its parser process died twice; left unparsed "
                         "(`nianbao reparse --stale` retries it)")


class ParsePool:
    def __init__(self, workers: int, nice: int = 0) -> None:
        self.workers, self.nice = workers, nice
        self._generation = 0
        self._executor = self._start()

    def _start(self) -> ProcessPoolExecutor:
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload(["parsers", "archive", "archive.work"])
        return ProcessPoolExecutor(max_workers=self.workers, mp_context=context, initializer=_worker_init,
                                   initargs=(self.nice,))

    def _restart(self, generation: int) -> None:
        if generation != self._generation:  # another caller replaced it already
            return
        log.error("a parser process died; starting a new pool of %d", self.workers)
        self._executor.shutdown(wait=False, cancel_futures=True)
        self._executor = self._start()
        self._generation += 1

    async def parse(self, job: ParseJob) -> Filed:
        """Parse and file one stored document in a worker process."""
        for attempt in (1, 2):
            generation = self._generation
            try:
                return await asyncio.wrap_future(self._executor.submit(parse_and_file, job))
            except BrokenProcessPool:
                self._restart(generation)
                if attempt == 2:
                    raise ParseCrashed(job.sha256) from None
        raise AssertionError("unreachable")

    def shutdown(self) -> None:
        self._executor.shutdown(wait=True, cancel_futures=True)


def _worker_init(nice: int) -> None:
    """Ctrl-C reaches the whole process group: the crawler decides when parsing stops."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if nice > 0:
        os.nice(nice)


_POOLS: dict[tuple[int, int], ParsePool] = {}


def shared(workers: int = 0, nice: int = 0) -> ParsePool:
    """This process's pool (``workers`` = 0: one per CPU), started on first use."""
    key = (workers or os.cpu_count() or 1, nice)
    if key not in _POOLS:
        _POOLS[key] = ParsePool(*key)
    return _POOLS[key]


def shutdown_all() -> None:
    while _POOLS:
        _POOLS.popitem()[1].shutdown()
