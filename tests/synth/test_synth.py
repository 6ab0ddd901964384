"""The generator's own invariants: exact spec keys, consistent numbers, honest prints, determinism.

The round trips through the parser live in tests/parsers/test_roundtrip*.py; these tests
make sure that what the generator claims (facts, derived keys, check outcomes) is true of
what it prints, so a round-trip failure is the parser's, not the generator's.
"""
from __future__ import annotations

import io
import json
import re
import subprocess
import zipfile
from decimal import Decimal
from pathlib import Path

import pikepdf
import pytest

from tests.synth import FORMATS, KINDS, Style, document, make_document, make_report, render, render_many
from tests.synth.checks import run_checks
from tests.synth.doc import Table
from tests.synth.schema import CHECKS, fact_keys
from tests.synth.style import FOOTERS

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "tests" / "fixtures"
FAST = ("text", "html", "html_body", "html_word", "docx")
SEEDS = range(40)


# ---------------------------------------------------------------- the spec's keys
def spec_keys() -> dict[str, list[str]]:
    """Every fact key of docs/report-schema.md, read from its Markdown tables."""
    text = (ROOT / "docs" / "report-schema.md").read_text(encoding="utf-8")
    art20: dict[str, list[str]] = {"2019": [], "2021": []}
    layout = None
    for line in text.splitlines():
        if m := re.match(r"Layout `(\d{4})`:", line):
            layout = m.group(1)
        if line.startswith("## Section 三"):
            layout = None
        if layout and line.startswith("| `art20"):
            tokens = re.findall(r"`([^`]+)`", line.split("|")[1])
            first = tokens[0]
            art20[layout].append(first)
            stem = first.rsplit(".", 1)[0]
            art20[layout] += [stem + t for t in tokens[1:]]
    columns = re.findall(r"^\| `(\w+)` \| (?:自然人|法人|总计)", text, re.M)
    rows: dict[str, list[str]] = {"2019": [], "2021": []}
    rows_table = text[text.index("\nRows:"):text.index("## Section 四")]
    for m in re.finditer(r"^\| `([\w.]+)` \| [^|]+ \| ([^|]+) \|", rows_table, re.M):
        key, layouts = m.groups()
        for lay in ("2019", "2021"):
            if layouts.strip().startswith("both") or f"`{lay}`" in layouts:
                rows[lay].append(key)
    review = []
    section4 = text[text.index("## Section 四"):text.index("## Checks")]
    for m in re.finditer(r"^\| `((?:review|litigation)[\w.]*)`[^|]*\|", section4, re.M):
        stem = m.group(1).rsplit(".", 1)[0]
        review += [f"{stem}.{c}" for c in ("upheld", "corrected", "other", "pending", "total")]
    return {lay: art20[lay] + [f"applications.{r}.{c}" for r in rows[lay] for c in columns] + review
            for lay in ("2019", "2021")}


def test_fact_keys_are_exactly_the_spec() -> None:
    spec = spec_keys()
    assert len(spec["2019"]) == 198 and len(spec["2021"]) == 207
    for layout in ("2019", "2021"):
        assert sorted(fact_keys(layout)) == sorted(spec[layout])
    subs = {k for k in spec["2021"] if k.startswith("applications.other.") and k.count(".") == 3}
    assert sorted(fact_keys("2021", hybrid=True)) == sorted(set(spec["2021"]) - subs)


@pytest.mark.parametrize("path", sorted(FIXTURES.glob("*/expected/*.json")), ids=lambda p: p.stem)
def test_fact_keys_match_the_hand_checked_fixtures(path: Path) -> None:
    expected = json.loads(path.read_text(encoding="utf-8"))
    report = make_report(1, agency=expected["agency"], year=expected["year"], facts=expected["facts"])
    assert report.layout == expected["layout"]
    assert set(report.facts) == set(fact_keys(report.layout, report.hybrid)) == set(expected["facts"])


@pytest.mark.parametrize("seed", SEEDS)
def test_every_report_has_exactly_its_layouts_keys(seed: int) -> None:
    r = make_report(seed)
    assert list(r.facts) == fact_keys(r.layout, r.hybrid)
    assert r.layout == "2019" if r.year <= 2020 else r.layout in ("2019", "2021")
    assert all(isinstance(v, int) for k, v in r.facts.items() if not k.endswith("amount_wan"))
    assert all(v >= 0 for k, v in r.facts.items() if not k.endswith(".change"))


