"""Chromium is shared with care: it is the heaviest work of a crawl.

- ``nianbao crawl`` fills its ``--parallel`` places longest first, but lets only
  ``NIANBAO_BROWSER_PORTALS`` portals that need Chromium download at once, so the other places
  keep fetching over plain HTTP instead of all waiting on the browser.
- At most ``NIANBAO_BROWSER_PAGES`` Chromium pages load at once in the process.
"""
from __future__ import annotations

import pathlib

import pytest
from scrapy.settings import Settings

from crawler import registry
from crawler import settings as defaults
from crawler.runner import Runner
from tests.crawler.conftest import crawl_args, run_nianbao
from tests.crawler.truth import compare
from tests.sandbox.server import Sandbox


def runner(box: Sandbox, parallel: int, **settings: object) -> Runner:
    reg = registry.load([box.registry_path])
    values = Settings()
    values.setmodule(defaults)
    values.update(settings)
    return Runner(reg, list(reg.portals), values, parallel=parallel)


def test_browser_portals_take_at_most_their_share_of_the_places(small: Sandbox) -> None:
    run = runner(small, parallel=8)
    browsing = {p.id for p in run.portals if p.options.browser}
    assert len(browsing) >= 2 and run.browser_portals == 2  # a quarter of 8
    run.queue = sorted(run.portals, key=lambda p: (not p.options.browser, p.id))  # browser portals first
    picked = []
    for _ in range(4):
        picked.append(run._pick())
        run.active[picked[-1].id] = None  # type: ignore[assignment]  # downloading
    assert sum(p.id in browsing for p in picked) == 2 and picked[0].id in browsing
    run.fetched.add(picked[0].id)  # its downloads are over: a browser place is free again
    assert run._pick().id in browsing
    only = runner(small, parallel=8, NIANBAO_BROWSER_PORTALS=1)
    only.queue = [p for p in only.portals if p.options.browser]
    only.active = {only.queue[0].id: None}  # type: ignore[dict-item]
    assert only._pick().id in browsing  # nothing else waits: a place is never left empty


@pytest.mark.slow
@pytest.mark.browser
def test_one_chromium_page_at_a_time_when_asked(small: Sandbox, tmp_path: pathlib.Path) -> None:
    truth = small.ground_truth()
    spa = next(s for s in truth["sites"] if s["platform"] == "gkmlpt" and len(s["start_urls"]) > 1)
    db = f"sqlite:///{tmp_path / 'data' / 'nianbao.sqlite'}"
    crawl = run_nianbao(*crawl_args(small, db, tmp_path / "data", "--portal", spa["id"],
                                    "-s", "NIANBAO_BROWSER_PAGES=1"))
    assert crawl.returncode == 0, crawl.stderr[-3000:]
    stats = crawl.portal(spa["id"])["stats"]
    # its publishers' shells, two at a time per host otherwise, were loaded one after another
    assert stats["nianbao/browser/requests"] == len(spa["start_urls"]) and stats["playwright/page_count/max_concurrent"] == 1
    cmp = compare(db, truth, sites={spa["id"]})
    assert cmp.expected and cmp.found == cmp.expected, cmp.problems()
