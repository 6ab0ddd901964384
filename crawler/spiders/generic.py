"""Any portal: find the annual-report column from the home page, then read it.

For portals whose platform is unknown or whose column moved, the start URL is the home page (or
any page above the column). On each page the spider

1. recognises a known platform by its fingerprints (jpage datastore, gkmlpt ``_CONFIG``,
   ``Ls.pagination``, the ``?a=dir`` pager, ``createPageHTML``) and reads the page as that
   family's spider would;
2. otherwise takes as rows the links whose text reads as an annual report (or matches the
   portal's ``detail_url_regex``), and follows pagination links (下一页, ``index_N.html``,
   ``page=N``);
3. within two hops of the start, follows links whose text names the column (the portal's
   ``link_text``: 政府信息公开年报, 年度报告, 年报 …) or leads towards it (政务公开, 信息公开),
   and from the start page the entries of a platform known by its URL (a gkmlpt portal links
   each publisher's ``/gkmlpt/index`` by the publisher's name, not by a column name).

Rows that do not read as reports are not followed here: a generic column may mix everything.
"""
from __future__ import annotations

import re
import urllib.parse
from collections.abc import Iterator
from typing import Any

from scrapy.http import Response, TextResponse

from crawler import listing
from crawler.items import META, Lead
from crawler.spiders import county, dirsite, gkmlpt, hanweb, trs
from crawler.spiders.base import PortalSpider, Row

TOWARDS = ("政务公开", "信息公开", "政府信息公开", "公开目录", "信息公开目录", "法定主动公开内容")
NEXT = ("下一页", "下页", "后页", "next", "Next", "›", "»")
ENTRIES = re.compile(r"/gkmlpt/index(?:\.html?)?$")  # a platform's entry, whatever the link says
_PAGED = re.compile(r"(?:index|list)_\d+\.s?html?$|[?&](?:page|pageIndex|pageNo|cur_page)=\d+")
MAX_HOPS = 2


class GenericSpider(PortalSpider):
    name = "generic"
    platform = "generic"

    def read_list(self, response: Response) -> Iterator[Any]:
        if "/gkmlpt/api/all/" in response.url:
            return self.read_api(response)
        return super().read_list(response)

    def read_page(self, response: TextResponse) -> Iterator[Any]:
        for family in (gkmlpt, hanweb, county, dirsite):
            if family.recognizes(response):
                self.crawler.stats.inc_value(f"nianbao/generic/recognised/{family.__name__.rsplit('.', 1)[1]}")
                if family is gkmlpt:
                    yield from gkmlpt.GkmlptSpider.read_page(self, response)  # type: ignore[arg-type]
                else:
                    yield from family.read(self, response)
                yield from self.discover(response)
                return
        if "createPageHTML" in response.text:
            yield from trs.read(self, response)
        else:
            yield from self.follow_rows(response, self.report_rows(response))
            yield from self.pages(response)
        yield from self.discover(response)

    def read_api(self, response: Response) -> Iterator[Any]:  # gkmlpt API answers
        yield from gkmlpt.GkmlptSpider.read_api(self, response)  # type: ignore[arg-type]

    def report_rows(self, response: TextResponse) -> list[Row]:
        pattern = re.compile(self.portal.options.detail_url_regex) if self.portal.options.detail_url_regex else None
        selector = self.portal.options.list_selector or "a[href]"
        rows = []
        for row in self.rows_from(response, selector):
            url = response.urljoin(row.url)
            if pattern is not None and not pattern.search(url):
                continue
            if listing.looks_like_report(row.title) and listing.title_hints(row.title).year:
                rows.append(row)
        return rows

    def pages(self, response: TextResponse) -> Iterator[Any]:
        lead: Lead = response.meta[META]
        for a in response.css("a[href]"):
            text = listing.clean(" ".join(a.css("::text").getall()))
            href = a.attrib["href"]
            if text in NEXT or (text.isdigit() and _PAGED.search(href)):
                request = self.next_page(response, href, lead.page + 1)
                if request is not None:
                    yield request

    def discover(self, response: TextResponse) -> Iterator[Any]:
        """Links towards the annual-report column, within MAX_HOPS of the start page."""
        lead: Lead = response.meta[META]
        hops = len(lead.via)
        if hops >= MAX_HOPS or lead.page > 1:
            return
        names = self.portal.options.link_text
        for a in response.css("a[href]"):
            text = listing.clean(" ".join(a.css("::text").getall())) or listing.clean(a.attrib.get("title"))
            href = a.attrib["href"]
            if not text or href.startswith(("javascript:", "#", "mailto:")):
                continue
            column = any(n in text for n in names) and not listing.title_hints(text).year
            target = response.urljoin(href)
            if column or (hops == 0 and (text in TOWARDS or ENTRIES.search(urllib.parse.urlsplit(target).path))):
                if urllib.parse.urlsplit(target).path.endswith(tuple(f".{e}" for e in listing.DOCUMENT_EXTENSIONS)):
                    continue
                request = self.sub_list(response, href)
                if request is not None:
                    self.crawler.stats.inc_value("nianbao/generic/column_links")
                    yield request
