"""deploy/scrapyd/: a real scrapyd started with scrapyd.conf and the environment of
nianbao-scrapyd.service lists the nianbao project (no egg: the installed package) and runs a
`reports` job for one portal of the small province into the archive its environment names."""
from __future__ import annotations

import json
import os
import pathlib
import re
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from typing import Any

import pytest
import sqlalchemy as sa

from tests.sandbox.server import Sandbox

pytestmark = [pytest.mark.slow]
CONF = pathlib.Path(__file__).resolve().parents[2] / "deploy/scrapyd/scrapyd.conf"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def call(port: int, endpoint: str, **form: Any) -> dict[str, Any]:
    url = f"http://127.0.0.1:{port}/{endpoint}"
    if form:
        body = urllib.parse.urlencode([(k, v) for k, vs in form.items() for v in (vs if isinstance(vs, list) else [vs])])
        request = urllib.request.Request(url, data=body.encode())
    else:
        request = urllib.request.Request(url)
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.loads(response.read())


def test_scrapyd_runs_a_portal_from_the_shipped_config(small: Sandbox, tmp_path: pathlib.Path) -> None:
    port = free_port()
    conf = CONF.read_text().replace("/var/log/nianbao", str(tmp_path / "log")).replace(
        "/var/lib/nianbao", str(tmp_path / "lib")).replace("6800", str(port)).replace("5.0", "0.5")
    (tmp_path / "scrapyd.conf").write_text(conf)
    data = tmp_path / "data"
    unit = (CONF.parent / "nianbao-scrapyd.service").read_text()
    service_env = dict(pair.split("=", 1) for pair in re.search(r"^Environment=(.+)$", unit, re.M).group(1).split())
    env = {**os.environ, **service_env, "NIANBAO_DATA_DIR": str(data)}
    env.pop("NIANBAO_DATABASE_URL", None)
    scrapyd = pathlib.Path(sys.executable).parent / "scrapyd"
    with open(tmp_path / "scrapyd.out", "wb") as out:
        proc = subprocess.Popen([str(scrapyd)], cwd=tmp_path, env=env, stdout=out, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                assert call(port, "daemonstatus.json")["status"] == "ok"
                break
            except OSError:
                assert proc.poll() is None and time.monotonic() < deadline, (tmp_path / "scrapyd.out").read_text()
                time.sleep(0.3)
        assert call(port, "listprojects.json")["projects"] == ["nianbao"]
        assert "reports" in call(port, "listspiders.json?project=nianbao")["spiders"]
        portal = small.ground_truth()["sites"][0]["id"]
        job = call(port, "schedule.json", project="nianbao", spider="reports", portal=portal,
                   registry=str(small.registry_path),
                   setting=["DOWNLOAD_DELAY=0", "AUTOTHROTTLE_ENABLED=False", "NIANBAO_PARSE_WORKERS=1"])
        assert job["status"] == "ok", job
        deadline = time.monotonic() + 240
        while not any(j["id"] == job["jobid"] for j in call(port, "listjobs.json?project=nianbao")["finished"]):
            assert time.monotonic() < deadline, "the job did not finish"
            time.sleep(1)
    finally:
        proc.terminate()
        proc.wait(timeout=30)
    log = next((tmp_path / "log").rglob(f"{job['jobid']}.log")).read_text()
    assert "Spider closed (finished)" in log, log[-3000:]
    engine = sa.create_engine(f"sqlite:///{data / 'nianbao.sqlite'}")
    with engine.connect() as conn:
        runs = list(conn.execute(sa.text("SELECT spider, status FROM crawl_runs")))
        reports = conn.execute(sa.text("SELECT count(*) FROM reports")).scalar()
    engine.dispose()
    assert [status for _, status in runs] == ["finished"] and reports > 0  # the job opened and closed its run
