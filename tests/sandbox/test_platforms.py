"""Each platform family, fetched with plain HTTP, has the structure the real platform has."""
from __future__ import annotations

import json
import re
import urllib.parse
from typing import Any

import pytest

from tests.sandbox.client import fetch
from tests.sandbox.helpers import get, listed, site, sites, tree, unquote_url
from tests.sandbox.server import Sandbox


def _rows_every_five(items: list[Any], spacer: str) -> None:
    """Real lists put an empty spacer row after every fifth row."""
    classes = [li.get("class") or "" for li in items]
    for i, cls in enumerate(classes):
        if cls == spacer:
            assert i % 6 == 5, f"spacer at {i}"
    assert sum(1 for c in classes if c != spacer) <= 5 * (classes.count(spacer) + 1)


# -- 1. TRS static ------------------------------------------------------------------------------
def test_trs_classic_zero_based_pagination_rows_and_details(truth: dict[str, Any]) -> None:
    portal = site(truth, "jianglan-www")
    column = portal["start_urls"][1]  # the departments' column, whose pager overshoots by one
    first = get(column)
    assert first.status == 200
    m = re.search(r'createPageHTML\((\d+), 0, "index", "html"\)', first.text)
    assert m, "classic dialect pager"
    claimed = int(m.group(1))
    assert claimed >= 3
    pages = [column + "index.html"] + [column + f"index_{k}.html" for k in range(1, claimed)]
    assert get(pages[0]).body == first.body
    assert get(pages[-1]).status == 404, "the pager claims one page more than exists"
    seen = set()
    for k, url in enumerate(pages[:-1]):
        page = get(url)
        assert page.status == 200
        assert f'createPageHTML({claimed}, {k}, "index", "html")' in page.text
        doc = tree(page)
        _rows_every_five(doc.cssselect("ul.u-list > li"), "empty")
        for a in doc.cssselect("ul.u-list > li > a"):
            href = a.get("href")
            assert re.fullmatch(r"\./\d{6}/(t\d{8}_\d+\.html|P0\d{20}\.pdf)", href), href
            assert a.get("title") == a.text_content()
            assert re.fullmatch(r"\d{4}/\d{2}/\d{2}", a.getnext().text)
            seen.add(urllib.parse.urljoin(url, href))
    assert seen == listed(truth, portal["id"], "/bmndbg/")
    assert get(column + "index_0.html").status == 404


def test_trs_one_based_dialect_on_a_department_site(truth: dict[str, Any]) -> None:
    dept = next(s for s in sites(truth, "trs") if s["level"] == "department" and not s["guard"]
                and s["robots"] == "open")
    column = dept["start_urls"][0]
    first = get(column)
    m = re.search(r"createPageHTML\('page_div', (\d+), 1, 'index', 'shtml', (\d+)\)", first.text)
    assert m, "div-id 1-based dialect"
    count, records = int(m.group(1)), int(m.group(2))
    assert get(column + "index_1.shtml").status == 404, "1-based: no index_1"
    seen = set()
    for k in range(1, count + 1):
        url = column + ("index.shtml" if k == 1 else f"index_{k}.shtml")
        page = get(url)
        assert page.status == 200
        for a in tree(page).cssselect("ul.list-t > li > a"):
            assert re.fullmatch(r"\./\d{6}/(t\d{8}_\d+\.shtml|P0\d{20}\.pdf)", a.get("href"))
            assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", a.cssselect("span.date")[0].text)  # date inside the anchor
            seen.add(urllib.parse.urljoin(url, a.get("href")))
    assert get(column + f"index_{count + 1}.shtml").status == 404
    assert len(seen) == records
    assert seen == listed(truth, dept["id"])


