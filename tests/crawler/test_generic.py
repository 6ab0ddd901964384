"""The generic spider: given only a portal's home page, it finds the annual-report column by
its link text (or, for gkmlpt, by its publishers' ``/gkmlpt/index`` entries, which the home
page names by publisher only), recognises the platform and reads it as well as the family
spider does — for every platform family of the sandbox."""
from __future__ import annotations

import json
import pathlib
import re
import urllib.parse
from typing import Any

import pytest

from tests.crawler.conftest import crawl_args, run_nianbao
from tests.crawler.truth import compare
from tests.sandbox.server import Sandbox

pytestmark = pytest.mark.slow

# pages only a family's own reading yields: the TRS pager written by createPageHTML, Hanweb's
# jpage dataproxy POSTs, the gkmlpt JSON API (none of them is a link on any page)
FAMILY_REQUESTS = re.compile(r"/index_\d+\.s?html$|/dataproxy\.jsp\?|/gkmlpt/api/")


def entry(site: dict[str, Any], start_urls: list[str]) -> str:
    return "\n".join([
        "[[portal]]", f'id = "generic-{site["id"]}"', f'name = "{site["name"]}"', 'platform = "generic"',
        f'level = "{site["level"]}"', f'region = {{ province = "{site["region"]["province"]}" }}',
        f"start_urls = {json.dumps(start_urls)}",
        'established = "[E] sandbox home page"', ""])


def test_from_the_home_page_to_every_report(small: Sandbox, tmp_path: pathlib.Path) -> None:
    truth = small.ground_truth()
    chosen = [s for s in truth["sites"] if not s["guard"] and s["robots"] == "open" and not s["old_host"]]
    picked = {}
    for site in chosen:  # one site of each platform, the GBK one among them if it qualifies
        if site["platform"] not in picked or site["encoding"] != "utf-8":
            picked[site["platform"]] = site
    assert set(picked) == {"trs", "hanweb", "gkmlpt", "county", "dir"}
    entries = []
    for site in picked.values():
        home = site["start_urls"][0].split("/", 3)
        entries.append(entry(site, [f"{home[0]}//{home[2]}/"]))
    registry = tmp_path / "generic.toml"
    registry.write_text('[resolve]\n"*.test" = "127.0.0.1"\n\n' + "\n".join(entries), encoding="utf-8")
    db = f"sqlite:///{tmp_path / 'data' / 'nianbao.sqlite'}"
    args = crawl_args(small, db, tmp_path / "data", "--all")
    args[args.index("--registry") + 1] = registry
    small.reset()  # the log holds this crawl only
    crawl = run_nianbao(*args)
    assert crawl.returncode == 0, crawl.stderr[-3000:]

    cmp = compare(db, truth, sites={s["id"] for s in picked.values()})
    assert len(cmp.expected) >= 60 and cmp.found == cmp.expected, cmp.problems()
    assert not cmp.extra and not cmp.duplicates and not cmp.wrong_facts and not cmp.wrong_status, cmp.problems()
    for family, site in picked.items():  # each family's reports, found through its generic portal
        own = compare(db, truth, sites={site["id"]})
        assert own.expected and own.found == own.expected, (family, own.problems())
        counts = crawl.portal(f"generic-{site['id']}")["counts"]
        assert counts["reports_found"] >= len(own.expected), (family, counts)

    recognised = {k for p in crawl.summary["portals"] for k in p["stats"] if k.startswith("nianbao/generic/recognised/")}
    assert recognised >= {f"nianbao/generic/recognised/{f}" for f in ("county", "dirsite", "hanweb", "gkmlpt")}
    # TRS pages are read by trs.read when they call createPageHTML (no stat of its own): the pager
    # pages it computes, like Hanweb's dataproxy groups and the gkmlpt API pages, were all requested
    hosts = {site["host"] for site in picked.values()}
    needed = {(m, u) for m, u, _ in small.requests(files=False)
              if urllib.parse.urlsplit(u).hostname in hosts and FAMILY_REQUESTS.search(u)}
    sent = {(m, u) for m, u, _ in small.log}
    families = {f for f, s in picked.items() if any(f"//{s['host']}:" in u for _, u in needed)}
    assert families >= {"trs", "hanweb", "gkmlpt"} and needed <= sent, sorted(needed - sent)
