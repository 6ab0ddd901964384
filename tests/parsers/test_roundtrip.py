"""Every rendering parses back to the generator's facts (issue 2's property tests).

Formats made in Python (text, HTML page, HTML fragment, Word HTML, DOCX) are explored by
Hypothesis over the whole perturbation space (derandomized: the same examples in CI every
run). The LibreOffice formats (DOC, WPS, PDF, scans) are explored by Hypothesis with a few
examples (each a soffice run) and, broadly, from one session batch of seeded reports, so
soffice starts a few times, not once per document. The five seeds and the three
real reports are re-printed from their hand-checked facts in every format too.
"""
from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import parsers
from tests.synth import Report, Style, filename, make_document, make_report, render, render_many
from tests.synth.compare import problems, rendering_problems
from tests.synth.strategies import documents, reports

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
FAST = ("text", "html", "html_body", "html_word", "docx")
EXPECTED = sorted(FIXTURES.glob("*/expected/*.json"))

CI = settings(derandomize=True, database=None, deadline=None, print_blob=True,
              suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


def parse(obj, fmt: str, data: bytes):
    return parsers.parse_bytes(data, name=filename(obj, fmt))


def check(obj, fmt: str, data: bytes | None = None) -> None:
    data = render(obj, fmt) if data is None else data
    broken = rendering_problems(obj, fmt, data)
    assert not broken, f"the generator made a broken {fmt} of {obj!r}: {broken}"  # not the parser's fault
    found = problems(parse(obj, fmt, data), obj, fmt)
    assert not found, f"{obj!r} as {fmt} ({obj.style}):\n  " + "\n  ".join(found)


# ---------------------------------------------------------------- Python-made formats
@settings(CI, max_examples=200)
@given(report=reports(), fmt=st.sampled_from(FAST))
def test_generated_reports_round_trip(report: Report, fmt: str) -> None:
    check(report, fmt)


@settings(CI, max_examples=40)
@given(report=reports(st.just(Style())), fmt=st.sampled_from(FAST))
def test_plain_reports_round_trip(report: Report, fmt: str) -> None:
    """The unperturbed template, every layout: the baseline every parser must get right."""
    check(report, fmt)


@settings(CI, max_examples=40)
@given(doc=documents(), fmt=st.sampled_from(FAST))
def test_non_reports_yield_no_facts(doc, fmt: str) -> None:
    check(doc, fmt)


def _fixture_report(path: Path, seed: int, perturb: bool | dict = True) -> Report:
    expected = json.loads(path.read_text(encoding="utf-8"))
    return make_report(seed, agency=expected["agency"], year=expected["year"], facts=expected["facts"],
                       perturb=perturb, inconsistent=False)


@pytest.mark.parametrize("fmt", FAST)
@pytest.mark.parametrize("path", EXPECTED, ids=lambda p: p.stem)
def test_seed_and_real_facts_reprinted(path: Path, fmt: str) -> None:
    """The hand-checked facts of the seeds and real reports, printed plain and perturbed."""
    check(_fixture_report(path, 1, perturb=False), fmt)
    check(_fixture_report(path, sum(map(ord, path.stem + fmt))), fmt)


# ---------------------------------------------------------------- LibreOffice formats
# The parser converts each DOC with its own soffice start (seconds), so DOC/WPS cover fewer
# reports than PDF; WPS files are DOC bytes under another name (its conversion is cached).
NON_REPORTS = ("work_plan", "notice", "legacy_report", "guide")


def _office_reports() -> list[Report]:
    made = [make_report(seed) for seed in range(24)]
    made += [make_report(100, year=2022, layout="hybrid", perturb={"vertical_group": True, "wrap_labels": True,
                                                                   "footer": "page_of", "repeat_header": True})]
    made += [make_report(101, year=2020, perturb={"money_yuan": True, "blank": "", "art20_split": True,
                                                  "footer": "dash", "inconsistent": ("applications.balance",)})]
    return made + [_fixture_report(path, 7) for path in EXPECTED]


OFFICE = _office_reports()
OFFICE_CASES = [(i, "pdf") for i in range(len(OFFICE))]
FIXTURE_CASES = range(len(OFFICE) - len(EXPECTED), len(OFFICE))  # every seed and real report
OFFICE_CASES += [(i, fmt) for i in (0, 1, 24, 25, *FIXTURE_CASES) for fmt in ("doc", "wps")]
OFFICE_CASES += [(i, "scan_pdf") for i in (0, 1)]
DOCUMENTS = [make_document(9, kind=kind, year=2016 if kind == "legacy_report" else 2021) for kind in NON_REPORTS]


@pytest.fixture(scope="session")
def office_batch() -> dict[tuple[int, str], bytes]:
    """Every office rendering the tests below parse, made in one LibreOffice batch."""
    pairs = [(OFFICE[i], fmt) for i, fmt in OFFICE_CASES] + [(d, "pdf") for d in DOCUMENTS]
    datas = render_many(pairs)
    keys = OFFICE_CASES + [(-1 - i, "pdf") for i in range(len(DOCUMENTS))]
    return dict(zip(keys, datas, strict=True))


@pytest.mark.libreoffice
@pytest.mark.parametrize(("index", "fmt"), OFFICE_CASES, ids=[f"{i}-{f}" for i, f in OFFICE_CASES])
def test_office_renderings_round_trip(office_batch, index: int, fmt: str) -> None:
    check(OFFICE[index], fmt, office_batch[(index, fmt)])


@pytest.mark.libreoffice
@pytest.mark.parametrize("index", range(len(DOCUMENTS)), ids=NON_REPORTS)
def test_non_reports_as_pdf(office_batch, index: int) -> None:
    check(DOCUMENTS[index], "pdf", office_batch[(-1 - index, "pdf")])


@pytest.mark.libreoffice
@settings(CI, max_examples=9)
@given(report=reports(), fmt=st.sampled_from(("pdf", "doc", "wps")))
def test_generated_reports_round_trip_through_libreoffice(report: Report, fmt: str) -> None:
    """Hypothesis over the LibreOffice formats too: fewer examples, each a real soffice run
    (and, for DOC and WPS, the parser's own conversion)."""
    check(report, fmt)
