"""Builds the simulated province from a seed: who exists, which site publishes what, and
where the noise goes. Deterministic: every choice comes from ``random.Random`` seeded with
the seed, the size and the purpose of the choice, in a fixed iteration order.

Hierarchy: the province portal (TRS) lists the province government's and the provincial
departments' reports and links the city portals; each city runs one platform family
(Hanweb, gkmlpt, the ``?a=dir`` platform, TRS) for its government and departments, and
its counties run the county platform (部门/乡镇 tabs), gkmlpt, TRS or the city's ``?a=dir``
sub-domains. Some departments also have their own site, which republishes their reports.
"""
from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass
from typing import Any

from tests.sandbox.content import Content
from tests.sandbox.model import (
    LEGACY_YEARS,
    YEARS,
    Agency,
    Column,
    Entry,
    File,
    Region,
    Report,
    Source,
    World,
)
from tests.sandbox.names import CITIES, DEPARTMENTS, PROVINCE, TOWNSHIP_SUFFIXES, TOWNSHIPS, county_names
from tests.sandbox.platforms import CountySite, DirSite, GkmlptSite, HanwebSite, Site, TrsSite


@dataclass(frozen=True)
class Shape:
    cities: int
    city_depts: int
    counties: int  # per city
    county_depts: int
    townships: int  # per county
    prov_depts: int
    quota: int  # how many of each expensive format and of each noise case
    pdfs: int  # reports with a (LibreOffice-made) text PDF, besides scans and direct links
    held_back: int
    page_sizes: tuple[tuple[str, int], ...]

    def page_size(self, platform: str) -> int:
        return dict(self.page_sizes).get(platform, 20)


SHAPES = {
    "small": Shape(3, 2, 1, 1, 1, 2, quota=2, pdfs=6, held_back=2,
                   page_sizes=(("trs", 8), ("hanweb", 4), ("county", 6), ("dir", 8), ("gkmlpt", 100))),
    "medium": Shape(6, 8, 2, 8, 4, 6, quota=4, pdfs=20, held_back=4,
                    page_sizes=(("trs", 15), ("hanweb", 10), ("county", 8), ("dir", 15), ("gkmlpt", 100))),
    "large": Shape(16, 20, 6, 18, 8, 25, quota=20, pdfs=120, held_back=10,
                   page_sizes=(("trs", 20), ("hanweb", 15), ("county", 15), ("dir", 20), ("gkmlpt", 100))),
}
CITY_FAMILIES = ("hanweb", "gkmlpt", "dir", "trs")

# Report representations after the expensive ones are placed: (name, weight). LibreOffice
# needs about a second per PDF/DOC, so those are counted out per size (Shape.quota, .pdfs).
COMMON = (("html", 70), ("docx", 30))
NON_REPORT_KINDS = ("work_plan", "notice", "guide")
CHAINED = 0.9  # share of reports carrying in what the year before carried out; real ones slip too


def build(seed: int, size: str, content: Content) -> World:
    return Planner(seed, size, content).world()


