"""``JOBDIR``: a crawl that was stopped resumes where it was, one that was killed loses nothing.

Scrapy keeps a crawl's request queue and seen-request fingerprints in ``JOBDIR`` and writes
them out when the spider closes (Ctrl-C, ``nianbao crawl`` interrupted). After that, the next
crawl with the same ``JOBDIR`` continues the queue exactly. A process killed with ``kill -9``
cannot write them: the fingerprints it had appended mark requests as done that were still in
the lost queue. :class:`JobDirGuard` tells the two apart — it removes a marker when the crawl
starts and writes it when the spider has closed — and discards the state a killed crawl left.
The crawl then starts over from its list pages, which costs little: everything already fetched
is asked for with If-None-Match/If-Modified-Since (``crawler.conditional``), answered 304, and
neither downloaded nor parsed again, while the tallies of the killed run are replayed from the
journal in the same directory (``crawler.context``). Nothing is lost and nothing is duplicated.
"""
from __future__ import annotations

import logging
import pathlib
import shutil
from typing import Any

from scrapy import signals
from scrapy.exceptions import NotConfigured
from scrapy.utils.job import job_dir

log = logging.getLogger(__name__)
CLEAN = "nianbao-clean"  # written after Scrapy has saved the queue; absent while a crawl runs
SCRAPY_STATE = ("requests.queue", "requests.seen", "spider.state")


def unclean_state(directory: pathlib.Path) -> bool:
    """True when the directory holds request state that a crawl did not close cleanly."""
    return any((directory / name).exists() for name in SCRAPY_STATE) and not (directory / CLEAN).exists()


def discard_state(directory: pathlib.Path) -> None:
    for name in SCRAPY_STATE:
        path = directory / name
        if path.is_dir():
            shutil.rmtree(path)
        elif path.exists():
            path.unlink()


class JobDirGuard:
    def __init__(self, directory: pathlib.Path) -> None:
        self.directory = directory
        if unclean_state(directory):
            log.warning("%s was left by a crawl that was killed: its request queue is lost; starting "
                        "again from the list pages (what was fetched is only re-validated)", directory)
            discard_state(directory)
        (directory / CLEAN).unlink(missing_ok=True)

    @classmethod
    def from_crawler(cls, crawler: Any) -> JobDirGuard:
        directory = job_dir(crawler.settings)
        if not directory:
            raise NotConfigured
        guard = cls(pathlib.Path(directory))
        crawler.signals.connect(guard.spider_closed, signal=signals.spider_closed)
        return guard

    def spider_closed(self, spider: Any, reason: str) -> None:
        (self.directory / CLEAN).write_text(reason)
