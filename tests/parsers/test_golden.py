"""Golden tests: the real reports in tests/fixtures parse to their hand-checked facts."""
from __future__ import annotations

import os
import pathlib
import subprocess
import sys

import pytest

from parsers import PARSER_VERSION, Status, parse_path
from tests.parsers.conftest import FIXTURES, expected, golden_documents

DOCS = golden_documents()


def test_every_expectation_has_its_document() -> None:
    assert len(DOCS) == 8


@pytest.mark.parametrize("doc", DOCS, ids=lambda p: p.name)
def test_golden(doc: pathlib.Path) -> None:
    want = expected(doc)
    got = parse_path(doc)
    assert got.status is Status.PARSED, got.warnings
    assert got.year == want["year"]
    assert got.layout == want["layout"]
    assert want["agency"] in got.agency or got.agency in want["agency"]
    wrong = {k: (got.facts.get(k), v) for k, v in want["facts"].items() if got.facts.get(k) != v}
    assert not wrong
    assert set(got.facts) == set(want["facts"])  # exactly the layout's keys, nothing invented
    assert got.parser_version == PARSER_VERSION


@pytest.mark.parametrize("doc", DOCS, ids=lambda p: p.name)
def test_every_fact_says_where_it_was_read(doc: pathlib.Path) -> None:
    got = parse_path(doc)
    derived = set(got.derived)
    for key, value in got.facts.items():
        if key in derived:
            assert key not in got.where
            continue
        where = got.where[key]
        assert where.text is not None
        if doc.suffix == ".pdf":
            assert where.page and where.table and where.row and where.col
        else:
            assert where.line
        # the printed text is the number (blank cells read as 0)
        digits = "".join(ch for ch in where.text if ch.isdigit())
        if value and isinstance(value, int):
            assert digits.lstrip("0") == str(abs(value)), (key, where.text)


def test_where_points_at_the_printed_cell() -> None:
    got = parse_path(FIXTURES / "realdata" / "huaian-city-2024.pdf")
    assert got.where["applications.new.total"].text == "3119"
    assert got.where["applications.new.total"].page == 4
    assert got.where["art20.8.fees.amount_wan"].text == "96171.6"
    assert got.where["art20.8.fees.amount_wan"].page == 4
    seed = parse_path(FIXTURES / "seeds" / "001_4c36db1c4b6f0da5.txt")
    assert seed.where["art20.9.procurement.amount_wan"].text == "56742.1644万元"
    assert seed.where["art20.5.licensing.change"].text == "－"  # a dash, read as 0


def test_real_reports_that_do_not_add_up_are_flagged_not_fixed() -> None:
    got = parse_path(FIXTURES / "realdata" / "hongze-district-2023.pdf")
    checks = {c.name: c for c in got.checks}
    assert got.facts["review.total"] == 0  # printed 0 although 10 + 1 were printed beside it
    assert checks["review.total"].ok is False
    assert "review" in checks["review.total"].detail
    assert checks["applications.balance"].ok is True
    assert checks["applications.balance"].detail == "21 + 0 = 21 + 0"


def test_2021_other_row_is_derived_from_its_three_sub_rows() -> None:
    got = parse_path(FIXTURES / "realdata" / "huaian-city-2024.pdf")
    assert got.facts["applications.other.total"] == 187
    assert "applications.other.total" in got.derived
    assert {c.name: c.ok for c in got.checks} == {
        "applications.row_totals": True, "applications.outcome_total": True,
        "applications.balance": True, "review.total": True}


def test_score_tool_scores_all_fixtures_exact(tmp_path: pathlib.Path) -> None:
    """The shared scoring tool, run on the copies in tests/fixtures through the real CLI."""
    nianbao = pathlib.Path(sys.executable).parent / "nianbao"
    assert nianbao.exists(), "the nianbao console script is installed with the project"
    env = dict(os.environ, PATH=f"{nianbao.parent}{os.pathsep}{os.environ['PATH']}")
    proc = subprocess.run([sys.executable, str(FIXTURES.parent / "tools" / "score_parse.py"),
                           str(FIXTURES / "seeds"), str(FIXTURES / "realdata")],
                          capture_output=True, text=True, env=env, timeout=300, cwd=FIXTURES.parents[1])
    assert proc.stdout.strip().splitlines()[-1].startswith("score: 8/8 documents exact"), proc.stdout + proc.stderr
    assert proc.returncode == 0
