"""Small hand-written report texts for unit tests of the layers above the backends.

Deliberately tiny and independent of tests/synth: each test states the few lines it is about.
"""
from __future__ import annotations

ART20_2019 = """第二十条第（一）项
信息内容\t本年新制作数量\t本年新公开数量\t对外公开总数量
规章\t0\t0\t0
规范性文件\t1\t2\t3
第二十条第（五）项
信息内容\t上一年项目数量\t本年增/减\t处理决定数量
行政许可\t10\t-2\t8
其他对外管理服务事项\t0\t0\t0
第二十条第（六）项
信息内容\t上一年项目数量\t本年增/减\t处理决定数量
行政处罚\t0\t0\t0
行政强制\t0\t0\t0
第二十条第（八）项
信息内容\t上一年项目数量\t本年增/减
行政事业性收费\t0\t0
第二十条第（九）项
信息内容\t采购项目数量\t采购总金额（元）
政府集中采购\t2\t251000"""

ART20_2021 = """第二十条第（一）项
信息内容\t本年制发件数\t本年废止件数\t现行有效件数
规章\t0\t0\t0
行政规范性文件\t1\t0\t5
第二十条第（五）项
信息内容\t本年处理决定数量
行政许可\t30
第二十条第（六）项
信息内容\t本年处理决定数量
行政处罚\t4
行政强制\t0
第二十条第（八）项
信息内容\t本年收费金额（单位：万元）
行政事业性收费\t1.5"""

APP_HEADER = """（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）\t\t\t申请人情况
\t\t\t自然人\t法人或其他组织\t\t\t\t\t总计
\t\t\t\t商业企业\t科研机构\t社会公益组织\t法律服务机构\t其他\t"""

ROWS = [
    "一、本年新收政府信息公开申请数量\t\t", "二、上年结转政府信息公开申请数量\t\t",
    "三、本年度办理结果\t（一）予以公开\t", "\t（二）部分公开（区分处理的，只计这一情形，不计其他情形）\t",
    "\t（三）不予公开\t1.属于国家秘密", "\t\t2.其他法律行政法规禁止公开", "\t\t3.危及“三安全一稳定”",
    "\t\t4.保护第三方合法权益", "\t\t5.属于三类内部事务信息", "\t\t6.属于四类过程性信息", "\t\t7.属于行政执法案卷",
    "\t\t8.属于行政查询事项", "\t（四）无法提供\t1.本机关不掌握相关政府信息", "\t\t2.没有现成信息需要另行制作",
    "\t\t3.补正后申请内容仍不明确", "\t（五）不予处理\t1.信访举报投诉类申请", "\t\t2.重复申请",
    "\t\t3.要求提供公开出版物", "\t\t4.无正当理由大量反复申请", "\t\t5.要求行政机关确认或重新出具已获取信息",
]
OTHER_2019 = ["\t（六）其他处理\t"]
OTHER_2021 = ["\t（六）其他处理\t1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请",
              "\t\t2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请", "\t\t3.其他"]
TAIL = ["\t（七）总计\t", "四、结转下年度继续办理\t\t"]

REVIEW = """行政复议\t\t\t\t\t行政诉讼
结果维持\t结果纠正\t其他结果\t尚未审结\t总计\t未经复议直接起诉\t\t\t\t\t复议后起诉
\t\t\t\t\t结果维持\t结果纠正\t其他结果\t尚未审结\t总计\t结果维持\t结果纠正\t其他结果\t尚未审结\t总计
1\t0\t0\t0\t1\t0\t0\t0\t0\t0\t0\t0\t0\t0\t0"""


def applications(other: str = "2019", rows: dict[int, str] | None = None) -> str:
    """Section 三 with zeros, except `rows` (row index → the seven printed cells)."""
    labels = ROWS + (OTHER_2021 if other == "2021" else OTHER_2019) + TAIL
    rows = rows or {}
    zeros = "\t".join("0" * 7)
    body = [label + "\t" + rows.get(i, zeros) for i, label in enumerate(labels)]
    return APP_HEADER + "\n" + "\n".join(body)


def report(*, title: str | None = "测试县教育局2020年政府信息公开工作年度报告", layout: str = "2019",
           other: str | None = None, intro: str = "", tail: str = "", art20: str | None = None,
           apps: str | None = None, review: str | None = REVIEW) -> bytes:
    parts = [title or "", intro, "一、总体情况", "本年度工作有序推进。", "二、主动公开政府信息情况",
             art20 if art20 is not None else (ART20_2019 if layout == "2019" else ART20_2021),
             "三、收到和处理政府信息公开申请情况",
             apps if apps is not None else applications(other or layout),
             "四、政府信息公开行政复议、行政诉讼情况", review or "", "五、存在的主要问题及改进情况", "无。", tail]
    return "\n\n".join(p for p in parts if p).encode("utf-8")
