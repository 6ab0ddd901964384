"""Rebuild tables and paragraphs of one PDF page from characters and ruling lines.

Ruled tables (every real report seen: WPS, Word and LibreOffice draw cell borders) are
rebuilt lattice-style: ruling segments are snapped and merged, grouped into tables by
intersection, and cut into a fine grid of row and column boundaries; neighbouring fine cells
with no ruling between them form one merged cell (a rowspan/colspan), so wrapped labels and
vertical row-group labels stay in one cell. Characters go to the cell that holds their
centre; the rest of the page becomes text lines, then paragraphs (lines that run to the right
margin continue on the next line). Lines outside ruled tables that hold several separated
pieces with numbers become an unruled table, one row per line.
"""
from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from statistics import median

from parsers.backends.pdfcontent import Char, PageContent, Segment
from parsers.document import Block, Cell, Paragraph, Table
from parsers.numbers import read_number

SNAP = 3.0       # points: ruling lines this close are the same line
MIN_CELL = 4.0   # points: thinner fine rows/columns without text are border artefacts


class _UF:
    def __init__(self, n: int) -> None:
        self.p = list(range(n))

    def find(self, a: int) -> int:
        while self.p[a] != a:
            self.p[a] = self.p[self.p[a]]
            a = self.p[a]
        return a

    def union(self, a: int, b: int) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.p[max(ra, rb)] = min(ra, rb)


def _cluster(values: list[float], tol: float) -> list[float]:
    out: list[list[float]] = []
    for v in sorted(values):
        if out and v - out[-1][-1] <= tol:
            out[-1].append(v)
        else:
            out.append([v])
    return [sum(g) / len(g) for g in out]


def _merge_intervals(items: list[tuple[float, float]], gap: float) -> list[tuple[float, float]]:
    out: list[list[float]] = []
    for a, b in sorted(items):
        if out and a <= out[-1][1] + gap:
            out[-1][1] = max(out[-1][1], b)
        else:
            out.append([a, b])
    return [(a, b) for a, b in out]


def _lines_of(segments: list[Segment]) -> tuple[list[tuple[float, float, float]], list[tuple[float, float, float]]]:
    """Merged horizontal (y, x0, x1) and vertical (x, y0, y1) ruling lines."""
    hs = [(s.y0, s.x0, s.x1) for s in segments if s.y0 == s.y1]
    vs = [(s.x0, s.y0, s.y1) for s in segments if s.x0 == s.x1]

    def merge(items: list[tuple[float, float, float]]) -> list[tuple[float, float, float]]:
        out: list[tuple[float, float, float]] = []
        if not items:
            return out
        positions = _cluster([i[0] for i in items], SNAP)
        groups: dict[int, list[tuple[float, float]]] = {}
        for pos, a, b in items:
            k = bisect_left(positions, pos)  # the nearest of the sorted cluster centres
            if k == len(positions) or (k > 0 and pos - positions[k - 1] <= positions[k] - pos):
                k -= 1
            groups.setdefault(k, []).append((a, b))
        for k, spans in groups.items():
            for a, b in _merge_intervals(spans, SNAP):
                out.append((positions[k], a, b))
        return out

    return merge(hs), merge(vs)


def _tables_of(hs: list[tuple[float, float, float]], vs: list[tuple[float, float, float]]):
    """Groups of (horizontals, verticals) that touch each other: one group per table."""
    n = len(hs)
    uf = _UF(n + len(vs))
    for i, (y, hx0, hx1) in enumerate(hs):
        for j, (x, vy0, vy1) in enumerate(vs):
            if hx0 - SNAP <= x <= hx1 + SNAP and vy0 - SNAP <= y <= vy1 + SNAP:
                uf.union(i, n + j)
    groups: dict[int, tuple[list, list]] = {}
    for i, h in enumerate(hs):
        groups.setdefault(uf.find(i), ([], []))[0].append(h)
    for j, v in enumerate(vs):
        groups.setdefault(uf.find(n + j), ([], []))[1].append(v)
    return [g for g in groups.values() if len(g[0]) >= 2 and len(g[1]) >= 2]


