"""Compare a parse result with what the generator knows, and keep failures as reproducers.

``problems`` lists every way a ``parsers.ParseResult`` differs from a Report or Document (an
empty list is a correct parse). ``save_finding`` writes the failing document and its expected
result to tests/synth/findings/ so the parser engineer can replay it without the generator.
"""
from __future__ import annotations

import dataclasses
import json
import math
from pathlib import Path
from typing import Any

from tests.synth.documents import Document
from tests.synth.render import EXTENSIONS
from tests.synth.report import Report

FINDINGS = Path(__file__).resolve().parent / "findings"


def _same(got: Any, want: float) -> bool:
    return (isinstance(got, int | float) and not isinstance(got, bool)
            and math.isclose(float(got), float(want), rel_tol=1e-9, abs_tol=1e-6))


def problems(result: Any, obj: Report | Document, fmt: str) -> list[str]:
    """What a parse got wrong; scans may be OCR'd, but never into wrong numbers."""
    return problems_json(result, expected_json(obj), fmt)


def problems_json(result: Any, want: dict[str, Any], fmt: str) -> list[str]:
    """``problems`` against an expectation file (findings/<name>.json)."""
    out: list[str] = []
    status = getattr(result.status, "value", result.status)
    if "status" in want:  # a non-report
        if status != want["status"]:
            out.append(f"status {status!r}, want {want['status']!r} ({result.error})")
        if result.facts:
            out.append(f"yielded {len(result.facts)} facts from a {want.get('kind', 'non-report')}")
        return out
    if fmt == "scan_pdf" and status == "needs_ocr":
        return [f"yielded {len(result.facts)} facts"] if result.facts else []
    if status != "parsed":
        out.append(f"status {status!r}, want 'parsed' ({result.error}; {'; '.join(result.warnings[:3])})")
    for attr in ("agency", "year", "layout"):
        got = getattr(result, attr)
        if (got.strip() if isinstance(got, str) else got) != want[attr]:
            out.append(f"{attr} {got!r}, want {want[attr]!r}")
    facts = want["facts"]
    wrong = [k for k, v in facts.items() if not _same(result.facts.get(k), v)]
    if wrong:
        shown = ", ".join(f"{k}={result.facts.get(k)!r} (want {facts[k]!r}"
                          + (f", read {result.where[k].text!r}" if k in result.where else "") + ")"
                          for k in wrong[:4])
        out.append(f"{len(wrong)} wrong facts: {shown}")
    extra = sorted(set(result.facts) - set(facts))
    if extra:
        out.append(f"{len(extra)} facts the layout does not have: {extra[:4]}")
    if sorted(result.derived) != sorted(want["derived"]):
        out.append(f"derived {sorted(result.derived)[:3]}…, want {sorted(want['derived'])[:3]}…")
    checks = {c.name: c.ok for c in result.checks}
    wanted = {c["name"]: c["ok"] for c in want["checks"]}
    if {k: checks.get(k) for k in wanted} != wanted:
        out.append(f"checks {checks}, want {wanted}")
    return out


def expected_json(obj: Report | Document) -> dict[str, Any]:
    """The expected parse of ``obj``: the spec's JSON (what score_parse.py reads) plus checks."""
    if isinstance(obj, Document):
        return {"status": obj.expected_status, "facts": {}, "kind": obj.kind, "title": obj.title}
    return {"agency": obj.agency, "year": obj.year, "layout": obj.layout, "facts": obj.facts,
            "derived": obj.derived, "checks": [{"name": k, "ok": v} for k, v in obj.checks.items()],
            "synth": {"seed": obj.seed, "hybrid": obj.hybrid, "style": _style(obj)}}


def _style(obj: Report) -> dict[str, Any]:
    return dataclasses.asdict(obj.style)


def save_finding(name: str, obj: Report | Document, fmt: str, data: bytes, found: list[str]) -> Path:
    """Write findings/<name>.<ext> and findings/<name>.json (expected result plus what went wrong)."""
    FINDINGS.mkdir(exist_ok=True)
    path = FINDINGS / f"{name}.{EXTENSIONS[fmt]}"
    path.write_bytes(data)
    meta = expected_json(obj) | {"format": fmt, "problems_when_found": found}
    (FINDINGS / f"{name}.json").write_text(json.dumps(meta, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    return path


def rendering_problems(obj: Report | Document, fmt: str, data: bytes) -> list[str]:
    """Whether a LibreOffice PDF shows everything the document holds (read by poppler).

    LibreOffice has layout bugs (7.4 loses a whole table after a rotated merged cell crosses a
    page); a PDF that lost content is the generator's failure, never to be blamed on the
    parser. Compared as multisets of characters, since reading order in tables varies.
    """
    if fmt != "pdf":
        return []
    import subprocess
    from collections import Counter

    from tests.synth.doc import Para, Table
    from tests.synth.render import document

    pdf = subprocess.run(["pdftotext", "-", "-"], input=data, capture_output=True, timeout=60).stdout.decode()
    want: Counter[str] = Counter()
    for block in document(obj).blocks:
        if isinstance(block, Para):
            want.update("".join(block.text.split()))
        elif isinstance(block, Table):
            for row in block.rows:
                for cell in row:
                    want.update("".join(cell.text.split()))
    missing = want - Counter("".join(pdf.split()))
    missing.pop("-", None)  # pdftotext drops a hyphen where a line breaks after it
    return [f"the PDF lost {sum(missing.values())} characters: {''.join(sorted(missing.elements()))[:60]}"] \
        if missing else []
