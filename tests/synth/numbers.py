"""Random but consistent numbers for one report, in the shapes real reports have.

Most agencies receive few or no applications (whole tables of zeros are common); a city
government receives thousands. Every total holds unless the report is made inconsistent on
purpose, and then the broken checks are computed, not assumed.
"""
from __future__ import annotations

import random
from decimal import Decimal

from tests.synth.schema import APP_COLUMNS, APPLICANTS, REVIEW_GROUPS, app_rows, art20_tables

# How often each applicant column is non-empty and how large it is relative to 自然人.
COLUMN_SHARE = {"natural_person": (1.0, 1.0), "commercial": (0.6, 0.15), "research": (0.08, 0.01),
                "social_org": (0.1, 0.01), "legal_service": (0.3, 0.05), "other_org": (0.35, 0.04)}
OUTCOME_WEIGHT = {
    "granted": 35, "partial": 8, "denied.state_secret": 0.5, "denied.prohibited": 1.5,
    "denied.security": 0.5, "denied.third_party": 1, "denied.internal": 1, "denied.process": 1.5,
    "denied.enforcement_file": 1, "denied.query": 2, "unavailable.not_held": 20,
    "unavailable.needs_creation": 3, "unavailable.unclear": 1.5, "not_processed.complaint": 4,
    "not_processed.duplicate": 2.5, "not_processed.publication": 0.5, "not_processed.excessive": 0.3,
    "not_processed.confirmation": 0.8, "other": 5, "other.no_correction": 2.5, "other.unpaid_fee": 0.3,
    "other.misc": 3,
}
SCALES = {"zero": 0, "tiny": 6, "small": 60, "medium": 400, "large": 3000}


def money(rng: random.Random, high: int, decimals: int | None) -> float:
    """A sum of 万元 with at most the decimals the report prints (4 when it prints 元)."""
    places = rng.choice((0, 1, 2, 2, 4)) if decimals is None else min(decimals, rng.choice((0, 2, 4)))
    units = rng.randint(1, high * 10 ** places)
    return float(Decimal(units) / (10 ** places))