def _covers(spans: list[tuple[float, float]], at: float) -> bool:
    return any(a - SNAP <= at <= b + SNAP for a, b in spans)


def text_of(chars: list[Char]) -> str:
    """Characters to text: lines top to bottom, a space where a gap is wider than a third of
    a character, lines joined by newlines."""
    if not chars:
        return ""
    out = []
    for line in _unoverprint(group_lines(chars)):
        parts = []
        prev: Char | None = None
        for ch in line:
            if prev is not None and ch.x0 - prev.x1 > 0.35 * max(ch.size, 1.0):
                parts.append(" ")
            parts.append(ch.text)
            prev = ch
        out.append("".join(parts))
    return "\n".join(out)


def _unoverprint(lines: list[list[Char]]) -> list[list[Char]]:
    """Lines in which two strings were printed over each other (a header's overflowing text
    across a data cell, as LibreOffice leaves it at page breaks) become one line per string,
    told apart by the operator that drew them."""
    out: list[list[Char]] = []
    for line in lines:
        overlap = any(b.x0 < a.x1 - 0.3 * max(a.size, 1.0) for a, b in zip(line, line[1:], strict=False))
        if not overlap:
            out.append(line)
            continue
        strings: dict[int, list[Char]] = {}
        for ch in line:
            strings.setdefault(ch.run, []).append(ch)
        out += sorted(strings.values(), key=lambda s: (len(s) < max(len(t) for t in strings.values()), s[0].x0))
    return out


def group_lines(chars: list[Char]) -> list[list[Char]]:
    """Characters grouped into text lines (by vertical centre), each sorted left to right."""
    lines: list[list[Char]] = []
    total = 0.0  # sum of the centres of the current line
    centre = 0.0
    for ch in sorted(chars, key=lambda c: (c.cy, c.x0)):
        tol = 0.45 * (ch.size if ch.size > 1.0 else 1.0)
        if lines and abs(ch.cy - centre) <= tol:
            line = lines[-1]
            line.append(ch)
            total += ch.cy
            centre = total / len(line)
        else:
            lines.append([ch])
            total = centre = ch.cy
    for line in lines:
        line.sort(key=lambda c: c.x0)
    return lines


def _lattice(hs, vs) -> tuple[list[float], list[float], _UF]:
    """Row and column boundaries of one table's fine grid, and which fine cells are merged
    (no ruling between them): fine cell (i, j) is ``i * (len(xs) - 1) + j``."""
    xs = _cluster([v[0] for v in vs], SNAP)
    ys = _cluster([h[0] for h in hs], SNAP)
    left, right = min(h[1] for h in hs), max(h[2] for h in hs)
    top, bottom = min(v[1] for v in vs), max(v[2] for v in vs)
    if xs[0] - left > SNAP:
        xs.insert(0, left)
    if right - xs[-1] > SNAP:
        xs.append(right)
    if ys[0] - top > SNAP:
        ys.insert(0, top)
    if bottom - ys[-1] > SNAP:
        ys.append(bottom)
    vmap: dict[int, list[tuple[float, float]]] = {}
    for x, a, b in vs:
        vmap.setdefault(min(range(len(xs)), key=lambda i: abs(xs[i] - x)), []).append((a, b))
    hmap: dict[int, list[tuple[float, float]]] = {}
    for y, a, b in hs:
        hmap.setdefault(min(range(len(ys)), key=lambda i: abs(ys[i] - y)), []).append((a, b))
    nr, nc = len(ys) - 1, len(xs) - 1
    uf = _UF(nr * nc)
    for i in range(nr):
        ymid = (ys[i] + ys[i + 1]) / 2
        for j in range(nc):
            xmid = (xs[j] + xs[j + 1]) / 2
            if j + 1 < nc and not _covers(vmap.get(j + 1, []), ymid):
                uf.union(i * nc + j, i * nc + j + 1)
            if i + 1 < nr and not _covers(hmap.get(i + 1, []), xmid):
                uf.union(i * nc + j, (i + 1) * nc + j)
    return xs, ys, uf


