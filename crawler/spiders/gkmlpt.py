"""Guangdong-style gkmlpt 政府信息公开目录: a single-page app over a JSON API (portals.md §3).

``{prefix}/gkmlpt/index`` (or ``…/annualreport#{cat}``) is a shell with no list in its HTML:
``window._CONFIG = {SID, TREE, DEFAULT_CAT}`` and a script that renders the list from
``{prefix}/gkmlpt/api/all/{cat}?page=N&sid=SID`` (100 rows a page; the UI shows 20). The
annual-report category is the start URL's fragment, else the TREE node named 年报/年度报告.

With ``browser = true`` (instances whose configuration only exists once their JavaScript has
run) the shell is loaded in Chromium and ``window._CONFIG`` read from the live page; otherwise
it is read from the shell's HTML. Either way the list itself then comes from the JSON API over
plain HTTP — one request per 100 rows instead of a browser page per 20 — where rows of
``type: "url"`` are other publishers' posts listed as cross-references, not this publisher's.

Detail pages ``…/gkmlpt/content/{a}/{b}/post_{id}.html`` and their attachments are plain HTTP.
"""
from __future__ import annotations

import json
import math
import re
import urllib.parse
from collections.abc import Iterator
from typing import Any

from scrapy.http import Response, TextResponse
from scrapy_playwright.page import PageMethod

from crawler import listing
from crawler.items import META, Lead
from crawler.spiders.base import PortalSpider, Row

_CONFIG = re.compile(r"window\._CONFIG\s*=\s*(\{.*?\})\s*;?\s*</script>", re.S)
API_PER = 100  # rows per API page (the UI shows 20)


def config(text: str) -> dict[str, Any] | None:
    m = _CONFIG.search(text)
    if not m:
        return None
    try:
        return json.loads(m.group(1))
    except ValueError:
        return None


def prefix_of(url: str) -> str:
    """``/wafgw/gkmlpt/index`` → ``/wafgw`` (the publisher's path prefix; "" for the host's own)."""
    path = urllib.parse.urlsplit(url).path
    return path.split("/gkmlpt/", 1)[0] if "/gkmlpt/" in path else ""


def report_category(cfg: dict[str, Any], fragment: str) -> int | None:
    """The annual-report category: the URL fragment's number, else the tree node so named."""
    head = fragment.split("/", 1)[0]
    if head.isdigit():
        return int(head)
    nodes = list(cfg.get("TREE") or [])
    while nodes:
        node = nodes.pop(0)
        if listing.looks_like_report(node.get("name")) or "年报" in (node.get("name") or ""):
            return int(node["id"])
        nodes += node.get("children") or []
    default = cfg.get("DEFAULT_CAT")
    return int(default) if default else None


def recognizes(response: TextResponse) -> bool:
    return "/gkmlpt/" in response.url and "_CONFIG" in response.text


class GkmlptSpider(PortalSpider):
    name = "gkmlpt"
    platform = "gkmlpt"

    def start_requests_for(self, url: str) -> Iterator[Any]:
        lead = Lead(self.portal.id, "list", url)
        if self.portal.options.browser:
            yield self.rendered(url, lead)
        else:
            yield self.list_request(url.split("#", 1)[0], lead, dont_filter=True,
                                    meta={"nianbao_fragment": urllib.parse.urlsplit(url).fragment})

    def rendered(self, url: str, lead: Lead) -> Any:
        """The shell loaded in Chromium, its configuration read from the live page."""
        return self.list_request(url.split("#", 1)[0], lead, dont_filter=True, meta={
            "nianbao_fragment": urllib.parse.urlsplit(url).fragment, "playwright": True,
            "playwright_context_kwargs": {"user_agent": self.settings.get("USER_AGENT"), "ignore_https_errors": True},
            "playwright_page_goto_kwargs": {"wait_until": "domcontentloaded"},
            "playwright_page_methods": [
                PageMethod("wait_for_function", "() => window._CONFIG !== undefined", timeout=30_000),
                PageMethod("evaluate", "() => JSON.stringify(window._CONFIG || null)")]})

    def read_list(self, response: Response) -> Iterator[Any]:
        if "/api/all/" in response.url:
            return self.read_api(response)
        return super().read_list(response)

    # --- the shell's _CONFIG, then the API ---------------------------------------------------

    def read_page(self, response: TextResponse) -> Iterator[Any]:
        cfg = config(response.text)
        for method in response.meta.get("playwright_page_methods") or []:  # the live page's _CONFIG
            if method.method == "evaluate" and isinstance(getattr(method, "result", None), str):
                cfg = json.loads(method.result) or cfg
        if cfg is None or not cfg.get("SID"):
            self.logger.warning("no gkmlpt _CONFIG in %s", response.url)
            return
        cat = report_category(cfg, response.meta.get("nianbao_fragment", ""))
        if cat is None:
            self.logger.warning("no annual-report category in %s", response.url)
            return
        api = response.urljoin(f"{prefix_of(response.url)}/gkmlpt/api/all/{cat}?page=1&sid={cfg['SID']}")
        request = self.next_page(response, api, 1)
        if request is not None:
            yield request.replace(meta={**request.meta, "nianbao_api": {"cat": cat, "sid": cfg["SID"]}})

    def read_api(self, response: Response) -> Iterator[Any]:
        try:
            data = json.loads(response.body)
        except ValueError:
            self.logger.warning("gkmlpt API answered something that is not JSON: %s", response.url)
            return
        rows, own = [], 0
        for art in data.get("articles") or []:
            if art.get("type") == "url":  # another publisher's post, listed here as a cross-reference
                self.crawler.stats.inc_value("nianbao/gkmlpt/cross_references")
                continue
            own += 1
            rows.append(Row(art.get("url") or "", art.get("title"),
                            listing.from_timestamp(art.get("display_publish_time") or art.get("create_time")
                                                   or art.get("created_at")),
                            art.get("identifier") or None, art.get("publisher") or None,
                            art.get("document_number") or None))
        yield from self.follow_rows(response, [r for r in rows if r.url])
        lead: Lead = response.meta[META]
        api = response.meta.get("nianbao_api")
        if lead.page == 1 and api:
            pages = math.ceil(int(data.get("total") or 0) / max(len(data.get("articles") or []), API_PER))
            for page in range(2, pages + 1):
                request = self.next_page(response, f"?page={page}&sid={api['sid']}", page)
                if request is not None:
                    yield request
