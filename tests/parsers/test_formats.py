"""Each backend on the traps real portals set: chrome, spans, blanks, encodings, merged cells.

One small report (tests/parsers/helpers.py) is rendered by hand into each format, so every
test knows exactly which facts must come back.
"""
from __future__ import annotations

import functools
import io
import os
import shutil
import subprocess
import time
from html import escape

import docx
import pytest
from docx.shared import Cm

from parsers import Status, parse_bytes
from parsers.backends import doc as doc_backend
from tests.parsers.helpers import ART20_2019, OTHER_2019, ROWS, TAIL, report

pytestmark = pytest.mark.usefixtures("private_cache")
WANT = parse_bytes(report(), name="r.txt")  # the text rendering, itself checked in test_recognize
assert WANT.status is Status.PARSED
TITLE = "测试县教育局2020年政府信息公开工作年度报告"
APP_LABELS = [r.rstrip("\t").split("\t") for r in ROWS + OTHER_2019 + TAIL]
REVIEW = ["1", "0", "0", "0", "1"] + ["0"] * 10


def _value(i: int, j: int) -> str:
    return "0"


def html_tables(blank: str = "0", split: bool = False) -> str:
    """Section 二, 三, 四 as HTML tables with rowspan/colspan like real portals."""
    def num(text: str) -> str:
        if text == "0":
            return blank
        if split and len(text) > 1:
            return f"<span>{text[:1]}</span><span lang='EN-US'>{text[1:]}</span>"
        return text

    out = ["<table border='1'>"]
    for line in ART20_2019.split("\n"):
        cells = line.split("\t")
        if len(cells) == 1:
            out.append(f"<tr><td colspan='4' style='background:#ddd'>{escape(cells[0])}</td></tr>")
        else:
            out.append("<tr>" + "".join(f"<td>{num(escape(c))}</td>" for c in cells) + "</tr>")
    out.append("</table><p>三、收到和处理政府信息公开申请情况</p><table border='1'>")
    out.append("<tr><td colspan='3' rowspan='3'>（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）</td>"
               "<td colspan='7'>申请人情况</td></tr>"
               "<tr><td rowspan='2'>自然人</td><td colspan='5'>法人或其他组织</td><td rowspan='2'>总计</td></tr>"
               "<tr><td>商业<br/>企业</td><td>科研机构</td><td>社会公益组织</td><td>法律服务机构</td><td>其他</td></tr>")
    groups = {"三、本年度办理结果": 19, "（三）不予公开": 8, "（四）无法提供": 3, "（五）不予处理": 5}
    for labels in APP_LABELS:
        cells = []
        labels = [x for x in labels if x]
        if labels[0].startswith(("一、", "二、", "四、")):
            cells.append(f"<td colspan='3'>{escape(labels[0])}</td>")
        else:
            for label in labels[:-1]:
                cells.append(f"<td rowspan='{groups[label]}'>{escape(label)}</td>")
            span = " colspan='2'" if labels[-1].startswith("（") else ""
            cells.append(f"<td{span}>{escape(labels[-1])}</td>")
        cells += [f"<td>{num('0')}</td>"] * 7
        out.append("<tr>" + "".join(cells) + "</tr>")
    out.append("</table><p>四、政府信息公开行政复议、行政诉讼情况</p><table border='1'>"
               "<tr><td colspan='5'>行政复议</td><td colspan='10'>行政诉讼</td></tr>"
               "<tr><td rowspan='2'>结果维持</td><td rowspan='2'>结果纠正</td><td rowspan='2'>其他结果</td>"
               "<td rowspan='2'>尚未审结</td><td rowspan='2'>总计</td><td colspan='5'>未经复议直接起诉</td>"
               "<td colspan='5'>复议后起诉</td></tr><tr>" + "<td>结果维持</td><td>结果纠正</td><td>其他结果</td>"
               "<td>尚未审结</td><td>总计</td>" * 2 + "</tr>")
    out.append("<tr>" + "".join(f"<td>{num(v)}</td>" for v in REVIEW) + "</tr></table>")
    return "\n".join(out)


