"""What the sandbox publishes, as data a test can compare a crawl against, and the portal
registry entries a crawler starts from. Both are computed from the live world, so they follow
the change API (a changed or newly published report shows up at once).
"""
from __future__ import annotations

import json
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from tests.sandbox.model import Entry, File, NoiseCase, World, absolute
from tests.sandbox.platforms import CountySite, GkmlptSite, HanwebSite, Site, TrsSite

if TYPE_CHECKING:
    from tests.sandbox.content import Content

FORMAT_TEXT = {"html_body": "html", "html_word": "html_word"}

EXPECT = {
    "not_a_report": "not_a_report: never filed as a report",
    "legacy_report": "legacy_format: a pre-2019 report, not filed as a 2019–2024 report",
    "http_404": "404: record the failure, do not retry",
    "soft_404": "soft_404: 200 with 页面不存在; record, never store as a document",
    "duplicate": "the same report as its primary publication: one report per agency-year",
    "corrected_republication": "superseded: the correction published later is the final report",
    "broken_attachment": "404 for the attachment; the page body still carries the report",
    "scanned_pdf": "needs_ocr: image-only PDF without a text layer",
    "ofd_twin": "OFD copy of the PDF beside it: store or skip, never a source of facts",
    "direct_attachment_row": "the list row links the file itself (no detail page)",
    "content_disposition_gbk": "file name in raw GBK bytes in Content-Disposition: decode as GBK",
    "content_disposition_rfc5987": "file name in RFC 5987 filename*=UTF-8'' percent-encoding",
    "content_disposition_percent": "file name percent-encoded UTF-8 inside filename=\"…\"",
    "held_back": "not published yet: appears (and list pages change) after Sandbox.publish()",
    "slow_response": "answers late: wait (download timeout above the delay)",
    "transient_5xx": "the first requests fail with 5xx: retry with backoff",
    "js_challenge_412": "Ruishu-like 412 cookie challenge: pass it in a real browser, then reuse its "
                        "cookies (same User-Agent) over plain HTTP until they expire",
    "js_challenge_521": "Jiasule-like 521 cookie challenge (two rounds): pass it in a real browser, then "
                        "reuse its cookies (same User-Agent) over plain HTTP until they expire",
    "domain_moved": "301 to the site's new host name: follow it; the new host is the same portal",
    "robots_disallow": "robots.txt disallows every crawler: fetch nothing else unless the portal's "
                       "options set obey_robots = false",
    "gbk_site": "GBK pages, charset only in <meta> (Content-Type has none)",
    "pager_overshoot": "the pager claims one page more than exists: that page is a 404, stop there",
    "jpage_duplicate_units": "every row twice on the page (PC and mobile jpage units): dedupe",
    "cross_reference_rows": "type \"url\" rows point to other publishers' posts: follow at most, never own",
    "summary_page": "年报汇总 tabs link the same detail pages as the unit columns: dedupe by URL",
}


def ground_truth(world: World, content: Content, port: int | None) -> dict[str, Any]:
    sfx = f":{port}" if port else ""
    placed = list(_placements(world))
    by_report: dict[str, list[tuple[Site, Entry]]] = {}
    for site, entry in placed:
        if entry.report is not None:
            by_report.setdefault(entry.report.id, []).append((site, entry))
    reports = []
    for r in sorted(world.reports.values(), key=lambda r: r.id):
        info = content.report(r)
        pubs = [_publication(site, e, sfx) for site, e in by_report.get(r.id, [])]
        item: dict[str, Any] = {
            "id": r.id, "agency_id": r.agency.id, "agency": r.agency.name, "year": r.year,
            "status": "held_back" if r.held_back else "published", "version": r.version,
            "layout": info.layout, "hybrid": bool(info.hybrid), "title": info.title,
            "publication_date": info.publication_date.isoformat(),
            "text_layer": any(d["text_layer"] for p in pubs if p["status"] == "ok" for d in p["documents"]
                              if d["status"] == "ok"),
            "facts": dict(info.facts), "derived": list(info.derived),
            "failing_checks": sorted(getattr(info, "failing_checks", None) or []),
            "publications": pubs,
        }
        if r.corrected:
            original = content.report(r, "original")
            item["superseded"] = {"title": original.title, "facts": dict(original.facts),
                                  "urls": [p["url"] or p["documents"][0]["url"] for p in pubs
                                           if p["edition"] == "original"]}
        reports.append(item)
    return {
        "sandbox": {"seed": world.seed, "size": world.size, "province": world.province,
                    "port": port, "years": [2019, 2024],
                    "base_url": absolute(world.sites[0].host + "/", sfx)},
        "agencies": [{"id": a.id, "name": a.name, "level": a.level, "region": a.region.to_json(),
                      "parent": a.parent, "portals": list(a.sites)} for a in world.agencies],
        "sites": [_site(s, sfx) for s in world.sites],
        "reports": reports,
        "noise": [n.to_json(sfx) for n in noise_cases(world, placed)],
    }


