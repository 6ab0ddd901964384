"""Crawls of the simulated province (tests/sandbox), through the real ``nianbao crawl``.

Each crawl is a subprocess of the installed ``nianbao`` command against a sandbox served from
this test process, into a real archive (SQLite, and PostgreSQL where marked). Politeness delays
are turned off (``FAST``): these tests check what is crawled, not how slowly.
"""
from __future__ import annotations

import json
import os
import pathlib
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
import sqlalchemy as sa

from tests.sandbox.fixtures import serve
from tests.sandbox.server import Sandbox

NIANBAO = str(pathlib.Path(sys.executable).parent / "nianbao")
FAST = ["-s", "DOWNLOAD_DELAY=0", "-s", "AUTOTHROTTLE_ENABLED=False", "-s", "NIANBAO_RETRY_BACKOFF=0.2",
        "-s", "NIANBAO_CHECKPOINT=5", "--parse-workers", "2"]


@pytest.fixture(scope="session")
def small(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Sandbox]:
    """The small province; deliberate delays shortened to a quarter (still slower than the rest)."""
    yield from serve("small", tmp_path_factory, slow_scale=0.25)


@pytest.fixture(scope="session")
def medium(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Sandbox]:
    yield from serve("medium", tmp_path_factory, slow_scale=0.25)


@dataclass
class Crawl:
    returncode: int
    stdout: str
    stderr: str
    summary: dict[str, Any] = field(default_factory=dict)

    def portal(self, portal_id: str) -> dict[str, Any]:
        return next(p for p in self.summary["portals"] if p["portal"] == portal_id)

    def stat(self, key: str) -> float:
        return sum(p["stats"].get(key, 0) for p in self.summary["portals"])


def run_nianbao(*args: Any, timeout: float = 420, env: dict[str, str] | None = None) -> Crawl:
    proc = subprocess.run([NIANBAO, *map(str, args)], capture_output=True, text=True, timeout=timeout,
                          env={**os.environ, **(env or {})})
    summary = {}
    if "--json" in args and proc.stdout.strip().startswith("{"):
        summary = json.loads(proc.stdout)
    return Crawl(proc.returncode, proc.stdout, proc.stderr, summary)


def crawl_args(box: Sandbox, db_url: str, data_dir: pathlib.Path, *extra: Any) -> list[Any]:
    return ["crawl", "--registry", box.registry_path, "--db", db_url, "--data-dir", data_dir, "--json", *FAST, *extra]


def rows(db_url: str, sql: str, **params: object) -> list[tuple[object, ...]]:
    """The rows of one query on an archive's database (a ``postgresql://`` URL uses psycopg 3)."""
    engine = sa.create_engine(db_url.replace("postgresql://", "postgresql+psycopg://", 1))
    try:
        with engine.connect() as conn:
            return [tuple(r) for r in conn.execute(sa.text(sql), params)]
    finally:
        engine.dispose()
