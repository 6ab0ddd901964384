"""Hanweb 大汉 JCMS sites with the jpage list component (research/portals.md §2).

- Column ``/col/col{colid}/index.html``: the first *group* of records (groupSize 3 × perPage)
  is inline as ``<script type="text/xml"><datastore>…<record><![CDATA[<li>…]]></record>``,
  twice (a PC and a mobile unit with the same records), with ``jpage({totalRecord, perPage,
  groupSize, proxyUrl, ajaxParam})``; the nextgroup link repeats ``appid`` and
  double-percent-encodes ``webname``. Titles in the rows are cut with "..." (full in title=).
- Later groups only through ``POST /module/web/jpage/dataproxy.jsp?startrecord=&endrecord=
  &perpage=`` with the form fields of ``param_{unitid}`` (col, appid, webid, path, columnid,
  sourceContentType, unitid, webname, permissiontype) and a Referer on the site; anything
  else, or a range past the end, gets the empty datastore. GET is refused (405).
- Details ``/art/Y/M/D/art_{colid}_{id}.html`` (no zero padding), ``ContentStart``/
  ``ContentEnd`` metas inside ``div.bt-content#zoom``, ``table.xxgk_table``.
- Attachments ``/module/download/downfile.jsp?classid=0&filename=<32 hex>.pdf`` answer 302 to
  ``/attach/0/<32 hex>.pdf``, which carries a Content-Disposition (RFC 5987 or raw GBK).
"""
from __future__ import annotations

import hashlib
import math
import urllib.parse
from importlib import resources
from typing import TYPE_CHECKING, Any

from tests.sandbox.messages import Request, Response
from tests.sandbox.model import Column, Entry
from tests.sandbox.platforms.base import EXT, Site, esc

if TYPE_CHECKING:
    from tests.sandbox.server import Sandbox

PROXY = "/module/web/jpage/dataproxy.jsp"
DOWNFILE = "/module/download/downfile.jsp"
GROUP = 3
EMPTY = b"<datastore><nextgroup></nextgroup><recordset></recordset></datastore>"


def _num(text: str, lo: int, span: int) -> int:
    return lo + int(hashlib.sha1(text.encode()).hexdigest()[:8], 16) % span


