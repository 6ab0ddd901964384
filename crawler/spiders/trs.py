"""TRS WCM (拓尔思) static sites: columns of static pages paginated by ``createPageHTML``.

Research (portals.md §1): a column is a directory of ``index.html``, ``index_1.html`` … (the
classic 0-based dialect ``createPageHTML(count, current, "index", "html")``) or ``index.shtml``,
``index_2.shtml`` … (the 1-based div-id dialect ``createPageHTML('page_div', count, current,
'index', 'shtml', records)``); the pager is only JavaScript writing links, so every page is
requested from the count on the first one. Pagers may claim a page too many: its 404 ends the
column quietly. Rows are ``ul.u-list``/``ul.list-t`` anchors with a date beside or inside
them; some rows link a file (``./YYYYMM/P0….pdf``) instead of a detail page. Detail pages are
``./YYYYMM/tYYYYMMDD_N.html`` with attachments in ``div.attachment``. Year sub-columns (Beijing
district trees ``…/gknb2018/``) are read as columns too.
"""
from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from scrapy.http import TextResponse

from crawler.items import META, Lead
from crawler.spiders.base import PortalSpider, Row

ROW_SELECTORS = ("ul.u-list > li > a", "ul.list-t > li > a", "ul.newsList > li > a", "ul.xxgkList > li > a",
                 "ul.info-list > li > a", "div.list-box li > a", "ul.list > li > a", "div.xxgkzd-box li > a")
_PAGER = re.compile(r"createPageHTML\(\s*([^)]*)\)")
_COUNT_PAGE = re.compile(r"\b(?:countPage|totalPage|pageCount)\s*=\s*(\d+)")
_DETAIL = re.compile(r"(?:^|/)t\d{8}_\d+\.s?html?$|(?:^|/)P0\d{10,}\.\w+$")
_SUBCOLUMN = re.compile(r"/$|/index(?:_\d+)?\.s?html?$")


def pager_urls(script: str) -> list[tuple[int, str]] | None:
    """(page number, relative URL) of the column's other pages from a ``createPageHTML`` call
    seen on its first page; None when there is no such call."""
    m = _PAGER.search(script)
    if not m:
        return None
    args = [a.strip().strip("'\"") for a in m.group(1).split(",")]
    if args and args[0] and not args[0].lstrip("-").isdigit():  # div-id dialect: 1-based
        count, name, ext, first = _int(args, 1), _arg(args, 3, "index"), _arg(args, 4, "html"), 1
    else:
        count, name, ext, first = _int(args, 0), _arg(args, 2, "index"), _arg(args, 3, "html"), 0
    last = first + count - 1
    return [(k - first + 1, f"{name}_{k}.{ext}") for k in range(first + 1, last + 1)]


def _int(args: list[str], i: int) -> int:
    try:
        return int(args[i])
    except (IndexError, ValueError):
        return 1


def _arg(args: list[str], i: int, default: str) -> str:
    return args[i] if len(args) > i and args[i] else default


def recognizes(response: TextResponse) -> bool:
    return "createPageHTML" in response.text or bool(response.css(",".join(ROW_SELECTORS[:2])))


def read(spider: PortalSpider, response: TextResponse) -> Iterator[Any]:
    lead: Lead = response.meta[META]
    rows: list[Row] = []
    selectors = [spider.portal.options.list_selector] if spider.portal.options.list_selector else []
    for selector in (*selectors, *ROW_SELECTORS):
        rows = spider.rows_from(response, selector)
        if rows:
            break
    if not rows:  # an unknown template: the anchors that look like TRS articles or files
        rows = [r for r in spider.rows_from(response, "a[href]") if _DETAIL.search(r.url.split("?")[0])]
    columns = [r for r in rows if _SUBCOLUMN.search(r.url.split("?")[0]) and not _DETAIL.search(r.url)]
    for row in columns:  # a tree of year columns
        request = spider.sub_list(response, row.url)
        if request is not None:
            yield request
    yield from spider.follow_rows(response, [r for r in rows if r not in columns])
    if lead.page == 1:
        pages = pager_urls(response.text)
        if pages is None and (m := _COUNT_PAGE.search(response.text)):
            base = response.url.rsplit("/", 1)[1] or "index.html"
            stem, _, ext = base.partition(".")
            pages = [(k + 1, f"{stem}_{k}.{ext or 'html'}") for k in range(1, int(m.group(1)))]
        for number, url in pages or []:
            request = spider.next_page(response, url, number)
            if request is not None:
                yield request


class TrsSpider(PortalSpider):
    name = "trs"
    platform = "trs"

    read_page = read