# ---------------------------------------------------------------- numbers
@pytest.mark.parametrize("seed", SEEDS)
def test_numbers_add_up_unless_broken_on_purpose(seed: int) -> None:
    r = make_report(seed, inconsistent=False)
    assert r.checks == dict.fromkeys(CHECKS, True)
    f = r.facts
    for col in ("natural_person", "total"):
        assert f[f"applications.new.{col}"] + f[f"applications.carried_in.{col}"] == \
            f[f"applications.total.{col}"] + f[f"applications.carried_out.{col}"]


@pytest.mark.parametrize("check", CHECKS)
@pytest.mark.parametrize("layout", ["2019", "2021", "hybrid"])
def test_a_deliberately_broken_check_fails(check: str, layout: str) -> None:
    for seed in range(5):
        r = make_report(seed, layout=layout, perturb={"inconsistent": (check,)})
        assert r.checks[check] is False, (seed, r.checks)
        assert r.checks == run_checks(r.facts)
        assert r.style.inconsistent == (check,)


def test_about_one_report_in_ten_is_inconsistent_by_default() -> None:
    broken = sum(bool(make_report(seed).failing_checks) for seed in range(300))
    assert 10 <= broken <= 60


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("broken", [(), ("applications.row_totals",)])
def test_derived_keys(seed: int, broken: tuple[str, ...]) -> None:
    """Derived (六) totals are the sums of the sub-rows as printed, slips included."""
    r = make_report(seed, perturb={"inconsistent": broken}) if broken else make_report(seed)
    if r.layout == "2021" and not r.hybrid:
        assert r.derived == [f"applications.other.{c}" for c in
                             ("natural_person", "commercial", "research", "social_org", "legal_service", "other_org", "total")]
        for key in r.derived:
            col = key.rsplit(".", 1)[1]
            assert r.facts[key] == sum(r.facts[f"applications.other.{s}.{col}"] for s in ("no_correction", "unpaid_fee", "misc"))
    else:
        assert r.derived == []
        assert not any(k.startswith("applications.other.no_correction") for k in r.facts)


def test_layout_choice() -> None:
    assert make_report(1, year=2020).layout == "2019"
    assert make_report(1, year=2019, layout="2021").layout == "2021"
    h = make_report(1, year=2023, layout="hybrid")
    assert (h.layout, h.hybrid) == ("2021", True)
    later = [make_report(s, year=2022) for s in range(200)]
    assert 10 <= sum(r.hybrid for r in later) <= 60
    assert 2 <= sum(r.layout == "2019" for r in later) <= 30  # the old template kept after 2021
    with pytest.raises(ValueError, match="layout"):
        make_report(1, layout="2017")


def test_facts_given_by_the_caller_must_be_a_whole_layout() -> None:
    with pytest.raises(ValueError, match="missing"):
        make_report(1, facts={"art20.1.rules.made": 1})
    expected = json.loads((FIXTURES / "seeds" / "expected" / "003_c4cb64a14b625d7c.json").read_text(encoding="utf-8"))
    facts = dict(expected["facts"], **{"applications.other.total": 99})
    with pytest.raises(ValueError, match="sum of its sub-rows"):
        make_report(1, facts=facts)


def test_names_title_and_date() -> None:
    r = make_report(7, agency="荥阳市政务服务和大数据管理局", year=2021, region="郑州市荥阳市")
    assert r.title == "荥阳市政务服务和大数据管理局2021年政府信息公开工作年度报告"
    assert r.publication_date.year == 2022 and r.publication_date.month <= 3
    assert r.voice.short == "市政务服务和大数据管理局" and r.voice.we == "我局"
    other = make_report(8)
    assert other.agency and other.region and other.title.startswith(other.agency)


def test_unknown_perturbation_is_refused() -> None:
    with pytest.raises(TypeError, match="colour"):
        make_report(1, perturb={"colour": "red"})


# ---------------------------------------------------------------- what is printed
NUMBER = re.compile(r"^([+\-－]?)(\d+(?:\.\d+)?)(万元|元|个|件)?$")


def read_cell(text: str, yuan: bool) -> Decimal:
    """An independent reading of one printed cell, by the spec's rules."""
    text = text.strip().translate(str.maketrans("０１２３４５６７８９．，", "0123456789.,")).replace(",", "")
    if text in ("", "-", "－", "—", "/", "无"):
        return Decimal(0)
    m = NUMBER.match(text)
    assert m, f"unreadable cell {text!r}"
    sign, digits, unit = m.groups()
    value = Decimal(digits) * (-1 if sign in ("-", "－") else 1)
    return value / 10000 if (unit == "元" or (yuan and unit != "万元")) else value


