"""The ground truth is complete: every agency, every agency-year report, every URL it is
published at, and the registry a crawler starts from."""
from __future__ import annotations

import io
import tomllib
from collections import Counter
from typing import Any

import pytest

from tests.sandbox.groundtruth import EXPECT
from tests.sandbox.helpers import HTTP
from tests.sandbox.model import YEARS
from tests.sandbox.plan import SHAPES, Planner
from tests.sandbox.server import Sandbox


@pytest.mark.parametrize("size, low, high", [("small", 15, 30), ("medium", 170, 260), ("large", 2500, 3500)])
def test_sizes(size: str, low: int, high: int) -> None:
    planner = Planner(7, size, content=None)  # type: ignore[arg-type]  # structure only
    planner.geography()
    assert low <= len(planner.agencies) <= high
    assert {s.platform for s in planner.sites} == {"trs", "hanweb", "gkmlpt", "county", "dir"}
    assert sum(s.encoding == "gbk" for s in planner.sites) == 1
    assert [s.guard for s in planner.sites if s.guard] == ["ruishu", "jiasule"]
    assert sum(1 for s in planner.sites if s.old_host) == 1
    assert sum(1 for s in planner.sites if s.robots == "disallow") == 1
    levels = Counter(a.level for a in planner.agencies)
    assert set(levels) == {"province", "city", "county", "department", "township"}


def test_every_agency_year_report_is_listed_with_facts(truth: dict[str, Any]) -> None:
    agencies = {a["id"]: a for a in truth["agencies"]}
    reports = truth["reports"]
    assert len({r["id"] for r in reports}) == len(reports)
    per_agency = Counter(r["agency_id"] for r in reports)
    assert set(per_agency) == set(agencies), "every agency publishes"
    assert sum(per_agency.values()) >= 0.95 * len(agencies) * len(YEARS)
    for r in reports:
        assert r["year"] in YEARS and r["agency"] == agencies[r["agency_id"]]["name"]
        assert r["layout"] in ("2019", "2021") and r["facts"] and r["title"].startswith(r["agency"])
        assert r["publications"], r["id"]
        for p in r["publications"]:
            assert p["site"] in agencies[r["agency_id"]]["portals"]
            assert p["documents"] and all(d["url"].startswith("http://") for d in p["documents"])
        if r["status"] == "published":
            assert any(p["final"] and p["status"] == "ok" for p in r["publications"])
    assert Counter(r["status"] for r in reports)["held_back"] == SHAPES["small"].held_back
    formats = Counter(d["format"] for r in reports for p in r["publications"] for d in p["documents"])
    assert set(formats) == {"html", "html_word", "pdf", "scan_pdf", "docx", "doc", "wps", "ofd"}
    assert not all(r["text_layer"] for r in reports) and any(r["text_layer"] for r in reports)
    layouts = Counter("hybrid" if r["hybrid"] else r["layout"] for r in reports)
    assert set(layouts) == {"2019", "2021", "hybrid"}, layouts  # both layouts and the hybrid


def test_scanned_reports_have_no_text_layer(truth: dict[str, Any], http: HTTP) -> None:
    """A scan_pdf is page images only: no text a parser could read (and the truth says so)."""
    from pdfminer.high_level import extract_text

    scans = [(r, d) for r in truth["reports"] for p in r["publications"] if p["status"] == "ok"
             for d in p["documents"] if d["format"] == "scan_pdf" and d["status"] != "404"]
    assert scans
    for report, doc in scans[:3]:
        got = http.get(doc["url"])
        assert got.status == 200 and got.body.startswith(b"%PDF")
        assert extract_text(io.BytesIO(got.body)).strip() == "", doc["url"]
        assert not report["text_layer"] or any(d["format"] != "scan_pdf" for p in report["publications"]
                                               for d in p["documents"])


def test_every_published_url_answers(sandbox: Sandbox, truth: dict[str, Any], http: HTTP) -> None:
    checked = 0
    for r in truth["reports"]:
        for p in r["publications"]:
            if p["status"] != "ok":
                continue
            if p["url"]:
                assert http.get(p["url"]).status == 200
            for d in p["documents"]:
                got = http.get(d["url"])
                assert got.status == (404 if d["status"] == "404" else 200), d["url"]
                checked += 1
    assert checked > len(truth["reports"])
    assert sandbox.errors == []


def test_registry_matches_the_sites(sandbox: Sandbox, truth: dict[str, Any]) -> None:
    registry = tomllib.loads(sandbox.registry_path.read_text(encoding="utf-8"))
    assert registry["resolve"] == {"*.test": f"127.0.0.1:{sandbox.port}"}
    portals = {p["id"]: p for p in registry["portal"]}
    assert set(portals) == {s["id"] for s in truth["sites"]}
    for s in truth["sites"]:
        p = portals[s["id"]]
        assert p["platform"] == s["platform"] and p["level"] == s["level"] and p["name"] == s["name"]
        assert p["start_urls"] == s["start_urls"] and p["established"] == "sandbox seed 7"
        assert p["region"]["province"] == "江岚省" and len(p["region"]["code"]) == 6
        assert p["options"]["browser"] == (s["platform"] == "gkmlpt" or bool(s["guard"]))
        assert p["options"].get("encoding", "utf-8") == s["encoding"]
        assert all(u.split("/")[2].split(":")[0] in p["allowed_domains"] for u in p["start_urls"])
        if "agency_id" in s:
            assert p["agency"] == next(a["name"] for a in truth["agencies"] if a["id"] == s["agency_id"])


def test_medium_has_every_format_and_noise_case() -> None:
    truth = Sandbox(7, "medium").ground_truth()  # built, not served: nothing is rendered
    assert {n["kind"] for n in truth["noise"]} == set(EXPECT)
    formats = Counter(d["format"] for r in truth["reports"] for p in r["publications"] for d in p["documents"])
    assert set(formats) == {"html", "html_word", "pdf", "scan_pdf", "docx", "doc", "wps", "ofd"}
    assert 1150 <= len(truth["reports"]) <= 1350


def test_most_reports_carry_in_what_the_year_before_carried_out(truth: dict[str, Any]) -> None:
    """As real ones do (the archive's cross-year check reads it); about one in ten slips."""
    from tests.synth.checks import carries_over
    from tests.synth.schema import APPLICANTS

    by = {(r["agency_id"], r["year"]): r["facts"] for r in truth["reports"]}
    pairs = Counter(carries_over(facts, by[(agency, year - 1)]) for (agency, year), facts in by.items()
                    if (agency, year - 1) in by)
    assert pairs[True] > 0.8 * (pairs[True] + pairs[False]) and pairs[False] > 0, pairs
    assert sum(any(f[f"applications.carried_in.{c}"] for c in APPLICANTS) for f in by.values()) > 20
