"""The simulated province as data: agencies, reports, sites, their columns and entries.

Everything here is plain data built once from the seed by ``plan.py``; the platform modules
give entries their URLs and render pages from it, and the server only reads it (apart from
the change API, which bumps a report's version or publishes a held-back report).
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from tests.sandbox.platforms.base import Site

YEARS = tuple(range(2019, 2025))
LEGACY_YEARS = (2016, 2017, 2018)

# Formats a report is published in (what a detail page carries); "+" joins body and attachments.
REPRESENTATIONS = ("html", "html_word", "html+pdf", "pdf", "docx", "doc", "wps",
                   "scan_pdf", "scan_pdf+pdf", "direct_pdf")


@dataclass(frozen=True)
class Region:
    province: str
    city: str | None
    county: str | None
    code: str  # 6-digit 行政区划代码

    @property
    def label(self) -> str:
        """The region prefix a report gives (city + county), as tests.synth expects it."""
        return (self.city or "") + (self.county or "") or self.province

    def to_json(self) -> dict[str, str]:
        out = {"province": self.province, "code": self.code}
        if self.city:
            out["city"] = self.city
        if self.county:
            out["county"] = self.county
        return out


@dataclass(eq=False)  # identity: two objects are never the same thing
class Agency:
    id: str
    name: str
    level: str  # province | city | county | department | township
    region: Region
    parent: str | None = None  # the government agency above it
    sites: list[str] = field(default_factory=list)  # ids of the sites publishing its reports


@dataclass(eq=False)  # identity: two objects are never the same thing
class Report:
    """One agency's report for one year. ``version`` grows when the sandbox changes it."""

    id: str
    agency: Agency
    year: int
    seed: int
    version: int = 1
    held_back: bool = False  # not published until Sandbox.publish() (list pages then change)
    corrected: bool = False  # first published with errors, later re-published corrected
    previous: Report | None = None  # the agency's report for the year before, if it made one
    chained: bool = False  # its carried-in row is what ``previous`` (as first published) carried out

    def content_seed(self, edition: str = "final") -> int:
        """The tests.synth seed of an edition: the first (erroneous) edition and each
        version of the final one are different reports with different numbers."""
        if edition == "original":
            return self.seed * 7 + 1
        return self.seed + (self.version - 1) * 1_000_003


@dataclass(frozen=True)
class Source:
    """What a file's bytes are made from: a report edition or a non-report document."""

    kind: str  # "report" or a tests.synth make_document kind (work_plan, notice, guide, …)
    report: Report | None = None
    edition: str = "final"  # for reports: "original" (superseded) or "final"
    seed: int = 0
    agency: str = ""
    year: int = 0
    region: str = ""

    def key(self, fmt: str) -> tuple[Any, ...]:
        if self.report is not None:
            return ("report", self.report.id, self.edition, self.report.content_seed(self.edition), fmt)
        return (self.kind, self.seed, self.agency, self.year, fmt)


@dataclass(eq=False)  # identity: two objects are never the same thing
class File:
    """A document a site serves: an attachment (or the body of a direct link)."""

    fmt: str  # tests.synth format: pdf, scan_pdf, docx, doc, wps, ofd
    source: Source
    name: str  # the human file name (anchor text / Content-Disposition)
    disposition: str = "none"  # none | basename | rfc5987 | percent | gbk: Content-Disposition style
    path: str = ""  # URL path on the site, assigned by the platform
    download_path: str = ""  # a redirecting download URL in front of it (Hanweb downfile.jsp)
    role: str = "attachment"  # attachment | ofd_twin
    missing: bool = False  # linked but never served: a broken attachment link (404)

    @property
    def text_layer(self) -> bool:
        return self.fmt not in ("scan_pdf", "ofd")


@dataclass(eq=False)  # identity: two objects are never the same thing
class Entry:
    """One row of a list: a detail page (or a direct file link) on one site."""

    id: int  # numeric id used in URLs
    title: str
    date: dt.date
    kind: str  # report | work_plan | notice | guide | legacy_report | broken | soft404
    source: Source | None = None
    body_fmt: str | None = None  # html_body | html_word: the report is the page's body
    attachments: list[File] = field(default_factory=list)
    direct: bool = False  # the list links straight to attachments[0]
    path: str = ""  # detail URL path (+ query), assigned by the platform
    representation: str = ""  # one of REPRESENTATIONS for reports
    role: str = ""  # for reports: primary | copy | original | correction
    noise: list[str] = field(default_factory=list)
    extra: dict[str, Any] = field(default_factory=dict)  # platform specifics (post ids, …)

    @property
    def report(self) -> Report | None:
        return self.source.report if self.source else None

    @property
    def visible(self) -> bool:
        return self.report is None or not self.report.held_back


@dataclass(eq=False)  # identity: two objects are never the same thing
class Column:
    """A list of entries: a site's annual-report column, or one unit's category."""

    id: str
    name: str
    agency: Agency | None = None  # the one agency it publishes for, if any
    entries: list[Entry] = field(default_factory=list)
    ids: dict[str, Any] = field(default_factory=dict)  # platform ids (colid, sid, catId, d, …)
    page_size: int = 20

    def visible(self) -> list[Entry]:
        """Published entries, newest first (as every real list orders them)."""
        rows = [e for e in self.entries if e.visible]
        return sorted(rows, key=lambda e: (e.date, e.id), reverse=True)


@dataclass
class NoiseCase:
    kind: str
    url: str  # path-absolute URL without the port: host + path; made absolute in the ground truth
    expect: str
    detail: str = ""
    site: str = ""
    report: str | None = None

    def to_json(self, base: str) -> dict[str, Any]:
        out = {"kind": self.kind, "url": absolute(self.url, base), "site": self.site,
               "expect": self.expect}
        if self.detail:
            out["detail"] = self.detail
        if self.report:
            out["report"] = self.report
        return out


def absolute(host_path: str, port_suffix: str) -> str:
    """``host/path`` → ``http://host:PORT/path`` (``port_suffix`` is ``":PORT"`` or ``""``)."""
    host, _, path = host_path.partition("/")
    return f"http://{host}{port_suffix}/{path}"


@dataclass
class World:
    seed: int
    size: str
    province: str
    agencies: list[Agency]
    reports: dict[str, Report]
    sites: list[Site]
    noise: list[NoiseCase] = field(default_factory=list)
    slow: dict[str, float] = field(default_factory=dict)  # host/path → seconds
    flaky: dict[str, tuple[int, int]] = field(default_factory=dict)  # host/path → (failures, status)

    def site(self, site_id: str) -> Site:
        return next(s for s in self.sites if s.id == site_id)