def _placements(world: World) -> Iterator[tuple[Site, Entry]]:
    for site in world.sites:
        for column in site.columns:
            for e in column.entries:
                yield site, e


def _site(s: Site, sfx: str) -> dict[str, Any]:
    out = {"id": s.id, "host": s.host, "platform": s.platform, "level": s.level, "name": s.name,
           "region": s.region.to_json(), "encoding": s.encoding, "guard": s.guard, "robots": s.robots,
           "old_host": s.old_host, "start_urls": start_urls(s, sfx)}
    if s.agency:
        out["agency_id"] = s.agency.id
    return out


def start_urls(s: Site, sfx: str) -> list[str]:
    return [absolute((s.old_host or s.host) + p, sfx) for p in s.start_paths()]


def _document(site: Site, f: File, sfx: str) -> dict[str, Any]:
    out = {"url": absolute(site.host + f.path, sfx), "format": f.fmt, "role": f.role,
           "text_layer": f.text_layer, "filename": f.name, "content_disposition": f.disposition,
           "status": "404" if f.missing else "ok"}
    if f.download_path:
        out["download_url"] = absolute(site.host + f.download_path, sfx)
    return out


def _publication(site: Site, e: Entry, sfx: str) -> dict[str, Any]:
    docs = []
    if e.body_fmt:
        docs.append({"url": absolute(site.host + e.path, sfx), "format": FORMAT_TEXT[e.body_fmt],
                     "role": "body", "text_layer": True, "status": "ok"})
    docs += [_document(site, f, sfx) for f in e.attachments]
    status = "held_back" if not e.visible else "ok"
    return {"site": site.id, "url": None if e.direct else absolute(site.host + e.path, sfx),
            "role": e.role, "edition": "original" if e.role == "original" else "final",
            "final": e.role != "original", "representation": e.representation, "status": status,
            "title": e.title, "date": e.date.isoformat(), "documents": docs}


