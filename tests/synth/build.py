"""Lay out a Report as a printed document: the six sections and the three tables.

The table shapes follow the official templates (国办公开办函〔2019〕60号 and 〔2021〕30号) as
real portals publish them (tests/fixtures/seeds, tests/fixtures/realdata): 表三 with its
three-row header, the 三、本年度办理结果 group label merged down the whole outcome block,
(三) 不予公开 merged over its eight rows, and the perturbations of ``Style``.
"""
from __future__ import annotations

import copy
import functools
import random
from decimal import Decimal

from tests.synth import labels
from tests.synth.doc import Cell, Doc, PageSetup, Para, Table
from tests.synth.report import Report
from tests.synth.schema import APP_COLUMNS, G3, REVIEW_GROUPS, REVIEW_HEADERS, app_rows, art20_tables
from tests.synth.style import Style

NUMERALS = "一二三四五六七八九十"
FULLWIDTH = str.maketrans("0123456789.,", "０１２３４５６７８９．，")


def chinese_number(n: int, digits: bool = False) -> str:
    """2022 → 二〇二二 (digits), 20 → 二十, 31 → 三十一: how official documents date themselves."""
    zero_to_nine = "〇一二三四五六七八九"
    if digits:
        return "".join(zero_to_nine[int(d)] for d in str(n))
    tens, ones = divmod(n, 10)
    return (("" if tens == 1 else zero_to_nine[tens]) + "十" if tens else "") + (zero_to_nine[ones] if ones else "")
HEADINGS = ("总体情况", "主动公开政府信息情况", "收到和处理政府信息公开申请情况",
            "政府信息公开行政复议、行政诉讼情况", "存在的主要问题及改进情况", "其他需要报告的事项")
KEY_NOTE = "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）"


class Printer:
    """Prints numbers and labels under one style, with one random stream for per-cell choices."""

    def __init__(self, style: Style, rng: random.Random) -> None:
        self.style, self.rng = style, rng

    def label(self, text: str) -> str:
        return labels.printed(text, self.style, self.rng) if text else text

    def _blank(self, key: str) -> Cell | None:
        st = self.style
        if st.blank == "0" or self.rng.random() >= st.blank_rate:
            return None
        if st.blank in ("", "nbsp", "o:p"):
            return Cell("", blank=st.blank, key=key)
        return Cell(st.blank, key=key)

    def digits(self, text: str) -> str:
        """1234 → 1,234 and/or full-width digits, as the style asks."""
        st = self.style
        if st.thousands:
            whole, dot, frac = text.partition(".")
            sign = whole[:1] if whole[:1] in "+-" else ""
            whole = whole[len(sign):]
            if len(whole) > 3:
                whole = f"{int(whole):,}"
            text = sign + whole + dot + frac
        if st.fullwidth_digits:
            text = text.translate(FULLWIDTH)
        return text

    def count(self, value: int | float, key: str, unit: str = "") -> Cell:
        if value == 0 and (cell := self._blank(key)):
            return cell
        text = self.digits(str(int(value)))
        if key.endswith(".change"):
            if value < 0 and self.style.sign == "fullwidth":
                text = "－" + self.digits(str(-int(value)))
            elif value > 0 and self.style.sign == "plus":
                text = "+" + text
        elif self.style.unit_suffix and unit:
            text += unit
        return Cell(text, key=key)

    def money(self, value: int | float, key: str) -> Cell:
        if value == 0 and (cell := self._blank(key)):
            return cell
        st = self.style
        amount = Decimal(str(value)) * (10000 if st.money_yuan else 1)
        needed = max(0, -amount.normalize().as_tuple().exponent)  # never print fewer decimals than it has
        places = needed if st.money_yuan and st.money_decimals != 2 else max(needed, st.money_decimals or 0)
        text = self.digits(f"{amount:.{places}f}")
        if st.unit_suffix:
            text += "元" if st.money_yuan else "万元"
        return Cell(text, key=key)

    def money_header(self, canonical: str) -> str:
        if not self.style.money_yuan:
            return self.label(canonical)
        head = canonical.split("（")[0]
        return self.label(head + self.rng.choice(("（单位：元）", "（元）")))

    def date(self, day) -> str:
        if self.style.date_style == "chinese":
            return f"{chinese_number(day.year, digits=True)}年{chinese_number(day.month)}月{chinese_number(day.day)}日"
        if self.rng.random() < 0.3:
            return f"{day.year}年{day.month:02d}月{day.day:02d}日"
        return f"{day.year}年{day.month}月{day.day}日"


def heading(n: int, style: Style) -> Para:
    text = HEADINGS[n - 1]
    return Para(f"{NUMERALS[n - 1]}、{text}" if style.heading_numbers else text, "heading")