class Planner:
    def __init__(self, seed: int, size: str, content: Content) -> None:
        if size not in SHAPES:
            raise ValueError(f"unknown size {size!r}: choose one of {', '.join(SHAPES)}")
        self.seed, self.size, self.shape, self.content = seed, size, SHAPES[size], content
        self.agencies: list[Agency] = []
        self.sites: list[Site] = []
        self.listed: dict[str, list[Column]] = {}  # agency id → columns (first = primary)
        self.site_of: dict[str, Site] = {}  # column id → site
        self.owners: dict[str, list[Agency]] = {}  # column id → agencies it lists
        self._next_id = 1_204_000 + seed % 997 * 10
        self._non_report_pdfs = 0

    def rng(self, purpose: str) -> random.Random:
        return random.Random(f"nianbao-sandbox:{self.seed}:{self.size}:{purpose}")

    def next_id(self) -> int:
        self._next_id += 1 + self._next_id * 7 % 13  # gaps, as CMS ids have
        return self._next_id

    # -- structure ----------------------------------------------------------------------------
    def agency(self, name: str, level: str, region: Region, parent: Agency | None = None) -> Agency:
        a = Agency(id=f"a{len(self.agencies) + 1:04d}", name=name, level=level, region=region,
                   parent=parent.id if parent else None)
        self.agencies.append(a)
        return a

    def site(self, cls: type[Site], id: str, host: str, name: str, level: str, region: Region,
             **kwargs: Any) -> Site:
        site = cls(id, host, name, level, region, **kwargs)
        self.sites.append(site)
        return site

    def column(self, site: Site, name: str, agencies: list[Agency], **ids: Any) -> Column:
        column = site.add_column(name, agencies[0] if len(agencies) == 1 else None, **ids)
        column.page_size = self.shape.page_size(site.platform)
        self.site_of[column.id] = site
        self.owners[column.id] = list(agencies)
        for a in agencies:
            self.listed.setdefault(a.id, []).append(column)
            if site.id not in a.sites:
                a.sites.append(site.id)
        return column

    def geography(self) -> None:
        prov, prov_py, prov_code = PROVINCE
        region = Region(prov, None, None, prov_code)
        gov = self.agency(f"{prov}人民政府", "province", region)
        portal = self.site(TrsSite, f"{prov_py}-www", f"www.{prov_py}.gov.cn.test", gov.name, "province", region)
        depts = [self.agency(prov + d.province, "department", region, gov) for d in DEPARTMENTS[:self.shape.prov_depts]]
        self.column(portal, "政府信息公开年报", [gov], path="/zwgk/zfxxgk/zfxxgknb/")
        for i, (dept, a) in enumerate(zip(DEPARTMENTS, depts, strict=False)):
            if i % 4 == 0:  # some departments run their own site; its copy is the primary
                host = f"{dept.province_host}.{prov_py}.gov.cn.test"
                own = self.dept_site("trs" if i % 8 == 0 else "hanweb", host, a, region,
                                     guard="ruishu" if i == 0 else None)
                portal.links.append(("省政府部门网站", a.name, own.host + "/"))
        self.column(portal, "省政府部门政府信息公开年报", depts, path="/zwgk/zfxxgk/bmndbg/", overshoot=True)

        names = county_names(self.shape.cities * self.shape.counties, 0)
        for ci in range(self.shape.cities):
            family = CITY_FAMILIES[ci % len(CITY_FAMILIES)]
            stem, py = CITIES[ci]
            city = stem + "市"
            cregion = Region(prov, city, None, f"78{ci + 1:02d}00")
            cgov = self.agency(f"{city}人民政府", "city", cregion, gov)
            cdepts = [self.agency(city + d.city, "department", cregion, cgov)
                      for d in DEPARTMENTS[:self.shape.city_depts]]
            cportal = self.portal(family, py, city, "city", cregion, cgov, cdepts, [])
            portal.links.append(("市州政府", cgov.name, cportal.host + "/"))
            for i, (dept, a) in enumerate(zip(DEPARTMENTS, cdepts, strict=False)):
                first_of_family = ci == CITY_FAMILIES.index(family)
                host = f"{dept.key}.{py}.gov.cn.test"
                if family == "hanweb" and (i % 5 == 0):
                    guard = "jiasule" if first_of_family and i == 0 else None
                    own = self.dept_site("hanweb", host, a, cregion, guard=guard)
                elif family == "trs" and i % 5 == 0:
                    own = self.dept_site("trs", host, a, cregion)
                elif family == "dir" and first_of_family and i == len(cdepts) - 1:
                    own = self.dept_site("trs0", host, a, cregion, robots="disallow")
                else:
                    continue
                cportal.links.append(("部门网站", a.name, own.host + "/"))
            for k in range(self.shape.counties):
                self.county(ci, k, family, names[ci * self.shape.counties + k], cregion, cgov, cportal)

    def county(self, ci: int, k: int, family: str, stem_py: tuple[str, str], cregion: Region,
               cgov: Agency, cportal: Site) -> None:
        stem, py = stem_py
        suffix = "区" if k == 0 and ci % 2 == 0 else "市" if k == 2 else "县"
        name = stem + suffix
        code = f"{cregion.code[:4]}{k + 2 if suffix == '区' else k + 81 if suffix == '市' else k + 21:02d}"
        region = Region(cregion.province, cregion.city, name, code)
        gov = self.agency(f"{name}人民政府", "county", region, cgov)
        depts = [self.agency(name + d.county, "department", region, gov) for d in DEPARTMENTS[:self.shape.county_depts]]
        towns = []
        for t in range(self.shape.townships):
            tname, _ = TOWNSHIPS[(t * 5 + ci + k) % len(TOWNSHIPS)]
            tsuffix = TOWNSHIP_SUFFIXES[(t + k) % len(TOWNSHIP_SUFFIXES)]
            full = f"{name}{tname}{tsuffix}{'办事处' if tsuffix == '街道' else '人民政府'}"
            towns.append(self.agency(full, "township", region, gov))
        first = ci == CITY_FAMILIES.index(family) and k == 0
        if family == "dir":
            kind = "dir"
        elif family == "gkmlpt":
            kind = "county" if k % 2 == 0 else "gkmlpt"
        elif family == "trs":
            kind = "trs" if k % 2 == 0 else "county"
        else:
            kind = "county"
        extra: dict[str, Any] = {}
        if first and family == "gkmlpt":
            extra["encoding"] = "gbk"
        if first and family == "hanweb":
            extra["old_host"] = f"www.{py}xian.gov.cn.test"  # the county became a district
        if kind == "dir":
            site = self.portal("dir", py, name, "county", region, gov, depts, towns,
                               host=f"{py}.public.{cportal.host.split('.')[1]}.gov.cn.test", sid=f"{py}-public")
        else:
            site = self.portal(kind, py, name, "county", region, gov, depts, towns, **extra)
        cportal.links.append(("区县政府", gov.name, (site.old_host or site.host) + "/"))
        if depts and (first and family == "hanweb" or k % 6 == 5):
            dept = DEPARTMENTS[0]
            self.dept_site("trs", f"{dept.key}.{py}.gov.cn.test", depts[0], region)

    def portal(self, family: str, py: str, name: str, level: str, region: Region, gov: Agency,
               depts: list[Agency], towns: list[Agency], host: str | None = None, sid: str | None = None,
               **kwargs: Any) -> Site:
        """A government portal of one family, publishing the government's, its departments'
        and its townships' reports (in one column, two, or one per unit, as the family does)."""
        if family == "dir" and host is None:
            host = f"public.{py}.gov.cn.test"
        host = host or f"www.{py}.gov.cn.test"
        sid = sid or f"{py}-{host.split('.')[0]}"
        cls = {"trs": TrsSite, "hanweb": HanwebSite, "gkmlpt": GkmlptSite, "county": CountySite,
               "dir": DirSite}[family]
        site_name = gov.name if family != "dir" else f"{name}政务公开平台"
        site = self.site(cls, sid, host, site_name, level, region, **kwargs)
        others = depts + towns
        if family == "trs":
            self.column(site, "政府信息公开年报", [gov], path="/zwgk/zfxxgk/zfxxgknb/")
            if others:
                self.column(site, "部门及乡镇政府信息公开年报", others, path="/zwgk/zfxxgk/bmxzndbg/")
        elif family == "hanweb":
            self.column(site, "政府信息公开年报", [gov])
            if others:
                self.column(site, "部门政府信息公开年报", others)
        elif family == "gkmlpt":
            self.column(site, "政府信息公开年报", [gov], prefix="")
            for a, d in zip(depts, DEPARTMENTS, strict=False):
                self.column(site, "政府信息公开年报", [a], prefix=f"/{py[:2]}{d.key}")
            for t, a in enumerate(towns):
                self.column(site, "政府信息公开年报", [a], prefix=f"/{py[:2]}xz{t + 1:02d}")
        elif family == "county":
            self.column(site, gov.name, [gov], group="bj")
            for a in depts:
                self.column(site, a.name, [a], group="bm")
            for a in towns:
                self.column(site, a.name, [a], group="xz")
        else:
            self.column(site, gov.name, [gov], group="政府")
            for a in depts:
                self.column(site, a.name, [a], group="部门")
            for a in towns:
                self.column(site, a.name, [a], group="乡镇（街道）")
        return site

    def dept_site(self, family: str, host: str, agency: Agency, region: Region, **kwargs: Any) -> Site:
        """A department's own site (one column): a second place its reports appear."""
        sid = f"{host.split('.')[1]}-{host.split('.')[0]}"
        if family == "hanweb":
            site = self.site(HanwebSite, sid, host, agency.name, "department", region, agency=agency, **kwargs)
            self.column(site, "政府信息公开年报", [agency])
        else:
            dialect = "0-based" if family == "trs0" else "1-based"
            site = self.site(TrsSite, sid, host, agency.name, "department", region, agency=agency,
                             dialect=dialect, **kwargs)
            self.column(site, "政府信息公开年报", [agency], path="/zfxxgk/zfxxgknb/")
        # the department's own site is where it publishes first; portals repost
        columns = self.listed[agency.id]
        columns.insert(0, columns.pop())
        return site

    # -- publications -------------------------------------------------------------------------
    def world(self) -> World:
        self.geography()
        reports = self.make_reports()
        self.publish(reports)
        self.add_non_reports()
        for site in self.sites:
            site.layout()
        world = World(seed=self.seed, size=self.size, province=PROVINCE[0], agencies=self.agencies,
                      reports={r.id: r for r in reports}, sites=self.sites)
        self.add_server_noise(world)
        return world

    def make_reports(self) -> list[Report]:
        rng = self.rng("reports")
        reports = []
        for a in self.agencies:
            for year in YEARS:
                seed = rng.randrange(1, 2**31)
                if a.level in ("township", "department") and a.parent and rng.random() < 0.03:
                    continue  # some offices skip a year: no report exists
                reports.append(Report(id=f"{a.id}-{year}", agency=a, year=year, seed=seed))
        chain = self.rng("chain")
        last: dict[str, Report] = {}
        for r in reports:  # in year order per agency
            before = last.get(r.agency.id)
            if before is not None and before.year == r.year - 1:
                r.previous = before
                r.chained = chain.random() < CHAINED
            last[r.agency.id] = r
        pick = self.rng("held-back")
        for r in pick.sample([r for r in reports if r.year == YEARS[-1]], self.shape.held_back):
            r.held_back = True
        fix = self.rng("corrected")
        for r in fix.sample([r for r in reports if r.year < YEARS[-1]], max(1, self.shape.quota // 2)):
            r.corrected = True
        return reports

    def publish(self, reports: list[Report]) -> None:
        rng = self.rng("representations")
        slots = [(r, column, n) for r in reports for n, column in enumerate(self.listed[r.agency.id])]
        reps = self.representations(rng, slots)
        primary_dates: dict[str, dt.date] = {}
        for (r, column, n), rep in zip(slots, reps, strict=True):
            site = self.site_of[column.id]
            info = self.content.report(r)
            date = primary_dates.setdefault(r.id, info.publication_date)
            if n:
                date = date + dt.timedelta(days=rng.randint(0, 12))  # reposted a few days later
            role = "primary" if n == 0 else "copy"
            if r.corrected and n == 0:
                first = self.content.report(r, "original")
                column.entries.append(self.report_entry(rng, site, r, rep, "original", first.title, date, "original"))
                date = date + dt.timedelta(days=rng.randint(20, 60))
                role = "correction"
                title = f"{info.title}（更正版）"
            else:
                title = info.title
            column.entries.append(self.report_entry(rng, site, r, rep, role, title, date, "final"))
        entries = [e for s in self.sites if isinstance(s, TrsSite) for c in s.columns for e in c.entries]
        if not any(f.role == "ofd_twin" for e in entries for f in e.attachments):
            self.ofd_twin(next(e for e in entries if any(f.fmt == "pdf" for f in e.attachments)))
        # gkmlpt: a government's category cross-references its departments' posts
        for site in self.sites:
            if isinstance(site, GkmlptSite):
                gov, *units = site.columns
                gov.ids["xrefs"] = [e for c in units for e in c.entries if e.kind == "report"]

    def representations(self, rng: random.Random, slots: list[tuple[Report, Column, int]]) -> list[str]:
        """Place a counted number of every expensive format (LibreOffice, scans) and of
        attachment-only rows on primary publications, spread the cheap ones by weight; most
        copies repost the primary's file (identical bytes), the others differ in format."""
        q, half = self.shape.quota, self.shape.pdfs // 2
        order = list(range(len(slots)))
        rng.shuffle(order)
        reps = [""] * len(slots)
        primaries = [i for i in order if slots[i][2] == 0]
        trs = [i for i in primaries if isinstance(self.site_of[slots[i][1].id], TrsSite)]
        for i in trs[:q]:
            reps[i] = "direct_pdf"
        queue = [i for i in primaries if not reps[i]]
        fixed = ["doc"] * q + ["wps"] * q + ["scan_pdf"] * q + ["scan_pdf+pdf"] * q + ["html_word"] * (2 * q) \
            + ["html+pdf"] * half + ["pdf"] * (self.shape.pdfs - half)
        for i, rep in zip(queue, fixed, strict=False):
            reps[i] = rep
        names, weights = zip(*COMMON, strict=True)
        for i in primaries:
            if not reps[i]:
                reps[i] = rng.choices(names, weights)[0]
        first = {slots[i][0].id: reps[i] for i in primaries}
        for i in order:
            if not reps[i]:
                rep = first[slots[i][0].id] if rng.random() < 0.7 else rng.choices(names, weights)[0]
                trs_copy = isinstance(self.site_of[slots[i][1].id], TrsSite)
                reps[i] = "pdf" if rep == "direct_pdf" and not trs_copy else rep
        return reps

    def report_entry(self, rng: random.Random, site: Site, r: Report, rep: str, role: str, title: str,
                     date: dt.date, edition: str) -> Entry:
        source = Source("report", report=r, edition=edition)
        e = Entry(id=self.next_id(), title=title, date=date, kind="report", source=source,
                  representation=rep, role=role)
        body, _, attached = rep.partition("+")
        if body in ("html", "html_word"):
            e.body_fmt = "html_body" if body == "html" else "html_word"
            body = attached
        if body == "direct_pdf":
            e.direct, body = True, "pdf"
        formats = [f for f in (body, attached if attached != body else "") if f]
        for fmt in formats:
            label = "（图片版）" if fmt == "scan_pdf" else "（超链版）" if "scan_pdf" in rep else ""
            ext = "pdf" if fmt == "scan_pdf" else fmt
            e.attachments.append(File(fmt=fmt, source=source, name=f"{title}{label}.{ext}",
                                      disposition=self.disposition(site, rng)))
        if isinstance(site, TrsSite) and rep in ("pdf", "html+pdf", "direct_pdf") and rng.random() < 0.4:
            self.ofd_twin(e)
        return e

    @staticmethod
    def ofd_twin(e: Entry) -> None:
        pdf = next(f for f in e.attachments if f.fmt == "pdf")
        e.attachments.append(File(fmt="ofd", source=pdf.source, name=pdf.name[:-3] + "ofd", role="ofd_twin"))

    def disposition(self, site: Site, rng: random.Random) -> str:
        if site.encoding == "gbk":
            return "gbk"
        styles = {"hanweb": ("rfc5987", "gbk"), "dir": ("percent", "gbk"), "county": ("rfc5987", "basename")}
        options = styles.get(site.platform)
        return rng.choice(options) if options else "none"

    def add_non_reports(self) -> None:
        """Work plans, notices, guides and pre-2019 reports in the same columns."""
        rng = self.rng("non-reports")
        for site in self.sites:
            for column in site.columns:
                owners = self.owners[column.id]
                kinds = [k for k in NON_REPORT_KINDS if rng.random() < 0.5]
                for kind in kinds:
                    self.non_report(rng, site, column, kind, rng.choice(owners), rng.choice(YEARS))
                for a in owners[:3]:
                    for year in LEGACY_YEARS:
                        if rng.random() < 0.3:
                            self.non_report(rng, site, column, "legacy_report", a, year)
        noisy = [c for s in self.sites for c in s.columns if s.guard is None]
        for kind in ("broken", "soft404"):
            for column in rng.sample(noisy, min(len(noisy), self.shape.quota)):
                site = self.site_of[column.id]
                owner = self.owners[column.id][0]
                e = self.non_report(rng, site, column, "notice", owner, rng.choice(YEARS))
                e.kind, e.body_fmt, e.attachments = kind, None, []
                if kind == "soft404":
                    e.source = Source("soft404", seed=e.id, agency=owner.name, year=e.date.year)
        # broken attachment links on pages that still carry the report as HTML
        pages = [e for s in self.sites if s.guard is None for c in s.columns for e in c.entries
                 if e.representation == "html+pdf" and e.role == "primary"]
        for e in rng.sample(pages, min(len(pages), max(1, self.shape.quota // 2))):
            e.attachments[0].missing = True

    def non_report(self, rng: random.Random, site: Site, column: Column, kind: str, owner: Agency,
                   year: int) -> Entry:
        source = Source(kind, seed=rng.randrange(1, 2**31), agency=owner.name, year=year,
                        region=owner.region.label)
        doc = self.content.obj(source)
        date = getattr(doc, "publication_date", None) or dt.date(year, rng.randint(1, 12), rng.randint(1, 28))
        e = Entry(id=self.next_id(), title=doc.title, date=date, kind=kind, source=source)
        if rng.random() < 0.6:
            e.body_fmt = "html_body"
        else:
            fmt = "pdf" if self._non_report_pdfs < max(1, self.shape.quota // 2) else "docx"
            self._non_report_pdfs += fmt == "pdf"
            e.attachments.append(File(fmt=fmt, source=source, name=f"{doc.title}.{fmt}",
                                      disposition=self.disposition(site, rng)))
        column.entries.append(e)
        return e

    def add_server_noise(self, world: World) -> None:
        """Slow and intermittently failing URLs (never on challenge sites, whose first
        answers are challenges anyway)."""
        rng = self.rng("server-noise")
        plain = [s for s in self.sites if s.guard is None and not s.old_host]
        urls = sorted({s.host + p for s in plain for p, (e, f) in s.files.items()
                       if e.visible and e.kind not in ("broken", "soft404")})
        q = self.shape.quota
        picked = rng.sample(urls, min(len(urls), 3 * q))
        for key in picked[:q]:
            world.slow[key] = 2.0
        for n, key in enumerate(picked[q:]):
            world.flaky[key] = (1 + n % 2, (503, 502, 500)[n % 3])
        start = next(s for s in plain if isinstance(s, TrsSite))
        world.flaky[start.host + start.start_paths()[0]] = (1, 503)
