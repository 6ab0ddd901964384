"""Every kind of noise behaves as the ground truth says a correct crawler will meet it."""
from __future__ import annotations

import io
import time
import urllib.parse
import zipfile
from typing import Any

import pytest

from tests.sandbox.client import Client, fetch
from tests.sandbox.groundtruth import EXPECT
from tests.sandbox.helpers import HTTP, get
from tests.sandbox.server import Sandbox


def cases(truth: dict[str, Any], kind: str) -> list[dict[str, Any]]:
    found = [n for n in truth["noise"] if n["kind"] == kind]
    assert found, f"the small province has no {kind} case"
    return found


def test_every_kind_of_noise_is_present_and_explained(truth: dict[str, Any]) -> None:
    assert {n["kind"] for n in truth["noise"]} == set(EXPECT)
    assert all(n["expect"] == EXPECT[n["kind"]] and n["url"].startswith("http://") for n in truth["noise"])


def test_non_reports_sit_in_the_report_columns(truth: dict[str, Any], http: HTTP) -> None:
    kinds = {n["detail"] for n in cases(truth, "not_a_report")}
    assert kinds == {"work_plan", "notice", "guide"}
    for n in cases(truth, "not_a_report")[:5] + cases(truth, "legacy_report")[:5]:
        assert http.get(n["url"]).status == 200
    years = {int(n["detail"].rsplit(" ", 1)[1]) for n in cases(truth, "legacy_report")}
    assert years <= {2016, 2017, 2018}


def test_broken_links_and_soft_404s(truth: dict[str, Any], http: HTTP) -> None:
    for n in cases(truth, "http_404") + cases(truth, "broken_attachment"):
        assert http.get(n["url"]).status == 404
    for n in cases(truth, "soft_404"):
        page = http.get(n["url"])
        assert page.status == 200 and "页面不存在" in page.text


def test_duplicates_serve_the_same_report(truth: dict[str, Any], http: HTTP) -> None:
    for r in truth["reports"]:
        pubs = [p for p in r["publications"] if p["status"] == "ok"]
        roles = [p["role"] for p in pubs]
        if r["status"] == "published":
            assert roles.count("primary") + roles.count("correction") == 1
    same = 0
    for r in truth["reports"]:
        pdfs = {d["url"]: d for p in r["publications"] if p["status"] == "ok" and p["final"] for d in p["documents"]
                if d["format"] == "pdf" and d["status"] == "ok"}
        if len(pdfs) > 1 and len({u.split("/")[2] for u in pdfs}) > 1:
            bodies = {http.get(u).body for u in list(pdfs)[:2]}
            assert len(bodies) == 1, "identical bytes under different URLs"
            same += 1
    assert same, "no report published as the same PDF on two sites"


def test_corrected_republication(truth: dict[str, Any], http: HTTP) -> None:
    for n in cases(truth, "corrected_republication"):
        report = next(r for r in truth["reports"] if r["id"] == n["report"])
        original = next(p for p in report["publications"] if p["edition"] == "original")
        final = next(p for p in report["publications"] if p["role"] == "correction")
        assert original["date"] < final["date"] and "更正" in final["title"]
        assert report["superseded"]["facts"] != report["facts"]
        assert http.get(n["url"]).status == 200 and http.get(final["url"]).status == 200


def test_scans_and_ofd_twins(truth: dict[str, Any], http: HTTP) -> None:
    for n in cases(truth, "scanned_pdf"):
        f = http.get(n["url"])
        assert f.status == 200 and f.body.startswith(b"%PDF")
    for n in cases(truth, "ofd_twin"):
        with zipfile.ZipFile(io.BytesIO(http.get(n["url"]).body)) as z:
            assert "OFD.xml" in z.namelist()


def test_robots(sandbox: Sandbox, truth: dict[str, Any]) -> None:
    for s in truth["sites"]:
        robots = get(sandbox.url(s["host"] + "/robots.txt"))
        assert robots.status == 200 and robots.header("Content-Type") == "text/plain"
        shut = "User-agent: *\nDisallow: /\n" in robots.text
        assert shut == (s["robots"] == "disallow")


def test_domain_moved(truth: dict[str, Any]) -> None:
    for n in cases(truth, "domain_moved"):
        old = fetch(n["url"])
        assert old.status == 301
        new = urllib.parse.urlsplit(old.header("Location"))
        assert new.hostname == n["detail"].removeprefix("now http://")
        assert new.path == urllib.parse.urlsplit(n["url"]).path
        assert Client().get(n["url"], follow=True).status == 200


@pytest.fixture()
def fresh() -> Any:
    with Sandbox(7, "small", slow_scale=0.5) as box:
        yield box


def test_transient_failures_then_success(fresh: Sandbox) -> None:
    truth = fresh.ground_truth()
    for n in cases(truth, "transient_5xx"):
        times = int(n["detail"].split()[2])
        statuses = [fetch(n["url"]).status for _ in range(times + 1)]
        assert all(s >= 500 for s in statuses[:-1]) and statuses[-1] in (200, 412, 521)
    fresh.reset()
    n = cases(truth, "transient_5xx")[0]
    assert fetch(n["url"]).status >= 500, "reset() makes them fail again"


def test_slow_responses(fresh: Sandbox) -> None:
    n = cases(fresh.ground_truth(), "slow_response")[0]
    started = time.monotonic()
    assert get(n["url"]).status == 200
    assert time.monotonic() - started >= 0.5 * float(n["detail"].split()[0]) * 0.95


def test_challenges_answer_plain_clients(truth: dict[str, Any]) -> None:
    for kind, status in (("js_challenge_412", 412), ("js_challenge_521", 521)):
        for n in cases(truth, kind):
            assert fetch(n["url"]).status == status
