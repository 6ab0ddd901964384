"""A synthetic annual report: its facts (what a correct parse yields) and how it is printed.

Everything is decided here, from the seed, when the report is made; renderers only print it.
So the same arguments give the same Report, and the same Report gives the same bytes.
"""
from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field
from typing import Any

from tests.synth import numbers, prose
from tests.synth.checks import run_checks
from tests.synth.schema import APP_COLUMNS, APPLICANTS, CHECKS, fact_keys
from tests.synth.style import TITLE_VARIANTS, Style


@dataclass(eq=False)
class Report:
    """One agency's 政府信息公开工作年度报告 with known facts.

    ``facts`` follow docs/report-schema.md exactly (money in 万元, blanks as 0, the 2021
    layout's ``applications.other.*`` derived and listed in ``derived``); ``checks`` maps each
    check of the spec to whether the printed numbers satisfy it.
    """

    seed: int
    agency: str
    year: int
    region: str
    layout: str                      # "2019" | "2021"
    hybrid: bool                     # 2021 section 二 with the old single (六) 其他处理 row
    facts: dict[str, int | float]
    derived: list[str]
    checks: dict[str, bool]
    title: str
    publication_date: dt.date
    style: Style
    prose: dict[str, list[str]] = field(default_factory=dict)
    kind: str = "report"
    expected_status: str = "parsed"

    @property
    def failing_checks(self) -> list[str]:
        return [name for name, ok in self.checks.items() if not ok]

    @property
    def carried_out(self) -> dict[str, int]:
        """四、结转下年度继续办理 per applicant column, as printed: next year's carried-in row."""
        return {col: int(self.facts[f"applications.carried_out.{col}"]) for col in APPLICANTS}

    @property
    def voice(self) -> prose.Voice:
        return prose.Voice(self.agency, self.region)

    def expected(self) -> dict[str, Any]:
        """The parse result a correct parser gives, in the JSON shape of the spec."""
        return {"agency": self.agency, "year": self.year, "layout": self.layout, "facts": dict(self.facts),
                "derived": list(self.derived), "status": self.expected_status,
                "checks": [{"name": name, "ok": ok} for name, ok in self.checks.items()]}

    def __repr__(self) -> str:
        extra = " hybrid" if self.hybrid else ""
        return f"<Report seed={self.seed} {self.agency} {self.year} layout={self.layout}{extra}>"


def _scale(rng: random.Random, agency: str) -> str:
    if agency.endswith("人民政府"):
        return rng.choice(("small", "medium", "medium", "large"))
    return rng.choice(("zero", "zero", "tiny", "tiny", "small", "small", "medium"))


def _layout_of(facts: dict[str, int | float]) -> tuple[str, bool]:
    layout = "2019" if "art20.1.rules.made" in facts else "2021"
    hybrid = layout == "2021" and "applications.other.no_correction.total" not in facts
    want = set(fact_keys(layout, hybrid))
    if set(facts) != want:
        raise ValueError(f"facts are not those of layout {layout}{' (hybrid)' if hybrid else ''}: "
                         f"missing {sorted(want - set(facts))[:3]}, unknown {sorted(set(facts) - want)[:3]}")
    return layout, hybrid


def _derived(facts: dict[str, int | float], layout: str, hybrid: bool) -> list[str]:
    if layout == "2019" or hybrid:
        return []
    derived = [f"applications.other.{c}" for c in APP_COLUMNS]
    for key in derived:
        col = key.rsplit(".", 1)[1]
        parts = sum(facts[f"applications.other.{s}.{col}"] for s in ("no_correction", "unpaid_fee", "misc"))
        if facts[key] != parts:
            raise ValueError(f"{key} = {facts[key]} is not the sum of its sub-rows ({parts}): it is never printed")
    return derived


