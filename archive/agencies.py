"""Which agency a report belongs to, when reports name themselves inconsistently.

The same office writes "洪泽区人民政府" one year and "淮安市洪泽区人民政府" the next; a portal copy
may drop the prefix altogether and rely on the site's region. An agency is therefore identified
by its name without the region prefix (its *core*: 人民政府, 教育局, 岔河镇人民政府) within a
region, where the region is what the name's prefix says, completed by the caller's hints (the
portal's province / city / county). Two descriptions are the same agency when their cores are
equal, their deepest region names are equal (洪泽区 = 洪泽区), and nothing known contradicts
(province, parent region, 行政区划代码). A region-less name only matches a region-less agency, so
nothing is merged on a guess. Every spelling is kept as an alias; the canonical name is the most
complete one. A name that is exactly an alias of one agency (a renamed office whose old name was added
to ``agency_aliases`` by hand, say) resolves to that agency.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from archive.models import Agency, AgencyAlias, utcnow
from archive.records import Hints, Region

MUNICIPALITIES = {"北京市", "上海市", "天津市", "重庆市"}
# a region name: up to 8 characters and a suffix (郑州市, not 郑州; 广州市 then 市场监督管理局)
_SEGMENT = re.compile(r"^(.{1,8}?(?:特别行政区|自治区|省|自治州|地区|盟|市|州(?!市)|自治县|自治旗|县|旗|区))")
_NOT_REGIONS = {"城市", "都市", "超市", "园区", "景区", "社区", "校区", "辖区", "市区", "街区", "片区", "军区",
                "战区", "湾区", "林区", "库区", "灾区", "新区管委会"}
_TOWNSHIP = re.compile(r"(镇|乡|街道|苏木)(人民政府|政府|办事处)?$|街道办事处$")
GOVERNMENT = "人民政府"


def normalise(name: str) -> str:
    """Full-width → half-width (NFKC), no whitespace or trailing punctuation."""
    s = unicodedata.normalize("NFKC", name)
    s = re.sub(r"\s+", "", s)
    return s.strip(":,.;、。，：；")


@dataclass(frozen=True)
class Identity:
    """A name read as (region, core), ready to be matched against stored agencies."""

    name: str      # as written, normalised
    core: str
    region: Region
    level: str     # province | city | county | township | department

    @property
    def deepest(self) -> str | None:
        return next((p for p in reversed(self.region.parts) if p), None)

    @property
    def lock_key(self) -> str:
        return f"{self.deepest or ''}|{self.core}"

    @property
    def region_key(self) -> str:
        r = self.region
        return "|".join(p or "" for p in (r.province, r.city, r.county, r.code))


def _peel(name: str) -> tuple[list[str], str]:
    """Leading region names of ``name`` (at most three) and what follows them."""
    segments: list[str] = []
    rest = name
    while len(segments) < 3 and (m := _SEGMENT.match(rest)):
        segment = m.group(1)
        if segment in _NOT_REGIONS or any(segment.endswith(w) for w in _NOT_REGIONS):
            break
        remainder = rest[len(segment):]
        if remainder and len(remainder) < 2:
            break
        segments.append(segment)
        rest = remainder
    return segments, rest


def _place(segments: list[str], hint: Region) -> Region:
    """Assign peeled segments to levels: by the hint when it names them, else by suffix."""
    province = city = county = None
    for seg in segments:
        if seg == hint.province:
            province = seg
        elif seg == hint.city:
            city = seg
        elif seg == hint.county:
            county = seg
        elif seg.endswith(("省", "自治区", "特别行政区")) or seg in MUNICIPALITIES:
            province = seg
        elif seg.endswith(("区", "县", "旗")) or city is not None or county is not None or province in MUNICIPALITIES:
            county = seg
        else:
            city = seg
    return Region(province, city, county)


def _merge(named: Region, hint: Region) -> Region:
    """The name's region, completed by the hint above the name's deepest level."""
    parts = list(named.parts)
    if not any(parts):
        return hint
    deepest = max(i for i, p in enumerate(parts) if p)
    for i in range(deepest):
        if parts[i] is None:
            parts[i] = hint.parts[i]
    # a hint's code describes the hint's own deepest region; keep it only if that is ours
    hint_deepest = max((i for i, p in enumerate(hint.parts) if p), default=-1)
    same_place = hint_deepest == -1 or hint_deepest == deepest and hint.parts[deepest] == parts[deepest]
    code = hint.code if same_place else None
    return Region(parts[0], parts[1], parts[2], code)


def identify(name: str, hints: Hints | None = None) -> Identity:
    hint = (hints or Hints()).region
    norm = normalise(name)
    segments, core = _peel(norm)
    if not core:  # "洪泽区": a region's report is its government's
        core = GOVERNMENT
    if core == "政府":
        core = GOVERNMENT
    region = _merge(_place(segments, hint), hint)
    if _TOWNSHIP.search(core):
        level = "township"
    elif core == GOVERNMENT:
        depth = max((i for i, p in enumerate(region.parts) if p), default=-1)
        level = ("province", "city", "county")[depth] if depth >= 0 else "department"
        if depth == 1 and region.city and hint.county == region.city:  # a county-level city
            level = "county"
    else:
        level = "department"
    return Identity(norm, core, region, level)


def compatible(agency: Agency, ident: Identity) -> bool:
    """Same deepest region name, and no known level (province, city, code) that contradicts."""
    stored = (agency.province, agency.city, agency.county)
    deepest = next((p for p in reversed(stored) if p), None)
    if deepest != ident.deepest:
        return False
    if agency.region_code and ident.region.code and agency.region_code != ident.region.code:
        return False
    for mine, theirs in zip(stored[:2], ident.region.parts[:2], strict=True):
        # a county-level city may sit at either level (荥阳市): its own name is no contradiction
        if mine and theirs and mine != theirs and deepest not in (mine, theirs):
            return False
    return True


def _lock(session: Session, key: str) -> None:
    """Serialise resolution of one agency across processes (PostgreSQL; SQLite writers are serial)."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(hashtext(:k))"), {"k": key})


