"""Small helpers shared by the sandbox's own tests."""
from __future__ import annotations

import urllib.parse
from typing import Any

import lxml.html

from tests.sandbox.client import Fetched, fetch

LIST_NOISE = ("not_a_report", "legacy_report", "http_404", "soft_404")


def get(url: str, **kwargs: Any) -> Fetched:
    """GET that retries the sandbox's deliberate transient 5xx answers (not under test here)."""
    for _ in range(3):
        resp = fetch(url, **kwargs)
        if resp.status < 500:
            return resp
    return resp


def tree(resp: Fetched) -> Any:
    return lxml.html.fromstring(resp.text)


def site(truth: dict[str, Any], site_id: str) -> dict[str, Any]:
    return next(s for s in truth["sites"] if s["id"] == site_id)


def sites(truth: dict[str, Any], platform: str) -> list[dict[str, Any]]:
    return [s for s in truth["sites"] if s["platform"] == platform]


def listed(truth: dict[str, Any], site_id: str, match: str = "") -> set[str]:
    """URLs the ground truth says a site's lists show (rows of reports and of list noise),
    restricted to URLs containing ``match``."""
    out = set()
    for r in truth["reports"]:
        for p in r["publications"]:
            if p["site"] == site_id and p["status"] == "ok":
                url = p["url"] or p["documents"][0]["url"]
                out.add(url)
    out |= {n["url"] for n in truth["noise"] if n["site"] == site_id and n["kind"] in LIST_NOISE}
    return {u for u in out if match in u}


def unquote_url(url: str) -> str:
    parts = urllib.parse.urlsplit(url)
    return parts._replace(path=urllib.parse.unquote(parts.path)).geturl()


def solved_client(sandbox: Any, host: str) -> Any:
    """A Client whose cookies pass the site's challenge, solved white-box in Python (the
    crawler has to run the page's JavaScript instead; test_browser.py does that)."""
    import hashlib
    import itertools
    import json
    import re

    from tests.sandbox.challenge import Ruishu
    from tests.sandbox.client import Client

    client = Client()
    guard = sandbox.guards.get(host)
    url = sandbox.url(host + "/")
    if guard is None:
        return client
    if isinstance(guard, Ruishu):
        client.get(url)
        seed = client.cookies[guard.cookie + "S"]
        client.cookies[guard.cookie + "T"] = guard.answer(seed, client.user_agent)
        return client
    first = client.get(url).text
    client.cookies["__jsl_clearance_s"] = "".join(re.findall(r"\('([^']*)'\)", first)[3:-1])
    puzzle = json.loads(re.search(r"go\((\{.*?\})\)", client.get(url).text).group(1))
    for a, b in itertools.product(puzzle["chars"], repeat=2):
        value = puzzle["bts"][0] + a + b + puzzle["bts"][1]
        if hashlib.sha256(value.encode()).hexdigest() == puzzle["ct"]:
            client.cookies["__jsl_clearance_s"] = value
            return client
    raise AssertionError("unsolvable puzzle")


class HTTP:
    """``get`` for any sandbox URL: challenge sites through solved cookies, 5xx retried."""

    def __init__(self, sandbox: Any) -> None:
        self.sandbox = sandbox
        self.clients: dict[str, Any] = {}

    def get(self, url: str, headers: dict[str, str] | None = None) -> Fetched:
        host = urllib.parse.urlsplit(url).hostname or ""
        if host not in self.sandbox.guards:
            return get(url, headers=headers)
        if host not in self.clients:
            self.clients[host] = solved_client(self.sandbox, host)
        for _ in range(3):
            resp = self.clients[host].get(url, headers=headers)
            if resp.status < 500:
                break
        return resp