def noise_cases(world: World, placed: list[tuple[Site, Entry]]) -> Iterator[NoiseCase]:
    def case(kind: str, site: Site, path: str, detail: str = "", report: str | None = None,
             host: str | None = None) -> NoiseCase:
        return NoiseCase(kind, (host or site.host) + path, EXPECT[kind], detail, site.id, report)

    corrections = {e.report.id: site.host + e.path for site, e in placed
                   if e.report and e.role == "correction"}
    for site, e in placed:
        rid = e.report.id if e.report else None
        if e.kind in ("work_plan", "notice", "guide"):
            yield case("not_a_report", site, e.path, e.kind)
        elif e.kind == "legacy_report":
            yield case("legacy_report", site, e.path, f"{e.source.agency} {e.source.year}" if e.source else "")
        elif e.kind == "broken":
            yield case("http_404", site, e.path, "list row to a page that does not exist")
        elif e.kind == "soft404":
            yield case("soft_404", site, e.path)
        if e.role == "copy":
            yield case("duplicate", site, e.path if not e.direct else e.attachments[0].path, report=rid)
        if e.role == "original" and rid:
            yield case("corrected_republication", site, e.path, f"final: http://{corrections[rid]}", rid)
        if not e.visible:
            yield case("held_back", site, e.path, report=rid)
        if e.direct:
            yield case("direct_attachment_row", site, e.attachments[0].path, report=rid)
        for f in e.attachments:
            if f.missing:
                yield case("broken_attachment", site, f.path, report=rid)
            if f.fmt == "scan_pdf":
                yield case("scanned_pdf", site, f.path, report=rid)
            if f.role == "ofd_twin":
                yield case("ofd_twin", site, f.path, report=rid)
            if f.disposition in ("gbk", "rfc5987", "percent") and not f.missing:
                yield case(f"content_disposition_{f.disposition}", site, f.path, f.name, rid)
    for key, seconds in sorted(world.slow.items()):
        host, _, path = key.partition("/")
        yield NoiseCase("slow_response", key, EXPECT["slow_response"], f"{seconds:g} s", _site_of(world, host))
    for key, (times, status) in sorted(world.flaky.items()):
        host, _, path = key.partition("/")
        yield NoiseCase("transient_5xx", key, EXPECT["transient_5xx"],
                        f"the first {times} request(s) since start answer {status}", _site_of(world, host))
    for s in world.sites:
        start = s.start_paths()[0]
        if s.guard == "ruishu":
            yield case("js_challenge_412", s, start)
        if s.guard == "jiasule":
            yield case("js_challenge_521", s, start)
        if s.old_host:
            yield case("domain_moved", s, start, f"now http://{s.host}", host=s.old_host)
        if s.robots == "disallow":
            yield case("robots_disallow", s, "/robots.txt")
        if s.encoding != "utf-8":
            yield case("gbk_site", s, start, s.encoding)
        if isinstance(s, TrsSite):
            for c in s.columns:
                if c.ids["overshoot"]:
                    last = s.pages(c) + (0 if s.dialect == "0-based" else 1)
                    yield case("pager_overshoot", s, c.ids["path"] + s.page_name(last))
        if isinstance(s, HanwebSite):
            for c in s.columns:
                yield case("jpage_duplicate_units", s, s.column_path(c))
        if isinstance(s, GkmlptSite):
            for c in s.columns:
                xrefs = [e for e in c.ids["xrefs"] if e.visible]
                if xrefs:
                    yield case("cross_reference_rows", s, f"{c.ids['prefix']}/gkmlpt/api/all/{c.ids['cat']}"
                               f"?page=1&sid={c.ids['sid']}", f"{len(xrefs)} rows of type url")
        if isinstance(s, CountySite):
            yield case("summary_page", s, s.summary_path())


def _site_of(world: World, host: str) -> str:
    return next((s.id for s in world.sites if s.host == host), "")


# -- registry ---------------------------------------------------------------------------------
def registry_toml(world: World, port: int) -> str:
    """The crawler's portal registry for this sandbox (format in tests/sandbox/README.md)."""
    sfx = f":{port}"
    lines = ["# Portal registry of the nianbao sandbox province (generated; do not edit).",
             f"# seed {world.seed}, size {world.size}. Hosts under .test resolve to the sandbox server.", "",
             "[resolve]", f'"*.test" = "127.0.0.1:{port}"', ""]
    for s in world.sites:
        hosts = [s.old_host] if s.old_host else [s.host]
        region = {"province": s.region.province, "city": s.region.city, "county": s.region.county,
                  "code": s.region.code}
        lines += ["[[portal]]", f"id = {_q(s.id)}", f"name = {_q(s.name)}", f"platform = {_q(s.platform)}",
                  f"level = {_q(s.level)}",
                  "region = { " + ", ".join(f"{k} = {_q(v)}" for k, v in region.items() if v) + " }"]
        if s.agency:
            lines.append(f"agency = {_q(s.agency.name)}")
        lines += [f"start_urls = [{', '.join(_q(u) for u in start_urls(s, sfx))}]",
                  f"allowed_domains = [{', '.join(_q(h) for h in hosts)}]",
                  f'established = "sandbox seed {world.seed}"', "", "[portal.options]",
                  f"browser = {'true' if s.platform == 'gkmlpt' or s.guard else 'false'}"]
        if s.encoding != "utf-8":
            lines.append(f"encoding = {_q(s.encoding)}")
        lines.append("")
    return "\n".join(lines)


def _q(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)