def test_trs_detail_page_markup_and_attachments(truth: dict[str, Any]) -> None:
    pubs = [p for r in truth["reports"] for p in r["publications"]
            if p["site"] == "jianglan-www" and p["url"] and p["status"] == "ok"]
    with_files = next(p for p in pubs if any(d["role"] == "attachment" and d["status"] == "ok"
                                             for d in p["documents"]))
    page = get(with_files["url"])
    doc = tree(page)
    assert doc.cssselect('meta[name="ArticleTitle"]')[0].get("content") == with_files["title"]
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}", doc.cssselect('meta[name="PubDate"]')[0].get("content"))
    assert doc.cssselect('meta[name="ContentSource"]')
    assert doc.cssselect("div.article_con > div.TRS_Editor > div.Custom_UnionStyle")
    links = doc.cssselect("div.attachment a")
    for a in links:
        assert re.fullmatch(r"\./P0\d{20}\.(pdf|ofd|docx|doc|wps)", a.get("href"))
    urls = {urllib.parse.urljoin(with_files["url"], a.get("href")) for a in links}
    assert urls == {d["url"] for d in with_files["documents"] if d["role"] != "body"}
    for d in with_files["documents"]:
        if d["role"] != "body" and d["status"] == "ok":
            f = get(d["url"])
            assert f.status == 200 and f.header("Content-Disposition") is None  # static files: name only in the anchor


# -- 2. Hanweb jpage -------------------------------------------------------------------------
def _records(xml: str) -> list[str]:
    return re.findall(r"<record><!\[CDATA\[(.*?)\]\]></record>", xml, re.S)


def _jpage(text: str) -> dict[str, Any]:
    m = re.search(r"jpage\(\{.*?totalRecord:(\d+),perPage:(\d+),groupSize:(\d+).*?\}\);", text, re.S)
    assert m
    param = re.search(r"var param_(\d+) = \{(.*?)\};", text, re.S)
    assert param
    fields = dict(re.findall(r"(\w+):'?([^,']*)'?", param.group(2)))
    return {"total": int(m.group(1)), "per": int(m.group(2)), "group": int(m.group(3)), "unit": param.group(1),
            "form": fields}


def test_hanweb_inline_datastore_then_dataproxy_post(sandbox: Sandbox, truth: dict[str, Any]) -> None:
    city = next(s for s in sites(truth, "hanweb") if s["level"] == "city")
    column = max(city["start_urls"], key=lambda u: len(get(u).body))  # the departments' column
    page = get(column)
    conf = _jpage(page.text)
    stores = re.findall(r'<script type="text/xml">(.*?)</script>', page.text, re.S)
    assert len(stores) == 2 and stores[0] == stores[1], "PC and mobile units carry the same records"
    inline = _records(stores[0])
    group = conf["per"] * conf["group"]
    assert conf["total"] > group, "the column needs more than one group"
    assert len(inline) == group
    nextgroup = re.search(r"<nextgroup><!\[CDATA\[(.*?)\]\]></nextgroup>", stores[0], re.S).group(1)
    assert "appid=1&appid=1" in nextgroup and "webname=%25" in nextgroup  # real quirks
    colid = re.search(r"/col/col(\d+)/", column).group(1)
    form = urllib.parse.urlencode({**conf["form"], "unitid": conf["unit"], "webname": conf["form"]["webname"]})
    proxy = sandbox.url(city["host"] + "/module/web/jpage/dataproxy.jsp")
    headers = {"Content-Type": "application/x-www-form-urlencoded", "X-Requested-With": "XMLHttpRequest",
               "Referer": column}
    rows = list(inline)
    start = group + 1
    while True:
        q = f"?startrecord={start}&endrecord={start + group - 1}&perpage={conf['per']}"
        resp = fetch(proxy + q, method="POST", body=form.encode(), headers=headers)
        assert resp.status == 200 and resp.header("Content-Type").startswith("text/xml")
        got = _records(resp.text)
        if not got:
            assert len(resp.body) < 80, "past the end: the empty datastore"
            break
        rows += got
        start += group
    assert len(rows) == conf["total"]
    hrefs = set()
    for rec in rows:
        href = re.search(r'href="([^"]+)"', rec).group(1)
        assert re.fullmatch(rf"/art/\d{{4}}/\d{{1,2}}/\d{{1,2}}/art_{colid}_\d+\.html", href)
        full = re.search(r"title='([^']+)'", rec).group(1)
        shown = re.search(r">([^<]+)</a>", rec).group(1)
        assert shown == full or (shown.endswith("...") and full.startswith(shown[:-3]))
        hrefs.add(sandbox.url(city["host"] + href))
    assert hrefs == listed(truth, city["id"], f"art_{colid}_")
    # the protocol is enforced: GET, a missing Referer or wrong unit ids give nothing
    assert fetch(proxy + q, method="GET").status == 405
    q2 = f"?startrecord={group + 1}&endrecord={2 * group}&perpage={conf['per']}"
    no_ref = {k: v for k, v in headers.items() if k != "Referer"}
    assert _records(fetch(proxy + q2, method="POST", body=form.encode(), headers=no_ref).text) == []
    wrong = form.replace(f"unitid={conf['unit']}", "unitid=1")
    assert _records(fetch(proxy + q2, method="POST", body=wrong.encode(), headers=headers).text) == []