# ------------------------------------------------------------------ section 二
def _art20_item(p: Printer, report: Report, cols: tuple[tuple[str, str], ...], rows, width: int) -> list[list[Cell]]:
    """Header and data rows of one 第二十条 item, padded or spanned to ``width`` columns."""
    heads = [Cell(p.money_header(h) if c == "amount_wan" else p.label(h), role="head") for c, h in cols]
    out = [[Cell(p.label("信息内容"), role="head"), *_fit(heads, width - 1, p.rng)]]
    for row, label in rows:
        cells = []
        for col, _ in cols:
            key = f"{row}.{col}"
            if col == "amount_wan":
                cells.append(p.money(report.facts[key], key))
            else:
                unit = "个" if col in ("previous", "projects") else "件"
                cells.append(p.count(report.facts[key], key, unit))
        out.append([Cell(p.label(label), role="label"), *_fit(cells, width - 1, p.rng)])
    return out


def _fit(cells: list[Cell], width: int, rng: random.Random) -> list[Cell]:
    """Fill ``width`` columns: the last cell spans the rest, or empty cells pad them."""
    missing = width - len(cells)
    if missing <= 0:
        return cells
    if rng.random() < 0.5:
        cells[-1].colspan += missing
        return cells
    return cells + [Cell("", role="pad") for _ in range(missing)]


def art20(p: Printer, report: Report) -> list[Para | Table]:
    items = art20_tables(report.layout)
    if p.style.art20_split:
        blocks: list[Para | Table] = []
        for heading_text, rows, cols in items:
            n = 1 + len(cols)
            blocks.append(Para(p.label(heading_text), "caption"))
            blocks.append(Table(f"art20.{heading_text}", _art20_item(p, report, cols, rows, n),
                                header_rows=1, widths=[0.3] + [0.7 / len(cols)] * len(cols)))
        return blocks
    table_rows: list[list[Cell]] = []
    for heading_text, rows, cols in items:
        table_rows.append([Cell(p.label(heading_text), colspan=4, role="section")])
        table_rows += _art20_item(p, report, cols, rows, 4)
    if p.style.table_note:
        table_rows.append([note_cell(report.year, 4)])
    return [Table("art20", table_rows, header_rows=0, widths=[0.31, 0.23, 0.23, 0.23])]


# ------------------------------------------------------------------ section 三
def applications(p: Printer, report: Report) -> list[Table]:
    st = p.style
    L = st.label_cols
    item_w = 0.17 if st.wrap_labels else 0.26
    label_widths = ([0.035 if st.vertical_group else 0.07, 0.08, item_w] if L == 3 else [0.09, item_w + 0.04])
    num_w = (1 - sum(label_widths)) / 7
    widths = label_widths + [num_w] * 7
    note = p.label(KEY_NOTE)
    names = [p.label(x) for x in ("商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他")]
    five = [Cell(x, role="head") for x in names]
    if st.header_rows == 3:
        header = [[Cell(note, colspan=L, rowspan=3, role="head"), Cell(p.label("申请人情况"), colspan=7, role="head")],
                  [Cell(p.label("自然人"), rowspan=2, role="head"), Cell(p.label("法人或其他组织"), colspan=5, role="head"),
                   Cell(p.label("总计"), rowspan=2, role="head")],
                  five]
    else:
        header = [[Cell(note, colspan=L, rowspan=2, role="head"), Cell(p.label("自然人"), rowspan=2, role="head"),
                   Cell(p.label("法人或其他组织"), colspan=5, role="head"), Cell(p.label("总计"), rowspan=2, role="head")],
                  five]
    rows = app_rows(report.layout, report.hybrid)
    split_at = len(rows)
    if st.split_table:  # the author split the table at a sub-group, as in seed 000
        starts = [i for i, r in enumerate(rows) if r[3] and (i == 0 or rows[i - 1][3] != r[3])]
        split_at = p.rng.choice(starts)
    parts = [rows[:split_at], rows[split_at:]] if split_at < len(rows) else [rows]

    def nums(key: str) -> list[Cell]:
        return [p.count(report.facts[f"applications.{key}.{c}"], f"applications.{key}.{c}") for c in APP_COLUMNS]

    def merged(text: str, n: int, first: bool, vertical: bool = False) -> list[Cell]:
        """A row-group label over n rows: one merged cell, or its text then blank cells."""
        rotated = vertical and st.rotate_group
        if st.rowspan_groups:
            return [Cell(text, rowspan=n, role="group", vertical=vertical, rotated=rotated)] if first else []
        return [Cell(text if first else "", role="group", vertical=vertical, rotated=rotated)]

    tables = []
    for n, part in enumerate(parts):
        body: list[list[Cell]] = []
        seen: set[str | None] = set()
        in_group = [r for r in part if r[2] == G3]
        for key, label, group, sub in part:
            text = p.label(label)
            cells: list[Cell] = []
            if group is None:
                cells.append(Cell(text, colspan=L, role="label"))
            else:
                if L == 3:
                    cells += merged(p.label(G3), len(in_group), group not in seen, st.vertical_group or st.rotate_group)
                elif group not in seen and n == 0:
                    if p.rng.random() < 0.5:
                        body.append([Cell(p.label(G3), colspan=L + 7, role="label")])
                    else:
                        body.append([Cell(p.label(G3), colspan=L, role="label")] + [Cell("", role="pad") for _ in range(7)])
                seen.add(group)
                if sub is None:
                    cells.append(Cell(text, colspan=2, role="label"))  # over the sub-group and item columns
                else:
                    cells += merged(p.label(sub), sum(1 for r in part if r[3] == sub), sub not in seen)
                    seen.add(sub)
                    cells.append(Cell(text, role="label"))
            body.append(cells + nums(key))
        head = header if n == 0 else (copy.deepcopy(header) if p.rng.random() < 0.5 else [])
        if st.table_note and n == len(parts) - 1:
            body.append([note_cell(report.year, L + 7)])
        tables.append(Table("applications", head + body, header_rows=len(head), widths=widths))
    return tables


