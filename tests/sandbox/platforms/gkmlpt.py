"""gkmlpt-like 政府信息公开目录管理平台: a single-page app over a JSON API (research §3).

One host carries several publishers, each a *site* with its own SID under a path prefix
(``/gkmlpt/…`` for the government itself, ``/{prefix}/gkmlpt/…`` for a department):
- ``{prefix}/gkmlpt/index`` and ``{prefix}/gkmlpt/annualreport`` are shells: no list in the
  HTML, only ``window._CONFIG = {SID, TREE, DEFAULT_CAT}`` and the app script. The list
  exists after JavaScript runs (hash routes ``#{catId}``), or through the API.
- ``GET {prefix}/gkmlpt/api/all/{catId}?page=N&sid=SID`` → ``{"classify", "offset", "total",
  "articles": [{id, title, identifier, publisher, document_number, date, created_at,
  create_time, display_publish_time, classify_main, classify_main_name, url, type,
  attachment, is_expired, is_abolished}]}``, 100 a page (the UI shows 20). ``type: "url"``
  rows are cross-references to another publisher's post: counted, never owned.
  ``TREE[].post_count`` can exceed the API's ``total``.
- details ``{prefix}/gkmlpt/content/{a}/{b}/post_{id}.html`` with ``window._CONFIG.DETAIL``
  JSON and ``a.nfw-cms-attachment`` links to ``{prefix}/attachment/0/…/{id}.pdf``.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import json
import math
import re
from importlib import resources
from typing import TYPE_CHECKING, Any

from tests.sandbox.messages import Request, Response
from tests.sandbox.model import Column, Entry
from tests.sandbox.platforms.base import CN_TZ, EXT, Site, esc

if TYPE_CHECKING:
    from tests.sandbox.server import Sandbox

API_PER = 100
OTHER_CATEGORIES = [("机构职能", 0), ("政策文件", 1), ("规划信息", 2), ("财政信息", 3)]


def _num(text: str, lo: int, span: int) -> int:
    return lo + int(hashlib.sha1(text.encode()).hexdigest()[:8], 16) % span


class GkmlptSite(Site):
    platform = "gkmlpt"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("validators", "etag")
        super().__init__(*args, **kwargs)

    def add_column(self, name: str, agency: Any = None, **ids: Any) -> Column:
        ids.setdefault("prefix", "")  # "" or "/{dept}"
        ids.setdefault("xrefs", [])  # entries of other publishers listed as type "url"
        return super().add_column(name, agency, **ids)

    def layout(self) -> None:
        for column in self.columns:
            column.ids.setdefault("sid", str(_num(column.id, 700000, 290000)))
            column.ids.setdefault("cat", _num(column.id + "c", 2000, 7000))
            p = column.ids["prefix"]
            for e in column.entries:
                e.path = f"{p}/gkmlpt/content/{e.id // 1_000_000}/{e.id // 1000}/post_{e.id}.html"
                for i, f in enumerate(e.attachments):
                    a = e.id * 10 + i
                    f.path = f"{p}/attachment/0/{a // 10000}/{a // 10}/{a}.{EXT[f.fmt]}"
                self.register(e)

    def start_paths(self) -> list[str]:
        return [f"{c.ids['prefix']}/gkmlpt/index" for c in self.columns]

    def rows(self, column: Column) -> list[Entry]:
        rows = column.visible() + [e for e in column.ids["xrefs"] if e.visible]
        return sorted(rows, key=lambda e: (e.date, e.id), reverse=True)

    def list_targets(self) -> list[tuple[str, str, bytes | None]]:
        out: list[tuple[str, str, bytes | None]] = []
        for c in self.columns:
            p = c.ids["prefix"]
            out += [("GET", f"{p}/gkmlpt/index", None), ("GET", f"{p}/gkmlpt/annualreport", None)]
            pages = max(1, math.ceil(len(self.rows(c)) / API_PER))
            out += [("GET", f"{p}/gkmlpt/api/all/{c.ids['cat']}?page={k}&sid={c.ids['sid']}", None)
                    for k in range(1, pages + 1)]
        return out

    def tree(self, column: Column) -> list[dict[str, Any]]:
        """The category tree of ``_CONFIG.TREE``; the annual-report node counts a few posts
        more than the API returns (expired ones), as real instances do."""
        nodes = [{"id": column.ids["cat"] - 100 + k, "name": name, "parent": 0, "children": [],
                  "jump_url": "", "post_count": 0} for name, k in OTHER_CATEGORIES]
        nodes.append({"id": column.ids["cat"], "name": column.name, "parent": 0, "children": [],
                      "jump_url": "", "post_count": len(self.rows(column)) + 2})
        return nodes

    def route(self, req: Request, box: Sandbox) -> Response | None:
        path = req.path
        if path == "/gkmlpt/static/app.js":
            js = resources.files("tests.sandbox").joinpath("static/gkmlpt.js").read_bytes()
            return Response(body=js, content_type="application/javascript")
        m = re.fullmatch(r"(/[a-z0-9]+)?/gkmlpt/(index|annualreport)", path)
        if m:
            column = self.by_prefix(m.group(1) or "")
            return self.shell(column, m.group(2)) if column else None
        m = re.fullmatch(r"(?:/[a-z0-9]+)?/gkmlpt/api/all/(\d+)", path)
        if m:
            return self.api(req, int(m.group(1)))
        if path in ("/", "/index.html"):
            return self.home(req, [(c.agency.name if c.agency else c.name, f"{c.ids['prefix']}/gkmlpt/index")
                                   for c in self.columns])
        return self.serve_entry(req, box, self.detail)

    def by_prefix(self, prefix: str) -> Column | None:
        return next((c for c in self.columns if c.ids["prefix"] == prefix), None)

    def shell(self, column: Column, view: str) -> Response:
        config = {"SID": column.ids["sid"], "TREE": self.tree(column), "DEFAULT_CAT": column.ids["cat"],
                  "VIEW": view, "SITE_NAME": column.agency.name if column.agency else self.name}
        main = ('<div class="gkmlpt"><div class="gkmlpt-header"><h2>政府信息公开目录</h2></div>'
                '<div id="app"><noscript>请开启JavaScript</noscript></div></div>')
        head = (f"<script>window._CONFIG = {json.dumps(config, ensure_ascii=False)};</script>\n"
                '<script src="/gkmlpt/static/app.js" defer></script>\n')
        return self.html(self.page(f"政府信息公开_{config['SITE_NAME']}", main, head=head))

    def article(self, req: Request, e: Entry, column: Column, cross: bool) -> dict[str, Any]:
        made = int(dt.datetime.combine(e.date, dt.time(0), CN_TZ).timestamp())
        created = int(self.modified(e).timestamp())
        owner = next(c for c in self.columns if e in c.entries)
        return {
            "id": e.id, "title": e.title, "identifier": self.index_no(e), "publisher": self.publisher(e),
            "document_number": "", "date": made,
            "created_at": dt.datetime.fromtimestamp(created, CN_TZ).strftime("%Y-%m-%d %H:%M:%S"),
            "create_time": created, "display_publish_time": created,
            "classify_main": owner.ids["cat"], "classify_main_name": column.name,
            "url": req.url(e.path), "type": "url" if cross else "normal",
            "attachment": [{"name": f.name, "url": req.url(f.path)} for f in e.attachments],
            "is_expired": False, "is_abolished": False,
        }

    def api(self, req: Request, cat: int) -> Response:
        column = next((c for c in self.columns if c.ids["sid"] == req.arg("sid")), None)
        if column is None:
            body = {"code": 400, "msg": "sid不存在"}
            return Response(status=400, body=json.dumps(body, ensure_ascii=False).encode(),
                            content_type="application/json;charset=UTF-8")
        rows = self.rows(column) if cat == column.ids["cat"] else []
        try:
            page = max(1, int(req.arg("page") or "1"))
        except ValueError:
            page = 1
        chunk = rows[(page - 1) * API_PER:page * API_PER]
        own = set(map(id, column.entries))
        node = next((n for n in self.tree(column) if n["id"] == cat), None)
        body = {"classify": {"id": cat, "name": node["name"] if node else "", "parent": 0,
                             "post_count": node["post_count"] if node else 0, "jump_url": ""},
                "offset": (page - 1) * API_PER, "total": len(rows),
                "articles": [self.article(req, e, column, id(e) not in own) for e in chunk]}
        return Response(body=json.dumps(body, ensure_ascii=False).encode(),
                        content_type="application/json;charset=UTF-8")

    def detail(self, entry: Entry, box: Sandbox) -> str:
        column = next(c for c in self.columns if entry in c.entries)
        body = self.body(entry, box)
        detail = {"id": entry.id, "title": entry.title, "identifier": self.index_no(entry),
                  "publisher": self.publisher(entry), "document_number": "",
                  "date": int(dt.datetime.combine(entry.date, dt.time(0), CN_TZ).timestamp()),
                  "content": body, "attachment": [{"name": f.name, "url": f.path} for f in entry.attachments]}
        config = {"SID": column.ids["sid"], "DETAIL": detail}
        files = "".join(f'<p><a class="nfw-cms-attachment" href="{f.path}" target="_blank">{esc(f.name)}</a></p>'
                        for f in entry.attachments)
        blob = json.dumps(config, ensure_ascii=False).replace("</", "<\\/")
        head = f"<script>window._CONFIG = {blob};</script>\n"
        main = (f'<div class="content-box">{self.meta_table(entry, self.publisher(entry), "classify")}'
                f'<h1 class="title">{esc(entry.title)}</h1><div class="article-content">{body}</div>'
                f'<div class="attachment">{files}</div></div>')
        return self.page(entry.title, main, head=head, crumbs=("政府信息公开", column.name))