def test_hanweb_detail_and_downfile_redirect(truth: dict[str, Any]) -> None:
    hanweb = {s["id"] for s in sites(truth, "hanweb") if not s["guard"]}
    pubs = [p for r in truth["reports"] for p in r["publications"] if p["site"] in hanweb and p["status"] == "ok"]
    seen_styles = set()
    for p in pubs:
        files = [d for d in p["documents"] if d["role"] == "attachment" and d["status"] == "ok"]
        if not files:
            continue
        doc = tree(get(p["url"]))
        assert doc.cssselect('meta[name="ContentStart"]') and doc.cssselect('meta[name="ContentEnd"]')
        assert doc.cssselect("div.bt-content#zoom div.TRS_Editor")
        assert doc.cssselect("table.xxgk_table")
        hrefs = {urllib.parse.urljoin(p["url"], a.get("href")) for a in doc.cssselect("#zoom a")}
        for d in files:
            assert d["download_url"] in hrefs
            hop = get(d["download_url"])
            assert hop.status == 302
            assert hop.header("Location") == d["url"]
            assert re.fullmatch(r".*/attach/0/[0-9a-f]{32}\.\w+", d["url"])
            final = get(d["url"])
            assert final.status == 200
            cd = final.header("Content-Disposition")
            if d["content_disposition"] == "rfc5987":
                assert urllib.parse.unquote(cd.split("filename*=UTF-8''", 1)[1]) == d["filename"]
            else:
                assert cd.split("filename=", 1)[1].encode("latin-1").decode("gbk") == d["filename"]
            seen_styles.add(d["content_disposition"])
    assert seen_styles == {"rfc5987", "gbk"}


# -- 3. gkmlpt JSON API (the browser path is in test_browser.py) ------------------------------------
ARTICLE_FIELDS = {"id", "title", "identifier", "publisher", "document_number", "date", "created_at",
                  "create_time", "display_publish_time", "classify_main", "classify_main_name", "url",
                  "type", "attachment", "is_expired", "is_abolished"}


def test_gkmlpt_shell_has_no_list_and_the_api_has_it(sandbox: Sandbox, truth: dict[str, Any]) -> None:
    portal = sites(truth, "gkmlpt")[0]
    gov_start, *dept_starts = portal["start_urls"]
    assert gov_start.endswith(f":{sandbox.port}/gkmlpt/index")
    dept_reports = {p["url"] for r in truth["reports"] for p in r["publications"]
                    if p["site"] == portal["id"] and p["status"] == "ok" and "/gkmlpt/content/" in p["url"]
                    and not p["url"].split("/gkmlpt/")[0].endswith(str(sandbox.port))}
    assert dept_reports
    for start in portal["start_urls"]:
        shell = get(start)
        assert shell.status == 200
        assert "/gkmlpt/content/" not in shell.text, "no list in the HTML: it is built by JavaScript"
        config = json.loads(re.search(r"window\._CONFIG = (\{.*?\});</script>", shell.text).group(1))
        sid, cat = config["SID"], config["DEFAULT_CAT"]
        node = next(n for n in config["TREE"] if n["id"] == cat)
        base = start.rsplit("/gkmlpt/", 1)[0]  # "" or "/{dept}" after the host
        api = get(f"{base}/gkmlpt/api/all/{cat}?page=1&sid={sid}")
        assert api.header("Content-Type").startswith("application/json")
        data = json.loads(api.body)
        assert set(data) == {"classify", "offset", "total", "articles"}
        assert data["classify"]["id"] == cat and data["offset"] == 0
        assert node["post_count"] > data["total"], "TREE post_count exceeds the API total"
        articles = data["articles"]
        assert len(articles) == min(100, data["total"])
        for a in articles:
            assert set(a) == ARTICLE_FIELDS
            assert a["type"] in ("normal", "url") and isinstance(a["create_time"], int)
        own = {a["url"] for a in articles if a["type"] == "normal"}
        assert own == listed(truth, portal["id"], base + "/gkmlpt/content/")
        cross = {a["url"] for a in articles if a["type"] == "url"}
        # the government's category cross-references its departments' reports
        assert cross == (dept_reports if start == gov_start else set())
        assert json.loads(get(f"{base}/gkmlpt/api/all/{cat}?page=2&sid={sid}").body)["articles"] == []
        assert get(f"{base}/gkmlpt/api/all/{cat}?page=1&sid=1").status == 400


