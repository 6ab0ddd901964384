"""The base of every portal spider: list rows in, detail pages and attachments out.

A family spider (one per portal platform) only knows how its platform lists and paginates:
its ``read_page`` (``read_list`` for an API) reads a list page (or a JSON/XML list API answer) into :class:`Row` objects
and further list requests. Everything after the row is shared and lives here: scoping to the
portal, the detail page (stored as a document; its attachments followed), the attachments
(stored as documents), the hints the parsers get (the list title's agency and year, the
portal's agency and region) and the errback that records what failed. A spider is built for
one registry entry (``portal``); its settings (robots, delay, concurrency, browser) come from
the entry's options.
"""
from __future__ import annotations

import dataclasses
import datetime as dt
import urllib.parse
from collections.abc import AsyncIterator, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

import scrapy
from scrapy import signals
from scrapy.exceptions import DontCloseSpider
from scrapy.http import Request, Response, TextResponse
from twisted.python.failure import Failure

from archive import Hints, Listing
from crawler import listing, registry, resolver
from crawler.challenge import pass_request
from crawler.conditional import LAST, NOT_MODIFIED
from crawler.items import META, DocumentItem, Lead
from crawler.outcomes import record_failure
from crawler.registry import Portal, Registry
from crawler.scope import PortalScope

PRIORITY = {"list": 0, "detail": 10, "attachment": 20}  # finish what was found before finding more
_TITLE_META = ("ArticleTitle", "title", "Title", "og:title")


@dataclass(frozen=True)
class Row:
    """One entry of a list: where it links and what the list says about it."""

    url: str
    title: str | None = None
    date: dt.date | None = None
    index_no: str | None = None
    publisher: str | None = None
    doc_no: str | None = None


def version() -> str:
    from importlib.metadata import PackageNotFoundError
    from importlib.metadata import version as package_version
    try:
        return package_version("nianbao")
    except PackageNotFoundError:
        return "dev"


def user_agent(contact_url: str) -> str:
    return f"Mozilla/5.0 (compatible; nianbao/{version()}; +{contact_url})"


def resolve_portal(settings: Any, portal: Portal | str | None, registry_arg: Registry | str | None
                   ) -> tuple[Portal, Registry | None]:
    """The registry entry a crawl was asked for: a Portal, or an id in the registry given by
    ``-a registry=FILE[,FILE]``, the NIANBAO_REGISTRY setting or the shipped registry."""
    if isinstance(portal, Portal):
        return portal, registry_arg if isinstance(registry_arg, Registry) else None
    if not portal:
        raise ValueError("which portal? `scrapy crawl reports -a portal=ID` (ids: `nianbao crawl --list`)")
    if isinstance(registry_arg, Registry):
        reg = registry_arg
    else:
        paths = [p for p in (registry_arg or "").split(",") if p] or settings.getlist("NIANBAO_REGISTRY")
        reg = registry.load(paths or None)
    return reg.get(portal), reg


def configure(settings: Any, portal: Portal) -> None:
    """Apply a portal's options to its crawler's settings (before they are frozen)."""
    options = portal.options
    settings.set("ROBOTSTXT_OBEY", settings.getbool("ROBOTSTXT_OBEY") and options.obey_robots, priority="spider")
    if options.delay is not None:
        settings.set("DOWNLOAD_DELAY", options.delay, priority="spider")
        settings.set("AUTOTHROTTLE_START_DELAY", max(options.delay, settings.getfloat("AUTOTHROTTLE_START_DELAY")),
                     priority="spider")
    if options.concurrency:
        settings.set("CONCURRENT_REQUESTS_PER_DOMAIN", options.concurrency, priority="spider")
    if not settings.get("USER_AGENT"):
        settings.set("USER_AGENT", user_agent(settings.get("NIANBAO_CONTACT_URL")), priority="spider")


