"""The crawler's exceptions: one small hierarchy, each naming the file, portal or URL at fault.

Configuration problems (a registry entry with a typo, an unknown portal id, a job directory
holding another crawl) are separated from what happens to one request: those become typed
fetch outcomes recorded in the archive (see ``crawler.outcomes``), not exceptions that stop a
crawl.
"""
from __future__ import annotations

from scrapy.exceptions import IgnoreRequest


class CrawlerError(Exception):
    """Base class of every error the crawler raises on purpose."""


class RegistryError(CrawlerError):
    """A portal registry file that cannot be used: names the file and the entry."""

    def __init__(self, source: str, reason: str) -> None:
        self.source, self.reason = source, reason
        super().__init__(f"{source}: {reason}")


class UnknownPortal(CrawlerError):
    def __init__(self, portal_id: str, known: int) -> None:
        self.portal_id = portal_id
        super().__init__(f"no portal {portal_id!r} in the registry ({known} portals; "
                         "`nianbao crawl --list` shows them)")


class JobDirError(CrawlerError):
    """A job directory that holds another crawl, or cannot be written."""

    def __init__(self, path: str, reason: str) -> None:
        self.path, self.reason = path, reason
        super().__init__(f"{path}: {reason}")


class Recorded(IgnoreRequest):
    """A response that was classified and recorded in the archive (challenge, soft 404, …)
    and goes no further; errbacks see it and do not record it again."""

    def __init__(self, outcome: str, url: str, detail: str) -> None:
        self.outcome, self.url, self.detail = outcome, url, detail
        super().__init__(f"{outcome}: {url} ({detail})")
