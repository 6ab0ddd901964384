"""`nianbao parse`, end to end through the real entry point."""
from __future__ import annotations

import json
import pathlib
import subprocess
import sys

from click.testing import CliRunner

from crawler.cli import main
from tests.parsers.conftest import FIXTURES

SEED = FIXTURES / "seeds" / "001_4c36db1c4b6f0da5.txt"
PDF = FIXTURES / "realdata" / "huaian-city-2024.pdf"
GARBLED = FIXTURES / "badinput" / "garbled-font-1.pdf"


def run(*args: str) -> subprocess.CompletedProcess[str]:
    exe = pathlib.Path(sys.executable).parent / "nianbao"
    return subprocess.run([str(exe), *args], capture_output=True, text=True, timeout=120)


def test_json_one_object_per_file_and_exit_zero() -> None:
    proc = run("parse", "--json", str(SEED), str(PDF))
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.strip().splitlines()
    assert len(lines) == 2
    first, second = (json.loads(line) for line in lines)
    assert first["status"] == "parsed" and first["agency"] == "郑州市二七区建设和交通局"
    assert first["facts"]["art20.9.procurement.amount_wan"] == 56742.1644
    assert second["facts"]["applications.new.total"] == 3119
    assert second["where"]["applications.new.total"] == {"page": 4, "table": second["where"]["applications.new.total"]["table"],
                                                         "row": second["where"]["applications.new.total"]["row"],
                                                         "col": 10, "text": "3119"}
    contract = {"agency", "year", "layout", "facts", "derived", "checks", "warnings", "status", "parser_version",
                "where"}  # report-schema.md's object plus status, parser_version and where: nothing else
    assert set(first) == set(second) == contract
    assert proc.stderr == ""


def test_failing_file_exits_nonzero_with_one_line_on_stderr(tmp_path: pathlib.Path) -> None:
    missing = tmp_path / "missing.pdf"
    proc = run("parse", "--json", str(SEED), str(GARBLED), str(missing))
    assert proc.returncode == 1
    results = [json.loads(line) for line in proc.stdout.strip().splitlines()]
    assert [r["status"] for r in results] == ["parsed", "needs_ocr", "unreadable"]
    errors = proc.stderr.strip().splitlines()
    assert len(errors) == 2
    assert errors[0].startswith(f"{GARBLED}: needs_ocr: ")
    assert errors[1].startswith(f"{missing}: unreadable: cannot read file")


def test_a_partial_report_prints_its_facts_and_exits_nonzero(tmp_path: pathlib.Path) -> None:
    from tests.parsers.helpers import report

    partial = tmp_path / "partial.txt"
    partial.write_bytes(report(review=""))  # section 四 missing
    proc = run("parse", "--json", str(SEED), str(partial))
    assert proc.returncode == 1
    first, second = (json.loads(line) for line in proc.stdout.strip().splitlines())
    assert first["status"] == "parsed" and second["status"] == "partial" and second["facts"]
    (error,) = proc.stderr.strip().splitlines()
    assert error.startswith(f"{partial}: partial: ") and "facts could not be read" in error


def test_hints(tmp_path: pathlib.Path) -> None:
    text = "一、总体情况\n\n本年度未收到申请。\n\n" + SEED.read_text(encoding="utf-8").split("三、主动公开政府信息情况", 1)[1]
    (tmp_path / "r.txt").write_text(text, encoding="utf-8")
    result = CliRunner().invoke(main, ["parse", "--json", "--agency-hint", "郑州市二七区建设和交通局",
                                       "--year-hint", "2020", str(tmp_path / "r.txt")])
    assert result.exit_code == 0, result.output
    out = json.loads(result.output)
    assert (out["agency"], out["year"], out["layout"]) == ("郑州市二七区建设和交通局", 2020, "2019")


def test_human_summary() -> None:
    result = CliRunner().invoke(main, ["parse", str(PDF)])
    assert result.exit_code == 0
    assert "parsed — 淮安市人民政府 2024, layout 2021, 207 facts (7 derived), checks 4/4 ok" in result.output


def test_help_lists_parse() -> None:
    result = CliRunner().invoke(main, ["--help"])
    assert "parse" in result.output
    result = CliRunner().invoke(main, ["parse", "--help"])
    assert "--agency-hint" in result.output and "--year-hint" in result.output
