"""The medium province end to end, in the order a deployment lives it:

1. a crawl killed with SIGKILL half-way, then the same command again: it resumes the run and
   finishes it — every published report filed once with its facts, nothing lost, nothing twice;
2. a second crawl with nothing changed: lists re-read, every detail page and attachment asked
   for conditionally and answered 304, nothing downloaded and nothing parsed again;
3. the sandbox changes one report: only its pages and files are downloaded and parsed again,
   and the archive has its new numbers.
"""
from __future__ import annotations

import json
import os
import pathlib
import signal
import subprocess
import time
from collections.abc import Iterator
from typing import Any

import pytest
import sqlalchemy as sa

from tests.crawler.conftest import NIANBAO, crawl_args, run_nianbao
from tests.crawler.truth import compare
from tests.sandbox.server import Sandbox

pytestmark = [pytest.mark.slow, pytest.mark.browser]


class Archive:
    def __init__(self, url: str) -> None:
        self.url = url

    def rows(self, sql: str, **params: Any) -> list[Any]:
        engine = sa.create_engine(self.url)
        try:
            with engine.connect() as conn:
                return [tuple(r) for r in conn.execute(sa.text(sql), params)]
        finally:
            engine.dispose()

    def count(self, sql: str, **params: Any) -> int:
        return int(self.rows(sql, **params)[0][0])


@pytest.fixture(scope="module")
def state(medium: Sandbox, tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    tmp = tmp_path_factory.mktemp("incremental")
    yield {"tmp": tmp, "db": f"sqlite:///{tmp / 'data' / 'nianbao.sqlite'}", "data": tmp / "data",
           "jobdir": tmp / "job"}


def robots_closed(truth: dict[str, Any]) -> set[str]:
    return {s["id"] for s in truth["sites"] if s["robots"] != "open"}


def document_urls(truth: dict[str, Any], report_ids: set[str] | None = None) -> dict[str, set[str]]:
    """Detail-page and file URLs of the ground truth (files also by their download URL)."""
    out: dict[str, set[str]] = {"detail": set(), "attachment": set()}
    for r in truth["reports"]:
        if report_ids is not None and r["id"] not in report_ids:
            continue
        for p in r["publications"]:
            if p["status"] != "ok":
                continue
            if p["url"]:
                out["detail"].add(p["url"])
            for d in p["documents"]:
                if d["role"] != "body" and d["status"] == "ok":
                    out["attachment"].add(d["url"])
                    if d.get("download_url"):
                        out["attachment"].add(d["download_url"])
    return out


def normal(url: str) -> str:
    import urllib.parse
    return urllib.parse.unquote(url)


def test_a_killed_crawl_resumes_and_loses_nothing(medium: Sandbox, state: dict[str, Any]) -> None:
    medium.reset()
    args = crawl_args(medium, state["db"], state["data"], "--all", "--jobdir", state["jobdir"])
    total = len(medium.requests())
    proc = subprocess.Popen([NIANBAO, *map(str, args)], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                            start_new_session=True)
    deadline = time.monotonic() + 600
    while len(medium.log) < total * 0.25 and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.2)
    assert proc.poll() is None, "the crawl ended before it could be killed"
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    archive = Archive(state["db"])
    assert archive.count("SELECT count(*) FROM crawl_runs WHERE status = 'running'") == 1
    killed_docs = archive.count("SELECT count(*) FROM documents")
    assert killed_docs > 0 and (state["jobdir"] / "job.json").exists()

    resumed = run_nianbao(*args, timeout=900)
    assert resumed.returncode == 0, resumed.stderr[-3000:]
    assert resumed.summary["resumed"] and resumed.summary["status"] == "finished"
    assert not (state["jobdir"] / "job.json").exists()  # a finished run clears its job directory
    run_id = resumed.summary["run_id"]
    assert archive.rows("SELECT id, status FROM crawl_runs") == [(run_id, "finished")]

    truth = medium.ground_truth()
    cmp = compare(state["db"], truth, exclude_sites=robots_closed(truth))
    assert len(cmp.expected) > 1000 and cmp.found == cmp.expected, cmp.problems()
    assert not cmp.extra and not cmp.duplicates and not cmp.wrong_status, cmp.problems()
    assert not cmp.wrong_facts, cmp.problems()
    twice = archive.rows("SELECT url, document_id, count(*) FROM fetches WHERE outcome = 'document' "
                         "GROUP BY url, document_id HAVING count(*) > 1")
    assert twice == [], twice[:5]
    verify = run_nianbao("db", "verify", "--db", state["db"], "--data-dir", state["data"], timeout=300)
    assert verify.returncode == 0, verify.stdout + verify.stderr

    browsed = {pid for pid, n in resumed.summary["summary"]["browser_requests"].items() if n}
    assert browsed == {s["id"] for s in truth["sites"] if s["guard"] or s["platform"] == "gkmlpt"}
    state["documents"] = archive.count("SELECT count(*) FROM documents")
    state["parses"] = archive.count("SELECT count(*) FROM parses")


