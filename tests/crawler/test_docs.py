"""docs/crawler.md keeps up with the code: every setting, family and option is documented."""
from __future__ import annotations

import dataclasses
import pathlib
import re

from crawler import settings
from crawler.registry import PortalOptions
from crawler.spiders import FAMILIES

DOC = (pathlib.Path(__file__).resolve().parents[2] / "docs" / "crawler.md").read_text(encoding="utf-8")


def test_every_nianbao_setting_is_documented() -> None:
    names = [n for n in vars(settings) if n.startswith("NIANBAO_")] + ["NIANBAO_CHECKPOINT"]
    missing = [n for n in names if f"`{n}`" not in DOC]
    assert not missing


def test_every_family_and_registry_option_is_documented() -> None:
    for family in FAMILIES:
        assert re.search(rf"\| `{family}` \|", DOC), family
    for option in dataclasses.fields(PortalOptions):
        assert re.search(rf"^{option.name} = ", DOC, re.M), option.name


def test_politeness_defaults() -> None:
    assert settings.ROBOTSTXT_OBEY and settings.AUTOTHROTTLE_ENABLED
    assert settings.CONCURRENT_REQUESTS_PER_DOMAIN == 2
    assert settings.DOWNLOAD_DELAY > 0 and settings.RETRY_TIMES >= 2
    assert settings.NIANBAO_CONTACT_URL.startswith("http")
    assert settings.NIANBAO_CHROMIUM == "/usr/bin/chromium"
    assert {"--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
            "--no-first-run"} <= set(settings.PLAYWRIGHT_LAUNCH_OPTIONS["args"])
