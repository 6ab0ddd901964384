"""Portal page chrome around a document: navigation, breadcrumbs, metadata, share, footer.

Modelled on the detail pages of research/portals.md. The chrome is full of things a parser
must ignore: the site's own name (an agency other than the report's), 索引号 and ICP numbers,
visit counters, dates, other years' reports in a 相关文章 list, and (Hanweb, Zhengzhou) a
metadata ``<table>`` before the report's own tables.
"""
from __future__ import annotations

import datetime as dt
import random
from html import escape

from tests.synth.prose import DEPARTMENTS, Voice


def _site(voice: Voice) -> str:
    return f"{voice.place}人民政府"


def _related(voice: Voice, year: int, rng: random.Random) -> str:
    items = []
    for y in sorted({year - 1, year - 2, year + 1, rng.randint(2015, 2024)} - {year}, reverse=True):
        when = dt.date(y + 1, 1, rng.randint(5, 28))
        items.append(f'<li><a href="./{when:%Y%m}/t{when:%Y%m%d}_{rng.randint(100000, 999999)}.html" target="_blank">'
                     f'{escape(voice.agency)}{y}年政府信息公开工作年度报告</a><span>{when:%Y-%m-%d}</span></li>')
    other = voice.place + rng.choice(DEPARTMENTS)
    items.append(f'<li><a href="#">{escape(other)}{year}年政府信息公开工作年度报告</a><span>{year + 1}-01-15</span></li>')
    return '<div class="related"><h3>相关文章</h3><ul>' + "".join(items) + "</ul></div>"


def _footer(voice: Voice, rng: random.Random) -> str:
    code = rng.randint(1000000000, 9999999999)
    return (f'<div class="footer"><p>主办单位：{escape(_site(voice))}办公室　承办单位：{escape(voice.place)}大数据中心</p>'
            f'<p>网站标识码：{code}　ICP备案号：豫ICP备{rng.randint(10000000, 99999999)}号-1　'
            f'公安备案号：{rng.randint(10000000000000, 99999999999999)}号</p>'
            f'<p>联系电话：0{rng.randint(310, 999)}-{rng.randint(60000000, 69999999)}　'
            f'建议使用1920×1080分辨率浏览　访问量：{rng.randint(100000, 9999999)}</p></div>')


def _nav(voice: Voice) -> str:
    links = ("首页", "政务公开", "政务服务", "互动交流", f"走进{voice.place}", "专题专栏")
    return ('<div class="header"><div class="logo">' + escape(_site(voice)) + '</div><ul class="nav">'
            + "".join(f'<li><a href="/">{x}</a></li>' for x in links) + "</ul>"
            + '<form class="search" action="/search"><input name="q" placeholder="请输入关键字"/>'
              '<button>搜索</button></form></div>')


def _share() -> str:
    return ('<div class="share">分享到：<a class="wx">微信</a><a class="wb">微博</a><a class="qq">QQ空间</a></div>'
            '<div class="tools">【<a href="javascript:window.print()">打印本页</a>】'
            '【<a href="javascript:window.close()">关闭窗口</a>】</div>')


def _index_no(voice: Voice, when: dt.date, rng: random.Random) -> str:
    return f"11{rng.randint(100000, 999999)}{rng.choice('ABCDEFGHJK')}{rng.randint(10000000, 99999999)}/{when.year}-{rng.randint(1, 99999):05d}"


