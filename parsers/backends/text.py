"""Plain-text extractions of reports (as in tests/fixtures/seeds).

Two table conventions occur, often in the same corpus:

- *tab rows*: one table row per line, cells separated by tabs (`规章\t0\t0\t0`);
- *cell lines*: one cell per line, each starting with a tab, rows separated by blank lines;
  a cell's text may continue on the next lines (`\t本年新` / `制作数量`).

Lines without tabs are paragraphs. Markdown heading marks and Word bookmark residue
(`[bookmark: _GoBack]`) are dropped.
"""
from __future__ import annotations

import codecs
import re

from parsers.document import Cell, Document, Paragraph, Table
from parsers.errors import Unreadable
from parsers.limits import Limits

_BOOKMARK = re.compile(r"\[bookmark:[^\]]*\]")
_HEADING = re.compile(r"^\s*#{1,6}\s+")


def decode_text(data: bytes, declared: str | None = None) -> str:
    """Decode with the BOM, then a declared charset, then UTF-8, then GB18030 (a superset of
    GBK/GB2312, which older portals use)."""
    for bom, enc in ((codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF16_LE, "utf-16-le"),
                     (codecs.BOM_UTF16_BE, "utf-16-be")):
        if data.startswith(bom):
            return data[len(bom):].decode(enc, errors="replace")
    candidates = [declared] if declared else []
    candidates += ["utf-8", "gb18030"]
    for enc in candidates:
        try:
            return data.decode(_codec(enc))
        except (UnicodeDecodeError, LookupError):
            continue
    return data.decode("utf-8", errors="replace")


def _codec(name: str) -> str:
    name = name.strip().lower()
    return "gb18030" if name in ("gb2312", "gbk", "gb_2312-80", "x-gbk", "cp936") else name


def load(data: bytes, *, limits: Limits, fmt: str = "text", content_type: str | None = None) -> Document:
    text = decode_text(data)
    if "\x00" in text[:4096]:
        raise Unreadable("binary data, not text")
    lines = [_BOOKMARK.sub("", _HEADING.sub("", ln)).rstrip("\r\n ") for ln in text.split("\n")]
    doc = Document(format="text", chars=len(text))
    if _cell_lines(lines):
        _read_cell_lines(lines, doc)
    else:
        _read_tab_rows(lines, doc)
    return doc


def _cell_lines(lines: list[str]) -> bool:
    """True when tables are written one cell per line (leading tab, no inner tab)."""
    single = sum(1 for ln in lines if ln.startswith("\t") and "\t" not in ln[1:])
    inner = sum(1 for ln in lines if "\t" in ln.lstrip("\t"))
    return single > 2 * inner and single >= 10


def _read_tab_rows(lines: list[str], doc: Document) -> None:
    rows: list[list[Cell]] = []

    def flush() -> None:
        if rows:
            doc.blocks.append(Table(rows=list(rows)))
            rows.clear()

    for n, line in enumerate(lines, 1):
        if "\t" in line:
            parts = line.split("\t")
            rows.append([Cell(text=p.strip(), row=len(rows) + 1, col=i + 1, line=n)
                         for i, p in enumerate(parts)])
        elif line.strip():
            flush()
            doc.blocks.append(Paragraph(text=line.strip(), line=n))
        else:
            flush()
    flush()


def _read_cell_lines(lines: list[str], doc: Document) -> None:
    table_rows: list[list[Cell]] = []
    row: list[Cell] = []
    blank_run = 0

    def end_row() -> None:
        nonlocal row
        if row:
            for i, cell in enumerate(row):
                cell.row, cell.col = len(table_rows) + 1, i + 1
            table_rows.append(row)
            row = []

    def end_table() -> None:
        end_row()
        if table_rows:
            doc.blocks.append(Table(rows=list(table_rows)))
            table_rows.clear()

    for n, line in enumerate(lines, 1):
        if line.startswith("\t"):
            if blank_run:
                end_row()
            blank_run = 0
            row.append(Cell(text=line.strip(), line=n))
        elif not line.strip():
            blank_run += 1
            if blank_run >= 3:  # a wide gap ends the table
                end_table()
        elif row and not blank_run:
            row[-1].text += line.strip()  # the cell's text goes on
        else:
            end_table()
            blank_run = 0
            doc.blocks.append(Paragraph(text=line.strip(), line=n))
    end_table()