@pytest.mark.parametrize("seed", SEEDS)
def test_every_printed_fact_reads_back(seed: int) -> None:
    r = make_report(seed)
    cells = {}
    for table in document(r).tables():
        for row in table.rows:
            for cell in row:
                if cell.key:
                    assert cell.key not in cells, f"{cell.key} printed twice"
                    cells[cell.key] = cell
    assert set(cells) == set(r.facts) - set(r.derived)
    for key, cell in cells.items():
        yuan = key.endswith("amount_wan") and r.style.money_yuan
        assert read_cell(cell.text, yuan) == Decimal(str(r.facts[key])), (key, cell.text)


@pytest.mark.parametrize("seed", range(12))
def test_tables_are_rectangular(seed: int) -> None:
    for table in document(make_report(seed)).tables():
        assert isinstance(table, Table)
        assert all(len(row) == table.ncols for row in table.grid())


def test_perturbations_show_in_print() -> None:
    def text(**style) -> str:
        return render(make_report(3, year=2021, layout="2021", perturb=style), "text").decode()

    assert "規章" in text(traditional=True) and "規章" not in text()
    assert "(一)" in text(brackets="half") and "(一)" not in text()
    assert "二〇" in text(date_style="chinese") and "二〇" not in text()
    assert text(split_table=True).count("申请人情况") in (1, 2) and text(split_table=True).count("结转下年度") == 1
    assert "注：本表统计期限" in text(table_note=True)
    assert "（单位：元）" in text(money_yuan=True) or "（元）" in text(money_yuan=True)
    assert "－" in text(blank="－") and "\t无\t" in text(blank="无")
    two = text(title_split=True).splitlines()
    assert two[0] == make_report(3).agency or two[0].endswith(("局", "府", "会", "室"))
    lines = text(text_mode="lines")
    assert "\n\t自然人\n" in lines or "\n\t自然人" in lines


# ---------------------------------------------------------------- non-reports
@pytest.mark.parametrize("kind", KINDS)
def test_non_reports(kind: str) -> None:
    d = make_document(5, kind=kind, agency="临江市教育局", year=2021 if kind != "legacy_report" else 2017)
    assert d.facts == {} and d.layout is None
    assert d.expected_status == ("legacy_format" if kind == "legacy_report" else "not_a_report")
    for fmt in FAST:
        assert render(d, fmt)
    if kind == "legacy_report":
        assert d.title == "临江市教育局2017年政府信息公开工作年度报告"
        assert "统计指标" in render(d, "text").decode()
    with pytest.raises(ValueError, match="kind"):
        make_document(1, kind="memo")


# ---------------------------------------------------------------- formats and determinism
def test_unknown_format_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown format"):
        render(make_report(1), "rtf")


@pytest.mark.parametrize("fmt", FAST)
def test_fast_formats_are_deterministic(fmt: str) -> None:
    for seed in (0, 1, 2):
        assert render(make_report(seed), fmt) == render(make_report(seed), fmt)
    assert render(make_report(0), fmt) != render(make_report(1), fmt)


def test_html_word_looks_like_word() -> None:
    data = render(make_report(4, perturb={"split_numbers": True}), "html_word")
    assert 200_000 < len(data) < 800_000
    head = data[:2000].decode("ascii", errors="replace")
    assert 'charset=gb2312' in head and "Word.Document" in head
    text = data.decode("gb2312")
    assert "<o:p>&nbsp;</o:p>" in text or "<o:p></o:p>" in text
    assert "supportMisalignedColumns" in text


def test_html_page_has_chrome_around_the_report() -> None:
    for chrome in ("trs", "hanweb", "dir", "county", "generic"):
        r = make_report(2, perturb={"chrome": chrome, "related_links": True})
        page = render(r, "html").decode()
        body = render(r, "html_body").decode()
        assert body in page and page.index(body) > 0
        assert "首页" in page and "网站标识码" in page
        assert f"{r.year - 1}年政府信息公开工作年度报告" in page  # a 相关文章 link to another year


def test_docx_package_is_normalised() -> None:
    data = render(make_report(6), "docx")
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        stamps = {info.date_time for info in z.infolist()}
        core = z.read("docProps/core.xml").decode()
    assert len(stamps) == 1
    assert str(make_report(6).publication_date) in core


