"""Retries with exponential backoff: a portal answering 503 gets time to recover.

Scrapy's RetryMiddleware re-queues a failed request at once; an overloaded 政务 server that
answered 503 usually answers 503 again a moment later. This one waits ``NIANBAO_RETRY_BACKOFF``
seconds before the first retry, doubling each time (with jitter, capped at
``NIANBAO_RETRY_BACKOFF_MAX``). Only the failed request waits; the rest of the crawl goes on.
"""
from __future__ import annotations

import asyncio
import random
from typing import Any

from scrapy.downloadermiddlewares.retry import RetryMiddleware
from scrapy.http import Request, Response


class BackoffRetryMiddleware(RetryMiddleware):
    def __init__(self, settings: Any) -> None:
        super().__init__(settings)
        self.base = settings.getfloat("NIANBAO_RETRY_BACKOFF", 1.0)
        self.cap = settings.getfloat("NIANBAO_RETRY_BACKOFF_MAX", 30.0)

    def delay(self, retry_times: int) -> float:
        """Seconds to wait before retry number ``retry_times`` (1-based)."""
        if self.base <= 0:
            return 0.0
        return min(self.cap, self.base * 2 ** (retry_times - 1)) * random.uniform(0.75, 1.25)

    async def _backoff(self, result: Any) -> Any:
        if isinstance(result, Request):
            wait = self.delay(result.meta.get("retry_times", 1))
            self.crawler.stats.inc_value("nianbao/retry/backoff_seconds", round(wait, 3))
            if wait:
                await asyncio.sleep(wait)
        return result

    async def process_response(self, request: Request, response: Response) -> Request | Response:  # type: ignore[override]
        return await self._backoff(super().process_response(request, response))

    async def process_exception(self, request: Request, exception: Exception) -> Request | Response | None:  # type: ignore[override]
        return await self._backoff(super().process_exception(request, exception))
