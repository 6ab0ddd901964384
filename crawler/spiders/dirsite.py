"""Query-string 政务公开 platforms in the Zhengzhou style (``public.<city>.gov.cn``, portals.md §4c).

Everything hangs off ``/``: the directory lists departments (``?a=dir&d={dept}``, and on a city
platform the counties' platforms on other hosts, which are portals of their own); a department
page lists its categories, of which 政府信息公开年报 is ``?a=info&k=nb&…&d={dept}`` (or a
category code such as ``?a=dir&h=1&p=D42Y``); a list has rows ``.page-list a`` or
``ul.common-list > a`` linking ``/D…/{id}.jhtml`` and a pager ``.page-tile`` whose 尾页 link
names the last ``&page=N``. Attachments are ``/attachment/<中文名>.pdf``: the raw Chinese name is
sent percent-encoded in UTF-8.
"""
from __future__ import annotations

import re
import urllib.parse
from collections.abc import Iterator
from typing import Any

from scrapy.http import TextResponse

from crawler import listing
from crawler.items import META, Lead
from crawler.spiders.base import PortalSpider

ROW_SELECTORS = (".page-list a", "ul.common-list > a", "ul.common-list li a")
_DETAIL = re.compile(r"\.jhtml$")
_PAGE = re.compile(r"[?&]page=(\d+)")


def recognizes(response: TextResponse) -> bool:
    return bool(response.css(".page-tile, ul.dept-list, div.dir-tree")) or "a=dir" in response.text


def read(spider: PortalSpider, response: TextResponse) -> Iterator[Any]:
    lead: Lead = response.meta[META]
    for a in response.css("ul.dept-list a[href], div.dir-tree a[href]"):
        href, text = a.attrib["href"], listing.clean(" ".join(a.css("::text").getall()))
        query = urllib.parse.parse_qs(urllib.parse.urlsplit(href).query)
        is_dept = query.get("a") == ["dir"] and "d" in query
        is_reports = query.get("k") == ["nb"] or any(t in text for t in ("年报", "年度报告"))
        if is_dept or is_reports:
            request = spider.sub_list(response, href)
            if request is not None:
                yield request
    rows = []
    for selector in ([spider.portal.options.list_selector] if spider.portal.options.list_selector else []):
        rows = spider.rows_from(response, selector)
    if not rows:
        for selector in ROW_SELECTORS:
            rows = [r for r in spider.rows_from(response, selector)
                    if _DETAIL.search(urllib.parse.urlsplit(r.url).path) or listing.is_document_link(r.url)]
            if rows:
                break
    yield from spider.follow_rows(response, rows)
    if lead.page == 1:
        pages = [int(m.group(1)) for href in response.css(".page-tile a::attr(href)").getall()
                 if (m := _PAGE.search(href))]
        template = next((h for h in response.css(".page-tile a::attr(href)").getall() if _PAGE.search(h)), None)
        for page in range(2, max(pages, default=1) + 1):
            if template is None:
                break
            url = _PAGE.sub(lambda m, n=page: m.group(0)[0] + f"page={n}", template)
            request = spider.next_page(response, url, page)
            if request is not None:
                yield request


class DirSpider(PortalSpider):
    name = "dir"
    platform = "dir"

    read_page = read
