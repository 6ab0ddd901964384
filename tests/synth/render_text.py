"""Plain text, as portals' text extractions look (tests/fixtures/seeds).

Two dialects: ``tabs`` writes a table row per line with a tab between cells (merged slots as
empty cells, wrapped labels joined by a space, like seed 000); ``lines`` writes one cell per
line after a tab, a blank line between rows, only the cells a row starts plus empty cells for
rows merged from above, wrapped labels across lines (like seed 002).
"""
from __future__ import annotations

from tests.synth.doc import Doc, Para, Table


def wrap(text: str, width: int) -> list[str]:
    return [text[i:i + width] for i in range(0, len(text), width)] or [""]


def _width(table: Table, col: int, span: int) -> int:
    """Characters that fit in a cell of the printed table (A4, 10.5 pt)."""
    return max(2, int(sum(table.widths[col:col + span]) * 44))


def _cell_lines(table: Table, cell, col: int, wrapped: bool) -> list[str]:
    if not wrapped or cell.role not in ("label", "head", "group"):
        return [cell.text]
    if cell.vertical:
        return list(cell.text)
    return wrap(cell.text, _width(table, col, cell.colspan))


def table_tabs(table: Table, wrapped: bool) -> list[str]:
    lines = []
    for row in table.grid():
        out = []
        for col, (cell, anchor) in enumerate(row):
            out.append(" ".join(_cell_lines(table, cell, col, wrapped)) if anchor else "")
        lines.append("\t".join(out))
    return lines


def table_lines(table: Table, wrapped: bool) -> list[str]:
    lines = []
    grid = table.grid()
    for r, row in enumerate(grid):
        col = 0
        while col < len(row):
            cell, anchor = row[col]
            if anchor:
                lines.append("\t" + "\n".join(_cell_lines(table, cell, col, wrapped)))
            elif r and grid[r - 1][col][0] is cell:
                lines.append("\t")  # a slot merged from the row above
            col += cell.colspan
        lines.append("")
    return lines


def render(doc: Doc, mode: str = "tabs", wrapped: bool = False) -> bytes:
    out: list[str] = []
    for block in doc.blocks:
        if isinstance(block, Para):
            out += [block.text, ""]
        elif isinstance(block, Table):
            out += (table_tabs(block, wrapped) if mode == "tabs" else table_lines(block, wrapped)) + [""]
    return ("\n".join(out).rstrip() + "\n").encode("utf-8")
