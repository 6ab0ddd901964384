"""The four consistency checks of the spec, run on the numbers as printed.

A failed check is information about the report (many published reports do not add up), not
an error of the parser. A check whose numbers were not all read is left out rather than
reported as failed.
"""
from __future__ import annotations

from collections.abc import Mapping

from parsers.result import Check
from parsers.schema import (
    APPLICANT_COLUMNS,
    APPLICATION_COLUMNS,
    APPLICATION_ROWS,
    OTHER_SUBROWS,
    REVIEW_GROUPS,
)

Facts = Mapping[str, int | float]

# (七) 总计 = (一) + (二) + all (三) + all (四) + all (五) + (六)
OUTCOME_ROWS = tuple(r for r in APPLICATION_ROWS
                     if r not in ("new", "carried_in", "total", "carried_out") and r not in OTHER_SUBROWS)


def _fmt(n: int | float) -> str:
    return f"{n:g}" if isinstance(n, float) else str(n)


def _close(a: float, b: float) -> bool:
    return abs(a - b) < 1e-6


def row_totals(facts: Facts) -> Check | None:
    bad, rows = [], 0
    for row in APPLICATION_ROWS:
        vals = [facts.get(f"applications.{row}.{c}") for c in APPLICATION_COLUMNS]
        if any(v is None for v in vals):
            continue
        rows += 1
        parts, total = sum(vals[:-1]), vals[-1]  # type: ignore[arg-type]
        if not _close(parts, total):  # type: ignore[arg-type]
            bad.append(f"{row}: {' + '.join(_fmt(v) for v in vals[:-1])} = {_fmt(parts)} ≠ {_fmt(total)}")  # type: ignore[arg-type]
    if not rows:
        return None
    return Check("applications.row_totals", not bad, "; ".join(bad) or f"{rows} rows add up")


def outcome_total(facts: Facts) -> Check | None:
    bad, cols = [], 0
    for col in APPLICATION_COLUMNS:
        total = facts.get(f"applications.total.{col}")
        parts = [facts.get(f"applications.{r}.{col}") for r in OUTCOME_ROWS]
        if total is None or any(p is None for p in parts):
            continue
        cols += 1
        s = sum(parts)  # type: ignore[arg-type]
        if not _close(s, total):
            bad.append(f"{col}: outcomes add up to {_fmt(s)}, (七) 总计 is {_fmt(total)}")
    if not cols:
        return None
    return Check("applications.outcome_total", not bad, "; ".join(bad) or f"{cols} columns add up")


def balance(facts: Facts) -> Check | None:
    bad, shown, cols = [], "", 0
    for col in APPLICATION_COLUMNS:
        vals = [facts.get(f"applications.{r}.{col}") for r in ("new", "carried_in", "total", "carried_out")]
        if any(v is None for v in vals):
            continue
        cols += 1
        new, carried_in, total, carried_out = vals
        text = f"{_fmt(new)} + {_fmt(carried_in)} = {_fmt(total)} + {_fmt(carried_out)}"  # type: ignore[arg-type]
        if not _close(new + carried_in, total + carried_out):  # type: ignore[operator]
            bad.append(f"{col}: {text.replace('=', '≠')}")
        if col == "total":
            shown = text
    if not cols:
        return None
    return Check("applications.balance", not bad, "; ".join(bad) or shown or f"{cols} columns balance")


def review_total(facts: Facts) -> Check | None:
    bad, groups = [], 0
    for group in REVIEW_GROUPS:
        vals = [facts.get(f"{group}.{c}") for c in ("upheld", "corrected", "other", "pending", "total")]
        if any(v is None for v in vals):
            continue
        groups += 1
        s = sum(vals[:-1])  # type: ignore[arg-type]
        if not _close(s, vals[-1]):  # type: ignore[arg-type]
            bad.append(f"{group}: {' + '.join(_fmt(v) for v in vals[:-1])} = {_fmt(s)} ≠ {_fmt(vals[-1])}")  # type: ignore[arg-type]
    if not groups:
        return None
    return Check("review.total", not bad, "; ".join(bad) or f"{groups} groups add up")


def run_checks(facts: Facts) -> list[Check]:
    return [c for c in (row_totals(facts), outcome_total(facts), balance(facts), review_total(facts)) if c]


__all__ = ["APPLICANT_COLUMNS", "run_checks"]
