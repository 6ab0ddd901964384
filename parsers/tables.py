"""From the document's table grids to fact keys.

The mapper reads every table row in document order, as one stream (a table split across
pages is just more rows), and keeps track of which section it is in from header rows and
headings. A *data row* is a row with numbers: its label cells name the row, the cells after
the last label are its values. Header rows name the columns (section 二 and the applicant
columns); section 四 is the row of 15 numbers after its header.

Values are aligned to the expected columns by count first (blank cells that only continue
a spanned label are dropped), and by the header's grid positions when a row has extra cells.
A row that cannot be aligned is reported, never guessed: its keys stay missing.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

from parsers.document import UNREADABLE, Cell, Document, Paragraph, Table
from parsers.labels import match_application_row, match_art20_column, match_art20_row
from parsers.numbers import read_number, unit_of_header
from parsers.result import Where
from parsers.schema import (
    APPLICANT_HEADERS,
    APPLICATION_COLUMNS,
    APPLICATION_GROUPS,
    APPLICATION_ROWS,
    ART20_COLUMNS,
    ART20_LAYOUT,
    LAYOUT_HEADERS,
    OTHER_SUBROWS,
    REVIEW_KEYS,
)
from parsers.textnorm import fold, segments

ART20, APPS, REVIEW = "art20", "applications", "review"

_HEADING_SECTIONS = (
    ("主动公开政府信息情况", ART20), ("收到和处理政府信息公开申请情况", APPS),
    ("行政复议行政诉讼情况", REVIEW), ("行政复议或提起行政诉讼情况", REVIEW),
    ("存在的主要问题", None), ("其他需要报告的事项", None),
)


@dataclass
class Art20Row:
    key: str
    columns: list[str] | None          # header labels (keys of ART20_COLUMNS), None if unknown
    units: list[str | None]
    values: list[Cell]


@dataclass
class Mapping:
    """What the mapper found; `parsers.report` turns it into a ParseResult."""

    facts: dict[str, int | float] = field(default_factory=dict)
    where: dict[str, Where] = field(default_factory=dict)
    derived: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    layout_votes: dict[str, int] = field(default_factory=lambda: {"2019": 0, "2021": 0})
    art20_rows: list[Art20Row] = field(default_factory=list)
    other_printed: bool = False
    subrows_seen: bool = False
    applicant_total_column: bool = True
    blank_keys: set[str] = field(default_factory=set)     # read from a blank/dash/无 cell

    @property
    def layout_from_headers(self) -> str | None:
        v = self.layout_votes
        if v["2019"] == v["2021"]:
            return None
        return "2019" if v["2019"] > v["2021"] else "2021"


@lru_cache(maxsize=16384)
def is_value(text: str) -> bool:
    """Whether a cell holds a number (or a blank mark), so is no label. A cell OCR could not
    read stands where a number stands: taken for a label, it would shift the row's numbers."""
    return read_number(text) is not None or read_number(text, money=True) is not None \
        or text.strip() == UNREADABLE


_HEADER_WORDS = re.compile("第二十条|信息内容|申请人情况|勾稽关系|自然人|商业企业|法人或其他组织|行政复议|结果维持|复议后起诉")
_REVIEW_HEADERS = frozenset({"结果维持", "结果纠正", "其他结果", "尚未审结", "总计"})


def _applicant_header(folded: str) -> str | None:
    """The applicant column a header names: exactly, or with one stray character in front (OCR
    reads 总计 alone in a narrow cell as 和总计)."""
    if folded in APPLICANT_HEADERS:
        return folded
    if len(folded) >= 3 and folded[1:] in APPLICANT_HEADERS:
        return folded[1:]
    return None


def _centre(cell: Cell) -> float | None:
    return None if cell.x0 is None or cell.x1 is None else (cell.x0 + cell.x1) / 2


def _by_position(values: list[Cell], centres: list[float], page: int | None) -> list[Cell] | None:
    """Values placed in the column whose centre is nearest; empty columns get a blank cell.
    None when two values claim one column (the row is not what the header says)."""
    slots: list[Cell | None] = [None] * len(centres)
    for v in values:
        x = _centre(v)
        assert x is not None
        i = min(range(len(centres)), key=lambda j: abs(centres[j] - x))
        if slots[i] is not None:
            return None
        slots[i] = v
    return [s if s is not None else Cell(text="", page=page) for s in slots]


def where_of(cell: Cell, table: Table) -> Where:
    if cell.line is not None and cell.page is None:
        return Where(line=cell.line, text=cell.text)
    return Where(page=cell.page, table=table.index, row=cell.row or None, col=cell.col or None, text=cell.text)