def note_cell(year: int, width: int) -> Cell:
    return Cell(f"注：本表统计期限为{year}年1月1日至{year}年12月31日，“总计”栏为各类申请人之和。",
                colspan=width, role="note")


# ------------------------------------------------------------------ section 四
def review(p: Printer, report: Report) -> Table:
    heads = [p.label(h) for h in REVIEW_HEADERS]
    rows = [
        [Cell(p.label("行政复议"), colspan=5, role="head"), Cell(p.label("行政诉讼"), colspan=10, role="head")],
        [*(Cell(h, rowspan=2, role="head") for h in heads),
         Cell(p.label("未经复议直接起诉"), colspan=5, role="head"), Cell(p.label("复议后起诉"), colspan=5, role="head")],
        [Cell(h, role="head") for h in heads * 2],
        [p.count(report.facts[f"{g}.{c}"], f"{g}.{c}") for g in REVIEW_GROUPS
         for c in ("upheld", "corrected", "other", "pending", "total")],
    ]
    return Table("review", rows, header_rows=3, widths=[1 / 15] * 15)


# ------------------------------------------------------------------ a distractor
def overview_table(p: Printer, report: Report) -> Table:
    """A table many reports add to 一、总体情况: counts that are not facts of the spec."""
    rng = random.Random(f"synth-overview:{report.seed}")
    kinds = ("工作动态", "通知公告", "政策文件", "政策解读", "人事信息", "财政预决算")
    counts = [rng.randint(0, 400) for _ in kinds]
    rows = [[Cell("信息类别", role="head"), Cell("公开数量（条）", role="head"), Cell("占比", role="head")]]
    total = sum(counts) or 1
    for kind, n in zip(kinds, counts, strict=True):
        rows.append([Cell(kind, role="label"), Cell(str(n), role="num"), Cell(f"{100 * n / total:.1f}%", role="num")])
    rows.append([Cell("合计", role="label"), Cell(str(sum(counts)), role="num"), Cell("100%", role="num")])
    return Table("overview", rows, header_rows=1, widths=[0.4, 0.3, 0.3])


# ------------------------------------------------------------------ the document
@functools.lru_cache(maxsize=256)
def _build(report: Report) -> Doc:
    st = report.style
    p = Printer(st, random.Random(f"synth-build:{report.seed}:{report.agency}:{report.year}"))
    title = report.title
    if st.title_spaces:  # "XX局 2021 年…", as a PDF text extraction prints it
        title = title.replace(f"{report.year}年", f" {report.year} 年", 1)
    if st.title_split and title.startswith(report.agency):
        blocks: list[Para | Table] = [Para(report.agency, "title"), Para(title[len(report.agency):].strip(), "title")]
    else:
        blocks = [Para(title, "title")]
    blocks += [Para(t) for t in report.prose["intro"]]
    blocks.append(heading(1, st))
    overview = report.prose["overview"]
    blocks += [Para(t) for t in overview[:2]]
    if st.extra_table:
        blocks.append(overview_table(p, report))
    blocks += [Para(t) for t in overview[2:]]
    blocks.append(heading(2, st))
    blocks += art20(p, report)
    if st.landscape_tables:
        blocks.append(PageSetup(landscape=True))
    blocks.append(heading(3, st))
    for n, table in enumerate(applications(p, report)):
        if n:
            blocks.append(Para("", "body"))  # the blank paragraph between the two halves
        blocks.append(table)
    blocks.append(heading(4, st))
    blocks.append(review(p, report))
    if st.landscape_tables:
        blocks.append(PageSetup(landscape=False))
    blocks.append(heading(5, st))
    blocks += [Para(t) for t in report.prose["problems"]]
    blocks.append(heading(6, st))
    blocks += [Para(t) for t in report.prose["other"]]
    date = p.date(report.publication_date)
    blocks += [Para(report.agency, "signature"), Para(date, "date")]
    return Doc(report.title, blocks, date=report.publication_date.isoformat())


def build(report: Report) -> Doc:
    """The printed document of a report (memoised: renderers of one report share it)."""
    for table in (doc := _build(report)).tables():
        table.grid()  # raises on a malformed table
    return doc
