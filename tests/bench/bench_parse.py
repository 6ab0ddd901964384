"""Parser benchmarks: documents per second per format on one core, and peak memory.

Each format runs in a fresh interpreter pinned to one CPU (``sched_setaffinity``), parsing its
sample documents round-robin for a fixed time budget; documents/second is counted against
CPU time (of the fastest round, and of all) and wall time, and peak memory is that interpreter's ``VmHWM`` (``ru_maxrss`` survives exec, so it would show the parent's). Samples: the real
reports of tests/fixtures (PDFs from WPS, text extractions) and generated reports
(tests.synth) rendered by python-docx, LibreOffice and the HTML renderers. DOC runs through
LibreOffice twice: with an empty conversion cache (every document converted) and with the
cache warm. Targets (issue 2): a 5-page PDF report ≥ 10/s, HTML ≥ 100/s.
"""
from __future__ import annotations

import datetime as dt
import json
import os
import pathlib
import platform
import subprocess
import sys
import tempfile

ROOT = pathlib.Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "tests" / "fixtures"
TARGETS = {"pdf (real, WPS)": 10.0, "html (portal page)": 100.0}

WORKER = r"""
import json, os, pathlib, sys, time
os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})
from parsers import parse_bytes
paths, budget, once = json.loads(sys.argv[1]), float(sys.argv[2]), sys.argv[3] == "1"
docs = [(pathlib.Path(p).read_bytes(), pathlib.Path(p).name) for p in paths]
if not once:
    for data, name in docs:          # warm-up: imports, font and CMap caches
        parse_bytes(data, name=name)
n, statuses, rounds = 0, {}, []
c0, w0 = time.process_time(), time.perf_counter()
r0 = c0
while True:
    data, name = docs[n % len(docs)]
    r = parse_bytes(data, name=name)
    statuses[r.status.value] = statuses.get(r.status.value, 0) + 1
    n += 1
    if n % len(docs) == 0:  # one round: every sample once
        now = time.process_time()
        rounds.append(now - r0)
        r0 = now
    if (once and n == len(docs)) or (not once and time.perf_counter() - w0 >= budget and n >= len(docs)):
        break
cpu, wall = time.process_time() - c0, time.perf_counter() - w0
print(json.dumps({"n": n, "cpu": cpu, "wall": wall, "statuses": statuses, "best": min(rounds) / len(docs),
                  "peak": next(int(line.split()[1]) * 1024 for line in open("/proc/self/status")
                               if line.startswith("VmHWM:")),  # ru_maxrss would include the parent's
                  "size": sum(len(d) for d, _ in docs) / len(docs)}))
"""


def _samples(quick: bool, tmp: pathlib.Path) -> dict[str, list[pathlib.Path]]:
    from tests.synth import EXTENSIONS, make_report, render_many

    n = 4 if quick else 12
    reports = [make_report(seed=1000 + i) for i in range(n)]
    fmts = ["html", "html_word", "docx", "pdf", "doc"]
    jobs = [(r, f) for r in reports for f in fmts]
    out: dict[str, list[pathlib.Path]] = {f: [] for f in fmts}
    for i, ((_, f), body) in enumerate(zip(jobs, render_many(jobs), strict=True)):
        path = tmp / f"s{i:03d}.{EXTENSIONS[f]}"
        path.write_bytes(body)
        out[f].append(path)
    return {
        "text (seeds)": sorted((FIXTURES / "seeds").glob("*.txt")),
        "html (portal page)": out["html"],
        "html (Word export)": out["html_word"],
        "docx (python-docx)": out["docx"],
        "pdf (real, WPS)": sorted((FIXTURES / "realdata").glob("*.pdf")),
        "pdf (generated: LibreOffice, Chrome)": out["pdf"],
        "doc, cache warm": out["doc"],
        "doc, no cache (LibreOffice)": out["doc"][: 2 if quick else 4],
    }


def _measure(paths: list[pathlib.Path], budget: float, once: bool, env: dict[str, str]) -> dict:
    proc = subprocess.run([sys.executable, "-c", WORKER, json.dumps([str(p) for p in paths]), str(budget),
                           "1" if once else "0"], capture_output=True, text=True, cwd=ROOT, env=env, timeout=1800)
    if proc.returncode != 0:
        raise RuntimeError(proc.stderr[-2000:])
    return json.loads(proc.stdout.strip().splitlines()[-1])


def run(quick: bool) -> str:
    budget = 1.0 if quick else 5.0
    load_before = os.getloadavg()[0]
    rows = []
    with tempfile.TemporaryDirectory(prefix="nianbao-bench-") as tmp:
        samples = _samples(quick, pathlib.Path(tmp))
        warm_cache = pathlib.Path(tmp) / "warm-cache"
        for label, paths in samples.items():
            env = dict(os.environ)
            once = label.startswith("doc, no cache")
            if once:  # a fresh cache: every document goes through LibreOffice
                env["NIANBAO_CACHE_DIR"] = str(pathlib.Path(tmp) / "cold-cache")
            elif label.startswith("doc"):
                env["NIANBAO_CACHE_DIR"] = str(warm_cache)
                _measure(paths, 0, True, env)  # fill the cache first
            m = _measure(paths, budget, once, env)
            per_cpu, per_wall, best = m["n"] / m["cpu"], m["n"] / m["wall"], 1 / m["best"]
            target = TARGETS.get(label)
            verdict = "" if target is None else (f"≥ {target:g}/s ✓" if best >= target else f"≥ {target:g}/s ✗")
            rows.append(f"| {label} | {len(paths)} | {m['size'] / 1024:,.0f} KB | {best:,.1f} | {per_cpu:,.1f} | "
                        f"{per_wall:,.1f} | {1000 * m['best']:,.1f} ms | {m['peak'] / 2**20:,.0f} MB | "
                        f"{', '.join(f'{k} {v}' for k, v in sorted(m['statuses'].items()))} | {verdict} |")
    head = ["## Parsing (`parsers.parse_bytes`, one core)", "",
            f"{'Quick run' if quick else 'Full run'}: each format in a fresh interpreter pinned to one CPU, "
            f"{budget:g} s per format, in rounds of every sample once (the no-cache DOC row: one round). "
            "docs/s counts CPU time: of the fastest round (what the parser costs; other work on the machine "
            "only ever slows a round, so the fastest is the least disturbed, as `timeit` reports its minimum; "
            "the targets are judged on it), over all rounds, and wall time over all rounds (LibreOffice "
            "runs in its own process, so DOC without a cache is bound by wall time). Peak = the "
            "interpreter's maximum resident set. "
            f"Load average of the 2-core machine: {load_before:.1f} at the start, {os.getloadavg()[0]:.1f} at "
            f"the end; {platform.processor() or platform.machine()}, Python {platform.python_version()}, "
            f"{dt.date.today().isoformat()}.", "",
            "| format | samples | avg size | docs/s (CPU, fastest round) | docs/s (CPU, all) | docs/s (wall, all) "
            "| per doc (fastest) | peak memory | statuses | target |",
            "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- | --- |"]
    return "\n".join(head + rows) + "\n"
