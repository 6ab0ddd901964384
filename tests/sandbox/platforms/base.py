"""What every simulated site shares: identity, columns, home page, robots.txt, file responses.

A platform module subclasses ``Site`` and implements ``layout`` (give every entry and file its
URL), ``route`` (answer a request) and ``list_targets`` (every list/API request a complete
crawl makes, used to enumerate the site).
"""
from __future__ import annotations

import datetime as dt
import hashlib
import html
import urllib.parse
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from tests.sandbox.messages import Request, Response, content_etag, nginx_etag, tomcat_etag
from tests.sandbox.model import Agency, Column, Entry, File, Region

if TYPE_CHECKING:
    from tests.sandbox.server import Sandbox

CN_TZ = dt.timezone(dt.timedelta(hours=8))

MIME = {
    "pdf": "application/pdf", "scan_pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "doc": "application/msword", "wps": "application/octet-stream", "ofd": "application/octet-stream",
}
EXT = {"pdf": "pdf", "scan_pdf": "pdf", "docx": "docx", "doc": "doc", "wps": "wps", "ofd": "ofd"}

esc = html.escape
STYLESHEET = "/css/site.css"


class Site:
    """One host of the province, running one platform family."""

    platform = "generic"

    def __init__(self, id: str, host: str, name: str, level: str, region: Region, *,
                 agency: Agency | None = None, encoding: str = "utf-8", guard: str | None = None,
                 robots: str = "open", old_host: str | None = None, validators: str = "both",
                 site_code: str = "") -> None:
        self.id = id
        self.host = host
        self.name = name
        self.level = level
        self.region = region
        self.agency = agency  # the single agency a department site publishes for
        self.encoding = encoding
        self.guard = guard  # None | "ruishu" (412) | "jiasule" (521)
        self.robots = robots  # "open" | "disallow" (robots.txt shuts every crawler out)
        self.old_host = old_host  # a former domain that 301-redirects here
        self.validators = validators  # both | etag | last_modified
        digest = int(hashlib.sha1(host.encode()).hexdigest()[:8], 16)
        self.site_code = site_code or str(digest % 9_000_000_000 + 1_000_000_000)
        self.columns: list[Column] = []
        self.links: list[tuple[str, str, str]] = []  # (group, name, host[/path]) on the home page
        self.files: dict[str, tuple[Entry, File | None]] = {}  # path → entry (and file)

    # -- to implement ------------------------------------------------------------------------
    def layout(self) -> None:
        raise NotImplementedError

    def route(self, req: Request, box: Sandbox) -> Response | None:
        raise NotImplementedError

    def start_paths(self) -> list[str]:
        raise NotImplementedError

    def list_targets(self) -> list[tuple[str, str, bytes | None]]:
        """(method, target, body) of every list page or API call of a complete crawl."""
        raise NotImplementedError

    # -- shared -------------------------------------------------------------------------------
    def add_column(self, name: str, agency: Agency | None = None, **ids: Any) -> Column:
        column = Column(id=f"{self.id}/{len(self.columns)}", name=name, agency=agency, ids=dict(ids))
        self.columns.append(column)
        return column

    def entries(self) -> list[Entry]:
        return [e for c in self.columns for e in c.entries]

    def robots_txt(self) -> str:
        if self.robots == "disallow":
            return "User-agent: Baiduspider\nAllow: /\n\nUser-agent: *\nDisallow: /\n"
        return ("User-agent: *\nDisallow: /module/visitcount/\nDisallow: /search/\n"
                "Disallow: /*?searchword=\n\nSitemap: /sitemap.xml\n")

    def html(self, text: str, status: int = 200, modified: dt.datetime | None = None) -> Response:
        """Encode a page in the site's charset (GBK sites omit charset from Content-Type)."""
        body = text.encode(self.encoding, "xmlcharrefreplace")
        ctype = "text/html" if self.encoding != "utf-8" else "text/html; charset=utf-8"
        resp = Response(status=status, body=body, content_type=ctype)
        if modified is not None:
            self.stamp(resp, modified)
        return resp

    def stamp(self, resp: Response, modified: dt.datetime) -> Response:
        """Attach validators in this site's style (static nginx, Tomcat, or app servers)."""
        if self.validators in ("both", "etag"):
            resp.etag = (nginx_etag(resp.body, modified) if self.platform == "trs"
                         else tomcat_etag(resp.body, modified) if self.platform == "hanweb"
                         else content_etag(resp.body))
        if self.validators in ("both", "last_modified"):
            resp.last_modified = modified
        return resp

    def modified(self, entry: Entry) -> dt.datetime:
        """Last-Modified of an entry's page and files: its date, later for each new version."""
        final = entry.report is not None and entry.source is not None and entry.source.edition == "final"
        version = entry.report.version if final and entry.report else 1
        moment = dt.datetime.combine(entry.date, dt.time(9, 30), CN_TZ)
        return moment + dt.timedelta(days=version - 1, minutes=entry.id % 240)

    def file_response(self, entry: Entry, f: File, box: Sandbox) -> Response:
        data = box.content.render(f.source, f.fmt)
        resp = Response(body=data, content_type=MIME[f.fmt])
        disposition = content_disposition(f.name, f.disposition, f.path.rsplit("/", 1)[-1])
        if disposition:
            resp.headers.append(("Content-Disposition", disposition))
        return self.stamp(resp, self.modified(entry))

    def home(self, req: Request, columns: list[tuple[str, str]]) -> Response:
        """The portal's home page: links to its annual-report columns and to child portals."""
        groups: dict[str, list[str]] = {}
        for group, name, target in self.links:
            host, _, path = target.partition("/")
            groups.setdefault(group, []).append(
                f'<li><a href="{esc(req.url("/" + path, host))}" target="_blank">{esc(name)}</a></li>')
        blocks = "".join(f'<div class="links"><h3>{esc(g)}</h3><ul>{"".join(items)}</ul></div>'
                         for g, items in groups.items())
        cols = "".join(f'<li><a href="{esc(href)}">{esc(text)}</a></li>' for text, href in columns)
        main = (f'<div class="main"><div class="zwgk"><h3>政务公开</h3><ul>{cols}'
                f'<li><a href="javascript:;">政府信息公开指南</a></li></ul></div>{blocks}</div>')
        return self.html(self.page(self.name, main))

    def page(self, title: str, main: str, *, head: str = "", crumbs: tuple[str, ...] = ()) -> str:
        charset = ('<meta http-equiv="Content-Type" content="text/html; charset=gb2312">'
                   if self.encoding != "utf-8" else '<meta charset="utf-8">')
        trail = "".join(f" &gt; <span>{esc(c)}</span>" for c in crumbs)
        return (f'<!DOCTYPE html>\n<html lang="zh-CN">\n<head>\n{charset}\n'
                f'<meta http-equiv="X-UA-Compatible" content="IE=edge">\n<title>{esc(title)}</title>\n'
                f'<meta name="SiteName" content="{esc(self.name)}">\n'
                f'<meta name="SiteIDCode" content="{self.site_code}">\n'
                f'<link rel="stylesheet" href="{STYLESHEET}">\n{head}</head>\n<body>\n'
                f'<div class="header"><div class="logo"><a href="/">{esc(self.name)}</a></div>'
                '<ul class="nav"><li><a href="/">首页</a></li><li><a href="javascript:;">政务公开</a></li>'
                '<li><a href="javascript:;">政务服务</a></li><li><a href="javascript:;">互动交流</a></li>'
                '</ul><form class="search" action="/search/" method="get"><input name="searchword">'
                '<button>搜索</button></form></div>\n'
                f'<div class="crumbs">当前位置：<a href="/">首页</a>{trail}</div>\n{main}\n'
                f'<div class="footer"><p>主办：{esc(self.name)}　网站标识码：{self.site_code}</p>'
                f'<p>{esc(self.region.province[:2])}ICP备{int(self.site_code) % 90000000 + 10000000}号'
                '　<a href="javascript:;">网站地图</a>　<a href="javascript:;">联系我们</a></p></div>\n'
                '</body>\n</html>\n')

    def index_no(self, entry: Entry) -> str:
        """索引号 in the common 统一社会信用代码/年份-序号 shape."""
        owner = (entry.report.agency.id if entry.report else self.id).encode()
        credit = "11" + self.region.code + hashlib.sha1(owner).hexdigest()[:9].upper() + "X"
        return f"{credit}/{entry.date.year}-{entry.id % 100000:05d}"

    def meta_table(self, entry: Entry, publisher: str, css: str) -> str:
        """The 索引号/发布机构/… table real detail pages carry above the body."""
        d = entry.date
        return (f'<table class="{css}"><tbody>'
                f'<tr><th>索引号：</th><td>{self.index_no(entry)}</td><th>主题分类：</th><td>综合政务/政务公开</td></tr>'
                f'<tr><th>发布机构：</th><td>{esc(publisher)}</td><th>成文日期：</th><td>{d.year}年{d.month:02d}月{d.day:02d}日</td></tr>'
                f'<tr><th>名　　称：</th><td colspan="3">{esc(entry.title)}</td></tr>'
                f'<tr><th>文　　号：</th><td id="_fileNum"></td><th>发布日期：</th><td>{d.isoformat()}</td></tr>'
                '</tbody></table>')

    def register(self, entry: Entry) -> None:
        """Make an entry's detail page and files servable (broken links stay unregistered)."""
        if entry.kind != "broken" and not entry.direct:
            self.files[entry.path] = (entry, None)
        for f in entry.attachments:
            if not f.missing:
                self.files[f.path] = (entry, f)

    def serve_entry(self, req: Request, box: Sandbox, render_detail: Callable[[Entry, Sandbox], str]
                    ) -> Response | None:
        hit = self.files.get(req.path)
        if hit is None:
            return None
        entry, f = hit
        if not entry.visible:
            return None
        if f is not None:
            return self.file_response(entry, f, box)
        if entry.kind == "soft404":  # a 200 page, in the site's chrome, saying it does not exist
            notice = fragment(box.content.render(entry.source, "html"))
            return self.html(self.page("页面不存在", f'<div class="main error-page">{notice}</div>'))
        return self.html(render_detail(entry, box), modified=self.modified(entry))

    def body(self, entry: Entry, box: Sandbox) -> str:
        """The document shown in a detail page, or the line pointing at its attachments."""
        if entry.body_fmt and entry.source is not None:
            return fragment(box.content.render(entry.source, entry.body_fmt))
        return f'<p style="text-indent:2em">{esc(entry.title)}详见附件。</p>'

    def publisher(self, entry: Entry) -> str:
        if entry.report is not None:
            return entry.report.agency.name
        return entry.source.agency if entry.source and entry.source.agency else self.name


