"""TRS WCM static sites (拓尔思): the most common platform of province and city portals.

As on real sites (research/portals.md §1):
- a column is a directory of static pages: ``index.html``, ``index_1.html`` … (classic
  0-based dialect, ``createPageHTML(count, cur, "index", "html")``) or ``index.shtml``,
  ``index_2.shtml`` … (div-id 1-based dialect, ``createPageHTML('page_div', count, cur,
  'index', 'shtml', records)``); the pager is written by JavaScript, the rows are static;
- rows ``ul.u-list > li > a[title]`` + a date span, with a spacer ``li.empty`` after every
  five rows (1-based sites: ``ul.list-t`` with the date inside the anchor); some rows link
  straight to an attachment ``./YYYYMM/P0….pdf``;
- detail pages ``./YYYYMM/tYYYYMMDD_N.html`` with ``ArticleTitle``/``PubDate``/
  ``ContentSource`` metas, the body in ``div.TRS_Editor > div.Custom_UnionStyle``, and
  attachments ``./P0<20 digits>.pdf`` (sometimes with an ``.ofd`` twin) in ``div.attachment``;
- a column whose pager claims one page more than exists (the last one is a 404).
"""
from __future__ import annotations

import datetime as dt
import math
import re
from importlib import resources
from typing import TYPE_CHECKING, Any

from tests.sandbox.messages import Request, Response
from tests.sandbox.model import Column, Entry
from tests.sandbox.platforms.base import EXT, Site, esc

if TYPE_CHECKING:
    from tests.sandbox.server import Sandbox

PAGE_JS = "/script/page.js"


