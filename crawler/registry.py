"""The portal registry: which 政务公开 portals exist, how to reach their annual-report columns.

A registry is one or more TOML files (the shipped ones are ``crawler/portals/*.toml``), one
``[[portal]]`` table per site::

    [[portal]]
    id = "henan-hct"                       # stable, [a-z0-9-]
    name = "河南省文化和旅游厅"
    platform = "trs"                       # trs | hanweb | gkmlpt | county | dir | generic
    level = "department"                   # province | city | county | department | township
    region = { province = "河南省", code = "410000" }
    agency = "河南省文化和旅游厅"           # department sites: the one agency they publish for
    start_urls = ["https://hct.henan.gov.cn/zwgk/xxgk/zfxxgknb/"]
    allowed_domains = ["hct.henan.gov.cn"]  # default: the start URLs' hosts
    established = "[E] … how the URL was established"

    [portal.options]                       # all optional, see PortalOptions
    browser = false
    encoding = "gbk"
    obey_robots = true
    delay = 1.0

and an optional ``[resolve]`` table pinning host patterns to addresses (``"*.test" =
"127.0.0.1:41234"``; the simulated province uses it). Adding a portal of a known platform is
configuration only. Everything is validated on load: a typo in a key is an error naming the
file and the entry, never silently ignored.
"""
from __future__ import annotations

import pathlib
import re
import tomllib
import urllib.parse
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, fields
from typing import Any

from archive import PortalInfo, Region
from crawler.errors import RegistryError, UnknownPortal

DEFAULT_REGISTRY = pathlib.Path(__file__).resolve().parent / "portals"
PLATFORMS = ("trs", "hanweb", "gkmlpt", "county", "dir", "generic")
LEVELS = ("province", "city", "county", "department", "township")
LINK_TEXT = ("政府信息公开工作年度报告", "政府信息公开年度报告", "政府信息公开年报", "信息公开年报", "年度报告", "年报")
_ID = re.compile(r"^[a-z0-9][a-z0-9-]{0,62}$")
_CODE = re.compile(r"^\d{6}$")


@dataclass(frozen=True)
class PortalOptions:
    """Per-portal switches; every one has a default that suits most portals."""

    browser: bool = False                 # JS-built lists (gkmlpt UI) or a 412/521 challenge in front
    encoding: str | None = None           # force a page encoding (else headers, <meta>, detection)
    obey_robots: bool = True              # false: ignore robots.txt (only with the owner's consent)
    delay: float | None = None            # seconds between requests to the portal (DOWNLOAD_DELAY)
    concurrency: int | None = None        # concurrent requests per host (default 2)
    link_text: tuple[str, ...] = LINK_TEXT  # generic spider: link texts of the annual-report column
    list_selector: str | None = None      # CSS selector of list rows' links, when a family's differ
    detail_url_regex: str | None = None   # generic spider: only follow detail links matching this
    max_pages: int | None = None          # stop paginating a column after this many pages
    attachment_hosts: tuple[str, ...] = ()  # other hosts attachments may live on (file servers)


@dataclass(frozen=True)
class Portal:
    id: str
    name: str
    platform: str
    level: str
    region: Region
    start_urls: tuple[str, ...]
    allowed_domains: tuple[str, ...]
    established: str
    agency: str | None = None
    notes: str | None = None
    options: PortalOptions = field(default_factory=PortalOptions)
    source: str = ""  # the file it was read from

    def info(self) -> PortalInfo:
        """The entry as the archive's ``portals`` table keeps it."""
        return PortalInfo(self.id, self.name, self.platform, self.level, self.region, self.agency,
                          self.start_urls[0] if self.start_urls else None)

    def matches_region(self, query: str) -> bool:
        """``河南`` / ``河南省/郑州`` / ``4101``: every part is a prefix of a region name (or of the code)."""
        names = [n for n in (self.region.province, self.region.city, self.region.county) if n]
        for part in (p.strip() for p in query.split("/") if p.strip()):
            if part.isdigit():
                if not (self.region.code or "").startswith(part):
                    return False
            elif not any(n.startswith(part) for n in names):
                return False
        return True


