"""The archive's commands, end to end through `nianbao` (click's runner, the real parsers)."""
from __future__ import annotations

import csv
import json
import os

import pytest
from click.testing import CliRunner
from sqlalchemy import text

import parsers
from archive import Archive
from crawler.cli import main
from tests.dbs import clear

from .helpers import FIXTURES, age, agency_name, count, seed_report

REAL = [str(FIXTURES / "realdata" / "hongze-district-2023.pdf"), str(FIXTURES / "realdata" / "hongze-district-2024.pdf")]


@pytest.fixture
def cli(db_url, tmp_path):
    clear(db_url)
    runner = CliRunner()
    where = ["--db", db_url, "--data-dir", str(tmp_path / "data")]

    def run(*args: str, code: int = 0):
        result = runner.invoke(main, [*args, *where], catch_exceptions=False)
        assert result.exit_code == code, result.output
        return result
    return run


def test_ingest_then_everything_else(cli, tmp_path, db_url):
    seed = tmp_path / "seed.txt"
    seed.write_bytes(seed_report(agency_name(3)))
    out = cli("ingest", *REAL, str(seed), "--jobs", "2").output
    assert "洪泽区人民政府 2023 → report" in out and f"{agency_name(3)} 2020 → report" in out
    assert "3 documents (3 new): 3 reports created" in out
    again = cli("ingest", *REAL).output
    assert again.count("(unchanged, ") == 2 and "0 reports created" in again

    stats = json.loads(cli("stats", "--json").output)
    assert stats["totals"]["reports"] == 3 and sum(stats["totals"]["report_status"].values()) == 3
    hongze = [r for r in json.loads(cli("stats", "--json", "--by", "county").output)["coverage"]
              if r["county"] == "洪泽区"]
    assert [(r["year"], r["found"], r["expected"]) for r in hongze] == [(2023, 1, 1), (2024, 1, 1)]
    assert "coverage by province" in cli("stats").output

    csv_dir, pq_dir = tmp_path / "csv", tmp_path / "pq"
    assert "reports.csv: 3 rows" in cli("export", "--out", str(csv_dir)).output
    with open(csv_dir / "reports.csv", encoding="utf-8") as fh:
        reports = list(csv.DictReader(fh))
    assert sorted(r["year"] for r in reports) == ["2020", "2023", "2024"]
    cli("export", "--format", "parquet", "--out", str(pq_dir), "--dataset", "facts", "--dataset", "reports",
        "--year", "2023")
    import pyarrow.parquet as pq

    facts = pq.read_table(pq_dir / "facts.parquet").to_pylist()
    assert {f["year"] for f in facts} == {2023} and len(facts) > 100
    assert pq.read_table(pq_dir / "reports.parquet").num_rows == 1
    cli("export", "--dataset", "nonsense", code=2)

    dry = cli("reparse", "--all", "--dry-run", "-q").output
    assert "dry run, nothing written" in dry and "unchanged      3" in dry
    diff = tmp_path / "diff.csv"
    run = cli("reparse", "--all", "-j", "2", "-q", "--diff-out", str(diff)).output
    assert "unchanged      3" in run
    assert diff.read_text(encoding="utf-8").startswith("agency,year,report_id,sha256")

    assert "head" in cli("db", "current").output
    cli("db", "upgrade")
    assert "3 documents, 3 blobs" in cli("db", "verify").output


def test_verify_finds_a_corrupt_blob(cli, tmp_path):
    cli("ingest", REAL[0])
    blobs = [p for p in (tmp_path / "data" / "blobs").rglob("*") if p.is_file()]
    os.chmod(blobs[0], 0o644)
    blobs[0].write_bytes(b"bit rot")
    out = cli("db", "verify", code=1).output
    assert f"corrupt: {blobs[0].name}" in out


def test_errors_name_the_file_and_the_reason(cli, tmp_path):
    result = cli("ingest", str(tmp_path / "missing.pdf"), code=1)
    assert f"{tmp_path / 'missing.pdf'}: no such file" in result.output
    big = tmp_path / "big.pdf"
    big.write_bytes(b"%PDF" + b"0" * 2000)
    os.environ["NIANBAO_MAX_DOCUMENT_BYTES"] = "1000"
    try:
        result = cli("ingest", str(big), code=1)
    finally:
        del os.environ["NIANBAO_MAX_DOCUMENT_BYTES"]
    assert f"{big}: larger than the limit of 1,000 bytes; not stored" in result.output