def make_report(seed: int, agency: str | None = None, year: int | None = None, layout: str | None = None,
                region: str | None = None, perturb: bool | dict[str, Any] | Style = True,
                inconsistent: bool | None = None, facts: dict[str, int | float] | None = None,
                carried_in: dict[str, int] | None = None) -> Report:
    """A report with random but consistent numbers, deterministic from the arguments.

    ``layout``: None picks by year (2019 layout for 2019–2020, 2021 after; of the 2021+ reports
    some are hybrids and a few keep the 2019 template), or "2019", "2021", "hybrid". ``perturb``: True for a random realistic style,
    False for the plain one, a dict of Style fields (plain plus those), or a Style.
    ``inconsistent``: None lets the seed decide (about one report in ten when perturbed),
    True breaks one check at random, False never; ``Style.inconsistent`` names checks to break.
    ``facts``: print these numbers instead (e.g. a real report's expected facts): every key
    of one layout, which they decide; the 2021 layout's ``applications.other.*`` must be the
    sums of its sub-rows (it is not printed). ``carried_in``: the agency's previous report's
    ``applications.carried_out`` per applicant column, to print as this year's carried-in row
    (``Report.carried_out`` of last year's); the other numbers stay those of the seed.
    """
    def rng(topic: str) -> random.Random:  # one stream per concern: perturb never changes the facts
        return random.Random(f"synth-report:{seed}:{topic}")

    default_region, default_agency = prose.default_place(rng("place"))
    region = default_region if region is None else region
    agency = agency or default_agency
    year = year or rng("year").randint(2019, 2024)
    hybrid = False
    if facts is not None:
        layout, hybrid = _layout_of(facts)
    elif layout is None:
        r_layout = rng("layout")
        layout = "2019" if year <= 2020 else "2021"
        hybrid = layout == "2021" and r_layout.random() < 0.15
        if layout == "2021" and not hybrid and r_layout.random() < 0.06:
            layout = "2019"  # some offices kept the old template after 2021
    elif layout == "hybrid":
        layout, hybrid = "2021", True
    elif layout not in ("2019", "2021"):
        raise ValueError(f"layout must be None, '2019', '2021' or 'hybrid', not {layout!r}")

    style = Style.of(perturb, rng("style"))
    broken = list(style.inconsistent)
    r_break = rng("inconsistent")
    if not broken and (inconsistent or (inconsistent is None and perturb is True and r_break.random() < 0.1)):
        broken = [r_break.choice(CHECKS)]
    style = style.replace(inconsistent=tuple(broken))

    if facts is not None:
        facts, derived = dict(facts), _derived(facts, layout, hybrid)
    else:
        r_facts = rng("facts")
        scale = _scale(r_facts, agency)
        decimals = 4 if style.money_yuan else style.money_decimals
        facts = numbers.art20(r_facts, layout, scale, decimals)
        apps, derived = numbers.applications(r_facts, layout, hybrid, scale, carried_in)
        facts |= apps
        facts |= numbers.review(r_facts, scale)
    for check in broken:
        numbers.break_check(r_break, facts, check, layout, hybrid)
    for key in derived:  # derived from the sub-rows as printed, slips included
        col = key.rsplit(".", 1)[1]
        facts[key] = sum(facts[f"applications.other.{s}.{col}"] for s in ("no_correction", "unpaid_fee", "misc"))
    facts = {key: facts[key] for key in fact_keys(layout, hybrid)}  # the spec's order, exactly its keys

    r_prose = rng("prose")
    publication = dt.date(year + 1, 1, 1) + dt.timedelta(days=r_prose.choice((r_prose.randint(3, 30),
                                                                               r_prose.randint(3, 80))))
    voice = prose.Voice(agency, region)
    texts = {
        "intro": prose.intro(r_prose, voice, year),
        "overview": prose.overview(r_prose, voice, year, int(facts["applications.new.total"])),
        "problems": prose.problems(r_prose, voice, year),
        "other": prose.other_matters(r_prose, voice, year),
    }
    return Report(seed=seed, agency=agency, year=year, region=region, layout=layout, hybrid=hybrid,
                  facts=facts, derived=derived, checks=run_checks(facts),
                  title=TITLE_VARIANTS[style.title_variant].format(agency=agency, year=year), publication_date=publication,
                  style=style, prose=texts)
