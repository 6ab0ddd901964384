"""Shared fixtures of the parser tests: the real documents in tests/fixtures."""
from __future__ import annotations

import json
import pathlib

import pytest

FIXTURES = pathlib.Path(__file__).resolve().parents[1] / "fixtures"


def expected(doc: pathlib.Path) -> dict:
    return json.loads((doc.parent / "expected" / f"{doc.stem}.json").read_text(encoding="utf-8"))


def golden_documents() -> list[pathlib.Path]:
    docs = []
    for folder in ("seeds", "realdata"):
        for exp in sorted((FIXTURES / folder / "expected").glob("*.json")):
            docs += [p for p in (FIXTURES / folder).iterdir() if p.is_file() and p.stem == exp.stem]
    return docs


@pytest.fixture
def private_cache(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """LibreOffice conversions of a test go to a cache of this test session, not the user's."""
    monkeypatch.setenv("NIANBAO_CACHE_DIR", str(tmp_path_factory.getbasetemp() / "nianbao-cache"))
