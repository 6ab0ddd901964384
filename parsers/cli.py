"""`nianbao parse`: parse report files and print their facts.

\b
    nianbao parse report.pdf                     # one summary line per file
    nianbao parse --json a.pdf b.html > out.jsonl  # one JSON object per line
    nianbao parse --agency-hint 郑州市二七区建设和交通局 --year-hint 2020 page.html
    nianbao parse --ocr scan.pdf                 # OCR a scanned PDF (tesseract chi_sim)

Exit status 0 when every file parsed completely; 1 when any did not (partial, needs_ocr,
legacy_format, not_a_report, unreadable), with one line on stderr for each such file.

A PDF without a usable text layer (a scan) is needs_ocr, unless --ocr (or NIANBAO_OCR=1) is
given: then its pages are read by tesseract, a few seconds a page, and the facts are kept
only when the whole report was read and every check adds up; otherwise it stays needs_ocr
and says why. Parsed by OCR, a result's first warning says "read by OCR".
"""
from __future__ import annotations

import dataclasses
import json
import sys

import click

from parsers import Limits, parse_path
from parsers.result import ParseResult, Status


def summary(path: str, result: ParseResult) -> str:
    status = result.status.value
    if not result.status.has_facts:
        return f"{path}: {status}: {result.error}"
    failed = [c.name for c in result.checks if not c.ok]
    checks = f"checks {len(result.checks) - len(failed)}/{len(result.checks)} ok"
    if failed:
        checks += f" (failed: {', '.join(failed)})"
    line = (f"{path}: {status} — {result.agency or '?'} {result.year or '?'}, layout {result.layout}, "
            f"{len(result.facts)} facts ({len(result.derived)} derived), {checks}")
    if result.warnings:
        line += "".join(f"\n  warning: {w}" for w in result.warnings)
    return line


@click.command(help=__doc__)
@click.option("--json", "as_json", is_flag=True, help="Print each result as one line of JSON.")
@click.option("--agency-hint", metavar="NAME", help="The agency, if the document does not say (or lacks the region).")
@click.option("--year-hint", metavar="YEAR", type=int, help="The report year, if the document does not say.")
@click.option("--ocr", is_flag=True,
              help="Read scanned PDFs with tesseract (chi_sim) instead of reporting needs_ocr; same as NIANBAO_OCR=1.")
@click.argument("files", nargs=-1, required=True, metavar="FILE...")
def parse(as_json: bool, agency_hint: str | None, year_hint: int | None, ocr: bool, files: tuple[str, ...]) -> None:
    failed = 0
    limits = Limits.from_env()
    if ocr:
        limits = dataclasses.replace(limits, ocr=True)
    for path in files:
        result = parse_path(path, agency_hint=agency_hint, year_hint=year_hint, limits=limits)
        if as_json:
            click.echo(json.dumps(result.to_json(), ensure_ascii=False, separators=(",", ":")))
        else:
            click.echo(summary(path, result))
        if result.status is not Status.PARSED:  # partial too: its facts are printed, but not all of them
            failed += 1
            click.echo(f"{path}: {result.status.value}: {result.error}", err=True)
    sys.exit(1 if failed else 0)
