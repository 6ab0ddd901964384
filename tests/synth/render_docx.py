"""DOCX with python-docx, laid out like a government document (GB/T 9704 page, 仿宋 body).

Merged cells are real Word merges (gridSpan / vMerge), header rows of 表三 repeat after a page
break (``tblHeader``) when the style asks, and the footer carries a PAGE field ("- 3 -").
The package is normalised so the same report gives the same bytes: fixed core properties and
zip entry dates (python-docx stamps the current time otherwise).
"""
from __future__ import annotations

import datetime as dt
import io
import random
import zipfile
from xml.sax.saxutils import escape

import docx
from docx.enum.section import WD_ORIENT, WD_SECTION
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement, parse_xml
from docx.oxml.ns import nsdecls, qn
from docx.shared import Cm, Pt

from tests.synth.doc import Doc, Para, Table
from tests.synth.style import Style

TEXT_WIDTH_CM = 15.6  # A4 less 2.8 cm and 2.6 cm margins


def _font(run, name: str, size: float, bold: bool = False) -> None:
    run.font.size = Pt(size)
    run.font.bold = bold
    run.font.name = name
    rpr = run._element.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.insert(0, fonts)
    for attr in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        fonts.set(qn(attr), name)


def _field(paragraph, instr: str, size: float) -> None:
    """A Word field (PAGE, NUMPAGES) that LibreOffice and Word fill in when laying out."""
    for kind, text in (("begin", None), ("instr", instr), ("separate", None), ("text", "1"), ("end", None)):
        run = paragraph.add_run()
        _font(run, "宋体", size)
        if kind == "instr":
            el = OxmlElement("w:instrText")
            el.set(qn("xml:space"), "preserve")
            el.text = f" {text} "
        elif kind == "text":
            el = OxmlElement("w:t")
            el.text = text
        else:
            el = OxmlElement("w:fldChar")
            el.set(qn("w:fldCharType"), kind)
        run._element.append(el)


def _footer(section, style: Style) -> None:
    if style.footer == "none":
        return
    p = section.footer.paragraphs[0]
    size = 14
    if style.footer == "page_of":
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER
        _font(p.add_run("第 "), "宋体", 10.5)
        _field(p, "PAGE", 10.5)
        _font(p.add_run(" 页 共 "), "宋体", 10.5)
        _field(p, "NUMPAGES", 10.5)
        _font(p.add_run(" 页"), "宋体", 10.5)
        return
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    dash = {"dash_spaced": "- ", "emdash": "— "}.get(style.footer, "-")
    _font(p.add_run(dash), "宋体", size)
    _field(p, "PAGE", size)
    _font(p.add_run(dash[::-1]), "宋体", size)


def _para(document, block: Para, style: Style) -> None:
    p = document.add_paragraph()
    fmt = p.paragraph_format
    fmt.space_after = Pt(0)
    fmt.line_spacing = Pt(28)
    if block.role == "title":
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER
        fmt.line_spacing = Pt(36)
        _font(p.add_run(block.text), "方正小标宋简体", 22)
        return
    if block.role in ("signature", "date"):
        p.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    else:
        fmt.first_line_indent = Pt(32)
    if block.role == "heading":
        _font(p.add_run(block.text), "黑体", 16)
    elif block.role == "caption":
        _font(p.add_run(block.text), "楷体_GB2312", 16, bold=True)
    else:
        _font(p.add_run(block.text), style.font, 16)


def _run_xml(text: str, size: float, bold: bool = False, font: str = "宋体") -> str:
    half = int(size * 2)
    b = "<w:b/>" if bold else ""
    return (f'<w:r><w:rPr><w:rFonts w:ascii="{font}" w:hAnsi="{font}" w:eastAsia="{font}" w:cs="{font}"/>{b}'
            f'<w:sz w:val="{half}"/><w:szCs w:val="{half}"/></w:rPr><w:t xml:space="preserve">{escape(text)}</w:t></w:r>')


def _cell_runs(cell, style: Style, rng: random.Random) -> str:
    """The runs of one cell: numbers sometimes in two runs, long headers broken by hand."""
    text = cell.text
    bold = cell.role == "section"
    if cell.role == "num" and style.split_numbers and len(text) > 1:
        i = rng.randint(1, len(text) - 1)
        return _run_xml(text[:i], 10.5) + _run_xml(text[i:], 10.5)
    if cell.role == "head" and style.wrap_labels and len(text) > 5 and rng.random() < 0.5:
        half = len(text) // 2
        return _run_xml(text[:half], 10.5).replace("</w:r>", "<w:br/></w:r>") + _run_xml(text[half:], 10.5)
    return _run_xml(text, 10.5, bold=bold)


