"""County 信息公开 platform with per-unit directories (Anhui ``public/column`` style, §4a, T4).

Every unit of the county (the government, each 部门, each 乡镇/街道) is a site id with an
annual-report category:
- the annual-report page ``/public/column/{countySiteId}?type=4&action=ndbg`` has tabs 本级 /
  部门 / 乡镇（街道）, all server-rendered (hidden panes), each listing the units (links to
  their columns) and a 年报汇总 table that links every unit's reports by year — the same
  detail URLs as the unit columns;
- a unit column ``/public/column/{siteId}?type=4&action=list&nav=3&catId={catId}`` shows page 1;
  further pages are ``/content/column/{catId}?pageIndex=N`` (1-based) through
  ``Ls.pagination("#page_{catId}", go, {currPage:(0+1), pageCount:N})``;
- rows ``ul.doc_list > li > a[title] + span.date`` with an empty ``li.lm_line`` after every 5;
- details ``/public/{siteId}/{id}.html``: ``h1.newstitle``, ``table.table_suoyin`` (文号 in
  ``td#_fileNum``), body ``div#zoom``; attachments on FastDFS paths ``/group1/M00/…``.
One county runs it in GBK: ``<meta … charset=gb2312>``, Content-Type without charset, raw
GBK Content-Disposition file names.
"""
from __future__ import annotations

import hashlib
import math
import re
from importlib import resources
from typing import TYPE_CHECKING, Any

from tests.sandbox.messages import Request, Response
from tests.sandbox.model import Column, Entry
from tests.sandbox.platforms.base import EXT, Site, esc

if TYPE_CHECKING:
    from tests.sandbox.server import Sandbox

GROUPS = [("bj", "本级"), ("bm", "部门"), ("xz", "乡镇（街道）")]


def _num(text: str, lo: int, span: int) -> int:
    return lo + int(hashlib.sha1(text.encode()).hexdigest()[:8], 16) % span