def test_an_unchanged_province_downloads_no_attachment(medium: Sandbox, state: dict[str, Any]) -> None:
    if "parses" not in state:
        pytest.skip("needs the first crawl")
    medium.reset()
    again = run_nianbao(*crawl_args(medium, state["db"], state["data"], "--all"), timeout=900)
    assert again.returncode == 0, again.stderr[-3000:]
    urls = document_urls(medium.ground_truth())
    # (the sandbox's transient 5xx fail again after reset(): they are retried, then answer 304)
    files = [(normal(u), s) for m, u, s in medium.log if normal(u) in urls["attachment"] and s < 500]
    details = [(normal(u), s) for m, u, s in medium.log if normal(u) in urls["detail"] and s < 500]
    assert files and all(s in (304, 302) for _, s in files), [f for f in files if f[1] not in (304, 302)][:5]
    assert details and all(s == 304 for _, s in details), [d for d in details if d[1] != 304][:5]
    assert again.stat("nianbao/not_modified/attachment") >= len({u for u, s in files if s == 304})
    assert again.stat("nianbao/parse/parsed") == 0 and again.stat("nianbao/documents/stored") == 0
    archive = Archive(state["db"])
    assert archive.count("SELECT count(*) FROM documents") == state["documents"]
    assert archive.count("SELECT count(*) FROM parses") == state["parses"]
    assert again.summary["summary"]["totals"]["reports_changed"] == 0
    assert again.summary["summary"]["totals"]["alerts"] == 0


def pick_report(truth: dict[str, Any]) -> dict[str, Any]:
    """A published report with an attachment and copies on two sites, if the province has one."""
    def score(r: dict[str, Any]) -> tuple[int, int]:
        pubs = [p for p in r["publications"] if p["status"] == "ok" and p["url"]]
        files = [d for p in pubs for d in p["documents"] if d["role"] == "attachment" and d["format"] == "docx"]
        return (len({p["site"] for p in pubs}), len(files))
    candidates = [r for r in truth["reports"] if r["status"] == "published" and r["text_layer"]
                  and not r.get("superseded") and all(p["status"] == "ok" for p in r["publications"])]
    return max(candidates, key=score)


def test_a_changed_report_is_the_only_one_fetched_and_parsed_again(medium: Sandbox, state: dict[str, Any]) -> None:
    if "parses" not in state:
        pytest.skip("needs the first crawl")
    report = pick_report(medium.ground_truth())
    changed = medium.change(report["id"])
    assert changed["facts"] != report["facts"]
    medium.reset()
    third = run_nianbao(*crawl_args(medium, state["db"], state["data"], "--all"), timeout=900)
    assert third.returncode == 0, third.stderr[-3000:]
    truth = medium.ground_truth()
    everything = document_urls(truth)
    mine = document_urls(truth, {report["id"]})
    downloaded = {normal(u) for m, u, s in medium.log if s == 200 and normal(u) in everything["detail"] | everything["attachment"]}
    assert downloaded == mine["detail"] | {u for u in mine["attachment"] if "downfile" not in u}, downloaded ^ (
        mine["detail"] | mine["attachment"])
    archive = Archive(state["db"])
    new_parses = archive.count("SELECT count(*) FROM parses") - state["parses"]
    assert new_parses == third.stat("nianbao/parse/parsed") and 1 <= new_parses <= len(downloaded)
    cmp = compare(state["db"], truth, exclude_sites=robots_closed(truth))
    assert (report["agency"], report["year"]) in cmp.found and not cmp.wrong_facts, cmp.problems()
    assert third.summary["summary"]["totals"]["reports_changed"] >= 1
    json.dumps(third.summary)  # the summary stays serialisable
    pathlib.Path(state["tmp"] / "third.json").write_text(third.stdout)