def _table(document, t: Table, style: Style, rng: random.Random, rotate: bool = True) -> None:
    """The table as WordprocessingML, written directly (python-docx's cell merging is O(n²))."""
    grid = t.grid()
    twips = [int(TEXT_WIDTH_CM * w / sum(t.widths) * 567) for w in t.widths]
    out = [f'<w:tbl {nsdecls("w")}><w:tblPr><w:tblStyle w:val="TableGrid"/><w:tblW w:w="{sum(twips)}" w:type="dxa"/>'
           '<w:jc w:val="center"/><w:tblLayout w:type="fixed"/>'
           '<w:tblBorders>' + "".join(f'<w:{b} w:val="single" w:sz="4" w:space="0" w:color="000000"/>'
                                      for b in ("top", "left", "bottom", "right", "insideH", "insideV"))
           + '</w:tblBorders><w:tblCellMar><w:left w:w="57" w:type="dxa"/><w:right w:w="57" w:type="dxa"/>'
           '</w:tblCellMar></w:tblPr><w:tblGrid>' + "".join(f'<w:gridCol w:w="{w}"/>' for w in twips) + "</w:tblGrid>"]
    for r, row in enumerate(grid):
        head = r < t.header_rows and style.repeat_header
        keep = "" if style.split_rows else "<w:cantSplit/>"
        out.append(f"<w:tr><w:trPr>{keep}" + ("<w:tblHeader/>" if head else "") + "</w:trPr>")
        c = 0
        while c < t.ncols:
            cell, anchor = row[c]
            span = cell.colspan
            width = sum(twips[c:c + span])
            props = f'<w:tcW w:w="{width}" w:type="dxa"/>'
            if span > 1:
                props += f'<w:gridSpan w:val="{span}"/>'
            if cell.rowspan > 1:
                props += '<w:vMerge w:val="restart"/>' if anchor else "<w:vMerge/>"
            if cell.rotated and rotate:
                props += '<w:textDirection w:val="tbRl"/>'
            props += '<w:vAlign w:val="center"/>'
            left = anchor and (cell.role == "note" or (cell.role == "label" and len(cell.text) > 8))
            para = f'<w:pPr><w:spacing w:after="0" w:line="260" w:lineRule="auto"/><w:jc w:val="{"left" if left else "center"}"/></w:pPr>'
            text = _cell_runs(cell, style, rng) if anchor and cell.text else ""
            out.append(f"<w:tc><w:tcPr>{props}</w:tcPr><w:p>{para}{text}</w:p></w:tc>")
            c += span
        out.append("</w:tr>")
    out.append("</w:tbl>")
    body = document.element.body
    body.insert(len(body) - 1, parse_xml("".join(out)))  # before the final sectPr
    document.add_paragraph().paragraph_format.space_after = Pt(0)


def _page_setup(section, landscape: bool) -> None:
    """Portrait A4, or landscape for the wide 表三 (its header and footer linked to the first)."""
    section.orientation = WD_ORIENT.LANDSCAPE if landscape else WD_ORIENT.PORTRAIT
    width, height = (Cm(29.7), Cm(21)) if landscape else (Cm(21), Cm(29.7))
    section.page_width, section.page_height = width, height
    margins = (Cm(2.8), Cm(2.6), Cm(3.7), Cm(3.5)) if landscape else (Cm(3.7), Cm(3.5), Cm(2.8), Cm(2.6))
    section.top_margin, section.bottom_margin, section.left_margin, section.right_margin = margins


def _running_header(section, text: str) -> None:
    p = section.header.paragraphs[0]
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _font(p.add_run(text), "宋体", 9)


def normalise_zip(data: bytes, when: dt.datetime) -> bytes:
    """Rewrite a zip package with fixed entry dates and order-preserving deflate."""
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            fixed = zipfile.ZipInfo(info.filename, date_time=when.timetuple()[:6])
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = 0o644 << 16
            dst.writestr(fixed, src.read(info.filename))
    return out.getvalue()


def render(doc: Doc, style: Style, *, title: str, author: str, when: dt.date, seed: int = 0,
           rotate: bool = True) -> bytes:
    """The DOCX. ``rotate=False`` writes rotated cells upright: LibreOffice 7.4 loses whole
    tables when a rotated merged cell spans a page break, so the PDF is made without rotation
    (what Word would print is not what LibreOffice prints there)."""
    rng = random.Random(f"synth-docx:{seed}")
    document = docx.Document()
    section = document.sections[0]
    _page_setup(section, landscape=False)
    _footer(section, style)
    if style.running_header:
        _running_header(section, title)
    for block in doc.blocks:
        if isinstance(block, Para):
            _para(document, block, style)
        elif isinstance(block, Table):
            _table(document, block, style, rng, rotate)
        else:
            _page_setup(document.add_section(WD_SECTION.NEW_PAGE), block.landscape)
    stamp = dt.datetime(when.year, when.month, when.day, 9, 0, 0)
    props = document.core_properties
    props.title, props.author, props.last_modified_by = title, author, author
    props.created = props.modified = props.last_printed = stamp
    props.revision = 1
    buf = io.BytesIO()
    document.save(buf)
    return normalise_zip(buf.getvalue(), stamp)
