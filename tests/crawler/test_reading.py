"""How pages are read: titles, dates, links, pagers, list APIs, challenges and soft 404s.

Responses are real pages of the small sandbox fetched over HTTP, plus the markup variants of
real portals that research/portals.md records.
"""
from __future__ import annotations

import datetime as dt

import pytest
from scrapy.http import HtmlResponse, Request, TextResponse

from crawler import listing
from crawler.challenge import challenge_kind
from crawler.outcomes import soft_404_reason
from crawler.retry import BackoffRetryMiddleware
from crawler.settings import NIANBAO_SOFT_404_MARKERS
from crawler.spiders import county, gkmlpt, hanweb, trs
from tests.sandbox import fetch
from tests.sandbox.server import Sandbox


@pytest.mark.parametrize(("title", "agency", "year"), [
    ("禾川区财政局2022年政府信息公开工作年度报告", "禾川区财政局", 2022),
    ("芷川市发展和改革委员会关于2021年政府信息公开工作年度报告", "芷川市发展和改革委员会", 2021),
    ("关于公布淮安市洪泽区人民政府2024年政府信息公开工作年度报告的通知", "淮安市洪泽区人民政府", 2024),
    ("蒹浦县财政局2021年政府信息公开工作年度报告（更正版）", "蒹浦县财政局", 2021),
    ("望川市交通运输局2022年度政府信息公开工作报告", "望川市交通运输局", 2022),
    ("2023年政府信息公开工作年度报告", None, 2023),
    ("关于印发2024年政务公开工作要点的通知", None, None),
    ("江岚省人民政府政府信息公开指南", None, None),
])
def test_title_hints(title: str, agency: str | None, year: int | None) -> None:
    assert listing.title_hints(title) == listing.TitleHints(agency, year)
    assert listing.looks_like_report(title) == (year is not None)


def test_dates_and_document_links() -> None:
    assert listing.parse_date("发布日期：2024年1月20日") == dt.date(2024, 1, 20)
    assert listing.parse_date("2024/01/20 09:30") == dt.date(2024, 1, 20)
    assert listing.parse_date("2024-13-40") is None
    assert listing.from_timestamp(1705708800) == dt.date(2024, 1, 20)
    assert listing.from_timestamp(1705708800000) == dt.date(2024, 1, 20)
    assert listing.is_document_link("http://x.gov.cn/zfxxgk/202401/P020240120123456789012.pdf")
    assert listing.is_document_link("http://x.gov.cn/module/download/downfile.jsp?classid=0&filename=ab12.docx")
    assert listing.is_document_link("http://x.gov.cn/attachment/%E5%B9%B4%E6%8A%A5.wps")
    assert listing.is_document_link("http://x.gov.cn/down?id=5", "年度报告.pdf") is False  # not a download path
    assert listing.is_document_link("http://x.gov.cn/download.jsp?id=5", "年度报告.pdf")
    assert not listing.is_document_link("http://x.gov.cn/art/2024/1/20/art_1_2.html")


def test_trs_pager_dialects() -> None:
    assert trs.pager_urls('createPageHTML(3, 0, "index", "html");') == [(2, "index_1.html"), (3, "index_2.html")]
    assert trs.pager_urls("createPageHTML('page_div', 3, 1, 'index', 'shtml', 41);") == [
        (2, "index_2.shtml"), (3, "index_3.shtml")]
    assert trs.pager_urls('createPageHTML(17, 0,"index","shtml","black2",250)')[-1] == (17, "index_16.shtml")
    assert trs.pager_urls("no pager here") is None


def test_hanweb_datastore_and_parameters() -> None:
    xml = ("<datastore><nextgroup><![CDATA[<a href='/module/web/jpage/dataproxy.jsp?page=1'></a>]]></nextgroup>"
           "<recordset><record><![CDATA[<li><a title='某局2023年政府信息公开工作年度报告' href=\"/art/2024/1/5/art_9_1.html\">"
           "某局2023年政府信...</a><span class=\"bt-list-time\">2024-01-05</span></li>]]></record>"
           "<record><![CDATA[<li><a title='某局2023年政府信息公开工作年度报告' href=\"/art/2024/1/5/art_9_1.html\">x</a></li>]]>"
           "</record></recordset></datastore>")
    rows = hanweb.records(xml)
    assert rows == [hanweb.Row("/art/2024/1/5/art_9_1.html", "某局2023年政府信息公开工作年度报告", dt.date(2024, 1, 5))]
    assert hanweb.js_object("col:1,appid:'1',webid:3,path:'/',webname:\"某市\",permissiontype:0") == {
        "col": "1", "appid": "1", "webid": "3", "path": "/", "webname": "某市", "permissiontype": "0"}


