"""Documents that sit beside annual reports in the same portal column but are not reports.

A parser must say ``not_a_report`` (工作要点, 通知, 指南, a soft-404 page) or
``legacy_format`` (a pre-2019 report in the old statistics layout) and yield no facts. Each
is built to tempt: the notice names the report's title and may attach the blank template
table, the work plan has a task table, the legacy report has a statistics table full of
numbers.
"""
from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field
from typing import Any

from tests.synth import prose
from tests.synth.build import HEADINGS, KEY_NOTE, NUMERALS
from tests.synth.doc import Cell, Doc, Para, Table
from tests.synth.schema import APP_ROWS_2019
from tests.synth.style import Style

KINDS = ("work_plan", "notice", "legacy_report", "guide", "soft404")


@dataclass(eq=False)
class Document:
    """A non-report with the same interface as Report (``facts`` empty, ``layout`` None)."""

    seed: int
    kind: str
    agency: str
    year: int
    region: str
    title: str
    publication_date: dt.date
    style: Style
    doc: Doc
    expected_status: str
    facts: dict[str, int | float] = field(default_factory=dict)
    derived: list[str] = field(default_factory=list)
    checks: dict[str, bool] = field(default_factory=dict)
    layout: str | None = None
    hybrid: bool = False

    @property
    def voice(self) -> prose.Voice:
        return prose.Voice(self.agency, self.region)

    def expected(self) -> dict[str, Any]:
        return {"status": self.expected_status, "facts": {}, "kind": self.kind}

    def __repr__(self) -> str:
        return f"<Document {self.kind} seed={self.seed} {self.title}>"


def _work_plan(rng: random.Random, v: prose.Voice, year: int) -> tuple[str, list]:
    title = f"{v.agency}{year}年政务公开工作要点"
    tasks = ["深入推进重点领域信息公开", "加强政策解读和回应关切", "规范依申请公开办理",
             f"按时编制发布{year - 1}年政府信息公开工作年度报告", "加强政府网站和政务新媒体建设",
             "推进基层政务公开标准化规范化", "强化政务公开监督保障"]
    blocks: list[Para | Table] = [Para(title, "title"),
                                  Para(f"为深入贯彻落实《中华人民共和国政府信息公开条例》，做好{year}年政务公开工作，"
                                       f"结合{v.place}实际，制定本要点。")]
    rows = [[Cell("序号", role="head"), Cell("工作任务", role="head"), Cell("责任单位", role="head"),
             Cell("完成时限", role="head")]]
    for i, task in enumerate(tasks, 1):
        blocks.append(Para(f"{NUMERALS[i - 1]}、{task}", "heading"))
        blocks.append(Para(f"{v.we}要围绕{task}，细化工作措施，明确责任分工，确保{rng.randint(3, 12)}月底前完成。"))
        rows.append([Cell(str(i)), Cell(task, role="label"), Cell(v.office, role="label"),
                     Cell(f"{year}年{rng.randint(3, 12)}月", role="label")])
    blocks.append(Para("附件：重点任务分工表", "caption"))
    blocks.append(Table("tasks", rows, header_rows=1, widths=[0.08, 0.5, 0.27, 0.15]))
    return title, blocks


def _notice(rng: random.Random, v: prose.Voice, year: int) -> tuple[str, list]:
    title = f"关于做好{year}年政府信息公开工作年度报告编制和发布工作的通知"
    blocks: list[Para | Table] = [
        Para(title, "title"), Para("各乡镇人民政府、街道办事处，各有关单位："),
        Para(f"根据《中华人民共和国政府信息公开条例》规定，各单位应于{year + 1}年1月31日前向社会公布本单位"
             f"{year}年政府信息公开工作年度报告。现将有关事项通知如下："),
        Para("一、严格执行格式要求。年度报告须包括以下内容：" + "、".join(HEADINGS) + "。"),
        Para(f"二、按时报送。请于{year + 1}年1月{rng.randint(10, 25)}日前将年度报告报送{v.agency}。"),
        Para(f"联系人：{rng.choice('王李张刘陈杨赵')}{rng.choice(('伟', '芳', '娜', '敏', '静'))}，"
             f"联系电话：{rng.randint(60000000, 69999999)}。"),
    ]
    if rng.random() < 0.4:  # the blank template of 表三 attached: no numbers at all
        blocks.append(Para("附件：收到和处理政府信息公开申请情况（样表）", "caption"))
        header = [[Cell(KEY_NOTE, colspan=3, rowspan=3, role="head"), Cell("申请人情况", colspan=7, role="head")],
                  [Cell("自然人", rowspan=2, role="head"), Cell("法人或其他组织", colspan=5, role="head"),
                   Cell("总计", rowspan=2, role="head")],
                  [Cell(x, role="head") for x in ("商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他")]]
        body = [[Cell(label, colspan=3, role="label")] + [Cell("", role="pad") for _ in range(7)]
                for _, label, _, _ in APP_ROWS_2019]
        blocks.append(Table("template", header + body, header_rows=3, widths=[0.1, 0.1, 0.2] + [0.6 / 7] * 7))
    blocks += [Para(v.agency, "signature")]
    return title, blocks


