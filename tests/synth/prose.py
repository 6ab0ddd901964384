"""The words around the tables: agency names, regions and the report's prose sections.

The prose is modelled on real reports (tests/fixtures/seeds): it quotes numbers that are not
facts (信息 59 条, 培训 4 次, 处理费 3940 元) and mentions other years, as real ones do, so a
parser that reads numbers or years from prose instead of tables is caught.
"""
from __future__ import annotations

import random
import re
from dataclasses import dataclass

CITIES = ("青川市", "云岭市", "临江市", "白河市", "安平市", "东陵市", "宁远市", "清源市")
COUNTIES = ("河西区", "北关区", "平山县", "长宁县", "石门县", "新安区", "桐林县", "丰乐县", "江口市")
DEPARTMENTS = ("人民政府", "人民政府办公室", "发展和改革委员会", "教育局", "公安局", "民政局", "司法局", "财政局",
               "人力资源和社会保障局", "自然资源和规划局", "生态环境局", "住房和城乡建设局", "交通运输局",
               "水利局", "农业农村局", "商务局", "文化广电和旅游局", "卫生健康委员会", "应急管理局",
               "市场监督管理局", "统计局", "医疗保障局", "政务服务和大数据管理局", "城市管理局")
ROADS = ("人民路", "中原西路", "建设大道", "行政路", "文化路", "迎宾大道", "府前街", "解放路")
PART = re.compile(r".+?(?:自治州|自治县|自治旗|特别行政区|省|市|县|区|旗|盟|镇|乡|街道)")


def region_parts(region: str) -> list[str]:
    return PART.findall(region) or [region]


def default_place(rng: random.Random) -> tuple[str, str]:
    """A fictional (region, agency) pair, for callers that name neither."""
    city = rng.choice(CITIES)
    county = rng.choice(COUNTIES) if rng.random() < 0.6 else ""
    return city + county, (county or city) + rng.choice(DEPARTMENTS)


@dataclass(frozen=True)
class Voice:
    """How a report refers to its own agency and region."""

    agency: str
    region: str

    @property
    def place(self) -> str:
        """The smallest region: 荥阳市 of 郑州市荥阳市."""
        parts = region_parts(self.region)
        return parts[-1] if parts else self.region

    @property
    def short(self) -> str:
        """市政务服务和大数据管理局: the agency without its place name."""
        name = self.agency
        for part in sorted(region_parts(self.region), key=len, reverse=True):
            if name.startswith(part):
                return part[-1] + name[len(part):]
        return name

    @property
    def we(self) -> str:
        name = self.agency
        if name.endswith("人民政府"):
            return "我" + (self.place[-1] if self.place else "市")
        for tail, we in (("委员会", "我委"), ("办公室", "我办"), ("局", "我局"), ("中心", "我中心"), ("院", "我院")):
            if name.endswith(tail):
                return we
        return "本机关"

    @property
    def office(self) -> str:
        return self.agency + ("办公室" if not self.agency.endswith("办公室") else "")


def period(year: int) -> str:
    return f"本报告中所列数据的统计期限自{year}年1月1日起至{year}年12月31日止。"


def intro(rng: random.Random, v: Voice, year: int) -> list[str]:
    domain = f"www.{rng.choice(('gov', 'zw', 'xxgk'))}{rng.randint(10, 99)}.gov.cn"
    phone = f"0{rng.randint(310, 999)}-{rng.randint(60000000, 69999999)}"
    first = (f"本报告是根据《中华人民共和国政府信息公开条例》（以下简称《条例》）要求，由{v.office}编制。"
             f"本报告内容包括总体情况、主动公开政府信息情况、收到和处理政府信息公开申请情况、"
             f"政府信息公开行政复议和行政诉讼情况、存在的主要问题及改进情况、其他需要报告的事项。")
    second = (period(year) + f"本报告的电子版可在{v.place}人民政府门户网站（{domain}）查阅或下载。"
              f"如对本报告有任何疑问，请与{v.office}联系（地址：{v.place}{rng.choice(ROADS)}{rng.randint(1, 299)}号；"
              f"邮编：{rng.randint(100000, 860000)}；联系电话：{phone}）。")
    return [first, second] if rng.random() < 0.7 else [second]


def overview(rng: random.Random, v: Voice, year: int, applications: int) -> list[str]:
    items = rng.randint(20, 3000)
    news = rng.randint(1, items)
    trainings = rng.randint(1, 12)
    paras = [
        f"{year}年，{v.we}坚持以习近平新时代中国特色社会主义思想为指导，认真贯彻落实《条例》和上级关于"
        f"政务公开工作的部署要求，扎实推进决策、执行、管理、服务、结果公开，政府信息公开工作取得新成效。",
        f"（一）主动公开。全年通过门户网站、政务新媒体、公开栏等渠道主动公开政府信息{items}条，"
        f"其中工作动态{news}条，通知公告{max(0, items - news) // 2}条，较{year - 1}年增长{rng.randint(1, 40)}%。",
        f"（二）依申请公开。{year}年共收到政府信息公开申请{applications}件，均在法定期限内予以答复。"
        if applications else f"（二）依申请公开。{year}年，{v.we}未收到政府信息公开申请。",
        f"（三）政府信息管理。严格落实公开前保密审查机制，全年审查拟公开信息{rng.randint(10, 900)}条，"
        f"动态调整主动公开基本目录{rng.randint(1, 5)}次。",
        f"（四）平台建设。持续优化政府网站信息公开专栏，新增栏目{rng.randint(1, 9)}个，"
        f"政务新媒体发布信息{rng.randint(30, 2000)}条。",
        f"（五）监督保障。组织政务公开业务培训{trainings}次，参训{rng.randint(10, 300)}人次，"
        f"将政务公开工作纳入年度绩效考核。",
    ]
    return paras


def problems(rng: random.Random, v: Voice, year: int) -> list[str]:
    return [
        f"{year}年，{v.we}政府信息公开工作取得了一定成效，但仍存在一些不足：一是公开内容的深度和广度"
        f"还有待提升；二是政策解读形式不够丰富。",
        f"{year + 1}年，{v.we}将进一步加强业务培训，规范信息发布流程，丰富政策解读形式，"
        f"不断提升政府信息公开工作质量。",
    ]


def other_matters(rng: random.Random, v: Voice, year: int) -> list[str]:
    choice = rng.random()
    if choice < 0.4:
        return ["无。"] if rng.random() < 0.5 else ["本年度无其他需要报告的事项。"]
    if choice < 0.7:
        return [f"依据《政府信息公开信息处理费管理办法》，{year}年{v.we}"
                + ("未收取信息处理费。" if rng.random() < 0.6 else f"收取信息处理费{rng.randint(100, 9000)}元。")]
    return [f"{year}年，{v.we}共办理人大代表建议{rng.randint(0, 40)}件、政协委员提案{rng.randint(0, 40)}件，"
            f"办复率100%。"]