class TrsSite(Site):
    platform = "trs"

    def __init__(self, *args: Any, dialect: str = "0-based", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.dialect = dialect
        self.ext = "html" if dialect == "0-based" else "shtml"

    def add_column(self, name: str, agency: Any = None, **ids: Any) -> Column:
        ids.setdefault("overshoot", False)  # pager claims one page too many
        return super().add_column(name, agency, **ids)

    def layout(self) -> None:
        for column in self.columns:
            base = column.ids["path"]
            for e in column.entries:
                stamp = f"{e.date:%Y%m%d}"
                folder = f"{base}{e.date:%Y%m}/"
                e.path = f"{folder}t{stamp}_{e.id}.{self.ext}"
                for i, f in enumerate(e.attachments):
                    serial = (e.id * 7919 + (i + 1) * 104_729) % 10**12
                    f.path = f"{folder}P0{stamp}{serial:012d}.{EXT[f.fmt]}"
                self.register(e)

    def start_paths(self) -> list[str]:
        return [c.ids["path"] for c in self.columns]

    def pages(self, column: Column) -> int:
        return max(1, math.ceil(len(column.visible()) / column.page_size))

    def page_name(self, k: int) -> str:
        first = 0 if self.dialect == "0-based" else 1
        return f"index.{self.ext}" if k == first else f"index_{k}.{self.ext}"

    def list_targets(self) -> list[tuple[str, str, bytes | None]]:
        first = 0 if self.dialect == "0-based" else 1
        return [("GET", c.ids["path"] + self.page_name(k), None)
                for c in self.columns for k in range(first, first + self.pages(c))]

    def route(self, req: Request, box: Sandbox) -> Response | None:
        path = req.path
        if path in ("/", "/index.html", "/index.shtml"):
            return self.home(req, [(c.name, c.ids["path"]) for c in self.columns])
        if path == PAGE_JS:
            js = resources.files("tests.sandbox").joinpath("static/trs_page.js").read_bytes()
            return Response(body=js, content_type="application/javascript")
        for column in self.columns:
            base = column.ids["path"]
            if path.startswith(base) and (k := self.page_number(path[len(base):])) is not None:
                return self.list_page(column, k)
        return self.serve_entry(req, box, self.detail)

    def page_number(self, rest: str) -> int | None:
        if rest == "":
            return 0 if self.dialect == "0-based" else 1
        m = re.fullmatch(rf"index(?:_(\d+))?\.{self.ext}", rest)
        if not m:
            return None
        if m.group(1) is None:
            return 0 if self.dialect == "0-based" else 1
        k = int(m.group(1))
        return k if k >= (1 if self.dialect == "0-based" else 2) else None

    def list_page(self, column: Column, k: int) -> Response | None:
        rows = column.visible()
        count = self.pages(column)
        index = k if self.dialect == "0-based" else k - 1
        if index >= count:
            return None
        chunk = rows[index * column.page_size:(index + 1) * column.page_size]
        items = []
        for n, e in enumerate(chunk, 1):
            href = "./" + (e.attachments[0].path if e.direct else e.path)[len(column.ids["path"]):]
            if self.dialect == "0-based":
                items.append(f'<li><a href="{href}" target="_blank" title="{esc(e.title)}">{esc(e.title)}</a>'
                             f'<span>{e.date:%Y/%m/%d}</span></li>')
            else:
                items.append(f'<li><a href="{href}" target="_blank" title="{esc(e.title)}">{esc(e.title)}'
                             f'<span class="date">{e.date:%Y-%m-%d}</span></a></li>')
            if n % 5 == 0 and n < len(chunk):
                items.append('<li class="empty"></li>')
        claimed = count + (1 if column.ids["overshoot"] else 0)
        if self.dialect == "0-based":
            ul = f'<ul class="u-list">{"".join(items)}</ul>'
            pager = (f'<div class="page"><ul><script>createPageHTML({claimed}, {index}, "index", "{self.ext}");'
                     '</script></ul></div>')
        else:
            ul = f'<ul class="list-t">{"".join(items)}</ul>'
            pager = (f'<div id="page_div" class="page"></div><script>createPageHTML(\'page_div\', {claimed}, '
                     f"{index + 1}, 'index', '{self.ext}', {len(rows)});</script>")
        main = (f'<div class="main"><div class="column-title"><h2>{esc(column.name)}</h2></div>'
                f'<div class="list-box">{ul}{pager}</div></div>')
        head = f'<meta name="ColumnName" content="{esc(column.name)}">\n<script src="{PAGE_JS}"></script>\n'
        newest = max((self.modified(e) for e in rows), default=None)
        if newest is not None:  # a static page is rewritten when a report is published
            newest += dt.timedelta(hours=column.ids.get("generation", 0))
        return self.html(self.page(f"{column.name}_{self.name}", main, head=head, crumbs=("政务公开", column.name)),
                         modified=newest)

    def detail(self, entry: Entry, box: Sandbox) -> str:
        publisher = self.publisher(entry)
        files = "".join(f'<p><a href="./{f.path.rsplit("/", 1)[1]}" target="_blank">{esc(f.name)}</a></p>'
                        for f in entry.attachments)
        attach = (f'<div class="attachment"><p class="attachment_l">附件：</p><div class="attachment_r">{files}'
                  '</div></div>' if entry.attachments else "")
        column = next(c for c in self.columns if entry in c.entries)
        head = (f'<meta name="ArticleTitle" content="{esc(entry.title)}">\n'
                f'<meta name="PubDate" content="{entry.date.isoformat()} {9 + entry.id % 8:02d}:{entry.id % 60:02d}:'
                f'{entry.id % 53:02d}">\n<meta name="ContentSource" content="{esc(publisher)}">\n'
                f'<meta name="ColumnName" content="{esc(column.name)}">\n')
        main = (f'<div class="article">{self.meta_table(entry, publisher, "xxgk-table")}'
                f'<h2 class="article_title">{esc(entry.title)}</h2>'
                f'<div class="article_info"><span>发布时间：{entry.date:%Y/%m/%d}</span>'
                f'<span>来源：{esc(publisher)}</span><span>【字体：<a href="javascript:;">大</a> '
                '<a href="javascript:;">中</a> <a href="javascript:;">小</a>】</span></div>'
                '<!--startprint--><div class="article_con"><div class="TRS_Editor"><div class="Custom_UnionStyle">'
                f'{self.body(entry, box)}</div></div></div><!--endprint-->{attach}'
                '<div class="share"><a href="javascript:window.print()">打印本页</a> '
                '<a href="javascript:window.close()">关闭窗口</a></div></div>')
        return self.page(f"{entry.title}_{self.name}", main, head=head, crumbs=("政务公开", column.name, "正文"))
