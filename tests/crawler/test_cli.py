"""`nianbao crawl` and `scrapy crawl reports` as a user runs them: selections, errors, alerts,
interruption and resume."""
from __future__ import annotations

import os
import pathlib
import re
import signal
import subprocess
import sys
import time

import pytest

from archive import PortalCounts
from crawler.monitor import alerts_for
from tests.crawler.conftest import FAST, NIANBAO, crawl_args, rows, run_nianbao
from tests.sandbox.server import Sandbox

ROOT = pathlib.Path(__file__).resolve().parents[2]


def test_help_and_listing() -> None:
    top = run_nianbao("--help")
    assert top.returncode == 0 and re.search(r"crawl\s+Crawl portals", top.stdout)
    help_ = run_nianbao("crawl", "--help")
    for option in ("--portal", "--region", "--all", "--registry", "--jobdir", "--db", "--json"):
        assert option in help_.stdout
    listed = run_nianbao("crawl", "--list", "--region", "河南")
    assert listed.returncode == 0
    assert "henan-zhengzhou-xingyang\tdir\tcounty\t河南省/郑州市/荥阳市" in listed.stdout
    assert "jiangsu" not in listed.stdout


def test_usage_errors_name_what_is_wrong(tmp_path: pathlib.Path) -> None:
    nothing = run_nianbao("crawl")
    assert nothing.returncode == 2 and "choose portals" in nothing.stderr
    unknown = run_nianbao("crawl", "--portal", "nope", "--data-dir", tmp_path)
    assert unknown.returncode == 1 and "no portal 'nope'" in unknown.stderr
    bad = tmp_path / "bad.toml"
    bad.write_text('[[portal]]\nid = "x"\n', encoding="utf-8")
    broken = run_nianbao("crawl", "--all", "--registry", bad, "--data-dir", tmp_path)
    assert broken.returncode == 1 and str(bad) in broken.stderr and "is required" in broken.stderr


def test_alert_rules() -> None:
    now = PortalCounts(reports_found=8, errors=1)
    assert alerts_for(now, (3, PortalCounts(reports_found=9)), 100, max_error_rate=0.1, fewer_reports=True,
                      reason="finished") == ["fewer reports than the previous run (run 3: 9 → 8)"]
    assert alerts_for(now, (3, PortalCounts(reports_found=8)), 100, max_error_rate=0.1, fewer_reports=True,
                      reason="finished") == []
    assert alerts_for(PortalCounts(errors=20), None, 100, max_error_rate=0.1, fewer_reports=True,
                      reason="finished") == ["error rate 20% (20 of 100 requests) above 10%"]
    assert alerts_for(PortalCounts(), None, 0, max_error_rate=0.1, fewer_reports=True,
                      reason="closespider_timeout") == ["the crawl stopped early: closespider_timeout"]


@pytest.mark.slow
def test_a_portal_that_yields_fewer_reports_alerts(small: Sandbox, tmp_path: pathlib.Path) -> None:
    db = f"sqlite:///{tmp_path / 'data' / 'nianbao.sqlite'}"
    site = next(s for s in small.ground_truth()["sites"] if len(s["start_urls"]) > 1 and not s["guard"])
    first = run_nianbao(*crawl_args(small, db, tmp_path / "data", "--portal", site["id"]))
    assert first.returncode == 0, first.stderr[-2000:]
    found = first.portal(site["id"])["counts"]["reports_found"]
    # the same portal, but its registry entry lost a column (as when a portal moves one)
    text = pathlib.Path(small.registry_path).read_text(encoding="utf-8")
    smaller = tmp_path / "portals.toml"
    smaller.write_text(text.replace(f', "{site["start_urls"][1]}"', ""), encoding="utf-8")
    second = run_nianbao("crawl", "--registry", smaller, "--db", db, "--data-dir", tmp_path / "data", "--json",
                         *FAST, "--portal", site["id"])
    assert second.returncode == 1
    assert f"ALERT {site['id']}: fewer reports than the previous run" in second.stderr
    fewer = second.portal(site["id"])["counts"]
    assert fewer["reports_found"] < found and fewer["alerts"]
    stored = rows(db, "SELECT alerts FROM crawl_run_portals WHERE run_id = :r", r=second.summary["run_id"])
    assert "fewer reports" in str(stored)


@pytest.mark.slow
def test_scrapy_crawl_reports_runs_one_portal(small: Sandbox, tmp_path: pathlib.Path) -> None:
    db = f"sqlite:///{tmp_path / 'nianbao.sqlite'}"
    site = next(s for s in small.ground_truth()["sites"] if s["platform"] == "dir")
    proc = subprocess.run(
        [str(pathlib.Path(sys.executable).parent / "scrapy"), "crawl", "reports", "-a", f"portal={site['id']}",
         "-a", f"registry={small.registry_path}", "-s", f"NIANBAO_DATABASE_URL={db}", "-s",
         f"NIANBAO_DATA_DIR={tmp_path}", "-s", "DOWNLOAD_DELAY=0", "-s", "AUTOTHROTTLE_ENABLED=False",
         "-s", "LOG_LEVEL=WARNING"], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert rows(db, "SELECT status, spider FROM crawl_runs") == [("finished", site["id"])]
    (found,) = rows(db, "SELECT reports_found FROM crawl_run_portals WHERE portal_id = :p", p=site["id"])[0]
    assert found >= 10


@pytest.mark.slow
def test_an_interrupted_crawl_resumes_from_its_jobdir(small: Sandbox, tmp_path: pathlib.Path) -> None:
    db = f"sqlite:///{tmp_path / 'data' / 'nianbao.sqlite'}"
    jobdir = tmp_path / "job"
    sites = [s["id"] for s in small.ground_truth()["sites"] if s["platform"] in ("county", "dir")]
    args = [*crawl_args(small, db, tmp_path / "data", *[a for s in sites for a in ("--portal", s)], "--jobdir",
                        jobdir, "--parallel", "2"), "-s", "DOWNLOAD_DELAY=0.2"]
    small.reset()
    proc = subprocess.Popen([NIANBAO, *map(str, args)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            start_new_session=True)
    deadline = time.monotonic() + 120
    while len(small.log) < 40 and time.monotonic() < deadline:
        time.sleep(0.1)
    os.killpg(proc.pid, signal.SIGINT)  # Ctrl-C: the portals stop cleanly and keep their queues
    out, err = proc.communicate(timeout=300)
    assert proc.returncode == 130, err[-2000:]
    assert "to resume" in err and (jobdir / "job.json").exists()
    assert rows(db, "SELECT status FROM crawl_runs") == [("interrupted",)]
    clean = [p for p in (jobdir / "portals").iterdir() if (p / "nianbao-clean").exists()]
    assert clean  # Scrapy saved the queues of the portals that were running
    other = run_nianbao(*crawl_args(small, db, tmp_path / "data", "--portal", sites[0], "--jobdir", jobdir))
    assert other.returncode == 1 and "holds an unfinished crawl" in other.stderr
    resumed = run_nianbao(*args)
    assert resumed.returncode == 0, resumed.stderr[-2000:]
    assert resumed.summary["resumed"] and resumed.summary["status"] == "finished"
    assert rows(db, "SELECT status FROM crawl_runs") == [("finished",)]
    assert not (jobdir / "job.json").exists()