LEGACY_ROWS = (
    ("一、主动公开情况", "", None), ("（一）主动公开政府信息数", "条", (50, 3000)),
    ("其中：主动公开规范性文件数", "条", (0, 30)), ("制发规范性文件总数", "件", (0, 30)),
    ("（二）通过不同渠道和方式公开政府信息的情况", "", None), ("1.政府公报公开政府信息数", "条", (0, 200)),
    ("2.政府网站公开政府信息数", "条", (20, 3000)), ("3.政务微博公开政府信息数", "条", (0, 800)),
    ("4.政务微信公开政府信息数", "条", (0, 800)), ("二、回应解读情况", "", None),
    ("（一）回应公众关注热点或重大舆情数", "次", (0, 20)), ("（二）通过不同渠道和方式回应解读的情况", "", None),
    ("1.参加或举办新闻发布会总次数", "次", (0, 10)), ("三、依申请公开情况", "", None),
    ("（一）收到申请数", "件", (0, 200)), ("1.当面申请数", "件", (0, 50)), ("2.传真申请数", "件", (0, 5)),
    ("3.网络申请数", "件", (0, 100)), ("4.信函申请数", "件", (0, 50)), ("（二）申请办结数", "件", (0, 200)),
    ("1.按时办结数", "件", (0, 200)), ("2.延期办结数", "件", (0, 10)), ("（三）申请答复数", "件", (0, 200)),
    ("1.属于已主动公开范围数", "件", (0, 50)), ("2.同意公开答复数", "件", (0, 80)),
    ("3.同意部分公开答复数", "件", (0, 10)), ("4.不同意公开答复数", "件", (0, 10)),
    ("5.不属于本行政机关公开数", "件", (0, 30)), ("6.申请信息不存在数", "件", (0, 30)),
    ("四、行政复议数量", "件", (0, 5)), ("（一）维持具体行政行为数", "件", (0, 5)),
    ("五、行政诉讼数量", "件", (0, 5)), ("六、举报投诉数量", "件", (0, 5)),
    ("七、依申请公开信息收取的费用", "万元", (0, 0)), ("八、机构建设和保障经费情况", "", None),
    ("（一）政府信息公开工作专门机构数", "个", (0, 3)), ("（二）设置政府信息公开查阅点数", "个", (0, 20)),
    ("（三）从事政府信息公开工作人员数", "人", (1, 20)), ("九、政府信息公开会议和培训情况", "", None),
    ("（一）召开政府信息公开工作会议或专题会议数", "次", (0, 10)), ("（二）举办各类培训班数", "次", (0, 10)),
    ("（三）接受培训人员数", "人次", (0, 500)),
)


def _legacy(rng: random.Random, v: prose.Voice, year: int) -> tuple[str, list]:
    title = f"{v.agency}{year}年政府信息公开工作年度报告"
    sections = ("概述", "主动公开政府信息情况", "依申请公开政府信息情况", "政府信息公开的收费及减免情况",
                "因政府信息公开申请行政复议、提起行政诉讼的情况", "政府信息公开工作存在的主要问题及改进措施",
                "其他需要报告的事项")
    blocks: list[Para | Table] = [Para(title, "title"),
                                  Para(f"本报告根据《中华人民共和国政府信息公开条例》（以下简称《条例》）要求编制。"
                                       f"本报告中所列数据的统计期限自{year}年1月1日起至{year}年12月31日止。")]
    for i, heading in enumerate(sections):
        blocks.append(Para(f"{NUMERALS[i]}、{heading}", "heading"))
        blocks.append(Para(f"{year}年，{v.we}认真贯彻落实《条例》，{heading}方面的工作稳步推进，"
                           f"共计{rng.randint(1, 500)}条（件）。"))
    rows = [[Cell("统计指标", role="head"), Cell("单位", role="head"), Cell("统计数", role="head")]]
    for label, unit, span in LEGACY_ROWS:
        value = "—" if span is None else str(rng.randint(*span))
        rows.append([Cell(label, role="label"), Cell(unit, role="label"), Cell("" if span is None else value)])
    blocks.append(Para(f"附件：{v.agency}政府信息公开情况统计表（{year}年度）", "caption"))
    blocks.append(Table("legacy", rows, header_rows=1, widths=[0.6, 0.15, 0.25]))
    blocks += [Para(v.agency, "signature")]
    return title, blocks


