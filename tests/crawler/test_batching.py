"""The group commit under the crawl: what queues while a batch is written goes in the next one."""
from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest

from crawler.batching import Batcher


def test_what_queues_meanwhile_is_one_batch_and_each_caller_gets_its_result():
    release, started = threading.Event(), threading.Event()
    seen: list[list[int]] = []

    def work(items: list[int]) -> list[int | BaseException]:
        seen.append(items)
        started.set()
        release.wait(5)
        return [ValueError(f"odd {i}") if i % 2 else i * 10 for i in items]

    batcher = Batcher(work, name="test-writer", max_batch=50)
    first = batcher.submit(0)  # taken at once; the next ones queue while it is "written"
    assert started.wait(5)
    with ThreadPoolExecutor(8) as pool:
        futures = list(pool.map(batcher.submit, range(1, 41)))
    release.set()
    assert first.result(5) == 0
    for i, future in enumerate(futures, start=1):
        if i % 2:
            with pytest.raises(ValueError, match=f"odd {i}"):
                future.result(5)
        else:
            assert future.result(5) == i * 10
    batcher.close()
    assert seen[0] == [0] and sorted(i for batch in seen[1:] for i in batch) == list(range(1, 41))
    assert len(seen) < 10 and batcher.batches == len(seen)


def test_a_failing_batch_fails_every_caller_and_the_writer_goes_on():
    calls: list[list[str]] = []

    def work(items: list[str]) -> list[str]:
        calls.append(items)
        if "boom" in items:
            raise RuntimeError("database away")
        return [i.upper() for i in items]

    batcher = Batcher(work, name="test-writer")
    doomed = batcher.submit("boom")
    with pytest.raises(RuntimeError, match="database away"):
        doomed.result(5)
    assert batcher.submit("after").result(5) == "AFTER"
    batcher.close()
    with pytest.raises(RuntimeError, match="closed"):
        batcher.submit("late")
