"""The parts that need a real browser: the gkmlpt single-page app and the cookie challenges."""
from __future__ import annotations

import json
import re
import time
from typing import Any

import pytest

from tests.sandbox.client import BROWSER_UA, Client
from tests.sandbox.helpers import get, sites
from tests.sandbox.server import Sandbox

pytestmark = pytest.mark.browser


def test_gkmlpt_list_exists_only_after_javascript(truth: dict[str, Any], chromium: Any) -> None:
    portal = sites(truth, "gkmlpt")[0]
    start = portal["start_urls"][0]
    shell = get(start)
    config = json.loads(re.search(r"window\._CONFIG = (\{.*?\});</script>", shell.text).group(1))
    api = json.loads(get(start.replace("/gkmlpt/index", f"/gkmlpt/api/all/{config['DEFAULT_CAT']}"
                                                      f"?page=1&sid={config['SID']}")).body)
    page = chromium.new_page()
    try:
        page.goto(start)
        page.wait_for_selector("#app[data-loaded]")
        links = page.eval_on_selector_all("ul.gkmlpt-list a", "els => els.map(e => e.href)")
        assert links == [a["url"] for a in api["articles"][:20]], "UI page 1 = first 20 rows of API page 1"
        assert page.locator(".tree a").count() == len(config["TREE"])
        if api["total"] > 20:
            page.goto(start + f"#{config['DEFAULT_CAT']}/2")
            page.wait_for_selector(f"#app[data-loaded='{config['DEFAULT_CAT']}/2']")
            second = page.eval_on_selector_all("ul.gkmlpt-list a", "els => els.map(e => e.href)")
            assert second == [a["url"] for a in api["articles"][20:40]]
    finally:
        page.close()


def _pass_in_browser(chromium: Any, url: str, ready: str) -> dict[str, str]:
    context = chromium.new_context(user_agent=BROWSER_UA)
    try:
        page = context.new_page()
        page.goto(url, wait_until="commit")
        page.wait_for_selector(ready, timeout=30_000)
        return {c["name"]: c["value"] for c in context.cookies()}
    finally:
        context.close()


@pytest.mark.parametrize("guard, status, ready", [("ruishu", 412, "ul.list-t"), ("jiasule", 521, "div.bt-list")])
def test_challenge_passes_in_chromium_then_cookies_work_over_plain_http(
        sandbox: Sandbox, truth: dict[str, Any], chromium: Any, guard: str, status: int, ready: str) -> None:
    site = next(s for s in truth["sites"] if s["guard"] == guard)
    url = site["start_urls"][0]
    plain = Client()
    first = plain.get(url)
    assert first.status == status
    assert plain.get(url).status == status, "cookies alone (without running the script) do not pass"
    if guard == "ruishu":
        assert re.search(r'<meta id="\w+" content="\w+" r="m">', first.text) and "$_ts" in first.text
    else:
        assert "__jsluid_s" in first.header("Set-Cookie") and "document.cookie" in first.text

    cookies = _pass_in_browser(chromium, url, ready)
    http = Client(cookies=dict(cookies))
    page = http.get(url)
    assert page.status == 200, "the browser's cookies work for plain HTTP with the same User-Agent"
    detail = next(p for r in truth["reports"] for p in r["publications"] if p["site"] == site["id"]
                  and p["status"] == "ok" and p["url"])
    assert http.get(detail["url"]).status == 200
    assert Client(user_agent="Scrapy/2.19 (+https://scrapy.org)", cookies=dict(cookies)).get(url).status == status

    clock = sandbox.clock
    sandbox.clock = lambda: time.time() + 3 * 3600  # hours later the cookies have expired
    try:
        assert Client(cookies=dict(cookies)).get(url).status == status
    finally:
        sandbox.clock = clock