def _guide(rng: random.Random, v: prose.Voice, year: int) -> tuple[str, list]:
    title = f"{v.agency}政府信息公开指南"
    return title, [
        Para(title, "title"),
        Para(f"为了更好地提供政府信息公开服务，根据《中华人民共和国政府信息公开条例》，编制本指南。"
             f"本指南每年更新，最近一次更新时间为{year}年{rng.randint(1, 12)}月。"),
        Para("一、主动公开", "heading"),
        Para("（一）公开范围。按照《条例》第二十条规定的内容主动公开政府信息，并根据实际情况确定其他应当主动公开的信息。"),
        Para("（二）公开方式。通过政府网站、政府公报、新闻发布会以及报刊、广播、电视等途径公开。"),
        Para("（三）公开时限。属于主动公开范围的政府信息，自该信息形成或者变更之日起20个工作日内予以公开。"),
        Para("二、依申请公开", "heading"),
        Para(f"受理机构：{v.office}；办公地址：{v.place}{rng.choice(prose.ROADS)}{rng.randint(1, 299)}号；"
             f"邮政编码：{rng.randint(100000, 860000)}；办公时间：周一至周五（法定节假日除外）。"),
        Para("行政机关收到政府信息公开申请，能够当场答复的，应当当场予以答复；不能当场答复的，应当自收到申请之日起"
             "20个工作日内予以答复；需要延长答复期限的，延长的期限最长不得超过20个工作日。"),
        Para("三、监督和救济", "heading"),
        Para("公民、法人或者其他组织认为行政机关在政府信息公开工作中侵犯其合法权益的，可以依法申请行政复议或者提起行政诉讼。"),
    ]


def _soft404(rng: random.Random, v: prose.Voice, year: int) -> tuple[str, list]:
    title = rng.choice(("页面不存在", "404 - 页面未找到", "提示信息"))
    return title, [Para(title, "title"),
                   Para(rng.choice(("对不起，您访问的页面不存在或已被删除！", "抱歉，您要查看的信息不存在或已过期。",
                                    "您访问的页面已被移除、更名或暂时不可用。"))),
                   Para("请检查您输入的网址是否正确，或返回首页继续浏览。5秒后将自动跳转到首页。")]


BUILDERS = {"work_plan": _work_plan, "notice": _notice, "legacy_report": _legacy, "guide": _guide,
            "soft404": _soft404}


def make_document(seed: int, kind: str = "work_plan", agency: str | None = None, year: int | None = None,
                  region: str | None = None, perturb: bool | dict[str, Any] | Style = True) -> Document:
    """A non-report of ``kind`` (see KINDS), deterministic from the arguments."""
    if kind not in BUILDERS:
        raise ValueError(f"kind must be one of {', '.join(KINDS)}, not {kind!r}")
    rng = random.Random(f"synth-document:{seed}:{kind}")
    default_region, default_agency = prose.default_place(rng)
    region = default_region if region is None else region
    agency = agency or default_agency
    year = year or (rng.randint(2010, 2018) if kind == "legacy_report" else rng.randint(2019, 2024))
    voice = prose.Voice(agency, region)
    title, blocks = BUILDERS[kind](rng, voice, year)
    month = 1 if kind in ("legacy_report",) else rng.randint(1, 12)
    when = dt.date(year + (kind == "legacy_report"), month, rng.randint(1, 28))
    date_text = f"{when.year}年{when.month}月{when.day}日"
    if kind != "soft404":
        blocks.append(Para(date_text, "date"))
    style = Style.of(perturb, rng)
    status = "legacy_format" if kind == "legacy_report" else "not_a_report"
    return Document(seed=seed, kind=kind, agency=agency, year=year, region=region, title=title,
                    publication_date=when, style=style, doc=Doc(title, blocks, date=when.isoformat()),
                    expected_status=status)
