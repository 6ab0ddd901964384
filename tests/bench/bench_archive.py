"""Archive benchmarks: ingest and reparse throughput, v_reports latency at 100k reports.

* Ingest and reparse: ``N`` generated report documents (10,000; ``--quick``: 400) through
  ``archive.ingest.ingest`` (store + parse + file, 2 processes) and then ``nianbao reparse
  --stale`` after marking every parse as by an older parser version (2 processes), on SQLite and
  on PostgreSQL. Target: reparse of 10k in under 10 minutes on 2 cores.
* Latency: an archive of 100,000 reports (``--quick``: 10,000) with every fact of every report
  (≈ 200 per report), built directly in SQL, then ``SELECT * FROM v_reports WHERE province = ? AND
  year = ?`` for random province-years. Target: under 100 ms on SQLite.
"""
from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import json
import math
import os
import pathlib
import random
import statistics
import tempfile
import time
from collections.abc import Iterator

import sqlalchemy as sa

import parsers
from archive import Archive, reparse
from archive.ingest import ingest
from archive.models import Base
from tests.dbs import database

FIXTURES = pathlib.Path(__file__).resolve().parents[1] / "fixtures"
JOBS = 2


# --- documents ---------------------------------------------------------------------------------


MIX = [("pdf", 3), ("docx", 27), ("text", 30), ("html", 40)]  # percent of the corpus per format


