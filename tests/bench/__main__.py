"""python -m tests.bench [--quick] [--write] [AREA ...]"""
from __future__ import annotations

import argparse
import importlib
import pathlib
import pkgutil
import re

import tests.bench as package

BENCHMARKS = pathlib.Path(__file__).resolve().parents[2] / "BENCHMARKS.md"


def areas() -> list[str]:
    return sorted(m.name.removeprefix("bench_") for m in pkgutil.iter_modules(package.__path__)
                  if m.name.startswith("bench_"))


def write_section(area: str, text: str) -> None:
    start, end = f"<!-- bench:{area} -->", f"<!-- /bench:{area} -->"
    block = f"{start}\n{text.strip()}\n{end}"
    doc = BENCHMARKS.read_text(encoding="utf-8") if BENCHMARKS.exists() else "# Benchmarks\n"
    pattern = re.compile(re.escape(start) + ".*?" + re.escape(end), re.S)
    doc = pattern.sub(lambda _: block, doc) if pattern.search(doc) else doc.rstrip() + "\n\n" + block + "\n"
    BENCHMARKS.write_text(doc, encoding="utf-8")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--quick", action="store_true", help="smaller inputs, for a smoke run")
    ap.add_argument("--write", action="store_true", help="update BENCHMARKS.md")
    ap.add_argument("areas", nargs="*", help=f"default: all of {areas()}")
    args = ap.parse_args()
    for area in args.areas or areas():
        module = importlib.import_module(f"tests.bench.bench_{area}")
        text = module.run(quick=args.quick)
        print(text, flush=True)
        if args.write:
            write_section(area, text)


if __name__ == "__main__":
    main()