@dataclass(frozen=True)
class Registry:
    portals: tuple[Portal, ...]
    resolve: Mapping[str, str] = field(default_factory=dict)  # host pattern → "address[:port]"
    sources: tuple[str, ...] = ()

    def __len__(self) -> int:
        return len(self.portals)

    def get(self, portal_id: str) -> Portal:
        for portal in self.portals:
            if portal.id == portal_id:
                return portal
        raise UnknownPortal(portal_id, len(self.portals))

    def select(self, *, ids: Iterable[str] = (), region: str | None = None, platform: str | None = None,
               everything: bool = False) -> list[Portal]:
        """The portals a command asked for: by id, by region, by platform, or all of them."""
        wanted = list(ids)
        chosen = [self.get(i) for i in dict.fromkeys(wanted)]
        if region or platform or everything:
            for portal in self.portals:
                if region and not portal.matches_region(region):
                    continue
                if platform and portal.platform != platform:
                    continue
                if portal not in chosen:
                    chosen.append(portal)
        return chosen


def load(paths: Sequence[str | pathlib.Path] | None = None) -> Registry:
    """Read registry files (directories: every ``*.toml`` in them); default: the shipped registry."""
    files: list[pathlib.Path] = []
    for raw in paths or [DEFAULT_REGISTRY]:
        path = pathlib.Path(raw)
        if path.is_dir():
            files += sorted(path.glob("*.toml"))
        elif path.is_file():
            files.append(path)
        else:
            raise RegistryError(str(path), "no such registry file or directory")
    if not files:
        raise RegistryError(", ".join(map(str, paths or [DEFAULT_REGISTRY])), "no *.toml registry files")
    portals: dict[str, Portal] = {}
    resolve: dict[str, str] = {}
    for path in files:
        for portal in _read(path, resolve):
            if portal.id in portals:
                raise RegistryError(str(path), f"portal id {portal.id!r} is also defined in "
                                               f"{portals[portal.id].source}")
            portals[portal.id] = portal
    return Registry(tuple(portals.values()), resolve, tuple(map(str, files)))


# --- validation ------------------------------------------------------------------------------

_PORTAL_KEYS = {"id", "name", "platform", "level", "region", "agency", "start_urls", "allowed_domains",
                "established", "notes", "options"}
_REGION_KEYS = {"province", "city", "county", "code"}


def _read(path: pathlib.Path, resolve: dict[str, str]) -> list[Portal]:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise RegistryError(str(path), f"cannot read: {exc}") from exc
    except tomllib.TOMLDecodeError as exc:
        raise RegistryError(str(path), f"not valid TOML: {exc}") from exc
    unknown = set(data) - {"portal", "resolve"}
    if unknown:
        raise RegistryError(str(path), f"unknown top-level table(s) {sorted(unknown)}; expected [[portal]] "
                                       "and [resolve]")
    for pattern, target in (data.get("resolve") or {}).items():
        if not isinstance(target, str) or not target:
            raise RegistryError(str(path), f"[resolve] {pattern!r} must map to an address string")
        if resolve.get(pattern, target) != target:
            raise RegistryError(str(path), f"[resolve] {pattern!r} = {target!r} contradicts "
                                           f"{resolve[pattern]!r} in another registry file")
        resolve[pattern] = target
    entries = data.get("portal") or []
    if not isinstance(entries, list):
        raise RegistryError(str(path), "portals must be [[portal]] tables")
    return [_portal(path, n, entry) for n, entry in enumerate(entries, 1)]