def documents(n: int, directory: pathlib.Path) -> tuple[list[pathlib.Path], str]:
    """``n`` distinct generated reports (tests.synth) in a mix of formats, and a description of it.

    PDFs are few because LibreOffice renders about one a second (cached afterwards); the parse
    time per format in the results lets a PDF-heavy corpus be extrapolated.
    """
    from tests.synth import EXTENSIONS, make_report, render_many
    from tests.synth.prose import CITIES, COUNTIES, DEPARTMENTS

    # distinct agencies, each with its reports of 2019–2024 (so cross-year checks have work to do)
    places = [(city, county, dept) for city in CITIES for county in COUNTIES for dept in DEPARTMENTS]
    formats = [fmt for fmt, pct in MIX for _ in range(pct)]
    jobs = []
    for i in range(n):
        city, county, dept = places[i // 6 % len(places)]
        report = make_report(seed=i, agency=city + county + dept, year=2019 + i % 6, region=city + county)
        jobs.append((report, formats[(i * 7) % len(formats)]))
    paths: list[pathlib.Path] = []
    for start in range(0, n, 500):
        batch = jobs[start:start + 500]
        for i, ((_, fmt), body) in enumerate(zip(batch, render_many(batch), strict=True), start=start):
            path = directory / f"d{i:05d}.{EXTENSIONS[fmt]}"
            path.write_bytes(body)
            paths.append(path)
    counts = {fmt: sum(1 for _, f in jobs if f == fmt) for fmt, _ in MIX}
    return paths, "tests.synth reports: " + ", ".join(f"{v:,} {k}" for k, v in counts.items())


def throughput(dialect: str, paths: list[pathlib.Path], work: pathlib.Path) -> dict[str, float]:
    with database(dialect, work) as url, Archive.open(url, work / "data") as ar:
        started = time.perf_counter()
        items = ingest(ar, paths, jobs=JOBS)
        ingest_s = time.perf_counter() - started
        errors = sum(1 for i in items if i.error)
        reports = ar.read(lambda s: s.execute(sa.text("SELECT COUNT(*) FROM reports")).scalar())
        ar.write(lambda s: s.execute(sa.text("UPDATE parses SET parser_version = :v"),
                                     {"v": parsers.PARSER_VERSION + "-old"}))
        started = time.perf_counter()
        run_id = reparse.run(ar, reparse.Selection("stale"), jobs=JOBS)
        reparse_s = time.perf_counter() - started
        summary = reparse.summarize(ar, run_id)
        formats = ar.read(lambda s: s.execute(sa.text(
            "SELECT format, COUNT(*), AVG(duration_ms), SUM(CASE WHEN status = 'parsed' THEN 1 ELSE 0 END) "
            "FROM parses WHERE is_current GROUP BY format ORDER BY format")).all())
    return {"n": len(paths), "ingest_s": ingest_s, "reparse_s": reparse_s, "errors": errors, "reports": reports or 0,
            "reparsed": summary.total, "failed": summary.outcomes.get("failed", 0), "formats": formats}


# --- v_reports at scale ------------------------------------------------------------------------


PROVINCES = 31
CITIES = 10   # per province
COUNTIES = 6  # per city
YEARS = range(2019, 2025)


def build(url: str, n_reports: int) -> int:
    """An archive of ``n_reports`` reports with every fact of a real report, written in bulk SQL."""
    facts = json.loads((FIXTURES / "seeds" / "expected" / "000_263eb3bbcb242420.json").read_text())["facts"]
    per_county = max(1, math.ceil(n_reports / (PROVINCES * CITIES * COUNTIES * len(YEARS))))
    engine = sa.create_engine(url)
    rng = random.Random(7)
    agencies, reports = [], []
    now = dt.datetime(2025, 1, 1, tzinfo=dt.UTC)
    aid = 0
    for p in range(PROVINCES):
        for c in range(CITIES):
            for k in range(COUNTIES):
                for d in range(per_county):
                    aid += 1
                    prov, city, county = f"第{p:02d}省", f"第{p:02d}{c}市", f"第{p:02d}{c}{k}县"
                    level = "county" if d == 0 else "department"
                    name = f"{city}{county}" + ("人民政府" if d == 0 else f"第{d}局")
                    agencies.append({"id": aid, "name": name, "core_name": name[-6:], "province": prov, "city": city,
                                         "county": county, "region_key": f"{prov}|{city}|{county}|{aid}", "level": level,
                                         "created_at": now, "updated_at": now})
    rid = 0
    for a in agencies:
        for y in YEARS:
            rid += 1
            reports.append({"id": rid, "agency_id": a["id"], "year": y, "status": "ok", "canonical_parse_id": rid,
                                "layout": "2021", "checks_ok": True, "n_sources": 1, "n_conflicts": 0,
                                "publication_date": dt.date(y + 1, 1, rng.randint(10, 28)), "carry_check": "ok",
                                "first_seen_at": now, "updated_at": now})
    documents = [{"id": r["id"], "sha256": hashlib.sha256(str(r["id"]).encode()).hexdigest(), "size": 100000,
                      "first_seen_at": now} for r in reports]
    parses = [{"id": r["id"], "document_id": r["id"], "parser_version": "1", "status": "parsed", "agency": None, "year": r["year"],
                   "layout": "2021", "format": "pdf", "warnings": [], "derived": [], "n_facts": len(facts), "checks_ok": True,
                   "is_current": True, "parsed_at": now} for r in reports]
    fetches = [{"id": d["id"], "url": f"http://portal.test/{d['id']}.pdf", "redirects": [], "method": "GET",
                    "kind": "attachment", "outcome": "document", "status_code": 200, "document_id": d["id"], "headers": {},
                    "via": [], "fetched_at": now, "last_seen_at": now, "times_seen": 1} for d in documents]
    sources = [{"document_id": r["id"], "report_id": r["id"], "role": "source", "correction": False, "rank": 1, "added_at": now}
               for r in reports]
    meta = Base.metadata
    with engine.begin() as conn:
        for table, rows in (("agencies", agencies), ("documents", documents), ("parses", parses),
                            ("reports", reports), ("fetches", fetches), ("report_sources", sources)):
            for i in range(0, len(rows), 20000):
                conn.execute(meta.tables[table].insert(), rows[i:i + 20000])
        conn.execute(sa.text("CREATE TEMPORARY TABLE bench_template (key VARCHAR(80), value FLOAT)"))
        conn.execute(sa.text("INSERT INTO bench_template VALUES (:k, :v)"),
                     [{"k": k, "v": v} for k, v in facts.items()])
        conn.execute(sa.text(
            "INSERT INTO facts (parse_id, key, value, derived, page, table_no, row_no, col_no, cell_text) "
            "SELECT p.id, t.key, t.value + (p.id % 5), false, 3, 2, 4, 5, 'x' FROM parses p CROSS JOIN bench_template t"))
        conn.execute(sa.text(
            "INSERT INTO parse_checks (parse_id, name, ok, detail) SELECT p.id, c.name, true, '' FROM parses p "
            "CROSS JOIN (SELECT 'applications.row_totals' AS name UNION ALL SELECT 'applications.outcome_total' "
            "UNION ALL SELECT 'applications.balance' UNION ALL SELECT 'review.total') c"))
        if engine.dialect.name == "postgresql":
            for table in ("agencies", "documents", "parses", "reports", "fetches"):
                conn.execute(sa.text(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                                     f"(SELECT MAX(id) FROM {table}))"))
    with engine.connect() as conn:  # what autovacuum / PRAGMA optimize do for a live archive
        conn.execution_options(isolation_level="AUTOCOMMIT").exec_driver_sql(
            "VACUUM ANALYZE" if engine.dialect.name == "postgresql" else "ANALYZE")
    engine.dispose()
    return len(reports)


def latency(url: str, samples: int = 40) -> dict[str, float]:
    """Query random province-years twice: the first pass reads from disk or the OS cache, the
    second from the database's own cache, as a user paging through a dashboard would."""
    engine = sa.create_engine(url)
    query = sa.text("SELECT * FROM v_reports WHERE province = :p AND year = :y")
    rng = random.Random(1)
    params = [{"p": f"第{rng.randrange(PROVINCES):02d}省", "y": rng.choice(list(YEARS))} for _ in range(samples)]
    passes, rows = [], []
    with engine.connect() as conn:
        for _ in range(2):
            times = []
            for p in params:
                started = time.perf_counter()
                rows.append(len(conn.execute(query, p).all()))
                times.append((time.perf_counter() - started) * 1000)
            passes.append(sorted(times))
    engine.dispose()
    first, warm = passes
    return {"first": statistics.median(first), "median": statistics.median(warm),
            "p95": warm[int(len(warm) * 0.95) - 1], "max": warm[-1], "rows": statistics.median(rows)}


@contextlib.contextmanager
def workdir() -> Iterator[pathlib.Path]:
    with tempfile.TemporaryDirectory(prefix="nianbao-bench-") as tmp:
        yield pathlib.Path(tmp)


def run(quick: bool) -> str:
    n_docs = 400 if quick else 10_000
    n_reports = 10_000 if quick else 100_000
    lines = ["## Archive", ""]
    with workdir() as tmp:
        docs_dir = tmp / "docs"
        docs_dir.mkdir()
        started = time.perf_counter()
        paths, what = documents(n_docs, docs_dir)
        gen_s = time.perf_counter() - started
        load = os.getloadavg()[0]
        lines += [f"Ingest and reparse of {len(paths):,} documents ({what}; generated in {gen_s:.0f} s), "
                  f"{JOBS} processes, {os.cpu_count()} cores (load average {load:.1f} when the runs began), "
                  f"parser {parsers.PARSER_VERSION}.", "",
                  "| database | ingest docs/s | ingest total | reparse docs/s | reparse total | reparse of 10k "
                  "(target < 10 min) | reports | errors |", "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"]
        formats = []
        for dialect in ("sqlite", "postgresql"):
            work = tmp / dialect
            work.mkdir()
            r = throughput(dialect, paths, work)
            per10k = r["reparse_s"] / r["n"] * 10_000
            lines.append(f"| {dialect} | {r['n'] / r['ingest_s']:.1f} | {r['ingest_s']:.0f} s | "
                         f"{r['reparsed'] / r['reparse_s']:.1f} | {r['reparse_s']:.0f} s | {per10k / 60:.1f} min | "
                         f"{r['reports']:,} | {r['errors'] + r['failed']} |")
            formats = formats or r["formats"]
        lines += ["", "Parse time per document by format (the parser's share of the above; a reparse of 10k PDFs "
                      "would take about 10,000 × the PDF mean / 2 cores):", "",
                  "| format | documents | parsed | mean parse time |", "| --- | ---: | ---: | ---: |"]
        lines += [f"| {fmt} | {n:,} | {ok:,} | {ms:.0f} ms |" for fmt, n, ms, ok in formats]
        lines += ["", f"`v_reports` for one province-year at {n_reports:,} reports (every fact of every report "
                      "stored; 31 provinces × 6 years), 40 random province-years queried twice: a first pass "
                      "(pages from disk or the OS cache), then warm.", "",
                  "| database | reports | facts | rows per query | first pass (median) | median | p95 | max | target |",
                  "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |"]
        for dialect in ("sqlite", "postgresql"):
            work = tmp / f"scale-{dialect}"
            work.mkdir()
            with database(dialect, work) as url:
                n = build(url, n_reports)
                engine = sa.create_engine(url)
                with engine.connect() as conn:
                    n_facts = conn.execute(sa.text("SELECT COUNT(*) FROM facts")).scalar()
                engine.dispose()
                lat = latency(url)
            target = "< 100 ms" if dialect == "sqlite" else "—"
            lines.append(f"| {dialect} | {n:,} | {n_facts:,} | {lat['rows']:.0f} | {lat['first']:.1f} ms | "
                         f"{lat['median']:.1f} ms | {lat['p95']:.1f} ms | {lat['max']:.1f} ms | {target} |")
    return "\n".join(lines)
