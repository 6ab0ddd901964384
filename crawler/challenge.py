"""JavaScript cookie challenges (瑞数 412, 加速乐 521): passed once in Chromium, then plain HTTP.

Many 政务 sites sit behind a WAF that answers a first visit with a script computing a cookie.
A challenged response is recorded as a ``challenge`` fetch (never stored as a document), then
a page of the host is loaded in Chromium (``crawler.browser``) — the request's own URL, or for
an attachment the page that linked it (Chromium would download a file, not run a script) —
until its script has earned the cookies; they go into the crawler's cookie jar and the request
is repeated over plain HTTP with the same User-Agent, so every later request of the host carries
them. Requests challenged while a host's pass is under way, or sent before the last pass
finished, only repeat themselves with the new cookies. When the cookies expire the challenge
comes back and is passed again; a request still challenged after three passes of its own fails.
A portal with ``browser = true`` passes it before its first list page.
"""
from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from typing import Any

from scrapy.downloadermiddlewares.cookies import CookiesMiddleware
from scrapy.http import Request, Response, TextResponse
from scrapy.utils.httpobj import urlparse_cached

from archive import Outcome
from crawler import browser
from crawler.conditional import LAST
from crawler.context import CrawlContext
from crawler.errors import Recorded
from crawler.items import META

log = logging.getLogger(__name__)
PASS = "nianbao_challenge"        # meta: this request goes through Chromium to pass a challenge
PASS_FOR = "nianbao_challenge_for"  # meta: the URL to request again once the pass is done
ROUNDS = "nianbao_challenge_rounds"
SENT = "nianbao_sent_at"
MAX_ROUNDS = 3
VALIDATORS = (b"If-None-Match", b"If-Modified-Since")


def challenge_kind(status: int, body: bytes) -> str | None:
    """``ruishu`` / ``jiasule`` / ``js`` when a response is a JavaScript challenge, else None."""
    head = body[:16384]
    if (b'r="m"' in head or b"r='m'" in head) and b"$_ts" in head:
        return "ruishu"
    scripted = b"<script" in head.lower()
    if status == 521 or scripted and (b"__jsl_clearance" in head or b"go({" in head and b'"ct"' in head):
        return "jiasule"
    if status == 412 and scripted and len(body) < 50_000:
        return "js"
    return None


def is_challenge_html(html: str) -> bool:
    return challenge_kind(200, html.encode("utf-8", "replace")) is not None


def browser_meta(request: Request, user_agent: str) -> dict[str, Any]:
    return {**request.meta, "playwright": True, "playwright_include_page": True,
            "playwright_context_kwargs": {"user_agent": user_agent, "ignore_https_errors": True},
            PASS: True, PASS_FOR: request.url}


def pass_request(request: Request, user_agent: str, page_url: str | None = None) -> Request:
    """The request that loads a page of the host in Chromium to earn its cookies."""
    headers = request.headers.copy()
    for name in VALIDATORS:  # the browser must get the page, not a 304
        headers.pop(name, None)
    return request.replace(url=page_url or request.url, headers=headers, dont_filter=True,
                           meta=browser_meta(request, user_agent))