def test_ingest_hints_provenance_and_a_filtered_reparse_with_its_progress_bar(cli, tmp_path, db_url):
    """What `ingest` is told (agency, year, region, source URL, title, date) is kept as the
    fetch's provenance and fills in what the document does not say; `reparse --agency --year`
    re-parses only that report, showing a progress bar unless -q."""
    from sqlalchemy import create_engine, text

    from archive.settings import normalise_url

    seed = FIXTURES / "seeds" / "001_4c36db1c4b6f0da5.txt"
    body = seed.read_text(encoding="utf-8").split("三、主动公开政府信息情况", 1)[1]
    anonymous = tmp_path / "anonymous.txt"  # no title: neither agency nor year in the text
    anonymous.write_text("一、总体情况\n\n本年度未收到申请。\n\n三、主动公开政府信息情况" + body, encoding="utf-8")
    other = tmp_path / "other.txt"
    other.write_bytes(seed_report(agency_name(5)))
    cli("ingest", str(other))
    out = cli("ingest", str(anonymous), "--agency", "淮安市洪泽区教育局", "--year", "2021", "--region", "江苏省/淮安市/洪泽区",
              "--source-url", "http://www.hongze.gov.cn.test/art/2022/1/20/art_1.html", "--title", "洪泽区教育局2021年年报",
              "--published", "2022-01-20").output
    assert "淮安市洪泽区教育局 2021 → report" in out
    engine = create_engine(normalise_url(db_url))
    with engine.connect() as conn:
        row = conn.execute(text("SELECT url, local_path, agency_hint, year_hint, county, list_title, list_date "
                                "FROM fetches WHERE agency_hint IS NOT NULL")).one()
        reports = conn.execute(text("SELECT agency, year FROM v_reports ORDER BY year")).all()
    engine.dispose()
    assert row.url == "http://www.hongze.gov.cn.test/art/2022/1/20/art_1.html" and row.local_path == str(anonymous)
    assert (row.agency_hint, row.year_hint, row.county, row.list_title) == ("淮安市洪泽区教育局", 2021, "洪泽区", "洪泽区教育局2021年年报")
    assert str(row.list_date)[:10] == "2022-01-20"
    assert [tuple(r) for r in reports] == [(agency_name(5), 2020), ("淮安市洪泽区教育局", 2021)]
    run = cli("reparse", "--all", "--agency", "淮安市洪泽区教育局", "--year", "2021")
    assert "1 documents" in run.output and "unchanged      1" in run.output
    assert "reparse" in run.stderr and "1/1" in run.stderr  # the progress bar, on stderr


def test_reparse_prints_what_changed_and_writes_the_diff(cli, tmp_path, db_url):
    """After parses by an older parser that differ from today's (one misread number, one document
    it could not read, a work plan it took for a report), `reparse --all` prints each list with
    one line per document or fact, `--diff-out` writes the changed fact as CSV, and `--dry-run`
    prints the same changes while the archive keeps the old parses."""
    with Archive.open(db_url, tmp_path / "data") as ar:
        misread, unread, _, _, _, plan = (i.stored.sha256 for i in age(ar, tmp_path))
    state = text("SELECT (SELECT COUNT(*) FROM parses), (SELECT COUNT(*) FROM facts), (SELECT COUNT(*) FROM reparse_runs), "
                 "(SELECT COUNT(*) FROM parses WHERE is_current AND parser_version = :v), (SELECT SUM(value) FROM facts)")

    def snapshot() -> tuple:
        with Archive.open(db_url, tmp_path / "data") as ar:
            return ar.read(lambda s: tuple(s.execute(state, {"v": parsers.PARSER_VERSION}).one()))

    def changes(mode: str) -> list[str]:
        return [f"reparse ({mode}; parser {parsers.PARSER_VERSION}; all): 6 documents",
                "  newly parsed   1", "  newly failing  1", "  changed        1", "  unchanged      3",
                "  changed facts  1",
                "newly parsed:", f"  {agency_name(1)} 2020 [{unread[:12]}]: unreadable → parsed",
                "newly failing:", f"  ? ? [{plan[:12]}]: parsed → not_a_report",
                "changed facts:", f"  {agency_name(0)} 2019 [{misread[:12]}] art20.9.procurement.projects: 9 → 2"]

    before = snapshot()
    dry_csv, diff_csv = tmp_path / "dry.csv", tmp_path / "diff.csv"
    dry = cli("reparse", "--all", "--dry-run", "-j", "1", "-q", "--diff-out", str(dry_csv)).output
    assert dry.splitlines()[:12] == changes("dry run, nothing written")
    assert snapshot() == before  # nothing written: no new parse, fact, run or value
    run = cli("reparse", "--all", "-j", "1", "-q", "--diff-out", str(diff_csv)).output
    assert run.splitlines()[:12] == changes("run 1")
    assert f"1 changed facts written to {diff_csv}" in run

    for path in (dry_csv, diff_csv):
        with open(path, encoding="utf-8", newline="") as fh:
            (row,) = list(csv.DictReader(fh))
        assert (row["agency"], row["year"], row["sha256"], row["key"], row["change"]) == (
            agency_name(0), "2019", misread, "art20.9.procurement.projects", "changed"), path
        assert (float(row["old_value"]), float(row["new_value"])) == (9, 2), path
    with Archive.open(db_url, tmp_path / "data") as ar:
        assert count(ar, "SELECT COUNT(*) FROM parses WHERE is_current AND parser_version = :v",
                     v=parsers.PARSER_VERSION) == 6
        assert count(ar, "SELECT value FROM v_facts WHERE canonical AND sha256 = :s "
                         "AND key = 'art20.9.procurement.projects'", s=misread) == 2


def test_reparse_by_status(cli, tmp_path, db_url):
    with Archive.open(db_url, tmp_path / "data") as ar:
        age(ar, tmp_path)
    run = cli("reparse", "--all", "--status", "unreadable", "--status", "needs_ocr", "-j", "1", "-q").output
    assert run.splitlines()[:2] == [f"reparse (run 1; parser {parsers.PARSER_VERSION}; all): 1 documents",
                                    "  newly parsed   1"]
    wrong = cli("reparse", "--status", "scanned", code=2)
    assert "'scanned' is not one of" in wrong.output and "needs_ocr" in wrong.output
