"""How fast tests.synth makes documents (the sandbox publishes thousands of them).

Figures per format: documents per second from Python-made formats, and for the LibreOffice
formats both a cold batch (empty conversion cache, one render_many call) and a warm one.
"""
from __future__ import annotations

import os
import tempfile
import time

from tests.synth import make_report, render, render_many

FAST = ("text", "html", "html_body", "html_word", "docx")
OFFICE = ("doc", "pdf", "scan_pdf")


def _rate(n: int, seconds: float) -> str:
    return f"{n / seconds:.1f}" if seconds else "∞"


def run(quick: bool) -> str:
    n_fast, n_office = (20, 4) if quick else (200, 24)
    rows = []
    start = time.perf_counter()
    reports = [make_report(seed) for seed in range(n_fast)]
    rows.append(("make_report", n_fast, _rate(n_fast, time.perf_counter() - start), ""))
    for fmt in FAST:
        start = time.perf_counter()
        size = sum(len(render(r, fmt)) for r in reports)
        rows.append((fmt, n_fast, _rate(n_fast, time.perf_counter() - start), f"{size // n_fast // 1024} KB"))
    old = os.environ.get("NIANBAO_CACHE_DIR")
    with tempfile.TemporaryDirectory(prefix="bench-synth-") as tmp:
        os.environ["NIANBAO_CACHE_DIR"] = tmp
        try:
            for fmt in OFFICE:
                batch = [(r, fmt) for r in reports[:n_office]]
                start = time.perf_counter()
                datas = render_many(batch)
                cold = time.perf_counter() - start
                start = time.perf_counter()
                render_many(batch)
                warm = time.perf_counter() - start
                size = sum(map(len, datas)) // n_office // 1024
                rows.append((f"{fmt} (cold batch / cached)", n_office, f"{_rate(n_office, cold)} / {_rate(n_office, warm)}",
                             f"{size} KB"))
        finally:
            if old is None:
                os.environ.pop("NIANBAO_CACHE_DIR", None)
            else:
                os.environ["NIANBAO_CACHE_DIR"] = old
    lines = ["## Synthetic reports (tests.synth)", "",
             f"{os.cpu_count()} cores; a cold batch includes LibreOffice's first start in fresh profiles.", "",
             "| format | documents | documents/s | mean size |", "| --- | ---: | ---: | ---: |"]
    lines += [f"| {a} | {b} | {c} | {d} |" for a, b, c, d in rows]
    return "\n".join(lines) + "\n"