def _portal(path: pathlib.Path, n: int, raw: Mapping[str, Any]) -> Portal:
    where = f"{path} [[portal]] #{n}" + (f" ({raw['id']})" if isinstance(raw.get("id"), str) else "")

    def fail(reason: str) -> RegistryError:
        return RegistryError(where, reason)

    unknown = set(raw) - _PORTAL_KEYS
    if unknown:
        raise fail(f"unknown key(s) {sorted(unknown)}; known: {sorted(_PORTAL_KEYS)}")
    for key in ("id", "name", "platform", "level", "established"):
        if not isinstance(raw.get(key), str) or not raw[key].strip():
            raise fail(f"{key!r} is required (a non-empty string)")
    if not _ID.match(raw["id"]):
        raise fail(f"id {raw['id']!r} must be lower-case letters, digits and '-'")
    if raw["platform"] not in PLATFORMS:
        raise fail(f"platform {raw['platform']!r} is not one of {', '.join(PLATFORMS)}")
    if raw["level"] not in LEVELS:
        raise fail(f"level {raw['level']!r} is not one of {', '.join(LEVELS)}")
    region_raw = raw.get("region") or {}
    if not isinstance(region_raw, Mapping) or set(region_raw) - _REGION_KEYS:
        raise fail(f"region must be a table with keys among {sorted(_REGION_KEYS)}")
    code = region_raw.get("code")
    if code is not None and not (isinstance(code, str) and _CODE.match(code)):
        raise fail(f"region code {code!r} must be a 6-digit 行政区划代码 string")
    region = Region(region_raw.get("province"), region_raw.get("city"), region_raw.get("county"), code)
    starts = _strings(raw.get("start_urls"), fail, "start_urls")
    if not starts:
        raise fail("start_urls must list at least one URL")
    for url in starts:
        parts = urllib.parse.urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise fail(f"start URL {url!r} is not an absolute http(s) URL")
    domains = _strings(raw.get("allowed_domains"), fail, "allowed_domains") or tuple(
        dict.fromkeys(urllib.parse.urlsplit(u).hostname or "" for u in starts))
    agency = raw.get("agency")
    if agency is not None and not isinstance(agency, str):
        raise fail("agency must be a string")
    return Portal(id=raw["id"], name=raw["name"].strip(), platform=raw["platform"], level=raw["level"],
                  region=region, start_urls=starts, allowed_domains=domains,
                  established=raw["established"].strip(), agency=agency or None, notes=raw.get("notes"),
                  options=_options(raw.get("options") or {}, fail), source=str(path))


def _strings(value: Any, fail: Any, key: str) -> tuple[str, ...]:
    if value is None:
        return ()
    if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
        raise fail(f"{key} must be a list of non-empty strings")
    return tuple(value)


def _options(raw: Mapping[str, Any], fail: Any) -> PortalOptions:
    if not isinstance(raw, Mapping):
        raise fail("options must be a table")
    known = {f.name: f for f in fields(PortalOptions)}
    unknown = set(raw) - set(known)
    if unknown:
        raise fail(f"unknown option(s) {sorted(unknown)}; known: {sorted(known)}")
    values: dict[str, Any] = {}
    for name, value in raw.items():
        default = getattr(PortalOptions(), name)
        if isinstance(default, bool):
            ok = isinstance(value, bool)
        elif isinstance(default, tuple):
            ok = isinstance(value, list) and all(isinstance(v, str) for v in value)
            value = tuple(value) if ok else value
        elif name in ("delay",):
            ok = isinstance(value, int | float) and not isinstance(value, bool) and value >= 0
            value = float(value) if ok else value
        elif name in ("concurrency", "max_pages"):
            ok = isinstance(value, int) and not isinstance(value, bool) and value > 0
        else:
            ok = isinstance(value, str) and bool(value)
        if not ok:
            raise fail(f"option {name!r} has the wrong type or value: {value!r}")
        if name == "detail_url_regex":
            try:
                re.compile(value)
            except re.error as exc:
                raise fail(f"option detail_url_regex is not a valid regular expression: {exc}") from exc
        if name == "encoding":
            import codecs
            try:
                codecs.lookup(value)
            except LookupError as exc:
                raise fail(f"option encoding {value!r} is not a known encoding") from exc
        values[name] = value
    return PortalOptions(**values)