def cell_boxes(segments: list[Segment]) -> list[tuple[float, float, float, float]]:
    """(x0, top, x1, bottom) of every cell of the page's ruled tables, merged cells whole.

    For OCR, which reads each cell on its own; `layout_page` later finds the same cells."""
    hs, vs = _lines_of(segments)
    boxes = []
    for group_h, group_v in _tables_of(hs, vs):
        xs, ys, uf = _lattice(group_h, group_v)
        nc = len(xs) - 1
        extent: dict[int, list[int]] = {}
        for i in range(len(ys) - 1):
            for j in range(nc):
                e = extent.setdefault(uf.find(i * nc + j), [i, j, i, j])
                e[0], e[1], e[2], e[3] = min(e[0], i), min(e[1], j), max(e[2], i), max(e[3], j)
        boxes += [(xs[e[1]], ys[e[0]], xs[e[3] + 1], ys[e[2] + 1]) for e in extent.values()]
    return boxes


def _ruled_table(hs, vs, chars: list[Char], page: int) -> tuple[Table, tuple[float, float, float, float], list[Char]]:
    xs, ys, uf = _lattice(hs, vs)
    nr, nc = len(ys) - 1, len(xs) - 1
    region = [uf.find(k) for k in range(nr * nc)]  # fine cell i * nc + j → its merged cell
    bbox = (xs[0], ys[0], xs[-1], ys[-1])
    inside: dict[int, list[Char]] = {}
    outside: list[Char] = []
    for ch in chars:
        cx, cy = ch.cx, ch.cy
        if xs[0] <= cx <= xs[-1] and ys[0] <= cy <= ys[-1]:
            i = min(max(bisect_right(ys, cy) - 1, 0), nr - 1)
            j = min(max(bisect_right(xs, cx) - 1, 0), nc - 1)
            inside.setdefault(region[i * nc + j], []).append(ch)
        else:
            outside.append(ch)
    # regions: their extent in the fine grid (rows come in order: the first is the top one)
    extent: dict[int, list[int]] = {}
    for i in range(nr):
        for j in range(nc):
            e = extent.get(region[i * nc + j])
            if e is None:
                extent[region[i * nc + j]] = [i, j, i, j]
            else:
                if j < e[1]:
                    e[1] = j
                if j > e[3]:
                    e[3] = j
                e[2] = i
    # drop fine rows/columns that are only border artefacts (thin and empty)
    keep_rows = [i for i in range(nr) if ys[i + 1] - ys[i] >= MIN_CELL or
                 any(region[i * nc + j] in inside for j in range(nc))]
    keep_cols = [j for j in range(nc) if xs[j + 1] - xs[j] >= MIN_CELL or
                 any(region[i * nc + j] in inside for i in range(nr))]
    row_no = {i: k + 1 for k, i in enumerate(keep_rows)}
    col_no = {j: k + 1 for k, j in enumerate(keep_cols)}
    cells: dict[int, Cell] = {}
    rows: list[list[Cell]] = []
    for i in keep_rows:
        row = []
        for j in keep_cols:
            r = region[i * nc + j]
            cell = cells.get(r)
            if cell is None:
                e = extent[r]
                rr = [row_no[k] for k in range(e[0], e[2] + 1) if k in row_no]
                cc = [col_no[k] for k in range(e[1], e[3] + 1) if k in col_no]
                cell = Cell(text=text_of(inside.get(r, [])), row=rr[0] if rr else row_no[i],
                            col=cc[0] if cc else col_no[j], rowspan=max(len(rr), 1), colspan=max(len(cc), 1),
                            page=page, x0=xs[e[1]], x1=xs[e[3] + 1])
                cells[r] = cell
            row.append(cell)
        rows.append(row)
    return Table(rows=rows, page=page, ruled=True), bbox, outside


def _pieces(line: list[Char]) -> list[list[Char]]:
    """Split a text line where the gap is wider than about two characters."""
    out: list[list[Char]] = [[line[0]]]
    for prev, ch in zip(line, line[1:], strict=False):
        if ch.x0 - prev.x1 > max(1.6 * max(ch.size, prev.size), 6.0):
            out.append([ch])
        else:
            out[-1].append(ch)
    return out


_HEADING = re.compile(r"^\s*(?:[一二三四五六七八九十]+[、.．]|[(（][一二三四五六七八九十\d]+[)）]|第[一二三四五六七八九十]+[章节条])")


