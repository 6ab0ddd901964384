"""The printed document, format-neutral: paragraphs and tables with merged cells.

``build`` (in tests.synth.build) decides every printed string once; each renderer turns this
model into one format. Tables are stored as HTML thinks of them (anchor cells with rowspan and
colspan); ``grid`` expands them for the formats that think in full grids (DOCX, text).
"""
from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class Cell:
    text: str = ""
    rowspan: int = 1
    colspan: int = 1
    role: str = "num"            # head | label | group | num | section (a 第二十条 item row) | note | pad
    blank: str | None = None     # a zero printed blank: "", "nbsp" or "o:p" (how HTML writes it)
    key: str | None = None       # the fact key the cell prints, for debugging
    vertical: bool = False       # a row-group label in a narrow column, one character per line
    rotated: bool = False        # …or written vertically (Word's 文字方向: tbRl)


@dataclass
class Table:
    name: str                    # art20 | art20.<item> | applications | review
    rows: list[list[Cell]]
    header_rows: int = 0         # leading rows that are column headers (repeated after page breaks)
    widths: list[float] = field(default_factory=list)  # relative column widths

    @property
    def ncols(self) -> int:
        return len(self.widths)

    def grid(self) -> list[list[tuple[Cell, bool]]]:
        """The full grid: each slot holds (anchor cell, whether this slot is the anchor)."""
        out: list[list[tuple[Cell, bool] | None]] = [[None] * self.ncols for _ in self.rows]
        for r, row in enumerate(self.rows):
            c = 0
            for cell in row:
                while out[r][c] is not None:
                    c += 1
                for dr in range(cell.rowspan):
                    for dc in range(cell.colspan):
                        if out[r + dr][c + dc] is not None:
                            raise ValueError(f"table {self.name}: overlapping cells at row {r + dr}, col {c + dc}")
                        out[r + dr][c + dc] = (cell, dr == 0 and dc == 0)
                c += cell.colspan
        for r, row in enumerate(out):
            if any(slot is None for slot in row):
                raise ValueError(f"table {self.name}: row {r} is not filled ({row})")
        return out  # type: ignore[return-value]


@dataclass
class Para:
    text: str
    role: str = "body"           # title | heading | subheading | caption | body | signature | date


@dataclass
class PageSetup:
    """A section break: the pages after it are ``landscape`` or not (DOCX/PDF only)."""

    landscape: bool


Block = Para | Table | PageSetup


@dataclass
class Doc:
    title: str
    blocks: list[Block]
    date: str = ""               # the publication date as printed (for page chrome)

    def tables(self) -> list[Table]:
        return [b for b in self.blocks if isinstance(b, Table)]