def test_gkmlpt_category_and_prefix() -> None:
    tree = {"TREE": [{"id": 1, "name": "机构职能", "children": []},
                     {"id": 2, "name": "其他", "children": [{"id": 3, "name": "政府信息公开年报"}]}], "DEFAULT_CAT": 1}
    assert gkmlpt.report_category(tree, "") == 3
    assert gkmlpt.report_category(tree, "2629") == 2629
    assert gkmlpt.prefix_of("http://x.gov.cn/wafgw/gkmlpt/index") == "/wafgw"
    assert gkmlpt.prefix_of("http://x.gov.cn/gkmlpt/annualreport") == ""


def test_challenges_and_soft_404s_are_recognised() -> None:
    ruishu = b'<html><head><meta id="m1" content="x" r="m"><script r="m">$_ts=window["$_ts"];</script></head></html>'
    assert challenge_kind(412, ruishu) == "ruishu"
    assert challenge_kind(200, ruishu) == "ruishu"  # NHC-style: the challenge answered 200
    assert challenge_kind(521, b"<script>document.cookie=('__jsl_clearance_s=1')</script>") == "jiasule"
    assert challenge_kind(200, b"<html><body><p>go({ not a challenge</p></body></html>") is None
    page = lambda body: HtmlResponse("http://x.gov.cn/a.html", body=body.encode(), encoding="utf-8")  # noqa: E731
    assert soft_404_reason(page("<title>页面不存在</title><p>x</p>"), NIANBAO_SOFT_404_MARKERS)
    assert soft_404_reason(page("<title>某局</title><p>对不起，您访问的页面不存在</p>"), NIANBAO_SOFT_404_MARKERS)
    legacy = "<title>某局2017年政府信息公开工作年度报告</title><table><tr><td>申请信息不存在</td></tr></table>"
    assert soft_404_reason(page(legacy), NIANBAO_SOFT_404_MARKERS) is None
    assert soft_404_reason(page("<title>某局</title>" + "正文" * 500 + "页面不存在"), NIANBAO_SOFT_404_MARKERS) is None
    json_answer = TextResponse("http://x.gov.cn/api", body=b'{"msg": "\\u9875\\u9762\\u4e0d\\u5b58\\u5728"}')
    assert soft_404_reason(json_answer, NIANBAO_SOFT_404_MARKERS) is None


def test_backoff_doubles_and_is_capped() -> None:
    from scrapy.settings import Settings

    mw = BackoffRetryMiddleware(Settings({"RETRY_ENABLED": True, "NIANBAO_RETRY_BACKOFF": 1.0,
                                          "NIANBAO_RETRY_BACKOFF_MAX": 5.0}))
    delays = [mw.delay(n) for n in (1, 2, 3, 4, 5)]
    assert 0.75 <= delays[0] <= 1.25 and 1.5 <= delays[1] <= 2.5 and 3.0 <= delays[2] <= 5.0
    assert all(d <= 6.25 for d in delays[3:])


def response_of(url: str) -> HtmlResponse:
    got = fetch(url)
    return HtmlResponse(url, body=got.body, headers={"Content-Type": got.header("Content-Type") or "text/html"},
                        request=Request(url))


@pytest.mark.slow
def test_family_fingerprints_on_real_pages(small: Sandbox) -> None:
    sites = {s["platform"]: s for s in small.ground_truth()["sites"] if not s["guard"]}
    trs_page = response_of(sites["trs"]["start_urls"][0])
    assert trs.recognizes(trs_page) and trs.pager_urls(trs_page.text) is not None
    han = response_of(sites["hanweb"]["start_urls"][0])
    assert hanweb.recognizes(han) and hanweb.records(han.text)
    gk = response_of(sites["gkmlpt"]["start_urls"][0])
    assert gkmlpt.recognizes(gk) and gkmlpt.config(gk.text)["SID"]
    gbk_site = next(s for s in small.ground_truth()["sites"] if s["encoding"] != "utf-8")
    gbk = response_of(gbk_site["start_urls"][0])
    assert county.recognizes(gbk) and gbk.encoding in ("gb18030", "gbk", "gb2312")
    assert "年报" in gbk.text and county.summary_rows(gbk)