def test_gkmlpt_detail_carries_detail_json_and_attachment_anchors(truth: dict[str, Any]) -> None:
    ids = {s["id"] for s in sites(truth, "gkmlpt")}
    p = next(p for r in truth["reports"] for p in r["publications"] if p["site"] in ids and p["status"] == "ok"
             and any(d["role"] == "attachment" and d["status"] == "ok" for d in p["documents"]))
    page = get(p["url"])
    assert re.search(r"/gkmlpt/content/\d+/\d+/post_\d+\.html$", p["url"])
    detail = json.loads(re.search(r"window\._CONFIG = (\{.*?\});</script>", page.text).group(1))["DETAIL"]
    assert detail["title"] == p["title"] and detail["attachment"]
    anchors = tree(page).cssselect("a.nfw-cms-attachment")
    assert [urllib.parse.urljoin(p["url"], a.get("href")) for a in anchors] == [
        d["url"] for d in p["documents"] if d["role"] != "body"]
    for a in anchors:
        assert re.fullmatch(r"(/[a-z0-9]+)?/attachment/0/\d+/\d+/\d+\.\w+", a.get("href"))


# -- 4. county platform with tabs, one county in GBK --------------------------------------------
def test_county_platform_tabs_columns_and_pagination(truth: dict[str, Any]) -> None:
    county = next(s for s in sites(truth, "county") if s["encoding"] == "utf-8")
    url = county["start_urls"][0].replace(county["old_host"] or "\0", county["host"])
    summary = get(url)
    doc = tree(summary)
    tabs = [li.text_content() for li in doc.cssselect("ul.tab-hd > li")]
    assert tabs == ["本级年报", "部门年报", "乡镇（街道）年报"]
    panes = doc.cssselect("div.tab-pane")
    assert [p.get("id") for p in panes] == ["tab-bj", "tab-bm", "tab-xz"]
    assert "display:none" in (panes[1].get("style") or ""), "other tabs are hidden until clicked"
    seen = set()
    for a in doc.cssselect("ul.unit-list a"):
        column = urllib.parse.urljoin(url, a.get("href"))
        assert re.search(r"/public/column/\d+\?type=4&action=list&nav=3&catId=\d+$", column)
        page = get(column)
        assert page.status == 200
        m = re.search(r'Ls\.pagination\("#page_(\d+)", .*?\{currPage:\(0\+1\), pageCount:(\d+)\}\)', page.text, re.S)
        assert m, "Ls.pagination pager"
        cat, count = m.group(1), int(m.group(2))
        pages = [page] + [get(urllib.parse.urljoin(url, f"/content/column/{cat}?pageIndex={k}")) for k in range(2, count + 1)]
        assert get(urllib.parse.urljoin(url, f"/content/column/{cat}?pageIndex={count + 1}")).status == 404
        for p in pages:
            d = tree(p)
            _rows_every_five(d.cssselect(f"ul.doc_list.list-{cat} > li"), "lm_line")
            for link in d.cssselect("ul.doc_list > li > a"):
                assert re.fullmatch(r"/public/\d+/\d+\.html", link.get("href"))
                seen.add(urllib.parse.urljoin(url, link.get("href")))
    assert seen == listed(truth, county["id"])
    summary_links = {urllib.parse.urljoin(url, a.get("href")) for a in doc.cssselect("table.nbhz a")}
    assert summary_links and summary_links <= seen, "年报汇总 links the same detail pages"