class ChallengeMiddleware:
    def __init__(self, crawler: Any) -> None:
        self.crawler = crawler
        self.enabled = crawler.settings.getbool("NIANBAO_BROWSER_ON_CHALLENGE", True)
        self.timeout = crawler.settings.getfloat("NIANBAO_CHALLENGE_TIMEOUT", 30.0)
        self.passing: dict[str, asyncio.Future[bool]] = {}  # host → pass under way
        self.passed: dict[str, float] = {}  # host → when its cookies were last earned

    @classmethod
    def from_crawler(cls, crawler: Any) -> ChallengeMiddleware:
        return cls(crawler)

    @property
    def user_agent(self) -> str:
        return self.crawler.settings.get("USER_AGENT")

    def process_request(self, request: Request) -> None:
        if not request.meta.get(PASS):
            request.meta[SENT] = time.monotonic()

    async def process_response(self, request: Request, response: Response) -> Request | Response:
        if request.meta.get(PASS) and request.meta.get("playwright"):
            return await self._passed(request, response)
        if response.status == 200 and not isinstance(response, TextResponse):
            return response  # a document, not a page
        kind = challenge_kind(response.status, response.body)
        if kind is None:
            return response
        return await self._challenged(request, response, kind)

    async def _challenged(self, request: Request, response: Response, kind: str) -> Request:
        stats, ctx = self.crawler.stats, CrawlContext.of(self.crawler)
        host = urlparse_cached(request).hostname or ""
        stats.inc_value(f"nianbao/challenge/{kind}")
        lead = request.meta.get(META)
        if lead is not None and lead.kind != "list":
            await ctx.record(ctx.record_of(lead, request.url, outcome=Outcome.CHALLENGE, status=response.status,
                                           final_url=response.url, headers=response.headers,
                                           error=f"{kind} JavaScript challenge (HTTP {response.status})"))
        waiting = self.passing.get(host)
        if waiting is not None:  # another request is passing it: wait, then repeat with its cookies
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(asyncio.shield(waiting), self.timeout * 2)
            return request.replace(dont_filter=True)
        if self.passed.get(host, -1e9) > request.meta.get(SENT, 0.0):  # sent before the last pass
            return request.replace(dont_filter=True)
        rounds = request.meta.get(ROUNDS, 0) + 1
        if not self.enabled or rounds > MAX_ROUNDS:
            stats.inc_value("nianbao/outcome/challenge")
            stats.inc_value("nianbao/errors")
            ctx.count_failure(lead, lead.url if lead else request.url)
            why = ("passing challenges in a browser is off" if not self.enabled
                   else f"still challenged after {MAX_ROUNDS} passes")
            log.error("%s challenge at %s: %s", kind, request.url, why)
            raise Recorded("challenge", request.url, why)
        self.passing[host] = asyncio.get_running_loop().create_future()
        page = lead.referrer if lead is not None and lead.kind == "attachment" and lead.referrer else None
        log.info("%s challenge (HTTP %d) at %s: passing it in Chromium", kind, response.status, request.url)
        passing = pass_request(request, self.user_agent, page)
        return passing.replace(meta={**passing.meta, ROUNDS: rounds})

    def process_exception(self, request: Request, exception: Exception) -> None:
        """Chromium failed to load the page: release the requests waiting for this pass."""
        if request.meta.get(PASS):
            self._settled(urlparse_cached(request).hostname or "", False)
            self.crawler.stats.inc_value("nianbao/challenge/failed")
            log.warning("Chromium could not load %s to pass its challenge: %s", request.url, exception)

    def _settled(self, host: str, ok: bool) -> None:
        if ok:
            self.passed[host] = time.monotonic()
        future = self.passing.pop(host, None)
        if future is not None and not future.done():
            future.set_result(ok)

    async def _passed(self, request: Request, response: Response) -> Request:
        """Chromium has the page: wait for its script to earn the cookies, hand them to the jar,
        and repeat the request over plain HTTP."""
        host = urlparse_cached(request).hostname or ""
        page = response.meta.get("playwright_page")
        ok = False
        try:
            html = await browser.settle(page, is_challenge_html, self.timeout) if page else None
            if html is not None:
                cookies = await browser.cookies_of(page)
                self._give_cookies(request, cookies)
                ok = True
        finally:
            if page is not None:
                with contextlib.suppress(Exception):
                    await page.close()
            self._settled(host, ok)
        stats = self.crawler.stats
        original = request.meta.get(PASS_FOR, request.url)
        meta = {k: v for k, v in request.meta.items()
                if not k.startswith("playwright") and k not in (PASS, PASS_FOR, LAST)}  # LAST: validators again
        if not ok:
            stats.inc_value("nianbao/challenge/failed")
            log.warning("Chromium did not get past the challenge at %s within %.0f s", request.url, self.timeout)
        else:
            stats.inc_value("nianbao/challenge/passed")
        return request.replace(url=original, meta=meta, dont_filter=True)

    def _give_cookies(self, request: Request, cookies: list[dict[str, Any]]) -> None:
        """Put the browser's cookies into Scrapy's jar for this request's cookiejar."""
        middleware = self.crawler.get_downloader_middleware(CookiesMiddleware)
        if middleware is None or not cookies:
            return
        jar = middleware.jars[request.meta.get("cookiejar")]
        headers = []
        for c in cookies:
            header = f"{c['name']}={c['value']}; Path={c.get('path', '/')}"
            if c.get("domain"):
                header += f"; Domain={c['domain']}"
            headers.append(header.encode("utf-8"))
        jar.extract_cookies(Response(request.url, headers={"Set-Cookie": headers}), request)
