"""`parsers` is pure: it imports neither the crawler nor the archive, Scrapy nor a database."""
from __future__ import annotations

import ast
import pathlib
import subprocess
import sys

PARSERS = pathlib.Path(__file__).resolve().parents[2] / "parsers"
FORBIDDEN = ("crawler", "archive", "scrapy", "scrapy_playwright", "sqlalchemy", "alembic", "psycopg", "tests")


def test_no_forbidden_imports() -> None:
    for path in PARSERS.rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else \
                [node.module or ""] if isinstance(node, ast.ImportFrom) else []
            for name in names:
                assert name.split(".")[0] not in FORBIDDEN, f"{path.name} imports {name}"


def test_parsing_loads_no_heavy_stack() -> None:
    code = ("import sys, parsers; parsers.parse_path('tests/fixtures/realdata/huaian-city-2024.pdf'); "
            "parsers.parse_bytes(b'<html><body><table><tr><td>1</td></tr></table></body></html>', name='a.html'); "
            f"print(sorted(m for m in sys.modules if m.split('.')[0] in {FORBIDDEN!r}))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         cwd=PARSERS.parent).stdout
    assert out.strip() == "[]"
