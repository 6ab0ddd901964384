"""Scrapy's downloader with its per-host concurrency kept (``CONCURRENT_REQUESTS_PER_DOMAIN``).

Scrapy 2.13+ starts each queued download as an asyncio task, and the task marks its request
as transferring only once it first runs, one loop iteration later. ``Downloader._process_queue``
meanwhile tests ``slot.free_transfer_slots()`` in a loop that nothing updates, so with no
download delay (a portal may set ``delay = 0``; the benchmarks do) a slot with several requests
queued starts all of them at once: a portal set to 2 requests at a time got 15 on the sandbox.
That is impolite to the portal and slow for us: the
HTTP pool keeps 2 connections per host, so every extra one is opened and then closed again.
This subclass marks the request as transferring before it schedules the task; the task's own
``transferring.add`` is then a no-op and its ``finally`` frees the place as before.
"""
from __future__ import annotations

from time import monotonic

from scrapy.core.downloader import Downloader as ScrapyDownloader
from scrapy.core.downloader import Slot
from scrapy.utils.asyncio import call_later
from scrapy.utils.defer import _schedule_coro


class Downloader(ScrapyDownloader):
    def _process_queue(self, slot: Slot) -> None:
        if slot.latercall:  # a delayed call is pending: it processes the queue
            return
        now = monotonic()
        delay = slot.download_delay()
        if delay:
            penalty = delay - now + slot.lastseen
            if penalty > 0:
                slot.latercall = call_later(penalty, self._latercall, slot)
                return
        while slot.queue and slot.free_transfer_slots() > 0:
            slot.lastseen = now
            request, queue_dfd = slot.queue.popleft()
            slot.transferring.add(request)  # counted now, not when the task first runs
            _schedule_coro(self._wait_for_download(slot, request, queue_dfd))
            if delay:  # one request per delay
                self._process_queue(slot)
                break
