"""The OCR fallback (tesseract chi_sim) for scanned PDFs: opt-in, exact or nothing.

Scans are real: the synthetic generator's reports printed by LibreOffice, then rasterised by
poppler at 110 dpi, JPEG-compressed and turned a fraction of a degree (tests/synth/pdfs.py).
OCR must give back the generator's facts exactly, or no facts at all.
"""
from __future__ import annotations

import dataclasses
import json
import os
import pathlib
import shutil
import subprocess
import sys

import pytest

from parsers import Limits, Status, parse_bytes, parse_path
from tests.parsers.conftest import FIXTURES
from tests.synth import filename, make_report, render, render_many
from tests.synth.compare import problems

GARBLED = FIXTURES / "badinput" / "garbled-font-1.pdf"
OCR = Limits(ocr=True)

# LibreOffice-printed, numbers in 万元 (OCR never converts 元): both layouts and the hybrid
EXACT = {
    "2019": make_report(2),                                       # zeros printed as 无
    "2021": make_report(14),                                      # zeros printed as -
    "2021-hybrid": make_report(1),
}
# a report whose printed numbers do not balance: OCR reads it, the checks refuse it
UNBALANCED = make_report(6, layout="2019", year=2020, inconsistent=True)


@pytest.fixture(scope="module")
def scans() -> dict[str, bytes]:
    reports = [*EXACT.values(), UNBALANCED]
    assert all(r.style.pdf_engine == "libreoffice" for r in reports)
    datas = render_many([(r, "scan_pdf") for r in reports])
    return dict(zip([*EXACT, "unbalanced"], datas, strict=True))


def test_ocr_is_off_by_default() -> None:
    assert Limits().ocr is False and Limits.from_env({}).ocr is False
    assert Limits.from_env({"NIANBAO_OCR": "1"}).ocr is True
    assert Limits.from_env({"NIANBAO_OCR": "0"}).ocr is False
    assert Limits.from_env({"NIANBAO_OCR_PAGES": "3"}).ocr_pages == 3


@pytest.mark.libreoffice
@pytest.mark.parametrize("name", list(EXACT))
def test_scans_read_by_ocr_give_the_generators_facts(scans: dict[str, bytes], name: str) -> None:
    report = EXACT[name]
    off = parse_bytes(scans[name], name=filename(report, "scan_pdf"))
    assert off.status is Status.NEEDS_OCR and not off.facts and "scanned PDF" in (off.error or "")

    result = parse_bytes(scans[name], name=filename(report, "scan_pdf"), limits=OCR)
    assert not problems(result, report, "scan_pdf"), problems(result, report, "scan_pdf")
    assert result.status is Status.PARSED and result.facts == report.facts  # exactly, not approximately
    assert all(c.ok for c in result.checks) and len(result.checks) == 4
    assert result.warnings[0].startswith("read by OCR (tesseract chi_sim")
    where = result.where["applications.new.total"]
    assert where.page and where.table and where.row and where.col and where.text  # page and cell
    assert all(w.page and w.row and w.col for w in result.where.values())


@pytest.mark.libreoffice
def test_ocr_that_does_not_add_up_yields_no_facts(scans: dict[str, bytes]) -> None:
    assert UNBALANCED.failing_checks == ["applications.balance"]
    result = parse_bytes(scans["unbalanced"], name="unbalanced.pdf", limits=OCR)
    assert result.status is Status.NEEDS_OCR
    assert not result.facts and not result.where and not result.checks
    assert "read by OCR" in result.error and "do not add up" in result.error
    assert "applications.balance" in result.error
    assert result.to_json()["warnings"] == [result.error]


@pytest.mark.libreoffice
def test_page_cap(scans: dict[str, bytes]) -> None:
    """Only the first page is read (title and prose): no tables, so no facts."""
    result = parse_bytes(scans["2019"], name="r.pdf", limits=dataclasses.replace(OCR, ocr_pages=1))
    assert result.status is Status.NEEDS_OCR and not result.facts
    assert "read by OCR" in result.error


