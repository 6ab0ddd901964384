"""Storage per report, for the national estimate in docs/scaling.md.

A ``nianbao crawl --all`` of a sandbox province (``medium``; ``--quick``: ``small``) into a fresh
SQLite archive and into a fresh PostgreSQL one, then what it takes: the blob store (every
document, by sha256) and how much the database grew beyond an empty migrated one, per report and
per document; and what the crawl asked the portals for, per report, and how fast one process
got it with no politeness delay (storing and parsing included). The sandbox's documents are
generated: docs/scaling.md sets their sizes beside the real ones of the parse benchmark.
"""
from __future__ import annotations

import datetime as dt
import os
import pathlib
import tempfile
from typing import Any

import sqlalchemy as sa

from tests.bench.bench_crawl import _crawl, _responses
from tests.dbs import database


def _db_bytes(url: str) -> int:
    engine = sa.create_engine(url.replace("postgresql://", "postgresql+psycopg://", 1))
    try:
        with engine.connect() as conn:
            if engine.dialect.name == "postgresql":
                return int(conn.execute(sa.text("SELECT pg_database_size(current_database())")).scalar())
            conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
            return pathlib.Path(engine.url.database).stat().st_size
    finally:
        engine.dispose()


def _counts(url: str) -> dict[str, int]:
    engine = sa.create_engine(url.replace("postgresql://", "postgresql+psycopg://", 1))
    try:
        with engine.connect() as conn:
            return {t: int(conn.execute(sa.text(f"SELECT count(*) FROM {t}")).scalar())
                    for t in ("reports", "documents", "fetches", "facts")}
    finally:
        engine.dispose()


def run(quick: bool) -> str:
    from tests.sandbox import Sandbox

    size = "small" if quick else "medium"
    load = os.getloadavg()[0]
    rows: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory(prefix="bench-storage-") as name, Sandbox(7, size, slow_scale=0) as box:
        tmp = pathlib.Path(name)
        box.prerender()
        box.write(tmp / "sandbox")
        for dialect in ("sqlite", "postgresql"):
            work = tmp / dialect
            work.mkdir()
            with database(dialect, work) as url:
                empty = _db_bytes(url)
                box.reset()
                summary, _, seconds = _crawl(box, work, "--all", "--db", url)
                blobs = sum(p.stat().st_size for d in work.glob("data-*") for p in (d / "blobs").rglob("*")
                            if p.is_file())
                rows.append({"dialect": dialect, **_counts(url), "blobs": blobs, "db": _db_bytes(url) - empty,
                             "responses": _responses(summary), "seconds": seconds})
    first = rows[0]
    lines = [f"## Storage ({size} sandbox province)", "",
             f"{os.cpu_count()} cores (load average {load:.1f} at the start), {dt.date.today().isoformat()}. "
             "One `nianbao crawl --all` (no politeness delay, 8 portals at a time) into a fresh "
             "archive per database; database = growth beyond an empty migrated one (SQLite after a WAL "
             "checkpoint, PostgreSQL `pg_database_size`). The documents are the sandbox's generated ones.", "",
             "| database | reports | documents | facts | blob store | per document | database | per report | "
             "responses per report | crawl, end to end | responses/s |",
             "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"]
    for r in rows:
        lines.append(f"| {r['dialect']} | {r['reports']:,} | {r['documents']:,} | {r['facts']:,} | "
                     f"{r['blobs'] / 2**20:.1f} MiB | {r['blobs'] / max(1, r['documents']) / 1024:.0f} KiB | "
                     f"{r['db'] / 2**20:.1f} MiB | {r['db'] / max(1, r['reports']) / 1024:.1f} KiB | "
                     f"{r['responses'] / max(1, r['reports']):.2f} | {r['seconds']:.0f} s | "
                     f"{r['responses'] / r['seconds']:.1f} |")
    lines += ["", f"Per report: {first['documents'] / max(1, first['reports']):.2f} documents, "
                  f"{first['fetches'] / max(1, first['reports']):.2f} fetch rows, "
                  f"{first['facts'] / max(1, first['reports']):.0f} facts."]
    return "\n".join(lines) + "\n"
