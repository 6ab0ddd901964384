"""How one report is printed: every perturbation the renderers know, as one frozen record.

``Style()`` is the plain, canonical report. ``Style.random(rng)`` picks a realistic mix (what
``make_report(perturb=True)`` does); callers that need one perturbation pass
``perturb={"traditional": True}`` (plain report plus the overrides). None of these choices
changes a fact: they change only how the same numbers are printed.
"""
from __future__ import annotations

import dataclasses
import random
from dataclasses import dataclass
from typing import Any

BLANKS = ("0", "", "nbsp", "o:p", "－", "—", "-", "/", "无")
CHROMES = ("trs", "hanweb", "dir", "county", "generic")
BODIES = ("plain", "ueditor", "word_paste")
FOOTERS = ("none", "dash", "dash_spaced", "page_of", "emdash")
SIGNS = ("ascii", "fullwidth", "plus")
TITLE_VARIANTS = ("{agency}{year}年政府信息公开工作年度报告", "{agency}{year}年度政府信息公开工作年度报告",
                  "{agency}关于{year}年政府信息公开工作年度报告", "{agency}{year}年度政府信息公开工作报告")


@dataclass(frozen=True)
class Style:
    # labels
    brackets: str = "full"           # full （一） | half (一) | mixed （一)
    label_variants: bool = False     # alternative wordings real reports use
    typos: bool = False              # one-character slips (其它, 申清, …)
    traditional: bool = False        # table labels and headers in traditional characters
    spaced_labels: bool = False      # stray spaces inside labels ("自然 人"), as PDF extractions have
    # cells
    blank: str = "0"                 # how a zero is printed: one of BLANKS
    blank_rate: float = 1.0          # share of zero cells printed that way (the rest print 0)
    money_yuan: bool = False         # money columns in 元 instead of 万元
    money_decimals: int | None = None  # None: as the value needs; 4: "7.9700"
    unit_suffix: bool = False        # "2个" / "7.97万元" in cells
    sign: str = "ascii"              # signed changes: -3 | －3 | +2 and -3
    # tables
    art20_split: bool = False        # one table per 第二十条 item instead of one table for all
    label_cols: int = 3              # 表三 label columns: 3 (group|sub|item) or 2 (group|item)
    rowspan_groups: bool = True      # row-group labels as merged cells (else repeated blank cells)
    header_rows: int = 3             # 表三 header rows: 3 (申请人情况 above) or 2 (without that row)
    wrap_labels: bool = False        # narrow label columns: long labels wrap onto several lines
    vertical_group: bool = False     # 三、本年度办理结果 written top to bottom in a narrow cell
    # document
    title_split: bool = False        # agency on one title line, "2021年…年度报告" on the next
    heading_numbers: bool = True     # "三、收到和处理…" (False: heading without its number)
    inconsistent: tuple[str, ...] = ()  # checks the printed numbers deliberately fail
    # html
    chrome: str = "trs"              # portal family around the report (html)
    body: str = "plain"              # editor markup of the report body (html, html_body)
    split_numbers: bool = False      # numbers split across <span>s
    related_links: bool = False      # a 相关文章 list with other years' reports beside the report
    # text
    text_mode: str = "tabs"          # tabs: a row per line; lines: a cell per line
    # pdf / docx
    footer: str = "dash"             # page numbers: one of FOOTERS
    repeat_header: bool = True       # table header rows repeated after a page break
    font: str = "仿宋_GB2312"
    # added later (drawn after the fields above, so their random values did not move)
    thousands: bool = False          # 1,234 (counts and money of four digits or more)
    fullwidth_digits: bool = False   # ０１２ typed with a full-width input method
    split_table: bool = False        # 表三 split into two tables mid-way (the group label repeated)
    table_note: bool = False         # a 注： row under 表二 and 表三, dates and numbers in it
    date_style: str = "arabic"       # signature date: arabic 2022年1月20日 | chinese 二〇二二年一月二十日
    title_variant: int = 0           # 0 …年政府信息公开工作年度报告; see TITLE_VARIANTS
    title_spaces: bool = False       # "XX局 2021 年政府信息公开…" as PDF extractions print it
    split_rows: bool = False         # table rows may break across pages (PDF)
    rotate_group: bool = False       # 三、本年度办理结果 rotated 90° in its cell (DOCX/PDF, HTML)
    layout_tables: bool = False      # old portals: the page laid out with nested <table>s (html)
    charset: str = "utf-8"           # html page encoding: utf-8 | gbk (older county platforms)
    extra_table: bool = False        # a 主动公开信息统计 table of other numbers in 一、总体情况
    header_th: bool = False          # header cells as <th> (html, html_body)
    landscape_tables: bool = False   # 表三 and 表四 on landscape pages of their own (DOCX/PDF)
    running_header: bool = False     # the title repeated at the top of every page (DOCX/PDF)
    pdf_engine: str = "libreoffice"  # pdf: libreoffice (from the DOCX) | chromium | chromium_type3 (printed from the HTML)

    def replace(self, **changes: Any) -> Style:
        return dataclasses.replace(self, **changes)

    @classmethod
    def random(cls, rng: random.Random) -> Style:
        """A realistic mix: most reports carry a few perturbations, some none at all."""
        def p(x: float) -> bool:
            return rng.random() < x

        return cls(
            brackets=rng.choice(("full", "full", "half", "mixed")),
            label_variants=p(0.4),
            typos=p(0.15),
            traditional=p(0.05),
            spaced_labels=p(0.1),
            blank=rng.choice(("0", "0", "0", "", "nbsp", "o:p", "－", "—", "-", "/", "无")),
            blank_rate=rng.choice((1.0, 1.0, 0.5)),
            money_yuan=p(0.25),
            money_decimals=rng.choice((None, None, 2, 4)),
            unit_suffix=p(0.1),
            sign=rng.choice(SIGNS),
            art20_split=p(0.3),
            label_cols=rng.choice((3, 3, 2)),
            rowspan_groups=p(0.85),
            header_rows=rng.choice((3, 3, 2)),
            wrap_labels=p(0.4),
            vertical_group=p(0.3),
            title_split=p(0.25),
            heading_numbers=p(0.85),
            chrome=rng.choice(CHROMES),
            body=rng.choice(BODIES),
            split_numbers=p(0.3),
            related_links=p(0.4),
            text_mode=rng.choice(("tabs", "lines")),
            footer=rng.choice(FOOTERS),
            repeat_header=p(0.7),
            font=rng.choice(("仿宋_GB2312", "宋体", "仿宋")),
            thousands=p(0.1),
            fullwidth_digits=p(0.03),
            split_table=p(0.15),
            table_note=p(0.15),
            date_style=rng.choice(("arabic", "arabic", "arabic", "chinese")),
            title_variant=rng.choice((0, 0, 0, 0, 0, 1, 2, 3)),
            title_spaces=p(0.1),
            split_rows=p(0.3),
            rotate_group=p(0.1),
            layout_tables=p(0.2),
            charset=rng.choice(("utf-8", "utf-8", "utf-8", "gbk")),
            extra_table=p(0.2),
            header_th=p(0.2),
            landscape_tables=p(0.15),
            running_header=p(0.1),
            pdf_engine=rng.choice(("libreoffice", "libreoffice", "libreoffice", "libreoffice", "libreoffice",
                                   "chromium", "chromium_type3")),
        )

    @classmethod
    def of(cls, perturb: bool | dict[str, Any] | Style, rng: random.Random) -> Style:
        if isinstance(perturb, Style):
            return perturb
        if isinstance(perturb, dict):
            unknown = set(perturb) - {f.name for f in dataclasses.fields(cls)}
            if unknown:
                raise TypeError(f"unknown perturbation(s): {', '.join(sorted(unknown))}")
            return cls(**perturb)
        return cls.random(rng) if perturb else cls()
