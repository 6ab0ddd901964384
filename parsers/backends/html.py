"""HTML detail pages and Word-exported HTML.

A portal page holds the report inside chrome: navigation, breadcrumbs, a metadata table
(索引号, 发布机构), share buttons, a 相关文章 list with other years' reports, a footer naming the
site's own agency. The report's body is found as the known editor container (TRS_Editor,
#zoom, …) or the smallest element holding every report table; chrome elements inside it are
dropped. The page title comes from ArticleTitle/<h1>/<title>. Tables become grids with their
rowspan/colspan expanded; `&nbsp;`, `<o:p>` and numbers split across `<span>`s read as the
text they show. Layout tables (a table holding tables) are walked as containers.
"""
from __future__ import annotations

import re

from lxml import etree

from parsers.backends.text import decode_text
from parsers.document import Document, Paragraph, Table, grid_from_spans
from parsers.errors import Unreadable
from parsers.limits import Limits
from parsers.textnorm import clean, halfwidth

_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?([A-Za-z0-9_\-]+)""", re.I)
_XML_DECL = re.compile(r"^\s*<\?xml[^>]*\?>", re.I)
_CONTAINERS = ("TRS_Editor", "trs_editor_view", "Custom_UnionStyle", "TRS_UEDITOR", "zoom", "Zoom",
               "UCAP-CONTENT", "article-content", "article_content", "article_con", "artile_zw",
               "bt-content", "content_text", "contentText", "wzcon", "xxgk_content", "detail-content",
               "main-content", "news_content", "view", "con")
_CONTAINER_SET = frozenset(_CONTAINERS)
_WITH_NAMES = etree.XPath(".//*[@class or @id]")
_CHROME = re.compile(r"(?:^|[\s_-])(?:nav|navbar|menu|crumbs?|breadcrumbs?|footer|foot|share|related|xgwz|xgxx|"
                     r"sidebar|side|copyright|toolbar|tools|position|location|weizhi|search|login|banner|"
                     r"header|top|bottom|print|prev|next|pager|logo)(?:$|[\s_-])", re.I)
_SKIP = frozenset({"script", "style", "noscript", "template", "head", "nav", "footer", "aside", "form",
                   "button", "select", "iframe", "object", "svg", "input", "textarea"})
_BLOCK = frozenset({"p", "div", "h1", "h2", "h3", "h4", "h5", "h6", "li", "dt", "dd", "section", "article",
                    "header", "blockquote", "pre", "ul", "ol", "dl", "center", "tr", "td", "th", "body",
                    "main", "figure", "figcaption", "address", "hr", "caption"})
_REPORT_TABLE = re.compile(r"第二十条|信息内容|本年新收|申请人情况|行政复议|予以公开|结转下年度")
_ROWS = etree.XPath("./tr | ./thead/tr | ./tbody/tr | ./tfoot/tr")
_CELLS = etree.XPath("./td | ./th")
_STRING = etree.XPath("string()")
_ATTACHMENT = re.compile(r"\.(?:pdf|docx?|wps|ofd|rtf)(?:$|[?#])|downfile|download", re.I)
_TITLE_METAS = ("ArticleTitle", "articletitle", "title", "Title", "dc.title", "og:title")
_HIDDEN = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.I)


def load(data: bytes, *, limits: Limits, fmt: str = "html", content_type: str | None = None) -> Document:
    declared = None
    if content_type and "charset=" in content_type.lower():
        declared = content_type.lower().split("charset=", 1)[1].split(";")[0].strip(" \"'")
    if not declared:
        m = _META_CHARSET.search(data[:8192])
        declared = m.group(1).decode("ascii", "ignore") if m else None
    text = _XML_DECL.sub("", decode_text(data, declared))
    parser = etree.HTMLParser(encoding="utf-8", remove_comments=True, remove_pis=True,
                              no_network=True, huge_tree=False)
    try:
        root = etree.fromstring(text.encode("utf-8"), parser=parser)
    except (etree.ParserError, etree.XMLSyntaxError, ValueError) as exc:
        raise Unreadable(f"HTML could not be parsed ({exc})") from exc
    if root is None:
        raise Unreadable("HTML could not be parsed (no document)")
    doc = Document(format=fmt)
    doc.title_hints = _title_hints(root)
    main = _main(root)
    _Walker(doc, limits).walk(main)
    doc.images = len(main.xpath(".//img"))
    doc.attachments = [href for href in main.xpath(".//a/@href") if _ATTACHMENT.search(href)][:20]
    doc.chars = sum(len(b.text) for b in doc.paragraphs) + sum(
        len(c.text) for t in doc.tables for row in t.rows for c in row)
    return doc


def text_content(el: etree._Element) -> str:
    return "".join(el.itertext())


def _title_hints(root: etree._Element) -> list[str]:
    hints: list[str] = []
    metas = [(m.get("name"), m.get("property"), m.get("content")) for m in root.iter("meta")]
    for name in _TITLE_METAS:
        hints += [clean(content) for key, prop, content in metas if name in (key, prop) and content is not None]
    for el in root.xpath("//h1 | //h2 | //*[contains(@class, 'title') or contains(@id, 'title')]")[:8]:
        if el.tag in ("h1", "h2") or not el.xpath(".//table"):
            text = clean(text_content(el))
            if 4 <= len(text) <= 120:
                hints.append(text)
    for el in root.xpath("//title"):
        title = clean(text_content(el))
        hints += [p.strip() for p in re.split(r"\s[-_|—]\s|[_|]", title) if p.strip()] or [title]
    seen: set[str] = set()
    return [h for h in hints if h and not (h in seen or seen.add(h))]


def _classes(el: etree._Element) -> str:
    return f"{el.get('class', '')} {el.get('id', '')}"


def _main(root: etree._Element) -> etree._Element:
    body = root.find("body")
    if body is None:
        body = root
    tables = [t for t in body.iter("table") if not t.xpath(".//table")
              and _REPORT_TABLE.search(halfwidth(text_content(t)[:4000]))]
    container = None
    if tables:  # the innermost known container holding every report table
        node = tables[0].getparent()
        while node is not None and container is None:
            if _is_container(node) and all(_contains(node, t) for t in tables[1:]):
                container = node
            node = node.getparent()
    else:
        for el in _WITH_NAMES(body):  # document order: the last match is the innermost
            if _is_container(el):
                container = el
    if container is not None and (tables or len(text_content(container)) >= 200):
        return container
    if tables:
        lca = tables[0]
        while lca is not None and not all(_contains(lca, t) for t in tables):
            lca = lca.getparent()
        node = lca if lca is not None else body
        while node.tag in ("table", "tbody", "tr", "td", "th") and node.getparent() is not None:
            node = node.getparent()
        return node
    return body


def _is_container(el: etree._Element) -> bool:
    return not _CONTAINER_SET.isdisjoint(_classes(el).split())


def _contains(el: etree._Element, other: etree._Element) -> bool:
    node = other
    while node is not None:
        if node is el:
            return True
        node = node.getparent()
    return False


_SPAN = re.compile(r"\s*[\"']?(\d+)")


def _span(value: str | None) -> int:
    if not value:
        return 1
    if value.isdigit():
        return max(1, int(value))
    m = _SPAN.match(value)
    return max(1, int(m.group(1))) if m else 1


class _Walker:
    def __init__(self, doc: Document, limits: Limits) -> None:
        self.doc = doc
        self.limits = limits
        self.buf: list[str] = []
        self.cells = 0

    def flush(self) -> None:
        text = clean("".join(self.buf))
        self.buf.clear()
        if text:
            self.doc.blocks.append(Paragraph(text=text))

    def walk(self, el: etree._Element) -> None:
        self._walk(el, 0)
        self.flush()

    def _walk(self, el: etree._Element, depth: int) -> None:
        if depth > 200:
            return
        for child in el:
            tag = child.tag if isinstance(child.tag, str) else ""
            if tag and not self._skip(child, tag):
                if tag == "table" and not child.xpath(".//table"):
                    self.flush()
                    self._table(child)
                elif tag == "br":
                    self.flush()
                elif tag in _BLOCK or tag == "table":
                    self.flush()
                    if child.text:
                        self.buf.append(child.text)
                    self._walk(child, depth + 1)
                    self.flush()
                else:
                    if child.text:
                        self.buf.append(child.text)
                    self._walk(child, depth + 1)
            if child.tail:
                self.buf.append(child.tail)

    @staticmethod
    def _skip(el: etree._Element, tag: str) -> bool:
        if tag in _SKIP or tag == "img":
            return True
        style = el.get("style")
        if style and _HIDDEN.search(style):
            return True
        names = _classes(el)
        return bool(names.strip()) and bool(_CHROME.search(names)) and not el.xpath(".//table")

    def _table(self, table: etree._Element) -> None:
        raw: list[list[tuple[str, int, int, dict]]] = []
        for br in table.iter("br"):  # a line break inside a cell keeps its cell's lines apart
            br.tail = "\n" + (br.tail or "")
        for tr in _ROWS(table):
            row = []
            for td in _CELLS(tr):
                text = _STRING(td)
                text = "\n".join(clean(t) for t in text.split("\n")) if "\n" in text else clean(text)
                row.append((text.strip(), _span(td.get("rowspan")), _span(td.get("colspan")), {}))
            raw.append(row)
        self.cells += sum(len(r) for r in raw)
        if self.cells > self.limits.max_cells:
            raise Unreadable(f"too many table cells (over {self.limits.max_cells})")
        if raw:
            self.doc.blocks.append(Table(rows=grid_from_spans(raw, self.limits.max_cells)))