def portal_page(body: str, charset: str = "utf-8", layout_table: bool = False) -> str:
    page = f"""<!DOCTYPE html><html><head><meta http-equiv="Content-Type" content="text/html; charset={charset}">
<meta name="ArticleTitle" content="{TITLE}"><title>{TITLE}_平山县人民政府</title></head><body>
<div class="header"><div class="logo">平山县人民政府</div><ul class="nav"><li>首页</li><li>政务公开</li></ul></div>
<div class="position">当前位置：首页 &gt; 政务公开 &gt; 政府信息公开年报</div>
<table class="xxgk_table"><tr><td>索引号：</td><td>11410100MB123/2021-00012</td><td>发布机构：</td><td>平山县人民政府办公室</td></tr>
<tr><td>发文日期：</td><td>2021-01-20</td><td>主题分类：</td><td>政务公开</td></tr></table>
<h1 class="article_title">{TITLE}</h1>
<div class="TRS_Editor"><p style="text-align:center"><b>{TITLE}</b></p>
<p>本报告由测试县教育局办公室编制。统计期限自2020年1月1日至2020年12月31日。</p>
<p>二、主动公开政府信息情况</p>{body}<p>五、存在的主要问题及改进情况</p><p>无。</p>
<p style="text-align:right">测试县教育局</p><p style="text-align:right">2021年1月20日</p></div>
<div class="share">分享到：微信 微博</div>
<div class="related"><h3>相关文章</h3><ul><li><a href="#">测试县教育局2019年政府信息公开工作年度报告</a></li>
<li><a href="#">测试县财政局2020年政府信息公开工作年度报告</a></li></ul></div>
<div class="footer">主办单位：平山县人民政府办公室 网站标识码：4101000001</div></body></html>"""
    if layout_table:
        page = page.replace('<div class="TRS_Editor">', '<table width="100%"><tr><td><div class="TRS_Editor">')
        page = page.replace('<div class="share">', '</td></tr></table><div class="share">')
    return page


def assert_same_facts(got, fmt: str) -> None:
    assert got.status is Status.PARSED, (got.error, got.warnings)
    assert got.format == fmt
    assert (got.agency, got.year, got.layout) == ("测试县教育局", 2020, "2019")
    assert got.facts == WANT.facts


@pytest.mark.parametrize("blank", ["0", "&nbsp;", "", "<o:p></o:p>", "－", "—", "/", "无", "<p>&nbsp;</p>"])
def test_html_in_portal_chrome(blank: str) -> None:
    got = parse_bytes(portal_page(html_tables(blank=blank)).encode(), name="t20210120_1.html")
    assert_same_facts(got, "html")
    assert got.title == TITLE
    assert got.where["applications.new.total"].table == 2  # the chrome's metadata table is not in the report
    assert got.where["review.upheld"].text == "1"


def test_html_numbers_split_across_spans_and_gbk() -> None:
    page = portal_page(html_tables(split=True), charset="gbk")
    got = parse_bytes(page.encode("gbk"), name="detail.htm")
    assert_same_facts(got, "html")
    assert got.where["art20.9.procurement.amount_wan"].text == "251000"


def test_html_inside_a_layout_table() -> None:
    assert_same_facts(parse_bytes(portal_page(html_tables(), layout_table=True).encode(), name="x.html"), "html")


def test_html_fragment_without_chrome() -> None:
    body = f"<p>{TITLE}</p>" + html_tables()
    assert_same_facts(parse_bytes(body.encode(), name="x.html", content_type="text/html; charset=utf-8"), "html")


@functools.lru_cache(maxsize=1)
def build_docx() -> bytes:
    """The report as Word writes it: merged cells for group labels (vMerge) and headers (gridSpan)."""
    d = docx.Document()
    d.add_paragraph(TITLE)
    d.add_paragraph("本报告由测试县教育局办公室编制。")
    for text in ART20_2019.split("第二十条")[1:]:
        d.add_paragraph("")  # Word joins tables that touch
        rows = [r.split("\t") for r in ("第二十条" + text).strip().split("\n")]
        t = d.add_table(rows=len(rows), cols=4)
        t.style = "Table Grid"
        for i, row in enumerate(rows):
            if len(row) == 1:
                t.cell(i, 0).merge(t.cell(i, 3)).text = row[0]
                continue
            for j, text_ in enumerate(row):
                t.cell(i, j).text = text_
    d.add_paragraph("三、收到和处理政府信息公开申请情况")
    t = d.add_table(rows=3 + len(APP_LABELS), cols=10)
    t.style = "Table Grid"
    t.cell(0, 0).merge(t.cell(2, 2)).text = "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）"
    t.cell(0, 3).merge(t.cell(0, 9)).text = "申请人情况"
    t.cell(1, 3).merge(t.cell(2, 3)).text = "自然人"
    t.cell(1, 4).merge(t.cell(1, 8)).text = "法人或其他组织"
    t.cell(1, 9).merge(t.cell(2, 9)).text = "总计"
    for j, h in enumerate(["商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他"]):
        t.cell(2, 4 + j).text = h
    r = 3
    spans = {"三、本年度办理结果": 19, "（三）不予公开": 8, "（四）无法提供": 3, "（五）不予处理": 5}
    for labels in APP_LABELS:
        if labels[0].startswith(("一、", "二、", "四、")):
            t.cell(r, 0).merge(t.cell(r, 2)).text = labels[0]
        else:
            *groups, last = labels
            for col, label in enumerate(groups):
                if label:
                    t.cell(r, col).merge(t.cell(r + spans[label] - 1, col)).text = label
            if len(labels) == 2:  # （一）予以公开 and the like span the sub-group column too
                t.cell(r, 1).merge(t.cell(r, 2)).text = last
            else:
                t.cell(r, 2).text = last
        for j in range(7):
            t.cell(r, 3 + j).text = "0"
        r += 1
    d.add_paragraph("四、政府信息公开行政复议、行政诉讼情况")
    t = d.add_table(rows=4, cols=15)
    t.style = "Table Grid"
    t.cell(0, 0).merge(t.cell(0, 4)).text = "行政复议"
    t.cell(0, 5).merge(t.cell(0, 14)).text = "行政诉讼"
    for j, h in enumerate(["结果维持", "结果纠正", "其他结果", "尚未审结", "总计"]):
        t.cell(1, j).merge(t.cell(2, j)).text = h
        t.cell(2, 5 + j).text = h
        t.cell(2, 10 + j).text = h
    t.cell(1, 5).merge(t.cell(1, 9)).text = "未经复议直接起诉"
    t.cell(1, 10).merge(t.cell(1, 14)).text = "复议后起诉"
    d.add_paragraph("")
    for j, v in enumerate(REVIEW):
        t.cell(3, j).text = v
    for table in d.tables:
        for col in table.columns:
            for cell in col.cells:
                cell.width = Cm(1.5)
    buf = io.BytesIO()
    d.save(buf)
    return buf.getvalue()


