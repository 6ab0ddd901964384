"""Fictional geography of the simulated province: place names, departments, host names.

Every name is realistic Chinese but chosen not to be a real place, so demo data is never
mistaken for real data. Administrative codes use the unassigned province prefix ``78``.
Host names follow real conventions (``www.<place>.gov.cn``, ``<dept>.<place>.gov.cn``) under
the reserved ``.test`` TLD.
"""
from __future__ import annotations

from dataclasses import dataclass

PROVINCE = ("江岚省", "jianglan", "780000")

# (name without 市, pinyin) — invented, checked against no real prefecture-level city.
CITIES: list[tuple[str, str]] = [
    ("汀阳", "tingyang"), ("望川", "wangchuan"), ("青岚", "qinglan"), ("芷川", "zhichuan"),
    ("雁湖", "yanhu"), ("柘原", "zheyuan"), ("桐溪", "tongxi"), ("渚阳", "zhuyang"),
    ("霁川", "jichuan"), ("澧原", "liyuan"), ("楠浦", "nanpu"), ("棠溪", "tangxi"),
    ("蓼川", "liaochuan"), ("珂阳", "keyang"), ("筠溪", "junxi"), ("岫原", "xiuyuan"),
    ("沣浦", "fengpu"), ("澹川", "danchuan"),
]

# County names are built from these halves (first × second), skipping pinyin clashes.
_COUNTY_FIRST = [("禾", "he"), ("荻", "di"), ("蕙", "hui"), ("苇", "wei"), ("菱", "ling"),
                 ("茗", "ming"), ("荇", "xing"), ("葭", "jia"), ("芩", "qin"), ("蘅", "heng"),
                 ("蒹", "jian"), ("莼", "chun"), ("苕", "tiao"), ("蔺", "lin"), ("荃", "quan")]
_COUNTY_SECOND = [("川", "chuan"), ("原", "yuan"), ("坪", "ping"), ("塘", "tang"), ("渚", "zhu"),
                  ("湾", "wan"), ("泽", "ze"), ("埠", "bu"), ("冈", "gang"), ("汀", "ting"),
                  ("浦", "pu"), ("陂", "bei")]

TOWNSHIPS: list[tuple[str, str]] = [
    ("石桥", "shiqiao"), ("白沙", "baisha"), ("青石", "qingshi"), ("柳林", "liulin"),
    ("桃源", "taoyuan"), ("新店", "xindian"), ("高坪", "gaoping"), ("双河", "shuanghe"),
    ("龙潭", "longtan"), ("花桥", "huaqiao"), ("清泉", "qingquan"), ("金竹", "jinzhu"),
    ("杨柳", "yangliu"), ("长岭", "changling"), ("枫林", "fenglin"), ("仙桥", "xianqiao"),
]
TOWNSHIP_SUFFIXES = ["镇", "乡", "街道"]


@dataclass(frozen=True)
class Department:
    key: str          # stable key, also the city-level host prefix (czj.<city>.gov.cn)
    province: str     # name at province level (…厅)
    city: str         # name at city level
    county: str       # name at county level
    province_host: str


DEPARTMENTS: list[Department] = [Department(*row) for row in [
    ("fgw", "发展和改革委员会", "发展和改革委员会", "发展和改革局", "fgw"),
    ("jyj", "教育厅", "教育局", "教育局", "jyt"),
    ("czj", "财政厅", "财政局", "财政局", "czt"),
    ("rsj", "人力资源和社会保障厅", "人力资源和社会保障局", "人力资源和社会保障局", "rst"),
    ("zrzyj", "自然资源厅", "自然资源和规划局", "自然资源局", "zrzyt"),
    ("sthjj", "生态环境厅", "生态环境局", "生态环境局", "sthjt"),
    ("zjj", "住房和城乡建设厅", "住房和城乡建设局", "住房和城乡建设局", "zjt"),
    ("jtj", "交通运输厅", "交通运输局", "交通运输局", "jtt"),
    ("nyncj", "农业农村厅", "农业农村局", "农业农村局", "nynct"),
    ("wjw", "卫生健康委员会", "卫生健康委员会", "卫生健康局", "wjw"),
    ("scjgj", "市场监督管理局", "市场监督管理局", "市场监督管理局", "scjgj"),
    ("tjj", "统计局", "统计局", "统计局", "tjj"),
    ("mzj", "民政厅", "民政局", "民政局", "mzt"),
    ("sfj", "司法厅", "司法局", "司法局", "sft"),
    ("slj", "水利厅", "水利局", "水利局", "slt"),
    ("yjj", "应急管理厅", "应急管理局", "应急管理局", "yjt"),
    ("sjj", "审计厅", "审计局", "审计局", "sjt"),
    ("swj", "商务厅", "商务局", "商务局", "swt"),
    ("wglj", "文化和旅游厅", "文化广电旅游局", "文化广电和旅游局", "wlt"),
    ("ybj", "医疗保障局", "医疗保障局", "医疗保障局", "ybj"),
    ("kjj", "科学技术厅", "科学技术局", "科学技术局", "kjt"),
    ("gxj", "工业和信息化厅", "工业和信息化局", "工业和信息化局", "gxt"),
    ("tyjrj", "退役军人事务厅", "退役军人事务局", "退役军人事务局", "tyjrt"),
    ("lyj", "林业局", "林业局", "林业局", "lyj"),
    ("zsj", "政务服务和大数据管理局", "政务服务和数据管理局", "政务服务和大数据管理局", "zsj"),
    ("gaj", "公安厅", "公安局", "公安局", "gat"),
]]


def county_names(count: int, offset: int) -> list[tuple[str, str]]:
    """``count`` distinct (name stem, pinyin) pairs, starting ``offset`` into the sequence."""
    stems, seen = [], set()
    for i in range(len(_COUNTY_FIRST) * len(_COUNTY_SECOND)):
        row, col = divmod(i, len(_COUNTY_FIRST))  # walk diagonals so neighbours differ
        first = _COUNTY_FIRST[col]
        second = _COUNTY_SECOND[(row + col) % len(_COUNTY_SECOND)]
        pinyin = first[1] + second[1]
        if pinyin in seen:
            continue
        seen.add(pinyin)
        stems.append((first[0] + second[0], pinyin))
    if offset + count > len(stems):
        raise ValueError(f"only {len(stems)} county names available")
    return stems[offset:offset + count]
