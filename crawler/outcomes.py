"""Typed fetch outcomes: what a request ended in when it did not give a document.

Soft 404s (a 200 page saying 页面不存在) are caught by :class:`SoftNotFoundMiddleware`;
HTTP errors after retries, network failures and oversized downloads reach the spiders'
errback, which hands them to :func:`record_failure`. Each is recorded in the archive as a
fetch with its outcome (``soft_404``, ``http_error``, ``error``, ``too_large``), counted in
the crawler's stats under ``nianbao/outcome/…``, and never stored as a document.
"""
from __future__ import annotations

import logging
import re
from typing import Any

from scrapy.exceptions import IgnoreRequest
from scrapy.http import HtmlResponse, Request, Response
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.python.failure import Failure

from archive import Outcome
from crawler.context import CrawlContext
from crawler.errors import Recorded
from crawler.items import META, Lead
from crawler.listing import looks_like_report

log = logging.getLogger(__name__)
_TAGS = re.compile(r"<(script|style)\b.*?</\1>|<[^>]+>", re.S | re.I)
_SPACE = re.compile(r"\s+")
SHORT_PAGE = 800  # characters of visible text: an error page in a portal's chrome is shorter


def soft_404_reason(response: Response, markers: list[str]) -> str | None:
    """Why this 200 page is really a "not found" page, or None."""
    if not isinstance(response, HtmlResponse) or response.status != 200:
        return None
    title = " ".join(response.xpath("//title//text() | //h1//text()").getall())
    for marker in markers:
        if marker in title:
            return f"the page title says {marker}"
    if looks_like_report(title):  # a short report (a pre-2019 one can be) is not an error page
        return None
    text = _SPACE.sub("", _TAGS.sub(" ", response.text))
    if len(text) < SHORT_PAGE:
        for marker in markers:
            if marker in text:
                return f"a short page saying {marker}"
    return None


class SoftNotFoundMiddleware:
    def __init__(self, crawler: Any) -> None:
        self.crawler = crawler
        self.markers = crawler.settings.getlist("NIANBAO_SOFT_404_MARKERS")

    @classmethod
    def from_crawler(cls, crawler: Any) -> SoftNotFoundMiddleware:
        return cls(crawler)

    async def process_response(self, request: Request, response: Response) -> Response:
        lead: Lead | None = request.meta.get(META)
        if lead is None or lead.kind == "attachment" or "not_modified" in response.flags:
            return response
        reason = soft_404_reason(response, self.markers)
        if reason is None:
            return response
        ctx = CrawlContext.of(self.crawler)
        self.crawler.stats.inc_value("nianbao/outcome/soft_404")
        self.crawler.stats.inc_value("nianbao/errors")
        if lead.kind != "list":
            await ctx.record(ctx.record_of(lead, request.url, outcome=Outcome.SOFT_404, status=response.status,
                                           final_url=response.url, headers=response.headers, error=reason))
        ctx.count_failure(lead, lead.url)
        log.warning("soft 404 (%s): %s", reason, response.url)
        raise Recorded("soft_404", response.url, reason)


def classify(failure: Failure) -> tuple[Outcome | None, int | None, str]:
    """(outcome, HTTP status, one-line reason) of a failed request; outcome None: not a failure
    of the portal (robots.txt, offsite, already recorded)."""
    exc = failure.value
    if isinstance(exc, Recorded):
        return None, None, str(exc)
    if isinstance(exc, HttpError):
        status = exc.response.status
        return Outcome.HTTP_ERROR, status, f"HTTP {status}"
    if isinstance(exc, IgnoreRequest):
        return None, None, str(exc) or "ignored"
    name = type(exc).__name__
    text = str(exc)
    if "max size" in text or "maxsize" in text.lower() or "larger than download" in text:
        return Outcome.TOO_LARGE, None, text
    return Outcome.ERROR, None, f"{name}: {text}".rstrip(": ")[:500]


async def record_failure(crawler: Any, failure: Failure) -> None:
    """The errback of every nianbao request: count, record, and remember report-like failures."""
    request: Request | None = getattr(failure, "request", None)
    if request is None and isinstance(failure.value, HttpError):
        request = failure.value.response.request
    lead: Lead | None = request.meta.get(META) if request is not None else None
    outcome, status, reason = classify(failure)
    stats = crawler.stats
    if outcome is None:
        if "robots.txt" in reason:
            stats.inc_value("nianbao/robots_forbidden")
        return
    url = request.url if request is not None else "?"
    if lead is not None and lead.kind == "list" and lead.page > 1 and status == 404:
        stats.inc_value("nianbao/list/past_last_page")  # a pager that claims a page too many
        log.info("list page past the end (404): %s", url)
        return
    stats.inc_value(f"nianbao/outcome/{outcome.value}")
    stats.inc_value("nianbao/errors")
    log.warning("%s: %s (%s)", outcome.value, url, reason)
    ctx = CrawlContext.of(crawler)
    if lead is not None and lead.kind != "list":
        response = failure.value.response if isinstance(failure.value, HttpError) else None
        await ctx.record(ctx.record_of(lead, url, outcome=outcome, status=status, error=reason,
                                       final_url=response.url if response is not None else None,
                                       headers=response.headers if response is not None else {}))
    ctx.count_failure(lead, lead.url if lead else url)