def test_docx_with_merged_cells() -> None:
    got = parse_bytes(build_docx(), name="report.docx")
    assert_same_facts(got, "docx")
    where = got.where["applications.denied.query.total"]
    assert (where.table, where.col) == (6, 10)


def test_docx_named_doc_is_read_as_docx() -> None:
    assert parse_bytes(build_docx(), name="report.doc").format == "docx"


@pytest.fixture(scope="module")
def office_files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, bytes]:
    """The DOCX converted by LibreOffice to DOC, RTF and PDF (one soffice run per format)."""
    if not shutil.which("soffice"):
        pytest.fail("LibreOffice (soffice) is required: run `make setup` as root")
    tmp = tmp_path_factory.mktemp("office")
    (tmp / "report.docx").write_bytes(build_docx())
    out = {}
    for fmt, filt in (("doc", "doc:MS Word 97"), ("pdf", "pdf:writer_pdf_Export"), ("rtf", "rtf")):
        subprocess.run(["soffice", f"-env:UserInstallation=file://{tmp}/profile", "--headless", "--convert-to",
                        filt, "--outdir", str(tmp), str(tmp / "report.docx")], check=True, capture_output=True,
                       timeout=180)
        out[fmt] = (tmp / f"report.{fmt}").read_bytes()
    return out


@pytest.mark.libreoffice
def test_doc_and_wps_via_libreoffice_and_cache(office_files: dict[str, bytes], monkeypatch: pytest.MonkeyPatch) -> None:
    data = office_files["doc"]
    assert_same_facts(parse_bytes(data, name="report.doc"), "doc")
    cached = list(doc_backend.cache_dir().rglob("*.docx"))
    assert cached, "the conversion is cached by content hash"

    def no_libreoffice(*args: object, **kw: object) -> bytes:
        raise AssertionError("converted again although cached")

    monkeypatch.setattr(doc_backend, "_convert", no_libreoffice)
    assert_same_facts(parse_bytes(data, name="report.wps"), "wps")  # same bytes: from the cache


@pytest.mark.libreoffice
def test_rtf_via_libreoffice(office_files: dict[str, bytes]) -> None:
    assert_same_facts(parse_bytes(office_files["rtf"], name="report.doc"), "rtf")


@pytest.mark.libreoffice
def test_pdf_made_by_libreoffice(office_files: dict[str, bytes]) -> None:
    got = parse_bytes(office_files["pdf"], name="report.pdf")
    assert_same_facts(got, "pdf")
    assert got.where["review.upheld"].page is not None


@pytest.mark.libreoffice
def test_conversion_timeout_kills_libreoffice(office_files: dict[str, bytes], monkeypatch: pytest.MonkeyPatch) -> None:
    from parsers.errors import ConversionError

    started: list[subprocess.Popen] = []
    real_popen = subprocess.Popen

    def recording_popen(*args, **kw):
        proc = real_popen(*args, **kw)
        started.append(proc)
        return proc

    monkeypatch.setattr(doc_backend.subprocess, "Popen", recording_popen)
    with pytest.raises(ConversionError, match="did not finish"):
        doc_backend._convert(office_files["doc"], ".doc", timeout=0.5)
    assert len(started) == 1
    deadline = time.monotonic() + 10  # killed at once; give init a moment to reap the grandchildren
    while time.monotonic() < deadline:
        try:
            os.killpg(started[0].pid, 0)
        except ProcessLookupError:
            break  # the whole process group is gone
        time.sleep(0.1)
    else:
        pytest.fail("LibreOffice processes survived the timeout")


def test_text_cell_per_line_and_tab_rows() -> None:
    tabs = report()
    lines = "\n\n".join("\n".join("\t" + c for c in block.split("\t")) if "\t" in block else block
                        for block in tabs.decode().split("\n"))
    got = parse_bytes(lines.encode(), name="r.txt")
    assert got.facts == WANT.facts
    assert got.where["review.upheld"].line is not None


def test_text_in_gb18030() -> None:
    assert parse_bytes(report().decode().encode("gb18030"), name="r.txt").facts == WANT.facts