@pytest.mark.libreoffice
def test_office_formats_are_deterministic_from_a_clean_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Two machines with empty caches make the same DOC, PDF and scan bytes."""
    pairs = [(make_report(11), fmt) for fmt in ("doc", "wps", "pdf", "scan_pdf")]
    pairs.append((make_report(12, perturb={"pdf_engine": "chromium"}), "pdf"))
    runs = []
    for name in ("a", "b"):
        monkeypatch.setenv("NIANBAO_CACHE_DIR", str(tmp_path / name))
        runs.append(render_many(pairs))
    assert runs[0] == runs[1]
    doc, wps, pdf, scan = runs[0][:4]
    assert doc == wps and doc[:8] == bytes.fromhex("d0cf11e0a1b11ae1")  # OLE2: WPS saves DOC's format
    with pikepdf.open(io.BytesIO(pdf)) as p:
        assert str(p.docinfo["/CreationDate"]).startswith(f"D:{make_report(11).publication_date:%Y%m%d}")
        assert "/Metadata" not in p.Root
        pages = len(p.pages)
    assert scan[:4] == b"%PDF"
    text = subprocess.run(["pdftotext", "-", "-"], input=scan, capture_output=True, check=True).stdout
    assert text.strip(b"\x0c\n ") == b""  # no text layer
    with pikepdf.open(io.BytesIO(scan)) as s:
        assert len(s.pages) == pages
    pdf_text = subprocess.run(["pdftotext", "-", "-"], input=pdf, capture_output=True, check=True).stdout.decode()
    assert make_report(11).agency in pdf_text.replace("\n", "")
    with pikepdf.open(io.BytesIO(runs[0][-1])) as printed:
        assert "Skia" in str(printed.docinfo["/Producer"])  # the second PDF producer


def test_styles_random_cover_every_option() -> None:
    import random

    styles = [Style.random(random.Random(i)) for i in range(300)]
    for field in ("traditional", "money_yuan", "art20_split", "vertical_group", "wrap_labels", "split_numbers"):
        assert any(getattr(s, field) for s in styles) and not all(getattr(s, field) for s in styles)
    assert {s.chrome for s in styles} == {"trs", "hanweb", "dir", "county", "generic"}
    assert {s.footer for s in styles} == set(FOOTERS)


def test_formats_list() -> None:
    assert FORMATS == ("text", "html", "html_body", "html_word", "docx", "doc", "wps", "pdf", "scan_pdf")


def test_gbk_pages_declare_and_use_gbk() -> None:
    from tests.synth import content_type

    r = make_report(4, perturb={"charset": "gbk", "traditional": True})
    page = render(r, "html")
    assert b"charset=gbk" in page[:400] and content_type("html", r) == "text/html; charset=gbk"
    assert r.agency in page.decode("gbk")
    assert content_type("html", make_report(4, perturb=False)) == "text/html; charset=utf-8"


def test_hunt_shrinks_to_the_perturbations_that_matter() -> None:
    from tests.synth.hunt import shrink, signature

    r = make_report(5, perturb={"traditional": True, "money_yuan": True, "typos": True})
    small = shrink(r, "text", lambda trial: trial.style.traditional)
    assert small.style == Style(traditional=True)
    assert signature(["3 wrong facts: a.b=1 (want 2)"]) == "N wrong facts: a.b"


def test_hypothesis_explores_every_perturbation() -> None:
    import dataclasses

    from tests.synth.strategies import STYLE_CHOICES

    assert set(STYLE_CHOICES) == {f.name for f in dataclasses.fields(Style)}


@pytest.mark.libreoffice
def test_pdfs_show_everything_they_hold() -> None:
    """LibreOffice must not lose content (rotated cells across pages once lost 表四)."""
    from tests.synth.compare import rendering_problems

    reports = [make_report(212, perturb={"vertical_group": True, "rotate_group": True, "extra_table": True}),
               make_report(393, perturb={"header_rows": 2, "wrap_labels": True, "vertical_group": True,
                                         "rotate_group": True}),
               make_report(21, year=2022, perturb={"split_rows": True, "split_table": True, "landscape_tables": True,
                                                   "running_header": True, "table_note": True})]
    datas = render_many([(r, "pdf") for r in reports])
    for report, data in zip(reports, datas, strict=True):
        assert rendering_problems(report, "pdf", data) == []
    assert rendering_problems(reports[0], "pdf", datas[2])  # another report's PDF lacks this one's text