def art20(rng: random.Random, layout: str, scale: str, decimals: int | None) -> dict[str, int | float]:
    busy = SCALES[scale] > 0 or rng.random() < 0.5
    facts: dict[str, int | float] = {}

    def n(high: int) -> int:
        return rng.randint(0, high) if busy and rng.random() < 0.7 else 0

    if layout == "2019":
        for row in ("art20.1.rules", "art20.1.normative"):
            made = n(3 if row.endswith("rules") else 15)
            facts |= {f"{row}.made": made, f"{row}.published": made if rng.random() < 0.8 else n(made),
                      f"{row}.total": made + n(80)}
        for row, high in (("art20.5.licensing", 300), ("art20.5.other_services", 80),
                          ("art20.6.penalty", 400), ("art20.6.coercion", 30)):
            previous = n(high)
            change = rng.randint(-previous, high // 10 + 1) if busy and rng.random() < 0.5 else 0
            facts |= {f"{row}.previous": previous, f"{row}.change": change, f"{row}.decisions": n(high * 20)}
        previous = n(12)
        facts |= {"art20.8.fees.previous": previous,
                  "art20.8.fees.change": rng.randint(-previous, 2) if previous and rng.random() < 0.4 else 0}
        projects = n(20)
        facts |= {"art20.9.procurement.projects": projects,
                  "art20.9.procurement.amount_wan": money(rng, 3000, decimals) if projects else 0}
    else:
        for row in ("art20.1.rules", "art20.1.normative"):
            issued = n(3 if row.endswith("rules") else 20)
            facts |= {f"{row}.issued": issued, f"{row}.repealed": n(10), f"{row}.in_force": issued + n(120)}
        facts |= {"art20.5.licensing.decisions": n(20000), "art20.6.penalty.decisions": n(5000),
                  "art20.6.coercion.decisions": n(300)}
        facts["art20.8.fees.amount_wan"] = money(rng, 100000, decimals) if busy and rng.random() < 0.4 else 0
    assert list(facts) == [f"{r}.{c}" for _, rows, cols in art20_tables(layout) for r, _ in rows for c, _ in cols]
    return facts


def applications(rng: random.Random, layout: str, hybrid: bool, scale: str,
                 carried_in: dict[str, int] | None = None) -> tuple[dict[str, int], list[str]]:
    """Section 三: every row total, outcome total and the balance hold. Returns facts, derived.

    ``carried_in``: per applicant column, what last year's report carried out (an agency's
    reports chain); None draws it like the rest. The other numbers are drawn alike either way."""
    rows = [r[0] for r in app_rows(layout, hybrid)]
    fine = [r for r in rows if r not in ("new", "carried_in", "total", "carried_out")]
    weights = {r: OUTCOME_WEIGHT[r] * (rng.random() < 0.6 or r in ("granted", "unavailable.not_held"))
               for r in fine}
    size = SCALES[scale]
    table = {r: dict.fromkeys(APPLICANTS, 0) for r in rows}
    for col in APPLICANTS:
        present, share = COLUMN_SHARE[col]
        before = (carried_in or {}).get(col, 0)
        if not size or rng.random() > present:
            if not before:
                continue
            new = drawn = 0  # last year's applications, finished this year: nothing new
        else:
            new = rng.randint(0 if size > 6 else 1, max(1, int(size * share)))
            drawn = rng.randint(0, new // 8) if rng.random() < 0.4 else 0
        came = drawn if carried_in is None else before
        carried_out = rng.randint(0, (new + came) // 8) if rng.random() < 0.4 else 0
        handled = new + came - carried_out
        table["new"][col], table["carried_in"][col], table["carried_out"][col] = new, came, carried_out
        for row in rng.choices(fine, weights=[weights[r] or 1e-9 for r in fine], k=handled):
            table[row][col] += 1
        table["total"][col] = handled
    facts: dict[str, int] = {}
    for row in rows:
        for col in APPLICANTS:
            facts[f"applications.{row}.{col}"] = table[row][col]
        facts[f"applications.{row}.total"] = sum(table[row].values())
    derived: list[str] = []
    if layout == "2021" and not hybrid:
        subs = ("other.no_correction", "other.unpaid_fee", "other.misc")
        derived = [f"applications.other.{c}" for c in APP_COLUMNS]
        for key in derived:
            col = key.rsplit(".", 1)[1]
            facts[key] = sum(facts[f"applications.{s}.{col}"] for s in subs)
    return facts, derived


def review(rng: random.Random, scale: str) -> dict[str, int]:
    facts: dict[str, int] = {}
    high = {"zero": 0, "tiny": 1, "small": 3, "medium": 15, "large": 150}[scale]
    for group in REVIEW_GROUPS:
        parts = [rng.randint(0, high) if rng.random() < 0.5 else 0 for _ in range(4)]
        facts |= dict(zip((f"{group}.{c}" for c in ("upheld", "corrected", "other", "pending")), parts, strict=True))
        facts[f"{group}.total"] = sum(parts)
    return facts


def break_check(rng: random.Random, facts: dict[str, int | float], check: str, layout: str, hybrid: bool) -> None:
    """Change printed numbers so that ``check`` fails, the way real reports slip."""
    d = rng.choice((1, 2, 3, 10))
    printed_rows = [r[0] for r in app_rows(layout, hybrid) if r[0] != "total"]
    if check == "applications.row_totals":
        row = rng.choice(printed_rows)
        facts[f"applications.{row}.total"] += d
    elif check == "applications.outcome_total":
        col = rng.choice(APPLICANTS)
        for c in (col, "total"):
            facts[f"applications.total.{c}"] += d
            facts[f"applications.carried_out.{c}"] = max(0, facts[f"applications.carried_out.{c}"] - d)
    elif check == "applications.balance":
        col = rng.choice(APPLICANTS)
        for c in (col, "total"):
            facts[f"applications.new.{c}"] += d
    elif check == "review.total":
        group = rng.choice(REVIEW_GROUPS)
        facts[f"{group}.total"] += d
    else:
        raise ValueError(f"unknown check {check!r}")
