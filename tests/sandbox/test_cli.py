"""``python -m tests.sandbox serve`` runs the province in its own process."""
from __future__ import annotations

import json
import pathlib
import re
import signal
import subprocess
import sys

from tests.sandbox.client import fetch

ROOT = pathlib.Path(__file__).resolve().parents[2]


def test_serve_prints_urls_and_writes_registry_and_truth(tmp_path: pathlib.Path) -> None:
    proc = subprocess.Popen([sys.executable, "-m", "tests.sandbox", "serve", "--seed", "7", "--size", "small",
                             "--out", str(tmp_path)], cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True)
    try:
        lines = []
        while not (lines and lines[-1].startswith("resolve")):
            line = proc.stdout.readline()
            assert line, proc.stderr.read()
            lines.append(line.strip())
        base = re.search(r"base URL: (\S+)", "\n".join(lines)).group(1)
        assert re.fullmatch(r"http://www\.jianglan\.gov\.cn\.test:\d+/", base)
        assert fetch(base + "robots.txt").status == 200
        truth = json.loads((tmp_path / "ground_truth.json").read_text(encoding="utf-8"))
        assert truth["sandbox"]["seed"] == 7 and truth["sandbox"]["base_url"] == base
        port = base.rsplit(":", 1)[1].rstrip("/")
        assert f'"*.test" = "127.0.0.1:{port}"' in (tmp_path / "portals.toml").read_text(encoding="utf-8")
    finally:
        proc.send_signal(signal.SIGINT)
        assert proc.wait(timeout=120) == 0  # a bound on a hang, not a speed check