class HanwebSite(Site):
    platform = "hanweb"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("validators", "last_modified")
        super().__init__(*args, **kwargs)
        self.webid = _num(self.host, 2, 90)

    def layout(self) -> None:
        for column in self.columns:
            column.ids.setdefault("colid", _num(column.id, 1000, 80000))
            column.ids.setdefault("unitid", _num(column.id + "u", 100000, 800000))
            for e in column.entries:
                d = e.date
                e.path = f"/art/{d.year}/{d.month}/{d.day}/art_{column.ids['colid']}_{e.id}.html"
                for i, f in enumerate(e.attachments):
                    name = hashlib.md5(f"{self.host}/{e.id}/{i}".encode()).hexdigest() + "." + EXT[f.fmt]
                    f.path = f"/attach/0/{name}"
                    f.download_path = f"{DOWNFILE}?classid=0&filename={name}"
                self.register(e)

    def column_path(self, column: Column) -> str:
        return f"/col/col{column.ids['colid']}/index.html"

    def start_paths(self) -> list[str]:
        return [self.column_path(c) for c in self.columns]

    def groups(self, column: Column) -> int:
        return max(1, math.ceil(len(column.visible()) / (column.page_size * GROUP)))

    def form(self, column: Column) -> dict[str, str]:
        return {"col": "1", "appid": "1", "webid": str(self.webid), "path": "/",
                "columnid": str(column.ids["colid"]), "sourceContentType": "1",
                "unitid": str(column.ids["unitid"]), "webname": self.name, "permissiontype": "0"}

    def list_targets(self) -> list[tuple[str, str, bytes | None]]:
        out: list[tuple[str, str, bytes | None]] = []
        for c in self.columns:
            out.append(("GET", self.column_path(c), None))
            span = c.page_size * GROUP
            body = urllib.parse.urlencode(self.form(c)).encode()
            out += [("POST", f"{PROXY}?startrecord={g * span + 1}&endrecord={(g + 1) * span}&perpage={c.page_size}",
                     body) for g in range(1, self.groups(c))]
        return out

    def route(self, req: Request, box: Sandbox) -> Response | None:
        path = req.path
        if path in ("/", "/index.html"):
            return self.home(req, [(c.name, self.column_path(c)) for c in self.columns])
        if path == PROXY:
            return self.dataproxy(req)
        if path == DOWNFILE:
            name = req.arg("filename") or ""
            return Response(status=302, content_type="text/html",
                            headers=[("Location", req.url(f"/attach/0/{name}"))])
        if path == "/module/web/jpage/jpage.js":
            js = resources.files("tests.sandbox").joinpath("static/jpage.js").read_bytes()
            return Response(body=js, content_type="application/javascript")
        if path == "/module/visitcount/visit.jsp":
            return Response(body=f"document.write('{_num(req.target, 10, 5000)}');".encode(),
                            content_type="application/javascript")
        for column in self.columns:
            if path == self.column_path(column) or path == self.column_path(column)[:-len("index.html")]:
                return self.column_page(column)
        return self.serve_entry(req, box, self.detail)

    def record(self, column: Column, e: Entry) -> str:
        title = e.title if len(e.title) <= 30 else e.title[:28] + "..."
        return (f"<record><![CDATA[<li class=\"clearfix bt-list-new\"><a title='{esc(e.title, quote=True)}' "
                f'target="_blank" href="{e.path}">{esc(title)}</a><span class="bt-list-time">'
                f"{e.date.isoformat()}</span></li>]]></record>")

    def datastore(self, column: Column, start: int, end: int, page: int) -> str:
        rows = column.visible()[start - 1:end]
        webname = urllib.parse.quote(urllib.parse.quote(self.name))
        nextgroup = (f'<a href="{PROXY}?page={page}&appid=1&appid=1&webid={self.webid}&path=/&columnid='
                     f"{column.ids['colid']}&unitid={column.ids['unitid']}&webname={webname}&permissiontype=0\"></a>")
        records = "\n".join(self.record(column, e) for e in rows)
        return (f"<datastore>\n<nextgroup><![CDATA[{nextgroup}]]></nextgroup>\n<recordset>\n{records}\n"
                "</recordset>\n</datastore>")

    def dataproxy(self, req: Request) -> Response:
        if req.method != "POST":
            return Response(status=405, body=b"<h1>HTTP Status 405 - Request method not supported</h1>",
                            headers=[("Allow", "POST")])
        form = {k: v[0] for k, v in req.form().items()}
        referer = urllib.parse.urlsplit(req.headers.get("referer", "")).hostname
        column = next((c for c in self.columns if form.get("columnid") == str(c.ids["colid"])
                       and form.get("unitid") == str(c.ids["unitid"])), None)
        try:
            start, end, per = (int(req.arg(k) or "") for k in ("startrecord", "endrecord", "perpage"))
        except ValueError:
            start = end = per = 0
        ok = (column is not None and form.get("webid") == str(self.webid) and referer == self.host
              and 1 <= start <= end and per > 0 and start <= len(column.visible()))
        if not ok or column is None:
            return Response(body=EMPTY, content_type="text/xml;charset=UTF-8")
        body = '<?xml version="1.0" encoding="UTF-8"?>' + self.datastore(column, start, end, start // (per * GROUP) + 1)
        return Response(body=body.encode(), content_type="text/xml;charset=UTF-8")

    def column_page(self, column: Column) -> Response:
        total = len(column.visible())
        units = []
        for unit, css in ((column.ids["unitid"], "pclist"), (column.ids["unitid"] + 4445, "moblist")):
            store = self.datastore(column, 1, column.page_size * GROUP, 1)
            units.append(
                f'<div class="{css}"><div id="{unit}"><script type="text/xml">\n{store}\n</script></div>\n'
                f"<script>var param_{unit} = {{col:1,appid:'1',webid:{self.webid},path:'/',"
                f"columnid:{column.ids['colid']},sourceContentType:1,unitid:'{unit}',webname:'{self.name}',"
                f"permissiontype:0}};\n$('#{unit}').jpage({{baseUrl:'{PROXY}',dataStore:$('#{unit}').children"
                f"('script').html(),basePath:'',showMode:'full',totalRecord:{total},perPage:{column.page_size},"
                f"groupSize:{GROUP},barPosition:'bottom',proxyUrl:'{PROXY}',ajaxParam:param_{unit}}});</script></div>")
        main = (f'<div class="main"><div class="bt-title"><h2>{esc(column.name)}</h2></div>'
                f'<div class="bt-list">{"".join(units)}</div></div>')
        head = (f'<meta name="ColumnName" content="{esc(column.name)}">\n'
                '<script src="/module/web/jpage/jpage.js"></script>\n')
        return self.html(self.page(f"{column.name} {self.name}", main, head=head, crumbs=("信息公开", column.name)))

    def detail(self, entry: Entry, box: Sandbox) -> str:
        column = next(c for c in self.columns if entry in c.entries)
        publisher = self.publisher(entry)
        files = "".join(f'<p>附件：<a href="{f.download_path}" target="_blank">{esc(f.name)}</a></p>'
                        for f in entry.attachments)
        counter = (f"/module/visitcount/visit.jsp?type=3&i_webid={self.webid}&i_columnid={column.ids['colid']}"
                   f"&i_articleid={entry.id}")
        head = (f'<meta name="ArticleTitle" content="{esc(entry.title)}">\n'
                f'<meta name="PubDate" content="{entry.date.isoformat()} {9 + entry.id % 8:02d}:{entry.id % 60:02d}">\n'
                f'<meta name="ContentSource" content="{esc(publisher)}">\n<meta name="Author" content="">\n'
                f'<meta name="ColumnName" content="{esc(column.name)}">\n'
                f'<meta name="Url" content="{entry.path}">\n')
        main = (f'<div class="main"><div class="main-txt">{self.meta_table(entry, publisher, "xxgk_table")}'
                f'<div class="bt-article-title"><h1>{esc(entry.title)}</h1></div>'
                f'<div class="bt-article-info">发布日期：{entry.date.isoformat()}　信息来源：{esc(publisher)}　'
                f'浏览次数：<script src="{counter}"></script></div>'
                '<div class="bt-content zoom" id="zoom"><meta name="ContentStart">'
                f'<div class="TRS_Editor">{self.body(entry, box)}</div>{files}<meta name="ContentEnd"></div>'
                '</div></div>')
        return self.page(entry.title, main, head=head, crumbs=("信息公开", column.name))