@pytest.mark.libreoffice
def test_ocr_in_a_fresh_interpreter_is_bounded(scans: dict[str, bytes], tmp_path: pathlib.Path) -> None:
    """NIANBAO_OCR=1 turns OCR on for the archive's entry point; peak memory well under 1 GB."""
    from tests.parsers.test_badinput import GB, probe

    path = tmp_path / "scan.pdf"
    path.write_bytes(scans["2021"])
    out = probe(path, timeout=300, NIANBAO_OCR="1")
    assert out["result"]["status"] == "parsed" and out["result"]["facts"] == EXACT["2021"].facts
    assert out["peak_bytes"] < GB


def test_garbled_font_stays_needs_ocr_with_ocr_on() -> None:
    """The fonts draw the wrong glyphs (Latin-1 garbage on the page too): OCR reads no report."""
    result = parse_path(GARBLED, limits=OCR)
    assert result.status is Status.NEEDS_OCR and not result.facts
    assert result.error.startswith("text layer unusable") and "read by OCR" in result.error


def test_missing_tesseract_is_a_clear_needs_ocr(tmp_path: pathlib.Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "pdftoppm").symlink_to(shutil.which("pdftoppm"))
    monkeypatch.setenv("PATH", str(tmp_path))
    result = parse_path(GARBLED, limits=OCR)
    assert result.status is Status.NEEDS_OCR and not result.facts
    assert "tesseract not found" in result.error and "\n" not in result.error


def test_a_tool_past_its_timeout_is_a_clear_needs_ocr() -> None:
    result = parse_path(GARBLED, limits=dataclasses.replace(OCR, ocr_timeout=0.001))
    assert result.status is Status.NEEDS_OCR and not result.facts
    assert "OCR gave up" in result.error and "NIANBAO_OCR_TIMEOUT" in result.error


def test_cli_flag_turns_ocr_on() -> None:
    exe = pathlib.Path(sys.executable).parent / "nianbao"
    env = {k: v for k, v in os.environ.items() if k != "NIANBAO_OCR"}
    off = subprocess.run([str(exe), "parse", "--json", str(GARBLED)], capture_output=True, text=True,
                         timeout=120, env=env)
    on = subprocess.run([str(exe), "parse", "--json", "--ocr", str(GARBLED)], capture_output=True, text=True,
                        timeout=120, env=env)
    assert off.returncode == on.returncode == 1
    assert json.loads(off.stdout)["status"] == json.loads(on.stdout)["status"] == "needs_ocr"
    assert "read by OCR" not in off.stderr and "read by OCR" in on.stderr



@pytest.mark.parametrize(("headers", "contact"), [(0, False), (1, False), (2, False), (0, True)])
def test_a_lone_misread_agency_gives_way_only_to_a_name_printed_alike_twice(headers: int, contact: bool) -> None:
    """OCR read one character of the title's agency wrong (青 as 彰): the name that running headers,
    the signature and 请与…联系 print alike twice is kept; printed alike fewer times, no agency is kept."""
    from parsers import PARSER_VERSION
    from parsers.backends import html
    from parsers.report import analyze, vet_ocr

    report = make_report(14, perturb=False)
    assert report.agency == "青川市水利局"
    page = render(report, "html_body").decode().replace(report.agency, "彰川市水利局", 1)
    if not contact:
        page = page.replace(f"请与{report.agency}办公室联系", "请与我局办公室联系")
    header = f"<p>-9-</p><p>{report.agency}2023年政府信息公开工作年度报告</p>"  # a page break's
    signature = f'<p style="text-align:right">{report.agency}</p>'
    assert page.count(signature) == 1 and page.count(report.agency) == 1 + contact
    page = page.replace(signature, header * headers + signature)
    doc = html.load(page.encode(), limits=Limits())
    result = vet_ocr(analyze(doc, version=PARSER_VERSION), doc, "scanned PDF")
    assert result.status is Status.PARSED and result.facts == report.facts and result.year == 2023
    reads = headers + 1 + contact  # and the signature
    if reads >= 2:
        assert result.agency == report.agency
        assert f"as 彰川市水利局 once, as 青川市水利局 {reads} times" in result.warnings[-1]
    else:
        assert result.agency is None and "not kept (pass --agency-hint)" in result.warnings[-1]
