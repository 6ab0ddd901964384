"""JavaScript challenges met over plain HTTP: recorded, passed in Chromium, passed again when the
cookies expire — and, with the browser switched off, reported instead of crawled around."""
from __future__ import annotations

import pathlib
import re
from collections.abc import Iterator

import pytest
import sqlalchemy as sa

from tests.crawler.conftest import crawl_args, run_nianbao
from tests.crawler.truth import compare
from tests.sandbox.fixtures import serve
from tests.sandbox.server import Sandbox

pytestmark = [pytest.mark.slow, pytest.mark.browser]


@pytest.fixture(scope="module")
def guarded(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Sandbox, pathlib.Path, list[str]]]:
    """The small province with challenge cookies that last 4 s, and a registry that does not
    know its two guarded sites need a browser."""
    for box in serve("small", tmp_path_factory, slow_scale=0, challenge_ttl=4):
        sites = [s["id"] for s in box.ground_truth()["sites"] if s["guard"]]
        registry = pathlib.Path(box.registry_path).with_name("unprepared.toml")
        text = pathlib.Path(box.registry_path).read_text(encoding="utf-8")
        registry.write_text(re.sub(r"browser = true", "browser = false", text), encoding="utf-8")
        yield box, registry, sites


def fetch_outcomes(db: str) -> list[tuple[str, str, str]]:
    engine = sa.create_engine(db)
    try:
        with engine.connect() as conn:
            return [tuple(r) for r in conn.execute(sa.text("SELECT portal_id, outcome, kind FROM fetches"))]
    finally:
        engine.dispose()


def test_challenges_are_recorded_and_passed_again_when_cookies_expire(guarded: tuple[Sandbox, pathlib.Path, list[str]],
                                                                      tmp_path: pathlib.Path) -> None:
    box, registry, sites = guarded
    db = f"sqlite:///{tmp_path / 'data' / 'nianbao.sqlite'}"
    args = crawl_args(box, db, tmp_path / "data", *[a for s in sites for a in ("--portal", s)])
    args[args.index("--registry") + 1] = registry
    crawl = run_nianbao(*args, "-s", "DOWNLOAD_DELAY=0.5", "-s", "CONCURRENT_REQUESTS_PER_DOMAIN=1")
    assert crawl.returncode == 0, crawl.stderr[-3000:]
    for site in sites:
        stats = crawl.portal(site)["stats"]
        assert stats.get("nianbao/challenge/passed", 0) >= 2, stats  # the first time, and after expiry
    outcomes = fetch_outcomes(db)
    assert any(o == "challenge" and k in ("detail", "attachment") for _, o, k in outcomes)  # recorded, not stored
    cmp = compare(db, box.ground_truth(), sites=set(sites))
    assert cmp.found == cmp.expected and not cmp.wrong_facts, cmp.problems()


def test_without_a_browser_a_challenge_is_an_error_and_an_alert(guarded: tuple[Sandbox, pathlib.Path, list[str]],
                                                                tmp_path: pathlib.Path) -> None:
    box, registry, sites = guarded
    db = f"sqlite:///{tmp_path / 'data' / 'nianbao.sqlite'}"
    args = crawl_args(box, db, tmp_path / "data", "--portal", sites[0], "-s", "NIANBAO_BROWSER_ON_CHALLENGE=False")
    args[args.index("--registry") + 1] = registry
    crawl = run_nianbao(*args)
    assert crawl.returncode == 1
    counts = crawl.portal(sites[0])["counts"]
    assert counts["reports_found"] == 0 and counts["errors"] >= 1 and counts["alerts"]
    assert crawl.portal(sites[0])["stats"].get("nianbao/browser/requests", 0) == 0
