"""The neutral document model every backend produces: paragraphs and tables as cell grids.

A `Table` is a grid: `rows[r][c]` is a `Cell`. A cell spanning several rows or columns (HTML
rowspan/colspan, DOCX vMerge/gridSpan, a merged PDF cell) is the *same object* at every grid
position it covers, and knows its own origin (`row`, `col`, 1-based), so the mapper can tell
the first occurrence of a cell from its continuation. Plain-text sources have rows of
unequal length and no spans. Provenance (page, line) rides on each cell and paragraph so
every fact can say where it was read.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from parsers.errors import Unreadable

UNREADABLE = "\ufffd"  # the text of a cell with ink that OCR could not read: never a blank, never 0


@dataclass(eq=False)
class Cell:
    text: str
    row: int = 0                 # 1-based grid row of the cell's top-left corner
    col: int = 0                 # 1-based grid column
    rowspan: int = 1
    colspan: int = 1
    page: int | None = None
    line: int | None = None      # text sources: 1-based line of the cell
    x0: float | None = None      # PDF: horizontal extent, for column alignment
    x1: float | None = None

    def __repr__(self) -> str:
        return f"Cell({self.text!r}@{self.row},{self.col})"


@dataclass(eq=False)
class Table:
    rows: list[list[Cell]]
    index: int = 0               # 1-based among the document's tables
    page: int | None = None      # page of the first row (PDF)
    ruled: bool = True           # False: rebuilt from text positions alone (PDF without lines)


@dataclass(eq=False)
class Paragraph:
    text: str
    page: int | None = None
    line: int | None = None


Block = Paragraph | Table


@dataclass(eq=False)
class Document:
    format: str                                   # pdf, html, docx, doc, wps, rtf, text
    blocks: list[Block] = field(default_factory=list)
    title_hints: list[str] = field(default_factory=list)  # <title>, ArticleTitle, core title
    pages: int | None = None
    images: int = 0                               # pictures seen (scans, tables pasted as images)
    chars: int = 0                                # characters of text found
    attachments: list[str] = field(default_factory=list)  # linked report files (HTML pages)
    warnings: list[str] = field(default_factory=list)

    @property
    def tables(self) -> list[Table]:
        return [b for b in self.blocks if isinstance(b, Table)]

    @property
    def paragraphs(self) -> list[Paragraph]:
        return [b for b in self.blocks if isinstance(b, Paragraph)]

    def number_tables(self) -> None:
        for i, table in enumerate(self.tables, 1):
            table.index = i

    def text(self, limit: int | None = None) -> str:
        """All text in reading order (tables row by row), for recognisers and search."""
        out: list[str] = []
        size = 0
        for block in self.blocks:
            if isinstance(block, Paragraph):
                piece = block.text
            else:
                seen: set[int] = set()
                cells = []
                for row in block.rows:
                    for cell in row:
                        if id(cell) not in seen:
                            seen.add(id(cell))
                            cells.append(cell.text)
                piece = " ".join(cells)
            out.append(piece)
            size += len(piece)
            if limit is not None and size >= limit:
                break
        return "\n".join(out)


def grid_from_spans(raw_rows: list[list[tuple[str, int, int, dict]]], max_cells: int) -> list[list[Cell]]:
    """Lay out rows of (text, rowspan, colspan, extra) as a full grid, HTML-style.

    Each cell is placed at the first free column of its row and occupies rowspan×colspan
    positions; spans are clamped to the table so a hostile `rowspan=100000` cannot blow up.
    """
    nrows = len(raw_rows)
    taken: list[dict[int, Cell]] = [{} for _ in range(nrows)]  # row → column → cell (spans included)
    width = 0
    count = 0
    for r, raw in enumerate(raw_rows):
        here = taken[r]
        c = 0
        for text, rowspan, colspan, extra in raw:
            while c in here:
                c += 1
            rowspan = max(1, min(rowspan, nrows - r))
            colspan = max(1, min(colspan, 1000))
            count += rowspan * colspan
            if count > max_cells:
                raise Unreadable(f"table too large (more than {max_cells} cells)")
            cell = Cell(text=text, row=r + 1, col=c + 1, rowspan=rowspan, colspan=colspan, **extra)
            for dr in range(rowspan):
                below = taken[r + dr]
                for dc in range(colspan):
                    below[c + dc] = cell
            c += colspan
            if c > width:
                width = c
    rows: list[list[Cell]] = []
    for r, here in enumerate(taken):
        rows.append([here.get(c) or Cell(text="", row=r + 1, col=c + 1) for c in range(width)])
    return rows
