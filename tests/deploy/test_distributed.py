"""Distributed crawling: two `nianbao crawl --redis` processes share the small province's queues
in the real Redis and write into one PostgreSQL archive and one blob store.

1. Both finish: every published report is filed once with its facts, no page or file is
   fetched twice across the two processes, both did part of the work, one run is recorded.
2. One is killed with SIGKILL half-way and started again: the requests it held are put back in
   the queue and done; nothing is lost and nothing is filed twice.
"""
from __future__ import annotations

import json
import os
import pathlib
import signal
import subprocess
import time
import urllib.parse
from collections import Counter
from dataclasses import dataclass
from typing import Any

import pytest
import redis

from tests.crawler.conftest import FAST, NIANBAO, rows, run_nianbao
from tests.crawler.truth import compare
from tests.deploy.conftest import REDIS_URL
from tests.sandbox.challenge import RUISHU_SCRIPT
from tests.sandbox.server import Sandbox

pytestmark = [pytest.mark.slow, pytest.mark.postgres, pytest.mark.browser]


@dataclass
class Worker:
    proc: subprocess.Popen[bytes]
    out: pathlib.Path
    err: pathlib.Path

    def finish(self, timeout: float = 300) -> dict[str, Any]:
        self.proc.wait(timeout=timeout)
        assert self.proc.returncode == 0, self.err.read_text()[-3000:]
        return json.loads(self.out.read_text())


def start(box: Sandbox, db: str, data: pathlib.Path, prefix: str, name: str) -> Worker:
    out, err = data.parent / f"{name}.json", data.parent / f"{name}.err"
    args = ["crawl", "--all", "--registry", box.registry_path, "--db", db, "--data-dir", data, "--json",
            "--redis", REDIS_URL, "-s", f"NIANBAO_REDIS_PREFIX={prefix}", "-s", "NIANBAO_REDIS_WORKER_TTL=3",
            *FAST, "--parse-workers", "1"]
    with open(out, "wb") as o, open(err, "wb") as e:
        proc = subprocess.Popen([NIANBAO, *map(str, args)], stdout=o, stderr=e, start_new_session=True)
    return Worker(proc, out, err)


def check_archive(db: str, data: pathlib.Path, truth: dict[str, Any]) -> None:
    """Every published report filed once with the published facts; every document stored once."""
    closed = {s["id"] for s in truth["sites"] if s["robots"] != "open"}
    cmp = compare(db, truth, exclude_sites=closed)
    assert len(cmp.expected) > 100 and cmp.found == cmp.expected, cmp.problems()
    assert not cmp.extra and not cmp.duplicates and not cmp.wrong_status and not cmp.wrong_facts, cmp.problems()
    twice = rows(db, "SELECT url, document_id, count(*) FROM fetches WHERE outcome = 'document' "
                     "GROUP BY url, document_id HAVING count(*) > 1")
    assert twice == [], twice[:5]
    assert rows(db, "SELECT status FROM crawl_runs") == [("finished",)]
    verify = run_nianbao("db", "verify", "--db", db, "--data-dir", data, timeout=300)
    assert verify.returncode == 0, verify.stdout + verify.stderr


def fetched_twice(box: Sandbox, truth: dict[str, Any]) -> list[tuple[str, int]]:
    """URLs answered 200/304 more than once, except what any crawl repeats by design: robots.txt
    (each process reads it), pages answered with a JavaScript challenge (loaded in Chromium, then
    again over HTTP), the challenge's own script (each process passes a challenge in its own
    Chromium: the cookies it earns may be bound to the machine, so they are not shared) and what
    Chromium itself loads for a gkmlpt shell."""
    spa = {s["host"] for s in truth["sites"] if s["platform"] == "gkmlpt"}
    challenged = {u for _, u, status in box.log if status in (412, 521)}
    counts = Counter(urllib.parse.unquote(u) for m, u, status in box.log if status in (200, 304)
                     and not u.endswith(("/robots.txt", RUISHU_SCRIPT)) and u not in challenged
                     and not (urllib.parse.urlsplit(u).hostname in spa and "/gkmlpt/" in u))
    return [(u, n) for u, n in counts.items() if n > 1]


def test_two_workers_share_the_crawl(small: Sandbox, pg_archive: str, redis_prefix: str,
                                     tmp_path: pathlib.Path) -> None:
    small.reset()
    data = tmp_path / "data"
    a = start(small, pg_archive, data, redis_prefix, "a")
    b = start(small, pg_archive, data, redis_prefix, "b")
    first, second = a.finish(), b.finish()
    truth = small.ground_truth()
    check_archive(pg_archive, data, truth)
    assert fetched_twice(small, truth) == []
    assert first["run_id"] == second["run_id"] and first["resumed"] != second["resumed"]  # one opened, one joined

    def stored(summary: dict[str, Any]) -> float:
        return sum(p["stats"].get("nianbao/documents/stored", 0) for p in summary["portals"])

    assert stored(first) > 0 and stored(second) > 0  # both did part of the work
    total = rows(pg_archive, "SELECT sum(documents) FROM crawl_run_portals")[0][0]
    assert total == rows(pg_archive, "SELECT count(*) FROM fetches WHERE outcome = 'document'")[0][0]
    assert list(redis.Redis.from_url(REDIS_URL).scan_iter(match=f"{redis_prefix}:*")) == []  # cleared


def claims_of(client: redis.Redis, prefix: str, pid: int) -> int:
    return sum(client.hlen(k) for k in client.scan_iter(match=f"{prefix}:run*:claims:*:{pid}:*"))


def test_a_killed_worker_loses_nothing(small: Sandbox, pg_archive: str, redis_prefix: str,
                                       tmp_path: pathlib.Path) -> None:
    small.reset()
    data = tmp_path / "data"
    client = redis.Redis.from_url(REDIS_URL)
    total = len(small.requests())
    a = start(small, pg_archive, data, redis_prefix, "a")
    b = start(small, pg_archive, data, redis_prefix, "b")
    deadline = time.monotonic() + 120
    while a.proc.poll() is None and time.monotonic() < deadline and not (
            len(small.log) > total * 0.3 and claims_of(client, redis_prefix, a.proc.pid)):
        time.sleep(0.05)
    assert a.proc.poll() is None, "the worker finished before it could be killed"
    held = claims_of(client, redis_prefix, a.proc.pid)
    os.killpg(a.proc.pid, signal.SIGKILL)
    a.proc.wait()
    assert held > 0
    again = start(small, pg_archive, data, redis_prefix, "a-again")
    summaries = [b.finish(), again.finish()]
    assert summaries[1]["resumed"] and summaries[1]["status"] == "finished"  # it joined the run
    requeued = sum(p["stats"].get("nianbao/redis/requeued", 0) for s in summaries for p in s["portals"])
    check_archive(pg_archive, data, small.ground_truth())
    assert requeued >= 1  # the killed worker's claims went back to the queue


def test_usage_errors_name_what_is_wrong(small: Sandbox, tmp_path: pathlib.Path) -> None:
    both = run_nianbao("crawl", "--all", "--registry", small.registry_path, "--data-dir", tmp_path,
                       "--redis", REDIS_URL, "--jobdir", tmp_path / "job")
    assert both.returncode == 2 and "--jobdir and --redis" in both.stderr
    away = run_nianbao("crawl", "--all", "--registry", small.registry_path, "--data-dir", tmp_path,
                       "--redis", "redis://127.0.0.1:1/0")
    assert away.returncode == 1 and "Redis at redis://127.0.0.1:1/0" in away.stderr, away.stderr