def resolve(session: Session, name: str, hints: Hints | None = None) -> Agency:
    """The stored agency ``name`` refers to, created if new; records the alias and region."""
    ident = identify(name, hints)
    _lock(session, ident.lock_key)
    candidates = [a for a in session.scalars(select(Agency).where(Agency.core_name == ident.core).order_by(Agency.id))
                  if compatible(a, ident)]
    if not candidates:  # a spelling recorded as an alias (a renamed office, an alias added by hand)
        aliased = [a for a in session.scalars(select(Agency).join(AgencyAlias, AgencyAlias.agency_id == Agency.id)
                                              .where(AgencyAlias.norm == ident.name).order_by(Agency.id))
                   if compatible(a, ident)]
        if len(aliased) == 1:
            candidates = aliased
    if candidates:
        def agreement(a: Agency) -> int:
            return sum(1 for x, y in zip((a.province, a.city, a.county, a.region_code),
                                         (*ident.region.parts, ident.region.code), strict=True) if x and x == y)
        agency = max(candidates, key=lambda a: (agreement(a), -a.id))
        _complete(agency, ident)
    else:
        r = ident.region
        agency = Agency(name=ident.name, core_name=ident.core, province=r.province, city=r.city, county=r.county,
                        region_code=r.code, region_key=ident.region_key, level=ident.level)
        session.add(agency)
        session.flush()
    _alias(session, agency, ident.name)
    return agency


def _complete(agency: Agency, ident: Identity) -> None:
    r = ident.region
    for attr, value in (("province", r.province), ("city", r.city), ("county", r.county), ("region_code", r.code)):
        if value and not getattr(agency, attr):
            setattr(agency, attr, value)
    agency.region_key = "|".join(p or "" for p in (agency.province, agency.city, agency.county, agency.region_code))
    if len(ident.name) > len(agency.name):  # the most complete spelling: 淮安市洪泽区人民政府 over 洪泽区人民政府
        agency.name = ident.name
    if agency.level == "department" and ident.level != "department":
        agency.level = ident.level


def _alias(session: Session, agency: Agency, norm: str) -> None:
    exists = session.scalar(select(func.count()).select_from(AgencyAlias)
                            .where(AgencyAlias.agency_id == agency.id, AgencyAlias.norm == norm))
    if not exists:
        session.add(AgencyAlias(agency_id=agency.id, norm=norm, alias=norm, first_seen_at=utcnow()))
        session.flush()


def deadline(level: str, year: int) -> str:
    """The legal publication deadline of a report year (条例 第五十条), ISO date.

    People's governments at county level and above publish by 31 March of the following year;
    departments (and, in practice, townships, which report through their county) by 31 January.
    """
    return f"{year + 1}-03-31" if level in ("province", "city", "county") else f"{year + 1}-01-31"
