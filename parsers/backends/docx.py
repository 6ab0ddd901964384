"""DOCX (Office Open XML) read with lxml directly, guarded against hostile files.

Guards: the ZIP members are read with a cap on actual bytes (declared sizes can lie) and a
cap on the declared compression ratio (zip bombs); the XML parser never resolves entities,
loads DTDs or touches the network (XXE), so an entity pointing at a local file yields
nothing. Tables become grids with `gridSpan` (colspan), `vMerge` (rowspan) and
`gridBefore`/`gridAfter` honoured; paragraphs keep their text, tabs and line breaks.
"""
from __future__ import annotations

import io
import zipfile

from lxml import etree

from parsers.document import Cell, Document, Paragraph, Table
from parsers.errors import Unreadable
from parsers.limits import Limits
from parsers.textnorm import clean

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
MC_FALLBACK = "{http://schemas.openxmlformats.org/markup-compatibility/2006}Fallback"
DC_TITLE = "{http://purl.org/dc/elements/1.1/}title"
_TEXT_TAGS = (f"{W}t", f"{W}tab", f"{W}br", f"{W}cr", f"{W}noBreakHyphen")


def xml_parser() -> etree.XMLParser:
    return etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, dtd_validation=False,
                           huge_tree=False, remove_comments=True, remove_pis=True)


def read_member(zf: zipfile.ZipFile, name: str, limits: Limits, budget: list[int]) -> bytes:
    """One ZIP member, refusing zip bombs by declared ratio and by bytes actually inflated."""
    try:
        info = zf.getinfo(name)
    except KeyError as exc:
        raise Unreadable(f"DOCX without {name}") from exc
    if info.compress_size and info.file_size / info.compress_size > limits.max_zip_ratio and info.file_size > 1 << 20:
        raise Unreadable(f"DOCX looks like a zip bomb ({name}: {info.file_size} bytes from {info.compress_size})")
    if info.file_size > budget[0]:
        raise Unreadable(f"DOCX looks like a zip bomb ({name} declares {info.file_size} bytes, "
                         f"over the {limits.max_unzipped} byte limit)")
    out = bytearray()
    try:
        with zf.open(info) as fh:
            while chunk := fh.read(1 << 16):
                out += chunk
                if len(out) > budget[0]:
                    raise Unreadable(f"DOCX looks like a zip bomb ({name} inflates past {limits.max_unzipped} bytes)")
    except (zipfile.BadZipFile, OSError, EOFError, ValueError, NotImplementedError) as exc:
        raise Unreadable(f"corrupt DOCX ({name}: {exc})") from exc
    budget[0] -= len(out)
    return bytes(out)


def load(data: bytes, *, limits: Limits, fmt: str = "docx", content_type: str | None = None) -> Document:
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, ValueError, OSError) as exc:
        raise Unreadable(f"corrupt DOCX ({exc})") from exc
    budget = [limits.max_unzipped]
    xml = read_member(zf, "word/document.xml", limits, budget)
    try:
        root = etree.fromstring(xml, parser=xml_parser())
    except etree.XMLSyntaxError as exc:
        raise Unreadable(f"corrupt DOCX (word/document.xml: {exc})") from exc
    doc = Document(format=fmt)
    if "docProps/core.xml" in zf.namelist():
        try:
            core = etree.fromstring(read_member(zf, "docProps/core.xml", limits, budget), parser=xml_parser())
            title = core.findtext(DC_TITLE)
            if title and title.strip():
                doc.title_hints.append(clean(title))
        except etree.XMLSyntaxError:
            pass
    for fallback in list(root.iter(MC_FALLBACK)):  # alternate content is duplicated there
        fallback.getparent().remove(fallback)
    body = root.find(f"{W}body")
    if body is None:
        raise Unreadable("DOCX without a document body")
    _Reader(doc, limits).blocks(body)
    doc.images = sum(1 for _ in root.iter(f"{W}drawing")) + sum(1 for _ in root.iter(f"{W}pict"))
    doc.chars = sum(len(p.text) for p in doc.paragraphs) + sum(
        len(c.text) for t in doc.tables for row in t.rows for c in row)
    return doc


def paragraph_text(p: etree._Element) -> str:
    parts = []
    for el in p.iter(*_TEXT_TAGS):
        tag = el.tag
        if tag == f"{W}t":
            if el.text:
                parts.append(el.text)
        elif tag == f"{W}tab":
            parts.append("\t")
        elif tag == f"{W}noBreakHyphen":
            parts.append("-")
        else:
            parts.append("\n")
    return "".join(parts)


def _val(el: etree._Element | None, default: str | None = None) -> str | None:
    if el is None:
        return default
    return el.get(f"{W}val", default)


class _Reader:
    def __init__(self, doc: Document, limits: Limits) -> None:
        self.doc = doc
        self.limits = limits
        self.cells = 0

    def blocks(self, parent: etree._Element) -> None:
        for el in parent:
            tag = el.tag
            if tag == f"{W}p":
                text = clean(paragraph_text(el))
                if text:
                    self.doc.blocks.append(Paragraph(text=text))
            elif tag == f"{W}tbl":
                self.table(el)
            elif tag in (f"{W}sdt", f"{W}customXml", f"{W}ins", f"{W}smartTag"):
                content = el.find(f"{W}sdtContent")
                self.blocks(content if content is not None else el)

    def table(self, tbl: etree._Element) -> None:
        grid: dict[tuple[int, int], Cell] = {}
        width = 0
        rows = tbl.findall(f"{W}tr")
        for r, tr in enumerate(rows):
            trpr = tr.find(f"{W}trPr")
            c = int(_val(trpr.find(f"{W}gridBefore") if trpr is not None else None, "0") or 0)
            for tc in tr.iter(f"{W}tc"):
                if tc.getparent() is not tr and tc.getparent().getparent() is not tr:
                    continue  # a cell of a nested table
                tcpr = tc.find(f"{W}tcPr")
                span = int(_val(tcpr.find(f"{W}gridSpan") if tcpr is not None else None, "1") or 1)
                span = max(1, min(span, 1000))
                vmerge = tcpr.find(f"{W}vMerge") if tcpr is not None else None
                cont = vmerge is not None and _val(vmerge, "continue") != "restart"
                above = grid.get((r - 1, c)) if cont else None
                if above is not None:
                    above.rowspan = r - above.row + 2
                    cell = above
                else:
                    text = "\n".join(t for t in (clean(paragraph_text(p)) for p in tc.iter(f"{W}p")) if t)
                    cell = Cell(text=text, row=r + 1, col=c + 1, colspan=span)
                for k in range(span):
                    grid[(r, c + k)] = cell
                c += span
                self.cells += span
                if self.cells > self.limits.max_cells:
                    raise Unreadable(f"too many table cells (over {self.limits.max_cells})")
            width = max(width, c)
        out: list[list[Cell]] = []
        for r in range(len(rows)):
            row = []
            for c in range(width):
                cell = grid.get((r, c))
                if cell is None:
                    cell = Cell(text="", row=r + 1, col=c + 1)
                row.append(cell)
            out.append(row)
        if out:
            self.doc.blocks.append(Table(rows=out))
