"""Conditional requests, and the change API in-process and over HTTP."""
from __future__ import annotations

import email.utils
import json
from collections.abc import Iterator
from typing import Any

import pytest

from tests.sandbox.client import fetch
from tests.sandbox.helpers import get
from tests.sandbox.server import ADMIN_HOST, Sandbox
from tests.synth.checks import carries_over
from tests.synth.schema import APPLICANTS


@pytest.fixture()
def box() -> Iterator[Sandbox]:
    with Sandbox(7, "small", slow_scale=0) as b:
        yield b


def documents(truth: dict[str, Any], guarded: set[str]) -> Iterator[tuple[dict[str, Any], str]]:
    for r in truth["reports"]:
        for p in r["publications"]:
            if p["status"] == "ok" and p["site"] not in guarded:
                for d in p["documents"]:
                    if d["status"] == "ok":
                        yield r, d["url"]


def test_validators_mix_and_304(truth: dict[str, Any]) -> None:
    guarded = {s["id"] for s in truth["sites"] if s["guard"]}
    kinds = set()
    for _, url in list(documents(truth, guarded))[::3]:
        resp = get(url)
        etag, modified = resp.header("ETag"), resp.header("Last-Modified")
        assert etag or modified, url
        kinds.add((bool(etag), bool(modified)))
        if etag:
            again = fetch(url, headers={"If-None-Match": etag})
            assert again.status == 304 and again.body == b"" and again.header("ETag") == etag
            assert fetch(url, headers={"If-None-Match": '"other"'}).status == 200
        if modified:
            assert fetch(url, headers={"If-Modified-Since": modified}).status == 304
            earlier = email.utils.format_datetime(email.utils.parsedate_to_datetime(modified).replace(year=2001),
                                                  usegmt=True)
            assert fetch(url, headers={"If-Modified-Since": earlier}).status == 200
    assert kinds == {(True, True), (True, False), (False, True)}, "servers differ: ETag, Last-Modified, both"


def test_change_gives_one_report_new_bytes_and_validators(box: Sandbox) -> None:
    truth = box.ground_truth()
    guarded = {s["id"] for s in truth["sites"] if s["guard"]}
    after = {(r["agency_id"], r["year"] - 1): r["facts"] for r in truth["reports"]}

    def carried_on(r: dict[str, Any]) -> bool:  # the agency's next report carried in what this one carried out
        following = after.get((r["agency_id"], r["year"]))
        return any(r["facts"][f"applications.carried_out.{c}"] for c in APPLICANTS) \
            and following is not None and carries_over(following, r["facts"])

    report = next(r for r in truth["reports"] if r["status"] == "published" and not r.get("superseded")
                  and {p["representation"] for p in r["publications"]} <= {"html", "docx"}
                  and all(p["site"] not in guarded for p in r["publications"]) and carried_on(r))
    urls = [d["url"] for p in report["publications"] if p["status"] == "ok" for d in p["documents"]
            if d["status"] == "ok"]
    before = {u: get(u) for u in urls}
    other_report, other = next((r, u) for r, u in documents(truth, guarded) if r["id"] != report["id"])
    other_before = get(other)

    after_truth = box.change(report["id"])
    assert after_truth["version"] == 2 and after_truth["facts"] != report["facts"]
    # no other report changes, not even the agency's next one, which carried in what this one
    # carried out as first published
    assert box.ground_truth()["reports"] == [after_truth if r["id"] == report["id"] else r for r in truth["reports"]]
    for url, old in before.items():
        cond = {k: v for k, v in (("If-None-Match", old.header("ETag")),
                                  ("If-Modified-Since", old.header("Last-Modified"))) if v}
        new = fetch(url, headers=cond)
        assert new.status == 200, f"{url} changed, so validators from before must not match"
        assert new.body != old.body
        assert (new.header("ETag"), new.header("Last-Modified")) != (old.header("ETag"), old.header("Last-Modified"))
    etag, modified = other_before.header("ETag"), other_before.header("Last-Modified")
    cond = {"If-None-Match": etag} if etag else {"If-Modified-Since": modified}
    assert fetch(other, headers=cond).status == 304, "other reports are untouched"


def test_publish_adds_a_row_and_changes_the_list(box: Sandbox) -> None:
    truth = box.ground_truth()
    held = next(r for r in truth["reports"] if r["status"] == "held_back")
    pub = held["publications"][0]
    assert get(pub["url"] or pub["documents"][0]["url"]).status == 404, "not served before publication"
    site = box.world.site(pub["site"])
    lists = [box.url(site.host + target) for method, target, _ in site.list_targets() if method == "GET"]
    before = {u: get(u).body for u in lists}
    published = box.publish(held["id"])
    assert published["status"] == "published"
    assert get(pub["url"] or pub["documents"][0]["url"]).status == 200
    assert any(get(u).body != body for u, body in before.items()), "the list page changed"
    with pytest.raises(Exception, match="already published"):
        box.publish(held["id"])


def test_admin_endpoint(box: Sandbox) -> None:
    admin = f"http://{ADMIN_HOST}:{box.port}"
    truth = json.loads(fetch(admin + "/ground_truth.json").body)
    assert truth == box.ground_truth()
    rid = next(r["id"] for r in truth["reports"] if r["status"] == "published")
    changed = fetch(f"{admin}/change?report={rid}", method="POST")
    assert changed.status == 200 and json.loads(changed.body)["version"] == 2
    assert fetch(f"{admin}/change?report=nope", method="POST").status == 400
    assert fetch(f"{admin}/change?report={rid}").status == 405
    held = next(r["id"] for r in truth["reports"] if r["status"] == "held_back")
    assert json.loads(fetch(f"{admin}/publish?report={held}", method="POST").body)["status"] == "published"
    assert fetch(f"{admin}/reset", method="POST").status == 200
    assert "[[portal]]" in fetch(admin + "/portals.toml").text
    log = json.loads(fetch(admin + "/log").body)
    assert log and log[-1]["url"].endswith("/portals.toml")
