"""Hunt for round-trip failures and keep each as a small reproducer in tests/synth/findings/.

    python -m tests.synth.hunt --seeds 0-300 --formats text,html,html_word,docx
    python -m tests.synth.hunt --seeds 0-40 --formats pdf,doc --save
    python -m tests.synth.hunt --seeds 0-80 --formats pdf --set pdf_engine=chromium

For every failing (report, format) it shrinks the style: each perturbation is turned back to
its plain value while the failure persists, so what is saved is the smallest style that still
breaks the parse. One reproducer is kept per distinct problem (``--save``); the rest are
listed. The round-trip tests (tests/parsers/test_roundtrip*.py) replay the saved findings.
"""
from __future__ import annotations

import argparse
import dataclasses
import hashlib
import json
import re
import sys
from collections.abc import Callable

import parsers
from tests.synth import FORMATS, Style, filename, make_report, render, render_many
from tests.synth.compare import problems, rendering_problems, save_finding
from tests.synth.report import Report


def _parse_problems(report: Report, fmt: str, data: bytes) -> list[str]:
    if rendering_problems(report, fmt, data):  # while shrinking: a broken rendering does not count
        return []
    try:
        result = parsers.parse_bytes(data, name=filename(report, fmt))
    except Exception as exc:  # a crash is a finding too
        return [f"raised {type(exc).__name__}: {exc}"]
    return problems(result, report, fmt)


def signature(found: list[str]) -> str:
    """What kind of failure: the problem lines without their numbers and values."""
    first = [re.sub(r"[=(].*", "", line) for line in found]
    return "; ".join(re.sub(r"\d+", "N", line).strip() for line in first)


def shrink(report: Report, fmt: str, still_fails: Callable[[Report], bool]) -> Report:
    """Turn perturbations back to plain one at a time while the failure persists."""
    plain = Style()
    for field in dataclasses.fields(Style):
        value = getattr(report.style, field.name)
        if value == getattr(plain, field.name):
            continue
        trial = _remake(report, report.style.replace(**{field.name: getattr(plain, field.name)}))
        if still_fails(trial):
            report = trial
    return report


def _remake(report: Report, style: Style) -> Report:
    layout = "hybrid" if report.hybrid else report.layout
    return make_report(report.seed, agency=report.agency, year=report.year, layout=layout,
                       region=report.region, perturb=style)


def _name(report: Report, fmt: str, sig: str) -> str:
    changed = [f.name for f in dataclasses.fields(Style)
               if getattr(report.style, f.name) != getattr(Style(), f.name)]
    tag = "-".join(changed[:3]).replace("_", "") or "plain"
    return f"{fmt}-{tag}-{hashlib.sha1(sig.encode()).hexdigest()[:6]}"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--seeds", default="0-50", help="a range A-B of make_report seeds")
    ap.add_argument("--formats", default="text,html,html_body,html_word,docx")
    ap.add_argument("--save", action="store_true", help="write one reproducer per problem to findings/")
    ap.add_argument("--set", action="append", default=[], metavar="FIELD=VALUE",
                    help="force a Style field on every report (JSON value or a string), e.g. pdf_engine=chromium")
    args = ap.parse_args(argv)
    lo, hi = (int(x) for x in args.seeds.split("-"))
    formats = args.formats.split(",")
    unknown = set(formats) - set(FORMATS)
    if unknown:
        ap.error(f"unknown formats {sorted(unknown)}")
    forced = {}
    for item in args.set:
        field, _, value = item.partition("=")
        try:
            forced[field] = json.loads(value)
        except json.JSONDecodeError:
            forced[field] = value
    reports = [make_report(seed) for seed in range(lo, hi)]
    if forced:
        reports = [_remake(r, r.style.replace(**forced)) for r in reports]
    pairs = [(r, f) for r in reports for f in formats]
    datas = render_many(pairs)
    seen: dict[str, str] = {}
    failures = 0
    for (report, fmt), data in zip(pairs, datas, strict=True):
        broken = rendering_problems(report, fmt, data)
        if broken:
            print(f"GENERATOR {report!r} {fmt}: {broken}")  # a broken rendering is not a finding
            continue
        found = _parse_problems(report, fmt, data)
        if not found:
            continue
        failures += 1
        sig = fmt + ": " + signature(found)
        if sig in seen:
            print(f"  also {report!r} {fmt}: {sig}")
            continue
        small = shrink(report, fmt, lambda r, f=fmt: bool(_parse_problems(r, f, render(r, f))))
        small_found = _parse_problems(small, fmt, render(small, fmt))
        name = _name(small, fmt, sig)
        seen[sig] = name
        print(f"FAIL {report!r} {fmt} → shrunk to {name}:\n    " + "\n    ".join(small_found))
        if args.save:
            print(f"    saved {save_finding(name, small, fmt, render(small, fmt), small_found)}")
    print(f"{failures} failing renderings of {len(pairs)}; {len(seen)} distinct problems")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
