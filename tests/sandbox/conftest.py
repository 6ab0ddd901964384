from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.sandbox.client import CHROMIUM, chromium_args
from tests.sandbox.fixtures import serve
from tests.sandbox.helpers import HTTP
from tests.sandbox.server import Sandbox


@pytest.fixture(scope="session")
def sandbox(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Sandbox]:
    """The small province, its deliberate delays shortened (slowness has its own test)."""
    yield from serve("small", tmp_path_factory, slow_scale=0.1)


@pytest.fixture(scope="session")
def truth(sandbox: Sandbox) -> dict[str, Any]:
    return sandbox.ground_truth()


@pytest.fixture(scope="session")
def http(sandbox: Sandbox) -> HTTP:
    return HTTP(sandbox)


@pytest.fixture(scope="session")
def chromium() -> Iterator[Any]:
    """Debian's Chromium through Playwright, *.test pinned to 127.0.0.1."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=chromium_args())
        try:
            yield browser
        finally:
            browser.close()
