"""The portal registry: the shipped entries and what a bad file is told."""
from __future__ import annotations

import pathlib
import re

import pytest

from crawler import registry
from crawler.errors import RegistryError, UnknownPortal

GOOD = """
[[portal]]
id = "x-trs"
name = "某某市财政局"
platform = "trs"
level = "department"
region = { province = "河南省", city = "郑州市", code = "410100" }
agency = "某某市财政局"
start_urls = ["https://czj.example.gov.cn/zfxxgk/zfxxgknb/"]
established = "[E] test"
"""


def write(tmp_path: pathlib.Path, text: str, name: str = "r.toml") -> pathlib.Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_the_shipped_registry_is_valid_and_says_how_each_url_was_established() -> None:
    reg = registry.load()
    assert len(reg) >= 25
    ids = [p.id for p in reg.portals]
    assert len(ids) == len(set(ids))
    for p in reg.portals:
        assert re.search(r"\[(E|I)\b", p.established), p.id
        assert p.region.code and re.fullmatch(r"\d{6}", p.region.code), p.id
        assert p.start_urls and p.allowed_domains, p.id
    henan = {p.id for p in reg.select(region="河南")}
    for wanted in ("henan-zhengzhou-public", "henan-zhengzhou-xingyang", "henan-zhengzhou-xinzheng",
                   "henan-zhengzhou-erqi", "henan-xinxiang-muye", "henan-luoyang-luolong"):
        assert wanted in henan
    assert {p.platform for p in reg.portals} >= {"trs", "hanweb", "gkmlpt", "dir", "generic"}


def test_selection_by_id_region_code_and_platform(tmp_path: pathlib.Path) -> None:
    reg = registry.load()
    assert [p.id for p in reg.select(ids=["henan-hct"])] == ["henan-hct"]
    assert {p.region.city for p in reg.select(region="河南/郑州")} == {"郑州市"}
    assert {p.region.province for p in reg.select(region="32")} == {"江苏省"}
    assert {p.platform for p in reg.select(platform="gkmlpt")} == {"gkmlpt"}
    assert len(reg.select(everything=True)) == len(reg)
    with pytest.raises(UnknownPortal, match="no portal 'nope'"):
        reg.select(ids=["nope"])


def test_a_good_entry_loads_with_defaults(tmp_path: pathlib.Path) -> None:
    reg = registry.load([write(tmp_path, GOOD + '[resolve]\n"*.example.gov.cn" = "127.0.0.1:8080"\n')])
    portal = reg.get("x-trs")
    assert portal.allowed_domains == ("czj.example.gov.cn",)
    assert portal.options.obey_robots and not portal.options.browser
    assert portal.info().region.code == "410100"
    assert reg.resolve == {"*.example.gov.cn": "127.0.0.1:8080"}


@pytest.mark.parametrize(("change", "message"), [
    (('platform = "trs"', 'platform = "wordpress"'), "platform 'wordpress' is not one of"),
    (('level = "department"', 'level = "bureau"'), "level 'bureau'"),
    (('code = "410100"', 'code = "4101"'), "6-digit"),
    (('agency = "某某市财政局"', 'agencyy = "x"'), "unknown key"),
    (('start_urls = ["https://czj.example.gov.cn/zfxxgk/zfxxgknb/"]', 'start_urls = ["czj.example.gov.cn/"]'),
     "not an absolute http"),
    (('established = "[E] test"', ''), "'established' is required"),
    (('id = "x-trs"', 'id = "X TRS"'), "lower-case"),
])
def test_a_bad_entry_is_an_error_naming_file_entry_and_reason(tmp_path: pathlib.Path, change: tuple[str, str],
                                                              message: str) -> None:
    path = write(tmp_path, GOOD.replace(*change))
    with pytest.raises(RegistryError, match=re.escape(message)) as err:
        registry.load([path])
    assert str(path) in str(err.value)


def test_bad_options_and_files(tmp_path: pathlib.Path) -> None:
    with pytest.raises(RegistryError, match="unknown option"):
        registry.load([write(tmp_path, GOOD + "[portal.options]\nbrowsr = true\n")])
    with pytest.raises(RegistryError, match="wrong type"):
        registry.load([write(tmp_path, GOOD + "[portal.options]\ndelay = -1\n")])
    with pytest.raises(RegistryError, match="not a known encoding"):
        registry.load([write(tmp_path, GOOD + '[portal.options]\nencoding = "klingon"\n')])
    with pytest.raises(RegistryError, match="not valid TOML"):
        registry.load([write(tmp_path, "[[portal]\n")])
    with pytest.raises(RegistryError, match="also defined in"):
        registry.load([write(tmp_path, GOOD, "a.toml"), write(tmp_path, GOOD, "b.toml")])
    with pytest.raises(RegistryError, match="no such registry"):
        registry.load([tmp_path / "missing.toml"])
