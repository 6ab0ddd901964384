"""Which hosts belong to a portal: its allowed domains, plus the hosts it moved to.

Portals move (洛龙区 to a new CMS, 海淀 to zyk.bjhd.gov.cn) while registries and the pages
above them keep the old host. A permanent redirect (301/308) from a host of the portal makes
the target host part of the portal for the rest of the crawl; attachments may also be served
from the hosts a portal's ``attachment_hosts`` option names, or reached through a temporary
redirect to a file server. Everything else is offsite and never requested.
"""
from __future__ import annotations

import fnmatch
import logging
import urllib.parse
from collections.abc import Iterable
from typing import Any

from scrapy.downloadermiddlewares.offsite import OffsiteMiddleware
from scrapy.http import Request, Response
from scrapy.utils.httpobj import urlparse_cached

from crawler.items import META

log = logging.getLogger(__name__)


class PortalScope:
    def __init__(self, domains: Iterable[str], attachment_hosts: Iterable[str] = ()) -> None:
        self.domains = {d.lower().lstrip(".") for d in domains}
        self.attachment_hosts = [h.lower() for h in attachment_hosts]
        self.moved: dict[str, str] = {}  # old host → new host

    def allows(self, host: str | None, kind: str = "page") -> bool:
        if not host:
            return False
        host = host.lower()
        if any(host == d or host.endswith("." + d) for d in (*self.domains, *self.moved.values())):
            return True
        return kind == "attachment" and any(fnmatch.fnmatchcase(host, p) for p in self.attachment_hosts)

    def learn_move(self, old: str, new: str) -> bool:
        if new.lower() in self.moved.values() or self.allows(new):
            return False
        self.moved[old.lower()] = new.lower()
        return True


class PortalScopeMiddleware(OffsiteMiddleware):
    """Scrapy's offsite filter, asking the spider's :class:`PortalScope`."""

    def should_follow(self, request: Request, spider: Any) -> bool:
        scope: PortalScope | None = getattr(spider, "scope", None)
        if scope is None:
            return super().should_follow(request, spider)
        lead = request.meta.get(META)
        return scope.allows(urlparse_cached(request).hostname, lead.kind if lead else "page")


class MovedSiteMiddleware:
    """Learns a portal's new host from a permanent redirect, before RedirectMiddleware follows it."""

    def __init__(self, crawler: Any) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Any) -> MovedSiteMiddleware:
        return cls(crawler)

    def process_response(self, request: Request, response: Response) -> Response:
        location = response.headers.get(b"Location")
        scope: PortalScope | None = getattr(self.crawler.spider, "scope", None)
        if response.status not in (301, 302, 303, 307, 308) or not location or scope is None:
            return response
        target = urllib.parse.urljoin(request.url, location.decode("latin-1"))
        old, new = urlparse_cached(request).hostname or "", urllib.parse.urlsplit(target).hostname or ""
        if not new or new == old or not scope.allows(old):
            return response
        lead = request.meta.get(META)
        if response.status in (301, 308) and scope.learn_move(old, new):
            self.crawler.stats.inc_value("nianbao/moved")
            log.warning("portal %s moved: %s now redirects to %s (%s); following it",
                        getattr(self.crawler.spider, "name", "?"), old, new, request.url)
        elif lead is not None and lead.kind == "attachment":
            request.meta["allow_offsite"] = True  # a file server behind a download link
        return response