class Mapper:
    def __init__(self) -> None:
        self.m = Mapping()
        self.section: str | None = None
        self.art20_columns: list[str] | None = None
        self.art20_units: list[str | None] = []
        self.header_cols: dict[int, str] = {}     # grid column → header text, current table
        self.apps_heads: set[str] = set()
        self.total_decided: bool | None = None
        self.pending: list[str] = []               # label of a label-only row (wrapped labels)
        self.group: str | None = None              # current application row group (folded)
        self.table: Table | None = None
        # unruled PDF tables lose blank cells: header centres let values find their columns
        self.column_x: dict[str, list[float | None]] = {ART20: []}
        self.apps_x: dict[str, float] = {}
        self.deferred: tuple[str, str, list[str]] | None = None
        self.review_x: list[float] = []

    # -------------------------------------------------------------- driving
    def run(self, doc: Document) -> Mapping:
        for block in doc.blocks:
            if isinstance(block, Paragraph):
                self._paragraph(block)
            else:
                self.table = block
                self.header_cols = {}
                for r, row in enumerate(block.rows, 1):
                    self._row(row, r)
                self._flush_deferred()
        return self.m

    def _key_of(self, segs: list[str]) -> str | None:
        if self.section == ART20:
            return match_art20_row(segs)[0]
        key, score = match_application_row(segs, in_group=self.group)
        return key if score >= 0.85 else None

    def _flush_deferred(self) -> None:
        """A label alone on its line in an unruled table, not continued by the next line:
        a row whose cells are all blank (zeros printed as nothing)."""
        if self.deferred is not None:
            section, key, _ = self.deferred
            self.deferred = None
            if section == ART20:
                self._art20(key, [])
            else:
                self._application(key, [])

    def _paragraph(self, p: Paragraph) -> None:
        text = fold(p.text)
        if len(text) > 40:
            return
        if self.table is not None and not self.table.ruled and self.section in (ART20, APPS) and p.page:
            # in an unruled PDF table, a row whose cells are all blank is a label alone on its
            # line, which the layout may have left as a paragraph (e.g. after a page break)
            segs = segments(p.text)
            key = self._key_of(segs) if segs else None
            if key is not None and len(p.text) <= 40:
                self._flush_deferred()
                self.deferred = (self.section, key, segs)
                self._flush_deferred()
                return
        for marker, section in _HEADING_SECTIONS:
            if marker in text:
                self._enter(section)
                return

    def _enter(self, section: str | None) -> None:
        if section != self.section:
            self.section = section
            self.apps_heads = set()  # applicant headers seen since the section began
            self.pending = []
            self.group = None
            if section != ART20:
                self.art20_columns = None

    def _row(self, row: list[Cell], r: int) -> None:
        cells: list[tuple[Cell, bool]] = []   # (cell, continues a span from an earlier row)
        seen: set[int] = set()
        for cell in row:
            if id(cell) in seen:
                continue
            seen.add(id(cell))
            cells.append((cell, cell.row != r and cell.row != 0 and self._spanning(cell)))
        labels = [(i, c) for i, (c, _) in enumerate(cells) if c.text.strip() and not is_value(c.text)]
        last = labels[-1][0] if labels else -1
        label_texts = [c.text for _, c in labels]
        own_label_texts = [c.text for (i, c) in labels if not cells[i][1]]
        values = [c for c, cont in cells[last + 1:] if not cont]
        has_numbers = any(c.text.strip() for c in values)
        folded = fold("".join(label_texts))
        if self.deferred is not None and not has_numbers and _HEADER_WORDS.search(folded):
            self._flush_deferred()  # before a header changes the columns the deferred row needs
        if self._header(folded, cells, label_texts, has_numbers):
            return
        segs = segments(" ".join(label_texts)) if labels else []
        unruled = self.table is not None and not self.table.ruled
        if self.section == REVIEW and not labels and has_numbers and unruled and self.review_x \
                or len(values) >= 15 and (self.section == REVIEW and (not labels or has_numbers)
                                          or self.section is None and not labels):
            self._review(values)
            return
        if self.deferred is not None:
            if has_numbers and (not segs or self._key_of(segs) is None):
                segs = self.deferred[2] + segs  # the label wrapped onto the line above its numbers
                self.deferred = None
            else:
                self._flush_deferred()
        if unruled and not values and segs and self.section in (ART20, APPS) and self._key_of(segs):
            self.deferred = (self.section, self._key_of(segs), segs)  # type: ignore[assignment]
            return
        if not segs and self.pending and has_numbers:
            segs = segments(" ".join(self.pending))
        if values and segs:
            # a named row is a data row even when every value is printed blank (zeros)
            if self.section == ART20:
                key, _ = match_art20_row(segs)
                if key:
                    self.pending = []
                    self._art20(key, values)
                    return
            if self.section in (APPS, None, ART20):
                self._update_group(segs[:-1])
                key, score = match_application_row(segs, in_group=self.group)
                if key and (self.section == APPS or (score >= 0.85 and has_numbers)):
                    if self.section != APPS:
                        self._enter(APPS)
                    self.pending = []
                    self._application(key, values)
                    return
            if self.section is None and has_numbers:
                key, score = match_art20_row(segs)
                if key and score >= 0.9:
                    self._enter(ART20)
                    self.pending = []
                    self._art20(key, values)
                    return
        if not has_numbers and own_label_texts and self.section == APPS:
            self.pending = label_texts
            self._update_group(segments(" ".join(label_texts)))
        elif has_numbers:
            self.pending = []

    @staticmethod
    def _spanning(cell: Cell) -> bool:
        return cell.rowspan > 1

    # -------------------------------------------------------------- headers
    def _header(self, folded: str, cells: list[tuple[Cell, bool]], label_texts: list[str],
                has_numbers: bool) -> bool:
        """Recognise header rows; True when the row is a header (no facts in it)."""
        if has_numbers and "信息内容" not in folded:
            # a data row; but the 勾稽关系 header and 第二十条 titles never carry numbers
            if "第二十条" in folded and len(folded) < 20:
                self._enter(ART20)
                return True
            return False
        if "第二十条" in folded:
            self._enter(ART20)
            self.art20_columns = None
            if "信息内容" not in folded:
                return True
        if "信息内容" in folded:
            self._enter(ART20)
            cols: list[str] = []
            units: list[str | None] = []
            xs: list[float | None] = []
            after = False
            for cell, _ in cells:
                f = fold(cell.text)
                if not after:
                    after = "信息内容" in f
                    continue
                if not f:
                    continue
                label = match_art20_column(f)
                cols.append(label or "")
                units.append(unit_of_header(cell.text))
                xs.append(_centre(cell))
                if label in LAYOUT_HEADERS:
                    self.m.layout_votes[LAYOUT_HEADERS[label]] += 1
            self.art20_columns = cols if any(cols) else None
            self.art20_units = units
            self.column_x[ART20] = xs if all(x is not None for x in xs) else []
            return True
        if any(w in folded for w in ("申请人情况", "勾稽关系", "自然人", "商业企业", "法人或其他组织")):
            self._enter(APPS)
            for cell, _ in cells:
                head = _applicant_header(fold(cell.text))
                if head:
                    self.header_cols[cell.col] = head
                    self.apps_heads.add(head)
                    if _centre(cell) is not None:
                        self.apps_x[APPLICANT_HEADERS[head]] = _centre(cell)  # type: ignore[assignment]
            return True
        if "行政复议" in folded and ("行政诉讼" in folded or "结果维持" in folded):
            self._enter(REVIEW)
            self._note_header_cols(cells)
            return True
        if self.section == REVIEW and ("结果维持" in folded or "复议后起诉" in folded):
            self._note_header_cols(cells)
            return True
        return False

    def _note_header_cols(self, cells: list[tuple[Cell, bool]]) -> None:
        for cell, _ in cells:
            if fold(cell.text) in _REVIEW_HEADERS and _centre(cell) is not None:
                self.review_x.append(_centre(cell))  # type: ignore[arg-type]
            if cell.text.strip():
                for c in range(cell.col, cell.col + cell.colspan):
                    self.header_cols.setdefault(c, fold(cell.text))

    def _update_group(self, segs: list[str]) -> None:
        for seg in segs:
            for group in APPLICATION_GROUPS:
                if group in seg or seg in group and len(seg) >= 3:
                    self.group = group

    # -------------------------------------------------------------- rows
    def _pick(self, values: list[Cell], k: int, what: str, centres: list[float] | None = None) -> list[Cell] | None:
        """Exactly k value cells, or None (with a warning) when the row cannot be aligned.

        `centres` are the header columns' horizontal centres (unruled PDF tables), used when
        blank cells left no text behind: each value goes to the nearest column, in order, and
        a column without one is a blank cell."""
        vals = list(values)
        if len(vals) < k and centres and len(centres) == k and all(v.x0 is not None for v in vals):
            page = self.table.page if self.table is not None else None
            placed = _by_position([v for v in vals if v.text.strip()], sorted(centres), page)
            if placed is not None:
                return placed
        if len(vals) > k and self.header_cols:
            aligned = [v for v in vals if v.col in self.header_cols]
            if len(aligned) == k:
                return aligned
        while len(vals) > k and not vals[0].text.strip():
            vals.pop(0)
        while len(vals) > k and not vals[-1].text.strip():
            vals.pop()
        if len(vals) == k:
            return vals
        printed = " | ".join(v.text for v in values)
        self.m.warnings.append(f"{what}: expected {k} numbers, found {len(vals)} ({printed}); row not read")
        return None

    def _store(self, key: str, cell: Cell, *, money: bool = False, unit: str | None = None) -> None:
        reading = read_number(cell.text, money=money, unit=unit)
        if reading is None:
            self.m.warnings.append(f"{key}: {cell.text!r} is not a number; not read")
            return
        value = reading.value
        if not money and isinstance(value, float):
            self.m.warnings.append(f"{key}: count {cell.text!r} is not a whole number")
        if key in self.m.facts:
            if self.m.facts[key] != value:
                self.m.warnings.append(
                    f"{key} printed twice ({self.m.facts[key]} and {value}); kept the first")
            return
        self.m.facts[key] = value
        if reading.blank:
            self.m.blank_keys.add(key)
        assert self.table is not None
        self.m.where[key] = where_of(cell, self.table)

    def _application(self, row: str, values: list[Cell]) -> None:
        if row in OTHER_SUBROWS:
            self.m.subrows_seen = True
            self.group = "其他处理"
        if row == "other":
            self.m.other_printed = True
        heads = self.apps_heads
        if self.total_decided is None and "自然人" in heads and len(heads) >= 4:
            # the first full applicant header decides whether the table has a 总计 column
            self.total_decided = self.m.applicant_total_column = "总计" in heads
        cols = APPLICATION_COLUMNS if self.m.applicant_total_column else APPLICATION_COLUMNS[:-1]
        centres = [self.apps_x[c] for c in cols if c in self.apps_x]
        picked = self._pick(values, len(cols), f"applications.{row}", centres if len(centres) == len(cols) else None)
        if picked is None:
            return
        for col, cell in zip(cols, picked, strict=True):
            self._store(f"applications.{row}.{col}", cell)

    def _art20(self, row: str, values: list[Cell]) -> None:
        columns = self.art20_columns
        count = len(columns) if columns else None
        if count is None:
            lengths = {len(c) for lay in ART20_LAYOUT.values() for r, c in lay.items() if r == row}
            filled = [v for v in values if v.text.strip()]
            count = len(filled) if len(filled) in lengths else max(lengths) if lengths else len(values)
        xs = self.column_x.get(ART20) or []
        picked = self._pick(values, count, row, xs if columns and len(xs) == count else None)  # type: ignore[arg-type]
        if picked is None:
            return
        self.m.art20_rows.append(Art20Row(row, list(columns) if columns else None,
                                          list(self.art20_units) if columns else [None] * count, picked))

    def _review(self, values: list[Cell]) -> None:
        picked = self._pick(values, len(REVIEW_KEYS), "review and litigation", self.review_x)
        if picked is None:
            return
        for key, cell in zip(REVIEW_KEYS, picked, strict=True):
            self._store(key, cell)

    # -------------------------------------------------------------- after the stream
    def finish(self, layout: str) -> None:
        """Store section 二 for the chosen layout, then derive what the report leaves out."""
        defaults = ART20_LAYOUT[layout]
        for row in self.m.art20_rows:
            if row.key not in defaults:
                self.m.warnings.append(f"{row.key}: row not in the {layout} layout; ignored")
                continue
            if row.columns is not None:
                names = [ART20_COLUMNS.get(label, "") for label in row.columns]
            else:
                names = list(defaults[row.key]) if len(defaults[row.key]) == len(row.values) else []
            if not names:
                self.m.warnings.append(f"{row.key}: columns could not be identified; row not read")
                continue
            for name, unit, cell in zip(names, row.units, row.values, strict=False):
                if name in defaults[row.key]:
                    self._store(f"{row.key}.{name}", cell, money=name == "amount_wan", unit=unit)
        if not self.m.applicant_total_column:
            for row in APPLICATION_ROWS:
                parts = [self.m.facts.get(f"applications.{row}.{c}") for c in APPLICATION_COLUMNS[:-1]]
                if all(p is not None for p in parts):
                    self._derive(f"applications.{row}.total", sum(parts))  # type: ignore[arg-type]
        other = [f"applications.other.{c}" for c in APPLICATION_COLUMNS]
        if self.m.subrows_seen and self.m.other_printed and all(k in self.m.blank_keys for k in other if k in self.m.facts):
            # a (六) group row with empty cells above its three sub-rows prints no numbers of its own
            for k in other:
                self.m.facts.pop(k, None)
                self.m.where.pop(k, None)
            self.m.other_printed = False
        if layout == "2021" and self.m.subrows_seen and not self.m.other_printed:
            for col in APPLICATION_COLUMNS:
                parts = [self.m.facts.get(f"applications.{sub}.{col}") for sub in OTHER_SUBROWS]
                if all(p is not None for p in parts):
                    self._derive(f"applications.other.{col}", sum(parts))  # type: ignore[arg-type]

    def _derive(self, key: str, value: int | float) -> None:
        if key not in self.m.facts:
            self.m.facts[key] = value
            self.m.derived.append(key)


def map_tables(doc: Document) -> Mapper:
    mapper = Mapper()
    mapper.run(doc)
    return mapper
