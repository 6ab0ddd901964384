"""The generic spider: given only a portal's home page, it finds the annual-report column by
its link text, recognises the platform and reads it as well as the family spider does."""
from __future__ import annotations

import pathlib

import pytest

from tests.crawler.conftest import crawl_args, run_nianbao
from tests.crawler.truth import compare
from tests.sandbox.server import Sandbox

pytestmark = pytest.mark.slow


def test_from_the_home_page_to_every_report(small: Sandbox, tmp_path: pathlib.Path) -> None:
    truth = small.ground_truth()
    chosen = [s for s in truth["sites"] if not s["guard"] and s["robots"] == "open" and s["platform"] in
              ("trs", "county", "dir") and not s["old_host"]]
    picked = {}
    for site in chosen:  # one site of each platform, the GBK one among them if it qualifies
        if site["platform"] not in picked or site["encoding"] != "utf-8":
            picked[site["platform"]] = site
    entries = []
    for site in picked.values():
        home = site["start_urls"][0].split("/", 3)
        entries.append("\n".join([
            "[[portal]]", f'id = "generic-{site["id"]}"', f'name = "{site["name"]}"', 'platform = "generic"',
            f'level = "{site["level"]}"', f'region = {{ province = "{site["region"]["province"]}" }}',
            f'start_urls = ["{home[0]}//{home[2]}/"]', 'established = "[E] sandbox home page"', ""]))
    registry = tmp_path / "generic.toml"
    registry.write_text('[resolve]\n"*.test" = "127.0.0.1"\n\n' + "\n".join(entries), encoding="utf-8")
    db = f"sqlite:///{tmp_path / 'data' / 'nianbao.sqlite'}"
    args = crawl_args(small, db, tmp_path / "data", "--all")
    args[args.index("--registry") + 1] = registry
    crawl = run_nianbao(*args)
    assert crawl.returncode == 0, crawl.stderr[-3000:]
    cmp = compare(db, truth, sites={s["id"] for s in picked.values()})
    assert len(cmp.expected) >= 20 and cmp.found == cmp.expected, cmp.problems()
    assert not cmp.duplicates and not cmp.wrong_facts, cmp.problems()
    recognised = {k for p in crawl.summary["portals"] for k in p["stats"] if k.startswith("nianbao/generic/recognised/")}
    assert recognised >= {"nianbao/generic/recognised/county", "nianbao/generic/recognised/dirsite"}