class PortalSpider(scrapy.Spider):
    platform = "generic"

    def __init__(self, portal: Portal, **kwargs: Any) -> None:
        super().__init__(name=portal.id, **kwargs)
        self.portal = portal
        self.allowed_domains = list(portal.allowed_domains)
        self.scope = PortalScope(portal.allowed_domains, portal.options.attachment_hosts)
        self.max_pages = portal.options.max_pages or 0
        self._later: list[Request] = []

    @classmethod
    def from_crawler(cls, crawler: Any, *args: Any, portal: Portal | str | None = None,
                     registry: Registry | str | None = None, **kwargs: Any) -> PortalSpider:
        entry, reg = resolve_portal(crawler.settings, portal, registry)
        configure(crawler.settings, entry)
        if reg is not None:
            resolver.pin(reg.resolve)
        spider = cls(entry, *args, **kwargs)
        spider._set_crawler(crawler)
        crawler.signals.connect(spider._idle, signal=signals.spider_idle)
        limit = crawler.settings.getint("NIANBAO_MAX_LIST_PAGES", 1000)
        spider.max_pages = min(spider.max_pages or limit, limit)
        return spider

    # --- requests ------------------------------------------------------------------------------

    async def start(self) -> AsyncIterator[Any]:
        for url in self.portal.start_urls:
            for request in self.start_requests_for(url):
                yield request

    def start_requests_for(self, url: str) -> Iterator[Request]:
        lead = Lead(self.portal.id, "list", url)
        request = self.list_request(url, lead, dont_filter=True)
        if self.portal.options.browser:  # pass a challenge before the first list page
            request = pass_request(request, self.settings.get("USER_AGENT"))
        yield request

    def later(self, requests: Iterable[Request]) -> None:
        """Requests from secondary sources of links (a 年报汇总 table), sent only once everything
        else is done: the list rows they duplicate come first, with their real titles."""
        self._later.extend(requests)

    def _idle(self) -> None:
        if self._later:
            batch, self._later = self._later, []
            for request in batch:
                self.crawler.engine.crawl(request)
            raise DontCloseSpider

    def request(self, url: str, lead: Lead, callback: Any, **kwargs: Any) -> Request:
        meta = {META: lead, **kwargs.pop("meta", {})}
        return Request(url, callback=callback, errback=self.errback, meta=meta,
                       priority=kwargs.pop("priority", PRIORITY[lead.kind]), **kwargs)

    def list_request(self, url: str, lead: Lead, **kwargs: Any) -> Request:
        return self.request(url, lead, kwargs.pop("callback", self.parse_list), **kwargs)

    def next_page(self, response: Response, url: str, page: int, **kwargs: Any) -> Request | None:
        """A further page of the column being read, within the page limit."""
        lead: Lead = response.meta[META]
        if page > self.max_pages:
            self.crawler.stats.inc_value("nianbao/list/page_limit")
            return None
        return self.list_request(response.urljoin(url), dataclasses.replace(lead, url=response.urljoin(url),
                                                                            page=page), **kwargs)

    def sub_list(self, response: Response, url: str, **kwargs: Any) -> Request | None:
        """Another column (a unit's, a year's) found on a list page."""
        target = response.urljoin(url)
        if not self.scope.allows(urlparse_host(target)):
            return None
        lead: Lead = response.meta[META]
        return self.list_request(target, lead.child("list", target, page=1), **kwargs)

    def follow_rows(self, response: Response, rows: Iterable[Row]) -> Iterator[Request]:
        """Requests for list rows: a detail page, or the file itself when the row links one."""
        lead: Lead = response.meta[META]
        seen: set[str] = set()
        for row in rows:
            url = response.urljoin(row.url)
            if url in seen or not url.startswith(("http://", "https://")):
                continue
            seen.add(url)
            title = listing.clean(row.title) or None
            found = listing.title_hints(title)
            hints = Hints(found.agency, found.year)
            kind = "attachment" if listing.is_document_link(url, title) else "detail"
            if not self.scope.allows(urlparse_host(url), kind):
                self.crawler.stats.inc_value("nianbao/rows/offsite")
                continue
            self.crawler.stats.inc_value(f"nianbao/rows/{kind}")
            child = lead.child(kind, url, listing=Listing(title, row.date, row.index_no, row.publisher, row.doc_no),
                               hints=hints, reportish=listing.looks_like_report(title), anchor=title, page=1)
            callback = self.parse_attachment if kind == "attachment" else self.parse_detail
            yield self.request(url, child, callback)

    # --- callbacks -----------------------------------------------------------------------------

    def decoded(self, response: Response) -> Response:
        encoding = self.portal.options.encoding
        if encoding and isinstance(response, TextResponse) and response.encoding != encoding:
            return response.replace(encoding=encoding)
        return response

    def parse_list(self, response: Response) -> Iterator[Any]:
        """Count a list page (or list API answer) and read it in the portal's encoding."""
        self.crawler.stats.inc_value("nianbao/pages/list")
        yield from self.read_list(self.decoded(response))

    def read_list(self, response: Response) -> Iterator[Any]:
        """Rows to follow and further pages; only text answers have any (families with an API
        that may come back untyped override this)."""
        if isinstance(response, TextResponse):
            yield from self.read_page(response)

    def read_page(self, response: TextResponse) -> Iterator[Any]:
        """The family's reading of one list page (a module-level ``read(spider, response)``)."""
        raise NotImplementedError

    def parse(self, response: Response, **kwargs: Any) -> Iterator[Any]:
        return self.parse_list(response)

    def parse_detail(self, response: Response) -> Iterator[Any]:
        """A detail page: itself a document (an HTML report, or the page around attachments)."""
        self.crawler.stats.inc_value("nianbao/pages/detail")
        lead: Lead = response.meta[META]
        yield self.document(response)
        if not isinstance(response, TextResponse):
            return
        response = self.decoded(response)
        hints = self.detail_hints(response, lead)
        seen: set[str] = set()
        for url, text in self.attachment_links(response):
            url = response.urljoin(url)
            if url in seen or url == response.url:
                continue
            seen.add(url)
            if not self.scope.allows(urlparse_host(url), "attachment"):
                self.crawler.stats.inc_value("nianbao/attachments/offsite")
                continue
            child = lead.child("attachment", url, hints=hints, anchor=listing.clean(text) or None)
            yield self.request(url, child, self.parse_attachment)

    def parse_attachment(self, response: Response) -> Iterator[Any]:
        yield self.document(response)

    def document(self, response: Response) -> DocumentItem:
        lead: Lead = response.meta[META]
        not_modified = response.meta.get(LAST) if NOT_MODIFIED in response.flags else None
        filename = None
        if lead.kind == "attachment" and lead.anchor and b"Content-Disposition" not in response.headers:
            ext = listing.extension(response.url) or listing.extension(lead.url)
            filename = lead.anchor if listing.extension("x/" + lead.anchor) or not ext else f"{lead.anchor}.{ext}"
        return DocumentItem(lead=lead, url=response.url, status=response.status, headers=response.headers,
                            body=response.body, redirects=tuple(response.meta.get("redirect_urls", ())),
                            not_modified=not_modified, filename=filename)

    def detail_hints(self, response: TextResponse, lead: Lead) -> Hints:
        """Hints for a page's attachments: the list title's, else the page's own title."""
        if lead.hints.agency and lead.hints.year:
            return lead.hints
        titles = [response.xpath(f"//meta[@name='{n}']/@content").get() for n in _TITLE_META]
        titles += [" ".join(response.xpath("//h1//text()").getall()), response.xpath("//title/text()").get()]
        for title in titles:
            found = listing.title_hints(title)
            if found.year:
                return Hints(lead.hints.agency or found.agency, lead.hints.year or found.year)
        return lead.hints

    def attachment_links(self, response: TextResponse) -> Iterator[tuple[str, str]]:
        """Links to document files anywhere on the page (families may narrow this down)."""
        for a in response.css("a[href]"):
            href = (a.attrib.get("href") or "").strip()
            text = listing.clean(" ".join(a.css("::text").getall())) or a.attrib.get("title", "")
            if href and not href.startswith(("javascript:", "#", "mailto:")) and listing.is_document_link(
                    response.urljoin(href), text):
                yield href, text

    async def errback(self, failure: Failure) -> None:
        await record_failure(self.crawler, failure)

    # --- helpers for list readers ----------------------------------------------------------

    def rows_from(self, response: TextResponse, selector: str) -> list[Row]:
        """Rows from anchors matched by a CSS selector: title from title= or the anchor's own
        text, date from the anchor's row."""
        rows = []
        for a in response.css(selector):
            href = a.attrib.get("href")
            if not href or href.startswith(("javascript:", "#")):
                continue
            own = listing.clean(" ".join(a.xpath("./text() | ./*[not(contains(@class,'date'))]//text()").getall()))
            title = listing.clean(a.attrib.get("title")) or own
            row_text = " ".join(a.xpath("./ancestor-or-self::li[1]//text() | ./ancestor-or-self::tr[1]//text()")
                                .getall()) or " ".join(a.xpath("..//text()").getall())
            rows.append(Row(href, title, listing.parse_date(row_text)))
        return rows


def urlparse_host(url: str) -> str | None:
    return urllib.parse.urlsplit(url).hostname
