"""Number normalisation: what a printed cell means, per the spec."""
from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from parsers.numbers import read_number, unit_of_header

FULLWIDTH = str.maketrans("0123456789,.-+", "０１２３４５６７８９，．－＋")


@given(st.integers(min_value=0, max_value=10**9), st.sampled_from(["", "个", "件", "条", "项"]),
       st.booleans(), st.booleans(), st.booleans())
@settings(max_examples=300, derandomize=True)
def test_counts_read_back_exactly(n: int, unit: str, thousands: bool, fullwidth: bool, spaced: bool) -> None:
    text = f"{n:,}" if thousands else str(n)
    text += unit
    if fullwidth:
        text = text.translate(FULLWIDTH)
    if spaced:
        text = f" {text}\u3000"
    r = read_number(text)
    assert r is not None and r.value == n and isinstance(r.value, int) and not r.blank


@given(st.integers(min_value=1, max_value=10**6), st.sampled_from(["-", "－", "−", "减少", "减"]))
@settings(max_examples=100, derandomize=True)
def test_signed_changes(n: int, minus: str) -> None:
    assert read_number(f"{minus}{n}").value == -n  # type: ignore[union-attr]
    assert read_number(f"+{n}").value == n  # type: ignore[union-attr]
    assert read_number(f"增加{n}").value == n  # type: ignore[union-attr]


@given(st.decimals(min_value=0, max_value=10**7, places=4, allow_nan=False, allow_infinity=False))
@settings(max_examples=300, derandomize=True)
def test_money_in_wan_and_yuan(amount: Decimal) -> None:
    wan = read_number(f"{amount}", money=True)
    assert wan is not None and Decimal(str(wan.value)) == amount.normalize()
    assert read_number(f"{amount}万元", money=True).value == wan.value  # type: ignore[union-attr]
    yuan = amount * 10000
    in_yuan = read_number(f"{yuan}元", money=True)
    assert in_yuan is not None and Decimal(str(in_yuan.value)) == amount.normalize()
    column = read_number(f"{yuan}", money=True, unit="元")
    assert column is not None and column.value == in_yuan.value


@pytest.mark.parametrize("text", ["", " ", "\u00a0", "-", "－", "—", "——", "/", "／", "\\", "无", "無", "——/"])
def test_blanks_read_as_zero(text: str) -> None:
    r = read_number(text)
    assert r is not None and r.value == 0 and r.blank


@pytest.mark.parametrize("text", ["12%", "约10", "1、2", "3 件 4", "十二", "见附件", "12.5.3", "(1)", "1/2"])
def test_words_are_not_numbers(text: str) -> None:
    assert read_number(text) is None


def test_units_belong_to_their_columns() -> None:
    assert read_number("5万元") is None             # money printed in a count column
    assert read_number("5个", money=True) is None   # a count printed in a money column
    assert read_number("7.9700", money=True).value == 7.97  # type: ignore[union-attr]
    assert read_number("251000元", money=True).value == 25.1  # type: ignore[union-attr]
    assert read_number("1.5亿元", money=True).value == 15000  # type: ignore[union-attr]


@pytest.mark.parametrize(("header", "unit"), [
    ("采购总金额（单位：万元，保留4位小数）", "万元"), ("本年收费金额(单位:元)", "元"), ("采购总金额", None),
    ("本年收费金额（萬元）", "万元"),
])
def test_unit_of_header(header: str, unit: str | None) -> None:
    assert unit_of_header(header) == unit