def _continues(prev: list[Char], line: list[Char], text: str, right: float, left: float, em: float) -> bool:
    """Whether `line` goes on with the paragraph `prev` ended: `prev` ran to the right
    margin, `line` follows closely, in the same type size, not indented, not a heading."""
    if prev[-1].x1 < right - 2.5 * em or line[0].top - max(c.bottom for c in prev) >= 1.2 * em:
        return False
    size_prev = median(c.size for c in prev)
    size = median(c.size for c in line)
    if max(size, size_prev) > 1.15 * min(size, size_prev):
        return False
    return line[0].x0 < left + 1.0 * size and not _HEADING.match(text)


def _is_number(text: str) -> bool:
    return read_number(text) is not None or read_number(text, money=True) is not None


def layout_page(content: PageContent, page: int) -> list[Block]:
    """The blocks of one page in reading order (top to bottom)."""
    hs, vs = _lines_of(content.segments)
    placed: list[tuple[float, Block]] = []
    chars = content.chars
    for group_h, group_v in _tables_of(hs, vs):
        table, bbox, chars = _ruled_table(group_h, group_v, chars, page)
        if sum(len({id(c) for c in row}) for row in table.rows) >= 2:  # a boxed title is no table
            placed.append((bbox[1], table))
    lines = group_lines(chars)
    if not lines:
        placed.sort(key=lambda t: t[0])
        return [b for _, b in placed]
    right = max(line[-1].x1 for line in lines)
    left = min(line[0].x0 for line in lines)
    em = median(c.size for line in lines for c in line)
    # each line: a row of cells (several pieces apart) or a line of text
    kinds: list[tuple[str, float, list[Char], list[list[Char]]]] = []
    for line in lines:
        pieces = _pieces(line)
        kinds.append(("row" if len(pieces) >= 2 else "text", min(c.top for c in line), line, pieces))
    # a short line right above or below a row is a row too (a label alone on its line, a
    # table caption, a wrapped label): rows of unruled tables are only told apart by position
    def near(i: int, j: int) -> bool:
        if not 0 <= j < len(kinds) or kinds[j][0] != "row":
            return False
        a, b = sorted((i, j))
        return kinds[b][1] - max(c.bottom for c in kinds[a][2]) < 1.5 * em

    changed = True
    while changed:
        changed = False
        for i, (kind, top, line, pieces) in enumerate(kinds):
            if kind == "text" and len(line) <= 30 and (near(i, i - 1) or near(i, i + 1)):
                kinds[i] = ("row", top, line, pieces)
                changed = True
    rows: list[tuple[float, list[Cell]]] = []
    para: list[str] = []
    para_top = 0.0
    prev_line: list[Char] | None = None

    def flush_para() -> None:
        if para:
            placed.append((para_top, Paragraph(text="".join(para), page=page)))
            para.clear()

    def flush_rows() -> None:
        if len(rows) >= 2 and (any(_is_number(c.text) for _, cells in rows for c in cells)
                               or sum(len(cells) >= 2 for _, cells in rows) >= 2):
            grid = [cells for _, cells in rows]
            for r, row in enumerate(grid, 1):
                for c, cell in enumerate(row, 1):
                    cell.row, cell.col = r, c
            placed.append((rows[0][0], Table(rows=grid, page=page, ruled=False)))
        else:
            for top, cells in rows:
                placed.append((top, Paragraph(text=" ".join(c.text for c in cells), page=page)))
        rows.clear()

    for kind, top, line, pieces in kinds:
        if kind == "row":
            flush_para()
            rows.append((top, [Cell(text=text_of(p).replace("\n", ""), page=page, x0=p[0].x0, x1=p[-1].x1)
                               for p in pieces]))
            prev_line = None
            continue
        if rows:
            flush_rows()
        text = text_of(line).replace("\n", "")
        if para and prev_line is not None and _continues(prev_line, line, text, right, left, em):
            para.append(text)
        else:
            flush_para()
            para.append(text)
            para_top = top
        prev_line = line
    if rows:
        flush_rows()
    flush_para()
    placed.sort(key=lambda t: t[0])
    return [b for _, b in placed]