def test_county_platform_in_gbk(truth: dict[str, Any]) -> None:
    county = next(s for s in sites(truth, "county") if s["encoding"] == "gbk")
    page = get(county["start_urls"][0])
    assert page.header("Content-Type") == "text/html", "no charset in the header"
    assert b'charset=gb2312' in page.body[:400]
    with pytest.raises(UnicodeDecodeError):
        page.body.decode("utf-8")
    assert "政府信息公开年报" in page.body.decode("gbk")
    p = next(p for r in truth["reports"] for p in r["publications"] if p["site"] == county["id"]
             and any(d["role"] == "attachment" and d["status"] == "ok" for d in p["documents"]))
    detail = get(p["url"])
    assert p["title"] in detail.body.decode("gbk")
    d = next(d for d in p["documents"] if d["role"] == "attachment" and d["status"] == "ok")
    cd = get(d["url"]).header("Content-Disposition")
    assert cd.split("filename=", 1)[1].encode("latin-1").decode("gbk") == d["filename"]


# -- 5. ?a=dir&d= platform ---------------------------------------------------------------------------
def test_dir_platform_query_urls_and_chinese_attachment_names(sandbox: Sandbox, truth: dict[str, Any]) -> None:
    for portal in sites(truth, "dir"):
        home = get(portal["start_urls"][0])
        depts = [a.get("href") for a in tree(home).cssselect("ul.dept-list a") if a.get("href").startswith("?a=dir")]
        assert depts and all(re.fullmatch(r"\?a=dir&d=\d+", h) for h in depts)
        seen = set()
        for href in depts:
            d = re.search(r"d=(\d+)", href).group(1)
            directory = tree(get(portal["start_urls"][0] + href))
            nb = next(a.get("href") for a in directory.cssselect("div.dir-tree a") if a.text_content() == "政府信息公开年报")
            assert nb == f"?a=info&k=nb&t=path&i=08&d={d}"
            page, n = get(portal["start_urls"][0] + nb), 1
            while True:
                doc = tree(page)
                for a in doc.cssselect(".page-list a"):
                    assert re.fullmatch(r"/D\d{4}Y/\d+\.jhtml", a.get("href"))
                    seen.add(urllib.parse.urljoin(portal["start_urls"][0], a.get("href")))
                nxt = [a.get("href") for a in doc.cssselect(".page-tile a") if a.text_content() == "下一页"]
                if not nxt:
                    break
                n += 1
                assert nxt[0] == f"?a=info&k=nb&t=path&i=08&d={d}&page={n}"
                page = get(portal["start_urls"][0] + nxt[0])
        assert seen == listed(truth, portal["id"])
    p = next(p for r in truth["reports"] for p in r["publications"] if p["site"] == sites(truth, "dir")[0]["id"]
             and any(d["role"] == "attachment" and d["status"] == "ok" for d in p["documents"]))
    doc = next(d for d in p["documents"] if d["role"] == "attachment" and d["status"] == "ok")
    raw_href = urllib.parse.urlsplit(doc["url"]).path
    assert re.search(r"[\u4e00-\u9fff]", raw_href), "the href holds the Chinese file name"
    assert raw_href in get(p["url"]).text
    f = get(doc["url"])  # fetch() percent-encodes the path in UTF-8, as browsers do
    assert f.status == 200
    cd = f.header("Content-Disposition")
    value = cd.split("filename=", 1)[1].strip('"')
    name = urllib.parse.unquote(value) if doc["content_disposition"] == "percent" else value.encode("latin-1").decode("gbk")
    assert name == doc["filename"]
    assert unquote_url(f.url) == doc["url"]
