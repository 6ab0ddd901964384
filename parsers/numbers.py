"""Reading one printed table cell as a number, exactly as the spec wants it.

- blank, a dash (－ — - / \\) or 无 reads as 0 (``blank=True``, so callers can tell);
- counts may carry a unit (个, 件, 条, 项, 次, 人) and thousands separators;
- money is a decimal number of 万元: a cell or column in 元 is converted (251000元 → 25.1);
- changes may be signed (-3, －3, 减少3, 增加5).
Anything else (words, two numbers, a percentage) is not a number: ``None``.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from functools import lru_cache

from parsers.textnorm import squash

_BLANK = re.compile(r"^(?:[-/\\~_.]*|无|空|暂无|没有|[-/]?无[-/]?|none|null|n/?a)$", re.I)
_NUMBER = re.compile(
    r"^(?P<sign>[+-]|增加|减少|增|减|新增|净增|净减)?"
    r"(?P<num>\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?|\.\d+)"
    r"(?P<unit>万元|亿元|元|万|个|件|条|项|次|人|家|宗|份|户)?$")
_NEGATIVE = frozenset({"-", "减少", "减", "净减"})
COUNT_UNITS = frozenset({"个", "件", "条", "项", "次", "人", "家", "宗", "份", "户"})
MONEY_SCALE = {"元": Decimal("0.0001"), "万元": Decimal(1), "万": Decimal(1), "亿元": Decimal(10000)}


@dataclass(frozen=True)
class Reading:
    value: int | float
    blank: bool = False       # printed as blank / dash / 无
    unit: str | None = None   # unit printed in the cell, if any


def unit_of_header(header: str) -> str | None:
    """The money unit a column header declares: 采购总金额（单位：万元） → 万元; （元） → 元."""
    text = squash(header)
    for unit in ("万元", "亿元", "元"):
        if unit in text:
            return unit
    return None


def read_number(text: str | None, *, money: bool = False, unit: str | None = None) -> Reading | None:
    """Read a printed cell. `unit` is the money unit of the column (default 万元)."""
    return _read(text or "", money, unit)


@lru_cache(maxsize=16384)
def _read(text: str, money: bool, unit: str | None) -> Reading | None:
    s = squash(text)
    if _BLANK.match(s):
        return Reading(0, blank=True)
    m = _NUMBER.match(s)
    if not m:
        return None
    cell_unit = m.group("unit")
    if not money and cell_unit in MONEY_SCALE:
        return None  # money printed in a count column: not what this cell should hold
    if money and cell_unit in COUNT_UNITS:
        return None
    try:
        number = Decimal(m.group("num").replace(",", ""))
    except InvalidOperation:  # pragma: no cover - the pattern admits only valid decimals
        return None
    if m.group("sign") in _NEGATIVE:
        number = -number
    if money:
        number *= MONEY_SCALE.get(cell_unit or unit or "万元", Decimal(1))
        return Reading(_plain(number), unit=cell_unit)
    return Reading(_plain(number), unit=cell_unit)


def _plain(number: Decimal) -> int | float:
    """An int when integral (counts, 0), else the nearest float of the exact decimal."""
    if number == number.to_integral_value():
        return int(number)
    return float(number)
