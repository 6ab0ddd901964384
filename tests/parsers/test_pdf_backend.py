"""The PDF backend's own parts: content tokens, ToUnicode maps, table reconstruction."""
from __future__ import annotations

import io

import pikepdf
import pytest
from reportlab.lib.pagesizes import A4
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfgen import canvas

from parsers import Status, parse_bytes
from parsers.backends.pdfcontent import _literal, tokenize
from parsers.backends.pdffonts import parse_tounicode
from tests.parsers.helpers import ART20_2019


def test_tokens() -> None:
    data = b"BT /F1 12 Tf (a\\(b\\)c) Tj [(x) -250 <0041>] TJ ET q 1 0 0 1 5 5 cm 0 0 10 10 re f Q"
    assert tokenize(data) == [b"BT", b"/F1", b"12", b"Tf", b"(a\\(b\\)c)", b"Tj", b"[", b"(x)", b"-250", b"<0041>",
                              b"]", b"TJ", b"ET", b"q", b"1", b"0", b"0", b"1", b"5", b"5", b"cm", b"0", b"0", b"10",
                              b"10", b"re", b"f", b"Q"]


def test_tokens_with_comments_nesting_and_inline_images() -> None:
    data = b"% comment (\n(a (b (c)) d) Tj\nBI /W 2 /H 2 ID \x00\xff)(\x01 EI\n(after) Tj"
    assert tokenize(data) == [b"(a (b (c)) d)", b"Tj", b"BI", b"(after)", b"Tj"]


def test_literal_escapes() -> None:
    assert _literal(b"(a\\n\\101\\\\)", 1) == (b"a\nA\\", 11)


def test_tounicode_ranges_and_arrays() -> None:
    cmap = (b"2 beginbfchar <0003> <0020> <0010> <4E2D> endbfchar "
            b"1 beginbfrange <0020> <0022> <0061> endbfrange "
            b"1 beginbfrange <0030> <0031> [<6587> <D840DC00>] endbfrange")
    assert parse_tounicode(cmap) == {3: " ", 16: "中", 32: "a", 33: "b", 34: "c", 48: "文", 49: "\U00020000"}


def _pdf_table(rows: list[list[str]], *, ruled: bool, blank_zero: bool = False) -> bytes:
    """A one-page PDF drawing `rows` as a table, made by reportlab (an independent PDF writer)."""
    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=A4, invariant=True)
    c.setFont("STSong-Light", 16)
    c.drawCentredString(297, 800, "测试县教育局2020年政府信息公开工作年度报告")
    c.setFont("STSong-Light", 9)
    widths = [150, 110, 110, 110]
    y = 760
    for row in rows:
        x = 50
        cells = row if len(row) > 1 else [row[0]]
        for i, text in enumerate(cells):
            w = widths[i] if len(cells) > 1 else sum(widths)
            if ruled:
                c.rect(x, y - 6, w, 20)
            if text and not (blank_zero and text == "0"):
                c.drawString(x + 4, y, text)
            x += w
        y -= 20
    c.showPage()
    c.save()
    return buf.getvalue()


@pytest.mark.parametrize("ruled", [True, False])
def test_art20_tables_from_reportlab(ruled: bool) -> None:
    rows = [line.split("\t") for line in ART20_2019.split("\n")]
    got = parse_bytes(_pdf_table(rows, ruled=ruled), name="r.pdf")
    assert got.status is Status.PARTIAL  # only section 二 is there
    assert got.facts["art20.1.normative.total"] == 3
    assert got.facts["art20.5.licensing.change"] == -2
    assert got.facts["art20.9.procurement.amount_wan"] == 25.1
    assert got.where["art20.1.normative.total"].page == 1
    assert (got.agency, got.year, got.layout) == ("测试县教育局", 2020, "2019")


def test_blank_cells_in_a_ruled_pdf_read_as_zero() -> None:
    rows = [line.split("\t") for line in ART20_2019.split("\n")]
    got = parse_bytes(_pdf_table(rows, ruled=True, blank_zero=True), name="r.pdf")
    assert got.facts["art20.1.rules.made"] == 0 and got.facts["art20.1.normative.total"] == 3
    assert got.where["art20.1.rules.made"].text == ""


def test_image_only_pdf_needs_ocr(tmp_path) -> None:
    """A scan: pages that only paint an image."""
    pdf = pikepdf.new()
    for _ in range(2):
        image = pikepdf.Stream(pdf, bytes(200 * 100 * 3))
        image.Type, image.Subtype = pikepdf.Name.XObject, pikepdf.Name.Image
        image.Width, image.Height, image.BitsPerComponent = 200, 100, 8
        image.ColorSpace = pikepdf.Name.DeviceRGB
        pdf.add_blank_page(page_size=(595, 842))
        page = pdf.pages[-1]
        page.Resources = pikepdf.Dictionary(XObject=pikepdf.Dictionary(Scan=image))
        page.Contents = pikepdf.Stream(pdf, b"q 595 0 0 842 0 0 cm /Scan Do Q")
    pdf.save(tmp_path / "scan.pdf")
    got = parse_bytes((tmp_path / "scan.pdf").read_bytes(), name="scan.pdf")
    assert got.status is Status.NEEDS_OCR and not got.facts
    assert got.error == "scanned PDF: no text layer (2 images on 2 pages)"


def _pdf_report(blank_zero: bool) -> bytes:
    """helpers.report() drawn as an unruled PDF: no cell borders, text centred in columns,
    zeros optionally left out (blank cells), as some offices print their tables."""
    from tests.parsers.helpers import report

    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=(842, 595), invariant=True)  # landscape: room for 15 columns
    y = 560

    def newline(step: float = 11) -> None:
        nonlocal y
        y -= step
        if y < 40:
            c.showPage()
            c.setFont("STSong-Light", 6)
            y = 560

    for block in report().decode().split("\n\n"):
        lines = block.split("\n")
        if not any("\t" in line for line in lines):
            c.setFont("STSong-Light", 10)
            c.drawString(40, y, block)
            newline(16)
            continue
        width = max(len(line.split("\t")) for line in lines)
        label_cols = {4: [150], 10: [70, 80, 150], 15: []}.get(width, [])
        value_w = (780 - sum(label_cols)) / max(width - len(label_cols), 1)
        xs = [40.0]
        for i in range(width):
            xs.append(xs[-1] + (label_cols[i] if i < len(label_cols) else value_w))
        c.setFont("STSong-Light", 6)
        for line in lines:
            cells = line.split("\t")
            header = not any(t.strip("-").isdigit() for t in cells)
            for i, text in enumerate(cells):
                if not text or (blank_zero and text == "0"):
                    continue
                if i < len(label_cols):
                    c.drawString(xs[i] + 1, y, text)
                    continue
                end = i + 1  # a header over the empty cells after it is centred over them all
                while header and end < len(cells) and not cells[end]:
                    end += 1
                c.drawCentredString((xs[i] + xs[min(end, width)]) / 2, y, text)
            newline()
        newline(8)
    c.showPage()
    c.save()
    return buf.getvalue()


@pytest.mark.parametrize("blank_zero", [False, True])
def test_unruled_report_with_blank_cells(blank_zero: bool) -> None:
    from tests.parsers.helpers import report

    want = parse_bytes(report(), name="r.txt")
    got = parse_bytes(_pdf_report(blank_zero), name="r.pdf")
    assert got.status is Status.PARSED, got.warnings
    assert got.facts == want.facts