class CountySite(Site):
    platform = "county"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("validators", "last_modified")
        super().__init__(*args, **kwargs)

    def add_column(self, name: str, agency: Any = None, **ids: Any) -> Column:
        ids.setdefault("group", "bj")
        return super().add_column(name, agency, **ids)

    @property
    def own_site_id(self) -> int:
        return self.columns[0].ids["site"]

    def layout(self) -> None:
        for column in self.columns:
            column.ids.setdefault("site", _num(column.id, 6_000_000, 3_000_000))
            column.ids.setdefault("cat", _num(column.id + "c", 6_000_000, 3_000_000))
            for e in column.entries:
                e.path = f"/public/{column.ids['site']}/{e.id}.html"
                for i, f in enumerate(e.attachments):
                    h = hashlib.sha1(f"{self.host}/{e.id}/{i}".encode()).hexdigest()
                    f.path = f"/group1/M00/{h[:2].upper()}/{h[2:4].upper()}/wKg{h[4:26]}.{EXT[f.fmt]}"
                self.register(e)

    def summary_path(self) -> str:
        return f"/public/column/{self.own_site_id}?type=4&action=ndbg"

    def column_path(self, c: Column) -> str:
        return f"/public/column/{c.ids['site']}?type=4&action=list&nav=3&catId={c.ids['cat']}"

    def start_paths(self) -> list[str]:
        return [self.summary_path()]

    def pages(self, column: Column) -> int:
        return max(1, math.ceil(len(column.visible()) / column.page_size))

    def list_targets(self) -> list[tuple[str, str, bytes | None]]:
        out: list[tuple[str, str, bytes | None]] = [("GET", self.summary_path(), None)]
        for c in self.columns:
            out.append(("GET", self.column_path(c), None))
            out += [("GET", f"/content/column/{c.ids['cat']}?pageIndex={k}", None)
                    for k in range(2, self.pages(c) + 1)]
        return out

    def route(self, req: Request, box: Sandbox) -> Response | None:
        path = req.path
        if path in ("/", "/index.html"):
            return self.home(req, [("政府信息公开年报", self.summary_path())])
        if path == "/assets/js/Ls.js":
            js = resources.files("tests.sandbox").joinpath("static/ls.js").read_bytes()
            return Response(body=js, content_type="application/javascript")
        m = re.fullmatch(r"/public/column/(\d+)", path)
        if m:
            site = int(m.group(1))
            if req.arg("action") == "ndbg" and site == self.own_site_id:
                return self.summary(req)
            column = next((c for c in self.columns if c.ids["site"] == site
                           and req.arg("catId") == str(c.ids["cat"])), None)
            if column is not None and req.arg("action") == "list":
                return self.list_page(column, 1)
            return None
        m = re.fullmatch(r"/content/column/(\d+)", path)
        if m:
            column = next((c for c in self.columns if c.ids["cat"] == int(m.group(1))), None)
            try:
                page = int(req.arg("pageIndex") or "1")
            except ValueError:
                return None
            return self.list_page(column, page) if column else None
        return self.serve_entry(req, box, self.detail)

    def summary(self, req: Request) -> Response:
        years = sorted({e.report.year for c in self.columns for e in c.visible() if e.report}, reverse=True)
        heads, panes = [], []
        for n, (key, label) in enumerate(GROUPS):
            columns = [c for c in self.columns if c.ids["group"] == key]
            if not columns:
                continue
            heads.append(f'<li class="{"on" if n == 0 else ""}" data-tab="{key}">{label}年报</li>')
            units = "".join(f'<li><a href="{esc(self.column_path(c))}">{esc(c.name)}</a></li>' for c in columns)
            rows = []
            for c in columns:
                by_year = {e.report.year: e for e in c.visible() if e.report and e.kind == "report"
                           and e.role != "original"}
                cells = "".join(f'<td><a href="{by_year[y].path}" target="_blank">查看</a></td>' if y in by_year
                                else "<td>—</td>" for y in years)
                rows.append(f"<tr><td>{esc(c.name)}</td>{cells}</tr>")
            ths = "".join(f"<th>{y}年度</th>" for y in years)
            style = "" if n == 0 else ' style="display:none"'
            panes.append(f'<div class="tab-pane" id="tab-{key}"{style}><ul class="unit-list">{units}</ul>'
                         f'<table class="nbhz"><thead><tr><th>单位</th>{ths}</tr></thead><tbody>{"".join(rows)}'
                         "</tbody></table></div>")
        script = ("<script>document.querySelectorAll('.tab-hd li').forEach(function(li){li.onclick=function(){"
                  "document.querySelectorAll('.tab-pane').forEach(function(p){p.style.display='none';});"
                  "document.getElementById('tab-'+li.getAttribute('data-tab')).style.display='';};});</script>")
        main = (f'<div class="main"><h2 class="col-title">政府信息公开年报</h2><div class="nb-tabs">'
                f'<ul class="tab-hd">{"".join(heads)}</ul><div class="tab-bd">{"".join(panes)}</div></div>'
                f"{script}</div>")
        return self.html(self.page(f"政府信息公开年报-{self.name}", main, crumbs=("信息公开", "政府信息公开年报")))

    def list_page(self, column: Column, page: int) -> Response | None:
        rows = column.visible()
        count = self.pages(column)
        if not 1 <= page <= count:
            return None
        chunk = rows[(page - 1) * column.page_size:page * column.page_size]
        items = []
        for n, e in enumerate(chunk, 1):
            items.append(f'<li class="{"odd" if n % 2 else "even"}"><a href="{e.path}" target="_blank" '
                         f'title="{esc(e.title)}">{esc(e.title)}</a><span class="date">{e.date.isoformat()}</span></li>')
            if n % 5 == 0 and n < len(chunk):
                items.append('<li class="lm_line"></li>')
        cat = column.ids["cat"]
        pager = (f'<div id="page_{cat}" class="pagination"></div><script>Ls.pagination("#page_{cat}", '
                 f"function(pageIndex){{ location.href='/content/column/{cat}?pageIndex='+pageIndex; }}, "
                 f"{{currPage:({page - 1}+1), pageCount:{count}}});</script>")
        main = (f'<div class="main"><div class="gk-side"><h3>{esc(column.name)}</h3><ul><li class="on">'
                f'<a href="{esc(self.column_path(column))}">政府信息公开年报</a></li></ul></div>'
                f'<div class="gk-list"><ul class="doc_list list-{cat}">{"".join(items)}</ul>{pager}</div></div>')
        head = '<script src="/assets/js/Ls.js"></script>\n'
        return self.html(self.page(f"{column.name}-政府信息公开年报", main, head=head,
                                   crumbs=("信息公开", column.name, "政府信息公开年报")))

    def detail(self, entry: Entry, box: Sandbox) -> str:
        column = next(c for c in self.columns if entry in c.entries)
        files = "".join(f'<li><a href="{f.path}" target="_blank">{esc(f.name)}</a></li>' for f in entry.attachments)
        attach = f'<div class="fujian"><p>相关附件：</p><ul>{files}</ul></div>' if files else ""
        main = (f'<div class="main"><div class="gk-detail">{self.meta_table(entry, self.publisher(entry), "table_suoyin")}'
                f'<h1 class="newstitle">{esc(entry.title)}</h1><div class="newsinfo">发布时间：{entry.date.isoformat()}'
                f'</div><div class="j-fontContent" id="zoom">{self.body(entry, box)}</div>{attach}</div></div>')
        return self.page(entry.title, main, head=f'<meta name="SiteId" content="{column.ids["site"]}">\n',
                         crumbs=("信息公开", column.name, "正文"))
