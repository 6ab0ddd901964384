"""Hanweb 大汉 JCMS columns with the jpage list component (research: portals.md §2).

A column page ``/col/col{id}/index.html`` carries its first group of rows inline, as XML in a
``<script type="text/xml"><datastore>`` with one CDATA ``<li>`` per record — often twice (a
PC and a mobile unit with the same rows, deduplicated here). ``jpage({totalRecord, perPage,
groupSize, proxyUrl, …})`` and ``var param_{unit} = {…}`` say how to get the rest: a POST to
``dataproxy.jsp?startrecord=S&endrecord=E&perpage=P`` with the ``param`` fields as the form,
a Referer on the site and ``X-Requested-With``, answering the same XML for records S…E.
Row anchors cut long titles with "..."; the full title is in ``title=``. Attachments are
``/module/download/downfile.jsp?…&filename=<hex>.pdf`` links that redirect to the file.
"""
from __future__ import annotations

import math
import re
from collections.abc import Iterator
from typing import Any

from scrapy import FormRequest
from scrapy.http import TextResponse
from scrapy.selector import Selector

from crawler import listing
from crawler.items import META, Lead
from crawler.spiders.base import PRIORITY, PortalSpider, Row

_RECORD = re.compile(r"<record>\s*<!\[CDATA\[(.*?)\]\]>\s*</record>", re.S)
_JPAGE = re.compile(r"\.jpage\(\s*\{(.*?)\}\s*\)", re.S)
_PARAM = re.compile(r"var\s+param_(\w+)\s*=\s*\{(.*?)\}", re.S)
_PAIR = re.compile(r"(\w+)\s*:\s*(?:'([^']*)'|\"([^\"]*)\"|([^,}\s]+))")
_DEFAULT_PROXY = "/module/web/jpage/dataproxy.jsp"


def js_object(body: str) -> dict[str, str]:
    """The literal fields of a JavaScript object body (``a:1,b:'x'`` → {"a": "1", "b": "x"})."""
    return {m.group(1): next(g for g in m.groups()[1:] if g is not None) for m in _PAIR.finditer(body)}


def records(text: str) -> list[Row]:
    """Rows of a jpage datastore (inline or a dataproxy answer), first occurrence of each link."""
    rows: dict[str, Row] = {}
    for fragment in _RECORD.findall(text):
        sel = Selector(text=fragment)
        a = sel.css("a[href]")
        if not a:
            continue
        href = a[0].attrib["href"]
        title = listing.clean(a[0].attrib.get("title")) or listing.clean(" ".join(a[0].css("::text").getall()))
        rows.setdefault(href, Row(href, title, listing.parse_date(" ".join(sel.css("::text").getall()))))
    return list(rows.values())


def recognizes(response: TextResponse) -> bool:
    return "<datastore>" in response.text and "<record>" in response.text


def read(spider: PortalSpider, response: TextResponse) -> Iterator[Any]:
    lead: Lead = response.meta[META]
    text = response.text
    rows = records(text)
    if not rows and spider.portal.options.list_selector:
        rows = spider.rows_from(response, spider.portal.options.list_selector)
    yield from spider.follow_rows(response, rows)
    if lead.page != 1 or "dataproxy" in response.url:
        return
    config = _JPAGE.search(text)
    params = _PARAM.search(text)
    if not config or not params:
        return
    jpage, form = js_object(config.group(1)), js_object(params.group(2))
    try:
        total, per = int(jpage.get("totalRecord", "0")), max(1, int(jpage.get("perPage", "15")))
        group = max(1, int(jpage.get("groupSize", "3")))
    except ValueError:
        return
    proxy = response.urljoin(jpage.get("proxyUrl") or _DEFAULT_PROXY)
    span = per * group
    for g in range(1, math.ceil(total / span)):
        start, end = g * span + 1, (g + 1) * span
        url = f"{proxy}?startrecord={start}&endrecord={end}&perpage={per}"
        if g + 1 > spider.max_pages:
            spider.crawler.stats.inc_value("nianbao/list/page_limit")
            break
        yield FormRequest(url, formdata=form, callback=spider.parse_list, errback=spider.errback,
                          headers={"Referer": response.url, "X-Requested-With": "XMLHttpRequest"},
                          meta={META: lead.child("list", url, page=g + 1)}, priority=PRIORITY["list"])


class HanwebSpider(PortalSpider):
    name = "hanweb"
    platform = "hanweb"

    read_page = read
