"""The four consistency checks of the spec, computed on the generator's side.

A report made deliberately inconsistent records which checks its printed numbers fail; a
correct parser must report exactly these outcomes (by name; the detail text is its own).
"""
from __future__ import annotations

import math
from collections.abc import Mapping

from tests.synth.schema import APP_COLUMNS, APPLICANTS, OUTCOME_ROWS, REVIEW_GROUPS

Facts = Mapping[str, int | float]


def _eq(a: float, b: float) -> bool:
    return math.isclose(a, b, abs_tol=1e-6)


def _rows(facts: Facts) -> list[str]:
    rows = []
    for key in facts:
        if key.startswith("applications.") and key.endswith(".total"):
            rows.append(key[len("applications."):-len(".total")])
    return rows


def row_totals(facts: Facts) -> bool:
    return all(_eq(facts[f"applications.{row}.total"],
                   sum(facts[f"applications.{row}.{c}"] for c in APPLICANTS)) for row in _rows(facts))


def outcome_total(facts: Facts) -> bool:
    return all(_eq(facts[f"applications.total.{c}"],
                   sum(facts[f"applications.{row}.{c}"] for row in OUTCOME_ROWS)) for c in APP_COLUMNS)


def balance(facts: Facts) -> bool:
    return all(_eq(facts[f"applications.new.{c}"] + facts[f"applications.carried_in.{c}"],
                   facts[f"applications.total.{c}"] + facts[f"applications.carried_out.{c}"])
               for c in APP_COLUMNS)


def review_total(facts: Facts) -> bool:
    return all(_eq(facts[f"{g}.total"], sum(facts[f"{g}.{c}"] for c in ("upheld", "corrected", "other", "pending")))
               for g in REVIEW_GROUPS)


def carries_over(facts: Facts, before: Facts) -> bool:
    """This year's carried-in row is what the year before carried out (the cross-year check)."""
    return all(_eq(facts[f"applications.carried_in.{c}"], before[f"applications.carried_out.{c}"])
               for c in APPLICANTS)


def run_checks(facts: Facts) -> dict[str, bool]:
    """Check name → whether the numbers satisfy it."""
    return {
        "applications.row_totals": row_totals(facts),
        "applications.outcome_total": outcome_total(facts),
        "applications.balance": balance(facts),
        "review.total": review_total(facts),
    }
