"""County 信息公开 platforms with unit directories and report tabs (Anhui ``public/column`` style,
portals.md §4a).

The annual-report page ``/public/column/{site}?type=4&action=ndbg`` has tabs 本级 / 部门 /
乡镇（街道）, all in the HTML: each lists its units (links to their annual-report columns) and
a 年报汇总 table linking every unit's report per year — the same detail pages as the columns,
so the table's links are only followed once the columns are done, and then dropped as seen
(a column row carries the real title, 更正版 and all; the table only says 查看). A unit column
``…?type=4&action=list&nav=3&catId={cat}`` is page 1; ``Ls.pagination(…, function(pageIndex){
location.href='/content/column/{cat}?pageIndex='+pageIndex }, {pageCount: N})`` names the rest.
Rows are ``ul.doc_list > li > a[title]`` with ``span.date``; separators ``li.lm_line``. Pages may
be GBK with the charset only in ``<meta>``.
"""
from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from scrapy.http import TextResponse

from crawler import listing
from crawler.items import META, Lead
from crawler.spiders.base import PortalSpider, Row

ROW_SELECTORS = ("ul.doc_list > li > a", "ul.doc-list > li > a", "div.gk-list li > a")
_PAGINATION = re.compile(r"Ls\.pagination\((.*?)\)\s*;", re.S)
_TARGET = re.compile(r"""location\.href\s*=\s*['"]([^'"]+)['"]\s*\+\s*pageIndex""")
_COUNT = re.compile(r"pageCount\s*:\s*(\d+)")
_YEAR = re.compile(r"((?:19|20)\d\d)")


def recognizes(response: TextResponse) -> bool:
    return "Ls.pagination" in response.text or "/public/column/" in response.url or bool(
        response.css("ul.unit-list, table.nbhz"))


def summary_rows(response: TextResponse) -> list[Row]:
    """The 年报汇总 tables: one link per unit and year; the title is made from both."""
    rows = []
    for table in response.css("table.nbhz"):
        years = [(_YEAR.search(t) or [None, None])[1] for t in table.css("thead th::text").getall()]
        for tr in table.css("tbody tr"):
            unit = listing.clean(" ".join(tr.css("td:first-child ::text").getall()))
            for i, td in enumerate(tr.css("td"), 0):
                href = td.css("a::attr(href)").get()
                year = years[i] if i < len(years) else None
                if href:
                    title = f"{unit}{year}年政府信息公开工作年度报告" if unit and year else None
                    rows.append(Row(href, title))
    return rows


def read(spider: PortalSpider, response: TextResponse) -> Iterator[Any]:
    lead: Lead = response.meta[META]
    for href in response.css("ul.unit-list a::attr(href)").getall():
        request = spider.sub_list(response, href)
        if request is not None:
            yield request
    rows: list[Row] = []
    selectors = [spider.portal.options.list_selector] if spider.portal.options.list_selector else []
    for selector in (*selectors, *ROW_SELECTORS):
        rows = spider.rows_from(response, selector)
        if rows:
            break
    yield from spider.follow_rows(response, rows)
    spider.later(spider.follow_rows(response, summary_rows(response)))
    if lead.page == 1 and (m := _PAGINATION.search(response.text)):
        target, count = _TARGET.search(m.group(1)), _COUNT.search(m.group(1))
        if target and count:
            for page in range(2, int(count.group(1)) + 1):
                request = spider.next_page(response, f"{target.group(1)}{page}", page)
                if request is not None:
                    yield request


class CountySpider(PortalSpider):
    name = "county"
    platform = "county"

    read_page = read
