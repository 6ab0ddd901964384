"""Chromium through scrapy-playwright, started only when a request asks for it.

Most portals never need a browser, so the handler answers plain requests over HTTP/1.1 and
starts Playwright and Debian's Chromium (``NIANBAO_CHROMIUM``; Playwright's own browser
download is never used) on the first request with ``meta["playwright"]``: a JavaScript-built
list, or a 412/521 challenge (see ``crawler.challenge``). Chromium resolves host names as the
crawler does (``--host-resolver-rules`` from the pinned hosts) and sends the crawler's
User-Agent, so cookies it earns work for plain HTTP requests afterwards. All crawlers of a
process (``nianbao crawl`` runs one per portal) share one Playwright driver and one Chromium
(:class:`SharedBrowserProvider`); each has its own browser context, so cookies stay apart.
At most ``NIANBAO_BROWSER_PAGES`` pages load at once across all of them: every page is a
renderer process, and on a small machine a dozen at once thrash while plain requests wait.
"""
from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from contextlib import suppress
from dataclasses import dataclass
from typing import Any

from playwright.async_api import Browser, BrowserContext, Playwright, PlaywrightContextManager
from scrapy.http import Request, Response
from scrapy_playwright.handler import ScrapyPlaywrightDownloadHandler

from crawler import resolver

log = logging.getLogger(__name__)


@dataclass
class _Shared:
    manager: PlaywrightContextManager | None = None
    playwright: Playwright | None = None
    browser: Browser | None = None
    users: int = 0
    lock: asyncio.Lock | None = None
    pages: asyncio.Semaphore | None = None  # NIANBAO_BROWSER_PAGES, for every crawler of the process


_SHARED = _Shared()


class SharedBrowserProvider:
    """scrapy-playwright's browser provider, sharing one driver and one Chromium per process."""

    def __init__(self, config: Any) -> None:
        self.config = config
        self.started = False

    @staticmethod
    def _lock() -> asyncio.Lock:
        if _SHARED.lock is None:
            _SHARED.lock = asyncio.Lock()
        return _SHARED.lock

    async def start(self) -> None:
        async with self._lock():
            if _SHARED.manager is None:
                _SHARED.manager = PlaywrightContextManager()
                _SHARED.playwright = await _SHARED.manager.start()
            _SHARED.users += 1
            self.started = True

    async def launch_browser(self) -> Browser:
        async with self._lock():
            if _SHARED.browser is None or not _SHARED.browser.is_connected():
                assert _SHARED.playwright is not None
                log.info("launching Chromium %s", self.config.launch_options.get("executable_path"))
                _SHARED.browser = await _SHARED.playwright.chromium.launch(**self.config.launch_options)
            return _SHARED.browser

    async def launch_persistent_context(self, context_kwargs: dict[str, Any]) -> BrowserContext:
        assert _SHARED.playwright is not None
        return await _SHARED.playwright.chromium.launch_persistent_context(**context_kwargs)

    async def close(self) -> None:
        if not self.started:
            return
        self.started = False
        async with self._lock():
            _SHARED.users -= 1
            if _SHARED.users > 0:
                return
            browser, manager = _SHARED.browser, _SHARED.manager
            _SHARED.browser = _SHARED.manager = _SHARED.playwright = None
            _SHARED.pages = None  # bound to this event loop
            if browser is not None:
                with suppress(Exception):
                    await browser.close()
            if manager is not None:
                with suppress(Exception):
                    await manager.__aexit__()


class BrowserOnDemandHandler(ScrapyPlaywrightDownloadHandler):
    def __init__(self, crawler: Any) -> None:
        super().__init__(crawler)
        self.browser_provider_cls = SharedBrowserProvider
        self.max_pages = crawler.settings.getint("NIANBAO_BROWSER_PAGES", 2)
        self._started = False
        self._start_lock = asyncio.Lock()
        options = dict(self.config.launch_options)
        options.setdefault("executable_path", crawler.settings.get("NIANBAO_CHROMIUM") or "/usr/bin/chromium")
        options.setdefault("headless", True)
        self.config.launch_options = options

    async def _maybe_launch_in_thread(self) -> None:  # engine started: no browser yet
        return None

    def _engine_started(self) -> None:  # older Scrapy: same
        return None

    async def _ensure_started(self) -> None:
        async with self._start_lock:
            if self._started:
                return
            args = [a for a in self.config.launch_options.get("args", []) if "--host-resolver-rules" not in a]
            rules = resolver.chromium_rules(resolver.pins())
            self.config.launch_options = {**self.config.launch_options, "args": args + ([rules] if rules else [])}
            await self._launch()
            self._started = True

    async def _close(self) -> None:
        """Close this crawler's contexts; the shared browser goes with its last user."""
        with suppress(Exception):
            await asyncio.gather(*[c.context.close() for c in self.context_wrappers.values()])
        self.context_wrappers.clear()
        if getattr(self, "browser_provider", None) is not None:
            await self.browser_provider.close()

    async def download_request(self, request: Request, spider: Any = None) -> Response:  # type: ignore[override]
        if not request.meta.get("playwright"):
            return await super().download_request(request)
        await self._ensure_started()
        self.stats.inc_value("nianbao/browser/requests")
        if _SHARED.pages is None:  # made in the reactor's loop, on the first browser request
            _SHARED.pages = asyncio.Semaphore(max(1, self.max_pages))
        async with _SHARED.pages:  # Chromium is the heaviest work of a crawl: a few pages at a time
            return await super().download_request(request)


def skip_resource(request: Any) -> bool:
    """PLAYWRIGHT_ABORT_REQUEST: images, fonts, media and styles are never needed to run a page's
    scripts; not loading them makes each browser page cheaper."""
    return request.resource_type in ("image", "font", "media", "stylesheet")


async def settle(page: Any, is_challenge: Callable[[str], bool], timeout: float) -> str | None:
    """Wait until the page stops being a challenge (its script computed a cookie and reloaded,
    maybe twice); the page's HTML then, or None if it still is one after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            await page.wait_for_load_state("load", timeout=max(1000, int((deadline - time.monotonic()) * 1000)))
            html = await page.content()
        except Exception:  # the page navigated while we read it: look again
            await asyncio.sleep(0.2)
            continue
        if not is_challenge(html):
            return html
        await asyncio.sleep(0.25)
    return None


async def cookies_of(page: Any) -> list[dict[str, Any]]:
    """The page's cookies as ``scrapy.Request(cookies=…)`` takes them."""
    out = []
    for c in await page.context.cookies():
        cookie = {"name": c["name"], "value": c["value"], "path": c.get("path") or "/"}
        domain = c.get("domain") or ""
        if domain.startswith("."):
            cookie["domain"] = domain
        out.append(cookie)
    return out
