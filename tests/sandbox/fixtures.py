"""pytest fixtures: a sandbox province served for the whole test session.

In a conftest.py::

    from tests.sandbox.fixtures import sandbox, sandbox_medium  # noqa: F401

``sandbox`` is the small province (≈20 agencies), ``sandbox_medium`` the medium one
(≈200 agencies × 6 years). Each is a started ``Sandbox`` with ``registry_path`` and
``truth_path`` written into a temporary directory; tests that change it should call
``sandbox.reset()`` and may not assume other tests left it untouched.
"""
from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import pytest

from tests.sandbox.server import Sandbox


def serve(size: str, tmp_path_factory: pytest.TempPathFactory, **options: Any) -> Iterator[Sandbox]:
    """Build, prerender, start and write a sandbox; stop it afterwards (for session fixtures)."""
    seed = int(os.environ.get("NIANBAO_SANDBOX_SEED", "7"))
    box = Sandbox(seed, size, **options)
    box.prerender()  # LibreOffice documents in one batch, before any client waits for one
    box.start()
    try:
        box.write(tmp_path_factory.mktemp(f"sandbox-{size}"))
        yield box
    finally:
        box.stop()


@pytest.fixture(scope="session")
def sandbox(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Sandbox]:
    yield from serve("small", tmp_path_factory)


@pytest.fixture(scope="session")
def sandbox_medium(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Sandbox]:
    yield from serve("medium", tmp_path_factory)
