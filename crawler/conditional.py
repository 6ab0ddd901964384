"""Conditional requests: a detail page or attachment that did not change is not downloaded again.

Before a detail page or an attachment is requested, the archive is asked for the last time
this URL gave a document; its ``ETag`` and ``Last-Modified`` go out as ``If-None-Match`` and
``If-Modified-Since``. On a 304 nothing is downloaded and nothing is parsed: an attachment's
response reaches the spider empty, flagged ``not_modified``; a detail page's is rebuilt from
the stored bytes, so its links (the attachments) are still followed. List pages are never
conditional: they are how new and changed reports are found.
"""
from __future__ import annotations

import logging
from typing import Any

from scrapy.http import Request, Response
from scrapy.responsetypes import responsetypes

from archive import ArchiveError
from crawler.context import CrawlContext
from crawler.items import META

log = logging.getLogger(__name__)
LAST = "nianbao_last"                  # meta: the archive's LastFetch of the URL (None: never seen)
UNCONDITIONAL = "nianbao_unconditional"
NOT_MODIFIED = "not_modified"          # response flag


class ConditionalRequestMiddleware:
    def __init__(self, crawler: Any) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Any) -> ConditionalRequestMiddleware:
        return cls(crawler)

    async def process_request(self, request: Request) -> None:
        lead = request.meta.get(META)
        if (lead is None or lead.kind not in ("detail", "attachment") or LAST in request.meta
                or request.meta.get(UNCONDITIONAL) or request.meta.get("playwright")):
            return None
        ctx = CrawlContext.of(self.crawler)
        try:
            last = await ctx.last_fetch(lead.url)
        except ArchiveError as exc:
            log.error("archive lookup of %s failed (%s): fetching it unconditionally", lead.url, exc)
            last = None
        request.meta[LAST] = last
        if last is not None:
            if last.etag:
                request.headers[b"If-None-Match"] = last.etag
            if last.last_modified:
                request.headers[b"If-Modified-Since"] = last.last_modified
            self.crawler.stats.inc_value("nianbao/conditional/sent")
        return None

    async def process_response(self, request: Request, response: Response) -> Request | Response:
        last = request.meta.get(LAST)
        lead = request.meta.get(META)
        if response.status != 304 or last is None or lead is None:
            return response
        stats = self.crawler.stats
        stats.inc_value(f"nianbao/not_modified/{lead.kind}")
        body = b""
        if lead.kind == "detail":  # its links are still needed: replay the stored page
            ctx = CrawlContext.of(self.crawler)
            try:
                body = await ctx.io(ctx.archive.read_blob, last.sha256)
            except ArchiveError as exc:
                log.error("stored copy of %s unreadable (%s): downloading it again", lead.url, exc)
                stats.inc_value("nianbao/conditional/replay_failed")
                headers = request.headers.copy()
                headers.pop(b"If-None-Match", None)
                headers.pop(b"If-Modified-Since", None)
                return request.replace(headers=headers, meta={**request.meta, LAST: None, UNCONDITIONAL: True},
                                       dont_filter=True)
        cls = responsetypes.from_args(url=response.url, body=body) if body else Response
        return cls(url=response.url, status=200, body=body, request=request, flags=[*response.flags, NOT_MODIFIED],
                   headers={} if body else response.headers)
