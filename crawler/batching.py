"""Group commit: the archive calls of every crawler of a process, made in batches by one thread.

Scrapy runs the spiders, the middlewares and the pipeline on one reactor thread, so whatever the
archive costs per response in Python (an ORM transaction per document, a query per conditional
request) is taken from the crawl itself. A :class:`Batcher` takes items from any thread and
hands everything that queued up meanwhile to one call: ``Archive.store_many`` writes a batch of
documents and fetches in one transaction (one lock, one commit, staging fsyncs that overlap),
``Archive.last_fetches`` looks up a batch of URLs in one query. One writer per process also
means the crawlers of a process never wait for each other's SQLite write lock. Batches form by
themselves: while one is being written, the next one queues.
"""
from __future__ import annotations

import logging
import queue
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import Future
from typing import Generic, TypeVar

log = logging.getLogger(__name__)
T = TypeVar("T")
R = TypeVar("R")


class Batcher(Generic[T, R]):
    """Runs ``fn(items)`` in its own thread on up to ``max_batch`` queued items at a time.

    ``fn`` returns one result per item, in order; a result that is an exception is raised to that
    item's caller only, an exception raised by ``fn`` to every caller of the batch.
    """

    def __init__(self, fn: Callable[[list[T]], Sequence[R | BaseException]], *, name: str,
                 max_batch: int = 200) -> None:
        self.fn, self.name, self.max_batch = fn, name, max_batch
        self._queue: queue.SimpleQueue[tuple[T, Future[R]] | None] = queue.SimpleQueue()
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)
        self._closed = False
        self.batches = 0
        self._thread.start()

    def submit(self, item: T) -> Future[R]:
        if self._closed:
            raise RuntimeError(f"{self.name} is closed")
        future: Future[R] = Future()
        self._queue.put((item, future))
        return future

    def close(self) -> None:
        """Finish what is queued, then stop the thread."""
        if not self._closed:
            self._closed = True
            self._queue.put(None)
            self._thread.join()

    def _run(self) -> None:
        stopping = False
        while not stopping:
            first = self._queue.get()
            if first is None:
                break
            batch = [first]
            while len(batch) < self.max_batch:
                try:
                    nxt = self._queue.get_nowait()
                except queue.Empty:
                    break
                if nxt is None:
                    stopping = True
                    break
                batch.append(nxt)
            self._call(batch)

    def _call(self, batch: list[tuple[T, Future[R]]]) -> None:
        live = [(item, future) for item, future in batch if future.set_running_or_notify_cancel()]
        if not live:
            return
        self.batches += 1
        try:
            results = list(self.fn([item for item, _ in live]))
            if len(results) != len(live):
                raise RuntimeError(f"{self.name}: {len(results)} results for {len(live)} items")
        except BaseException as exc:  # the whole batch failed: every caller hears why
            results = [exc] * len(live)
        for (_, future), result in zip(live, results, strict=True):
            if isinstance(result, BaseException):
                future.set_exception(result)
            else:
                future.set_result(result)
