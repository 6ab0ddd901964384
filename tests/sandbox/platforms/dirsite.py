"""A city-wide public-information platform addressed by query strings (Zhengzhou's
``public.zhengzhou.gov.cn``, research §4c), with county platforms on sub-domains.

- ``/`` lists every department (``?a=dir&d={deptId}``) and the county sub-domains;
- ``/?a=dir&d={deptId}`` is a department's directory (its categories);
- ``/?a=info&k=nb&t=path&i=08&d={deptId}&page=N`` its annual-report list (``.page-list a``,
  pager ``.page-tile a``; page 1 may be asked without ``page``);
- details ``/D{code}Y/{id}.jhtml``; attachments ``/attachment/<中文名>.pdf``: the href holds
  the raw Chinese name, clients send it percent-encoded in UTF-8; Content-Disposition file
  names in percent-encoding or raw GBK.
"""
from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

from tests.sandbox.messages import Request, Response
from tests.sandbox.model import Column, Entry
from tests.sandbox.platforms.base import EXT, Site, esc

if TYPE_CHECKING:
    from tests.sandbox.server import Sandbox

CATEGORIES = [("jgzn", "01", "机构职能"), ("zcwj", "03", "政策文件"), ("ghxx", "05", "规划信息"),
              ("nb", "08", "政府信息公开年报")]


class DirSite(Site):
    platform = "dir"

    def add_column(self, name: str, agency: Any = None, **ids: Any) -> Column:
        ids.setdefault("d", 10 + len(self.columns) * 3 + (len(self.host) % 3))
        return super().add_column(name, agency, **ids)

    def layout(self) -> None:
        taken: set[str] = set()
        for column in self.columns:
            code = f"D{column.ids['d']:04d}Y"
            for e in column.entries:
                e.path = f"/{code}/{e.id}.jhtml"
                for f in e.attachments:
                    stem, ext = f.name.rsplit(".", 1)[0], EXT[f.fmt]
                    name, n = f"{stem}.{ext}", 1
                    while name in taken:  # two files of one name (a re-publication): numbered
                        n += 1
                        name = f"{stem}（{n}）.{ext}"
                    taken.add(name)
                    f.path = f"/attachment/{name}"
                self.register(e)

    def list_path(self, c: Column, page: int | None = None) -> str:
        tail = "" if page is None else f"&page={page}"
        return f"/?a=info&k=nb&t=path&i=08&d={c.ids['d']}{tail}"

    def start_paths(self) -> list[str]:
        return ["/"]

    def pages(self, column: Column) -> int:
        return max(1, math.ceil(len(column.visible()) / column.page_size))

    def list_targets(self) -> list[tuple[str, str, bytes | None]]:
        out: list[tuple[str, str, bytes | None]] = [("GET", "/", None)]
        for c in self.columns:
            out.append(("GET", f"/?a=dir&d={c.ids['d']}", None))
            out.append(("GET", self.list_path(c), None))
            out += [("GET", self.list_path(c, k), None) for k in range(2, self.pages(c) + 1)]
        return out

    def route(self, req: Request, box: Sandbox) -> Response | None:
        if req.path != "/":
            return self.serve_entry(req, box, self.detail)
        action = req.arg("a")
        if action is None:
            return self.directory(req)
        column = next((c for c in self.columns if str(c.ids["d"]) == req.arg("d")), None)
        if column is None:
            return None
        if action == "dir":
            return self.dept(column)
        if action == "info":
            try:
                page = int(req.arg("page") or "1")
            except ValueError:
                return None
            return self.list_page(column, page, req.arg("k") or "")
        return None

    def directory(self, req: Request) -> Response:
        groups: dict[str, list[str]] = {}
        for c in self.columns:
            groups.setdefault(c.ids.get("group", "部门"), []).append(
                f'<li><a href="?a=dir&d={c.ids["d"]}" title="{esc(c.name)}">{esc(c.name)}</a></li>')
        for group, name, target in self.links:
            host, _, path = target.partition("/")
            groups.setdefault(group, []).append(f'<li><a href="{esc(req.url("/" + path, host))}">{esc(name)}</a></li>')
        blocks = "".join(f'<div class="dept-box"><h3>{esc(g)}</h3><ul class="dept-list">{"".join(items)}</ul></div>'
                         for g, items in groups.items())
        return self.html(self.page(f"{self.name}", f'<div class="main">{blocks}</div>'))

    def dept(self, column: Column) -> Response:
        d = column.ids["d"]
        cats = "".join(f'<li><a href="?a=info&k={k}&t=path&i={i}&d={d}">{esc(n)}</a></li>' for k, i, n in CATEGORIES)
        main = (f'<div class="main"><div class="dept-head"><h2>{esc(column.name)}</h2></div>'
                f'<div class="dir-tree"><ul>{cats}</ul></div></div>')
        return self.html(self.page(column.name, main, crumbs=(column.name,)))

    def list_page(self, column: Column, page: int, k: str) -> Response | None:
        rows = column.visible() if k == "nb" else []
        count = max(1, math.ceil(len(rows) / column.page_size))
        if not 1 <= page <= count:
            return None
        chunk = rows[(page - 1) * column.page_size:page * column.page_size]
        items = "".join(f'<li><a href="{e.path}" target="_blank" title="{esc(e.title)}">{esc(e.title)}</a>'
                        f"<span>{e.date.isoformat()}</span></li>" for e in chunk)
        base = f"?a=info&k={k}&t=path&i=08&d={column.ids['d']}"
        tiles = [f'<a href="{base}&page=1">首页</a>']
        if page > 1:
            tiles.append(f'<a href="{base}&page={page - 1}">上一页</a>')
        if page < count:
            tiles.append(f'<a href="{base}&page={page + 1}">下一页</a>')
        tiles.append(f'<a href="{base}&page={count}">尾页</a><span>第{page}/{count}页</span>')
        name = next((n for key, _, n in CATEGORIES if key == k), "")
        main = (f'<div class="main"><h2>{esc(column.name)} — {esc(name)}</h2><div class="page-list"><ul>{items}</ul>'
                f'</div><div class="page-tile">{"".join(tiles)}</div></div>')
        return self.html(self.page(f"{name}-{column.name}", main, crumbs=(column.name, name)))

    def detail(self, entry: Entry, box: Sandbox) -> str:
        column = next(c for c in self.columns if entry in c.entries)
        files = "".join(f'<li><a href="{f.path}">{esc(f.name)}</a></li>' for f in entry.attachments)
        attach = f'<div class="attach"><ul>{files}</ul></div>' if files else ""
        main = (f'<div class="main"><div class="info-detail">{self.meta_table(entry, self.publisher(entry), "info-table")}'
                f'<h1>{esc(entry.title)}</h1><div class="content" id="content">{self.body(entry, box)}</div>'
                f'{attach}</div></div>')
        return self.page(entry.title, main, crumbs=(column.name, "政府信息公开年报"))
