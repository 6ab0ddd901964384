"""The download size cap (``DOWNLOAD_MAXSIZE``) in a real crawl of the small province.

A portal can serve a file of any size (a 2 GB scan, a misconfigured server streaming forever);
the crawler refuses it while it downloads, records the refusal as a typed failed fetch
(``too_large``) with its URL, stores nothing of it, and goes on with everything else. The cap is
set low with ``-s DOWNLOAD_MAXSIZE=…`` rather than by serving gigabytes: the code path is the same.
"""
from __future__ import annotations

import hashlib
import pathlib
import urllib.parse

import pytest

from tests.crawler.conftest import crawl_args, rows, run_nianbao
from tests.crawler.truth import compare, expected_reports
from tests.sandbox import fetch
from tests.sandbox.server import Sandbox

pytestmark = pytest.mark.slow


def test_a_document_past_the_size_cap_is_recorded_as_too_large_and_the_crawl_goes_on(
        small: Sandbox, tmp_path: pathlib.Path) -> None:
    truth = small.ground_truth()
    # the smallest plain TRS site (no challenge, robots open): its files are linked directly
    plain = [s["id"] for s in truth["sites"] if s["platform"] == "trs" and not s["guard"] and s["robots"] == "open"]
    publications = [(r, p) for r in truth["reports"] for p in r["publications"] if p["site"] in plain]
    site = min(plain, key=lambda sid: sum(p["site"] == sid for _, p in publications))
    pages = [len(fetch(p["url"]).body) for _, p in publications if p["site"] == site and p["url"]]
    cap = 2 * max(pages)  # every page of the site is well under it; its larger PDFs are not
    db = f"sqlite:///{tmp_path / 'data' / 'nianbao.sqlite'}"
    small.reset()
    crawl = run_nianbao(*crawl_args(small, db, tmp_path / "data", "--portal", site, "-s", f"DOWNLOAD_MAXSIZE={cap}"))
    assert crawl.summary.get("status") == "finished", crawl.stderr[-3000:]

    # what was too large: every URL the crawl got a 200 for whose body is larger than the cap
    answered = {urllib.parse.unquote(u) for m, u, s in small.log if m == "GET" and s == 200}
    bodies = {url: fetch(url).body for url in answered}
    refused = {url for url, body in bodies.items() if len(body) > cap}
    assert refused and any(url.endswith(".pdf") for url in refused), (cap, sorted(map(len, bodies.values())))

    failed = rows(db, "SELECT url, kind, document_id, error FROM fetches WHERE outcome = 'too_large'")
    assert {urllib.parse.unquote(str(url)) for url, *_ in failed} == refused
    for url, kind, document_id, error in failed:
        assert kind == "attachment" and document_id is None and f"max size ({cap})" in str(error), (url, error)
    assert crawl.portal(site)["stats"].get("nianbao/outcome/too_large") == len(refused)

    # nothing of them is stored: no document row, no blob, and no document past the cap at all
    stored = {sha for (sha,) in rows(db, "SELECT sha256 FROM documents")}
    for url in refused:
        sha = hashlib.sha256(bodies[url]).hexdigest()
        assert sha not in stored and not (tmp_path / "data" / "blobs" / sha[:2] / sha[2:4] / sha).exists(), url
    assert rows(db, "SELECT max(size) FROM documents")[0][0] <= cap

    # the rest of the crawl went on: every report of the site is filed, with its facts unless all
    # it had were refused files — then it is found but unreadable (its detail page says 详见附件)
    unread = set()
    for key, report in expected_reports(truth, sites={site}).items():
        documents = [d["url"] for p in report["publications"] if p["site"] == site and p["status"] == "ok"
                     for d in p["documents"] if d["status"] == "ok"]
        if all(url in refused for url in documents):
            unread.add(key)
    cmp = compare(db, truth, sites={site})
    assert cmp.expected and cmp.found == cmp.expected, cmp.problems()
    assert set(cmp.wrong_facts) == unread and len(unread) < len(cmp.expected), cmp.problems()
    assert not cmp.extra and not cmp.duplicates, cmp.problems()
    statuses = {(agency, year): status for agency, year, status in rows(
        db, "SELECT DISTINCT al.alias, r.year, r.status FROM reports r JOIN agency_aliases al ON al.agency_id = r.agency_id")}
    assert {key for key in cmp.expected if statuses[key] == "unreadable"} == unread
    under_cap = {url for url, body in bodies.items() if len(body) <= cap}
    documents = {urllib.parse.unquote(str(u)) for (u,) in rows(db, "SELECT url FROM fetches WHERE outcome = 'document'")}
    assert documents and documents <= under_cap
    # a refusal is an error of the portal, as the error-rate monitor counts them
    assert crawl.portal(site)["counts"]["errors"] == len(refused)
