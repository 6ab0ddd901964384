"""Replay the round-trip failures kept in tests/synth/findings/ (made by ``python -m tests.synth.hunt``).

Each finding is a document a real portal could publish, saved with its expected parse beside
it (<name>.json: facts, agency, year, layout, derived, checks, and the generator's settings
that made it). They stay here, failing, until the parser reads them right.
"""
from __future__ import annotations

import json
from pathlib import Path

import pytest

import parsers
from tests.synth.compare import FINDINGS, problems_json
from tests.synth.render import EXTENSIONS

CASES = sorted(FINDINGS.glob("*.json"))


@pytest.mark.parametrize("path", CASES, ids=lambda p: p.stem)
def test_finding(path: Path) -> None:
    want = json.loads(path.read_text(encoding="utf-8"))
    doc = path.with_suffix("." + EXTENSIONS[want["format"]])
    result = parsers.parse_bytes(doc.read_bytes(), name=doc.name)
    found = problems_json(result, want, want["format"])
    assert not found, f"{doc.name}:\n  " + "\n  ".join(found)


def test_every_finding_has_its_document() -> None:
    for path in CASES:
        want = json.loads(path.read_text(encoding="utf-8"))
        assert path.with_suffix("." + EXTENSIONS[want["format"]]).exists(), path.name
