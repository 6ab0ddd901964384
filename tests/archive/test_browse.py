"""`nianbao browse`: Datasette on the archive, driven in headless Chromium."""
from __future__ import annotations

import datetime as dt
import socket
import subprocess
import time
import urllib.request

import pytest

from archive import ArchiveSettings, ConfigurationError, Hints, Region
from archive.browse import QUERIES, VIEWS, metadata, sqlite_path
from archive.ingest import ingest

from .helpers import FIXTURES, nianbao

CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--no-first-run"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(url: str, proc: subprocess.Popen, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert proc.poll() is None, proc.communicate()
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except OSError:
            time.sleep(0.1)
    raise AssertionError(f"{url} did not answer")


def test_metadata_titles_every_view_and_the_canned_queries():
    meta = metadata("nianbao")["databases"]["nianbao"]
    assert set(meta["tables"]) == set(VIEWS) and set(meta["queries"]) == set(QUERIES)
    assert all(t["title"] and t["description"] for t in meta["tables"].values())


def test_browse_needs_the_sqlite_archive(tmp_path):
    with pytest.raises(ConfigurationError, match="browse serves the SQLite archive"):
        sqlite_path(ArchiveSettings.resolve("postgresql://postgres@127.0.0.1/x", tmp_path))


@pytest.mark.browser
def test_a_report_table_in_chromium(tmp_path):
    """What a user sees in a browser: a report's row, its facts with where each was read, and the
    canned coverage query counting found and late reports by region and year."""
    from playwright.sync_api import sync_playwright

    from archive import Archive

    data = tmp_path / "data"
    url = f"sqlite:///{data / 'nianbao.sqlite'}"
    hints = Hints(region=Region("江苏省", "淮安市", "洪泽区"))  # as the county's portal would give them
    with Archive.open(url, data) as ar:  # the 2024 report published after its deadline, 31 March 2025: late
        (item,) = ingest(ar, [FIXTURES / "realdata" / "hongze-district-2024.pdf"], hints=hints,
                         published=dt.date(2025, 4, 1))
        ingest(ar, [FIXTURES / "realdata" / "hongze-district-2023.pdf"], hints=hints, published=dt.date(2024, 3, 28))
    report_id = item.filed.report_id
    port = free_port()
    proc = subprocess.Popen(nianbao("browse", "--port", str(port), "--db", url, "--data-dir", str(data)),
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_for(base + "/-/versions.json", proc)
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
            page = browser.new_page()
            page.goto(f"{base}/nianbao/v_reports?year=2024")
            assert "Reports" in page.locator("h1").inner_text()
            assert "legal deadline" in page.content()
            assert page.locator("table.rows-and-columns tbody tr").count() == 1
            assert page.locator("td.col-agency").inner_text() == "淮安市洪泽区人民政府"
            assert page.locator("td.col-applications_new").inner_text() == "95"
            assert page.locator("td.col-carry_check").inner_text() == "ok"

            page.goto(f"{base}/nianbao/report_facts?report_id={report_id}")
            assert "Facts of one report" in page.locator("h1").inner_text()
            new_total = page.locator("table.rows-and-columns tbody tr", has_text="applications.new.total")
            assert new_total.locator("td.col-value").inner_text() == "95.0"
            assert new_total.locator("td.col-page").inner_text().strip().isdigit()

            page.goto(f"{base}/nianbao/coverage_by_region?province=江苏省")
            assert "Coverage by region and year" in page.locator("h1").inner_text()
            rows = page.locator("table.rows-and-columns tbody tr")
            assert rows.count() == 2  # 2023 and 2024
            shown = [[rows.nth(i).locator(f"td.col-{c}").inner_text().strip()
                      for c in ("province", "city", "year", "agencies", "found", "late", "missing")] for i in range(2)]
            assert shown == [["江苏省", "淮安市", "2023", "1", "1", "0", "0"],
                             ["江苏省", "淮安市", "2024", "1", "1", "1", "0"]]

            page.goto(f"{base}/nianbao/failing_checks")
            assert "Reports failing 勾稽" in page.locator("h1").inner_text()
            browser.close()
    finally:
        proc.terminate()
        proc.wait(timeout=10)