def page(title: str, body: str, voice: Voice, when: dt.date, chrome: str, seed: int, related: bool = False,
         year: int | None = None, layout_tables: bool = False) -> str:
    """A whole detail page with ``body`` (the document's HTML) inside the family's container."""
    rng = random.Random(f"synth-chrome:{seed}:{chrome}")
    site = escape(_site(voice))
    t = escape(title)
    pub = f"{when:%Y-%m-%d} {rng.randint(8, 18):02d}:{rng.randint(0, 59):02d}"
    views = rng.randint(30, 5000)
    crumbs = ('<div class="position">当前位置：<a href="/">首页</a> &gt; <a href="/zwgk/">政务公开</a> &gt; '
              '<a href="../">政府信息公开年报</a> &gt; 正文</div>')
    related_html = _related(voice, year, rng) if related and year else ""
    head = ('<!DOCTYPE html>\n<html lang="zh-CN"><head><meta charset="utf-8"/>'
            '<meta name="viewport" content="width=device-width, initial-scale=1"/>')
    if chrome == "trs":
        main = (f'<div class="article"><h2 class="article_title">{t}</h2>'
                f'<div class="article_info">发布时间：{pub[:10].replace("-", "/")}　来源：{escape(voice.agency)}　'
                f'浏览次数：<span id="count">{views}</span>　【字体：<a>大</a> <a>中</a> <a>小</a>】</div>'
                f'<div class="article_con"><!--startprint--><div class="TRS_Editor"><div class="Custom_UnionStyle">'
                f"{body}</div></div><!--endprint--></div>{_share()}</div>")
        meta = (f'<meta name="SiteName" content="{site}"/><meta name="ColumnName" content="政府信息公开年报"/>'
                f'<meta name="ArticleTitle" content="{t}"/><meta name="PubDate" content="{pub}"/>'
                f'<meta name="ContentSource" content="{escape(voice.agency)}"/>')
        doc_title = f"{t}_{site}"
    elif chrome == "hanweb":
        main = (f'<table class="xxgk_table"><tr><td>索引号：</td><td>{_index_no(voice, when, rng)}</td>'
                f'<td>主题分类：</td><td>综合政务\\政务公开</td></tr>'
                f'<tr><td>发文机关：</td><td>{escape(voice.agency)}</td><td>发文字号：</td><td></td></tr>'
                f'<tr><td>成文日期：</td><td>{when:%Y-%m-%d}</td><td>发布日期：</td><td>{when:%Y-%m-%d}</td></tr>'
                f'<tr><td>标题：</td><td colspan="3">{t}</td></tr></table>'
                f'<div class="bt-title">{t}</div><div class="bt-content zoom" id="zoom">'
                f'<meta name="ContentStart"/><div class="TRS_Editor">{body}</div><meta name="ContentEnd"/></div>'
                f'<iframe src="../../../../module/visitcount/visit.jsp?type=3&i_webid=3&i_columnid=284" '
                f'style="display:none"></iframe>{_share()}')
        meta = (f'<meta name="ArticleTitle" content="{t}"/><meta name="PubDate" content="{pub[:16]}"/>'
                f'<meta name="ContentSource" content="{escape(voice.agency)}"/><meta name="ColumnName" content="年报"/>')
        doc_title = f"{site} {t}"
    elif chrome == "dir":
        main = (f'<div class="detail"><table class="info-table" width="100%"><tr><th>索 引 号</th>'
                f'<td>{_index_no(voice, when, rng)}</td><th>发布机构</th><td>{escape(voice.agency)}</td></tr>'
                f'<tr><th>生成日期</th><td>{when:%Y年%m月%d日}</td><th>公开方式</th><td>主动公开</td></tr>'
                f'<tr><th>名　　称</th><td colspan="3">{t}</td></tr></table>'
                f'<h1 class="title">{t}</h1><div class="content" id="zoom">{body}</div></div>')
        meta = ""
        doc_title = t
    elif chrome == "county":
        depts = "".join(f'<li><a href="?d={rng.randint(100, 999)}">{escape(voice.place + d)}</a></li>'
                        for d in rng.sample(DEPARTMENTS, 8))
        main = (f'<div class="left"><div class="tabs"><span class="on">部门</span><span>乡镇</span></div>'
                f'<ul class="tree">{depts}</ul></div><div class="right"><div class="xl-title">{t}</div>'
                f'<div class="xl-info">信息来源：{escape(voice.agency)}　发布日期：{when:%Y-%m-%d}　'
                f'点击数：{views}</div><div class="xl-content" id="Zoom">{body}</div></div>')
        meta = ""
        doc_title = f"{site}信息公开平台"
    else:  # generic
        main = (f'<h1>{t}</h1><p class="meta">{when:%Y年%m月%d日}　来源：本站</p>'
                f'<div id="content">{body}</div>')
        meta = ""
        doc_title = t
    if layout_tables:  # an older portal template: the page laid out with nested tables
        side = "".join(f'<tr><td class="menu"><a href="../{i}/">{x}</a></td></tr>' for i, x in enumerate(
            ("政府信息公开指南", "政府信息公开制度", "法定主动公开内容", "政府信息公开年报", "依申请公开")))
        main = (f'<table width="1000" border="0" cellspacing="0" cellpadding="0" align="center"><tr>'
                f'<td width="230" valign="top"><table width="100%" border="0">{side}</table></td>'
                f'<td width="770" valign="top"><table width="100%" border="0" cellpadding="10"><tr>'
                f'<td class="content">{main}</td></tr></table></td></tr></table>')
    return (f"{head}{meta}<title>{doc_title}</title>"
            f'<link rel="stylesheet" href="/css/style.css"/></head><body>'
            f"{_nav(voice)}{crumbs}<div class=\"main\">{main}{related_html}</div>{_footer(voice, rng)}"
            f'<script src="/js/jquery.min.js"></script><script>var _hmt = _hmt || [];</script></body></html>\n')