def content_disposition(name: str, style: str, basename: str) -> str | None:
    """Content-Disposition as real back ends write it; ``gbk`` puts raw GBK bytes in the header
    (returned as latin-1 text so the server writes the bytes unchanged); ``basename`` names
    the stored file, not the document."""
    quoted = urllib.parse.quote(name, safe="")
    if style == "rfc5987":
        return f"attachment; filename*=UTF-8''{quoted}"
    if style == "percent":
        return f'attachment;filename="{quoted}"'
    if style == "gbk":
        return "attachment;filename=" + name.encode("gbk").decode("latin-1")
    if style == "basename":
        return f'attachment; filename="{basename}"'
    return None


def fragment(markup: bytes) -> str:
    """The part of a rendered document a CMS editor would hold: a full HTML document (a Word
    export) keeps its <style> blocks and its <body> content; a fragment stays as it is."""
    head = markup[:1024].lower()
    text = markup.decode("gbk" if b"charset=gb2312" in head or b"charset=gbk" in head else "utf-8")
    lower = text.lower()
    start = lower.find("<body")
    if start < 0:
        return text
    start = lower.index(">", start) + 1
    end = lower.rfind("</body>")
    styles = []
    pos = 0
    while (i := lower.find("<style", pos)) >= 0 and i < start:
        j = lower.find("</style>", i)
        if j < 0:
            break
        styles.append(text[i:j + 8])
        pos = j + 8
    return "".join(styles) + text[start:end if end > start else len(text)]
