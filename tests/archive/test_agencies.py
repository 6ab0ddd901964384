"""Agency identity across spellings, years and portals."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from archive import Hints, Region
from archive.agencies import deadline, identify, resolve
from archive.models import Agency, AgencyAlias


@pytest.mark.parametrize(("name", "region", "core", "level"), [
    ("洪泽区人民政府", (None, None, "洪泽区"), "人民政府", "county"),
    ("淮安市洪泽区人民政府", (None, "淮安市", "洪泽区"), "人民政府", "county"),
    ("淮安市人民政府", (None, "淮安市", None), "人民政府", "city"),
    ("广州市市场监督管理局", (None, "广州市", None), "市场监督管理局", "department"),
    ("郑州市二七区建设和交通局", (None, "郑州市", "二七区"), "建设和交通局", "department"),
    ("北京市朝阳区教育委员会", ("北京市", None, "朝阳区"), "教育委员会", "department"),
    ("江苏省 淮安市 洪泽区 政府", ("江苏省", "淮安市", "洪泽区"), "人民政府", "county"),
    ("淮安市洪泽区岔河镇人民政府", (None, "淮安市", "洪泽区"), "岔河镇人民政府", "township"),
    ("城市管理局", (None, None, None), "城市管理局", "department"),  # 城市 is not a city
])
def test_names_read_as_region_and_core(name, region, core, level):
    ident = identify(name)
    assert (ident.region.parts, ident.core, ident.level) == (region, core, level)


def test_hints_complete_the_region_and_place_county_level_cities():
    ident = identify("荥阳市人民政府", Hints(region=Region("河南省", "郑州市", "荥阳市", "410182")))
    assert ident.region == Region("河南省", "郑州市", "荥阳市", "410182") and ident.level == "county"
    # a portal's county does not make a city-level name a county one
    city = identify("淮安市教育局", Hints(region=Region("江苏省", "淮安市", "洪泽区", "320813")))
    assert city.region == Region("江苏省", "淮安市", None, None)


def test_same_agency_across_years_and_spellings(archive):
    def run(session):
        a = resolve(session, "洪泽区人民政府")
        b = resolve(session, "淮安市洪泽区人民政府")
        c = resolve(session, "江苏省淮安市洪泽区人民政府", Hints(region=Region("江苏省", "淮安市", "洪泽区", "320813")))
        city = resolve(session, "淮安市人民政府")
        other = resolve(session, "南京市鼓楼区人民政府")
        other2 = resolve(session, "徐州市鼓楼区人民政府")
        agency = session.get(Agency, a.id)
        aliases = sorted(session.scalars(select(AgencyAlias.alias).where(AgencyAlias.agency_id == a.id)))
        return a.id, b.id, c.id, city.id, other.id, other2.id, agency, aliases
    a, b, c, city, other, other2, agency, aliases = archive.write(run)
    assert a == b == c
    assert len({a, city, other, other2}) == 4  # 鼓楼区 of Nanjing is not 鼓楼区 of Xuzhou
    assert agency.name == "江苏省淮安市洪泽区人民政府"  # the most complete spelling
    assert (agency.province, agency.city, agency.county, agency.region_code) == ("江苏省", "淮安市", "洪泽区", "320813")
    assert aliases == ["江苏省淮安市洪泽区人民政府", "洪泽区人民政府", "淮安市洪泽区人民政府"]


def test_regionless_names_are_not_merged_on_a_guess(archive):
    def run(session):
        bare = resolve(session, "教育局")
        placed = resolve(session, "教育局", Hints(region=Region("江苏省", "淮安市", "洪泽区")))
        spelled = resolve(session, "洪泽区教育局")
        return bare.id, placed.id, spelled.id
    bare, placed, spelled = archive.write(run)
    assert bare != placed and placed == spelled


def test_conflicting_codes_keep_agencies_apart(archive):
    def run(session):
        a = resolve(session, "鼓楼区人民政府", Hints(region=Region(code="320106")))
        b = resolve(session, "鼓楼区人民政府", Hints(region=Region(code="320302")))
        return a.id, b.id
    a, b = archive.write(run)
    assert a != b


def test_legal_deadlines():
    assert deadline("county", 2023) == "2024-03-31"
    assert deadline("province", 2019) == "2020-03-31"
    assert deadline("department", 2023) == "2024-01-31"
    assert deadline("township", 2023) == "2024-01-31"


def test_an_alias_added_by_hand_links_a_renamed_office(archive):
    from archive.models import AgencyAlias

    def setup(session):
        new = resolve(session, "荥阳市政务服务和大数据管理局")
        session.add(AgencyAlias(agency_id=new.id, norm="荥阳市行政审批服务局", alias="荥阳市行政审批服务局"))
        return new.id
    new_id = archive.write(setup)
    assert archive.write(lambda s: resolve(s, "荥阳市行政审批服务局").id) == new_id
    assert archive.write(lambda s: resolve(s, "荥阳市行政审批局").id) != new_id  # a different name is not
