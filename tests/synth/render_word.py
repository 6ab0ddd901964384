"""HTML as Microsoft Word's "Save as Web Page" writes it, the way many portals publish reports.

What makes it hard, reproduced here: ~300 KB for a few pages (conditional-comment XML,
hundreds of latent styles, a style block, every cell with its own border and padding
styles), a GB2312 charset declaration, attributes wrapped across lines, numbers split across
runs (``<span lang=EN-US>1</span><span lang=EN-US>23</span>``), blank cells as
``<o:p>&nbsp;</o:p>``, and the ``supportMisalignedColumns`` row of empty cells at the end of
merged tables.
"""
from __future__ import annotations

import datetime as dt
import random
from html import escape

from tests.synth.doc import Cell, Doc, Para, Table
from tests.synth.style import Style

_BASE_STYLES = ["Normal", *(f"heading {i}" for i in range(1, 10)), *(f"index {i}" for i in range(1, 10)),
                *(f"toc {i}" for i in range(1, 10)), "Normal Indent", "footnote text", "annotation text", "header",
                "footer", "index heading", "caption", "table of figures", "envelope address", "envelope return",
                "footnote reference", "annotation reference", "line number", "page number", "endnote reference",
                "endnote text", "table of authorities", "macro", "toa heading", "List", "List Bullet",
                "List Number", "List 2", "List 3", "List 4", "List 5", "Title", "Closing", "Signature",
                "Default Paragraph Font", "Body Text", "Body Text Indent", "Subtitle", "Salutation", "Date",
                "Hyperlink", "FollowedHyperlink", "Strong", "Emphasis", "Document Map", "Plain Text",
                "Normal (Web)", "HTML Acronym", "HTML Address", "HTML Cite", "HTML Code", "Normal Table",
                "annotation subject", "No List", "Balloon Text", "Table Grid", "Placeholder Text", "No Spacing"]
_TABLE_FAMILIES = ["Light Shading", "Light List", "Light Grid", "Medium Shading 1", "Medium Shading 2",
                   "Medium List 1", "Medium List 2", "Medium Grid 1", "Medium Grid 2", "Medium Grid 3",
                   "Dark List", "Colorful Shading", "Colorful List", "Colorful Grid", "Grid Table 1 Light",
                   "Grid Table 2", "Grid Table 3", "Grid Table 4", "Grid Table 5 Dark", "Grid Table 6 Colorful",
                   "Grid Table 7 Colorful", "List Table 1 Light", "List Table 2", "List Table 3", "List Table 4",
                   "List Table 5 Dark", "List Table 6 Colorful", "List Table 7 Colorful"]
LATENT = _BASE_STYLES + [f"{f}{' Accent ' + str(a) if a else ''}" for f in _TABLE_FAMILIES for a in range(7)]

FONTS = (("宋体", "SimSun", "2 1 6 0 3 1 1 1 1 1", 134), ("黑体", "SimHei", "2 1 6 9 6 1 1 1 1 1", 134),
         ("仿宋_GB2312", "仿宋", "2 1 6 9 3 1 1 1 1 1", 134), ("方正小标宋简体", "宋体", "2 1 6 1 3 1 1 1 1 1", 134),
         ("楷体_GB2312", "楷体", "2 1 6 9 3 1 1 1 1 1", 134), ("Cambria Math", "", "2 4 5 3 5 4 6 3 2 4", 0),
         ("Calibri", "", "2 15 5 2 2 2 4 3 2 4", 0), ("Times New Roman", "", "2 2 6 3 5 4 5 2 3 4", 0))

RUN = ("font-size:{size}pt;font-family:{font};mso-ascii-font-family:{font};mso-hansi-font-family:{font};"
       "mso-bidi-font-family:宋体;color:black;mso-font-kerning:0pt")
CELL = ("width:{w}pt;border-top:{top};border-left:{left};border-bottom:solid windowtext 1.0pt;"
        "border-right:solid windowtext 1.0pt;mso-border-top-alt:solid windowtext .5pt;"
        "mso-border-left-alt:solid windowtext .5pt;mso-border-alt:solid windowtext .5pt;"
        "padding:0cm 5.4pt 0cm 5.4pt;height:{h}pt")


def wrap_source(html: str, width: int = 76) -> str:
    """Word wraps its source near 76 columns, at spaces inside tags."""
    out, col, in_tag = [], 0, False
    for ch in html:
        if ch == "<":
            in_tag = True
        elif ch == ">":
            in_tag = False
        if ch == "\n":
            col = 0
            out.append(ch)
            continue
        if ch == " " and in_tag and col >= width:
            out.append("\n")
            col = 0
            continue
        out.append(ch)
        col += 1
    return "".join(out)


class WordHtml:
    def __init__(self, doc: Doc, style: Style, rng: random.Random) -> None:
        self.doc, self.style, self.rng = doc, style, rng

    def run(self, text: str, size: float = 16, font: str | None = None, lang: bool = False) -> str:
        attrs = " lang=EN-US" if lang else ""
        return f"<span{attrs} style='{RUN.format(size=size, font=font or self.style.font)}'>{text}</span>"

    def para(self, p: Para) -> str:
        text = escape(p.text, quote=False)
        if p.role == "title":
            body = self.run(text, 22, "方正小标宋简体")
            return (f"<p class=MsoNormal align=center style='text-align:center;line-height:28.0pt;"
                    f"mso-line-height-rule:exactly'>{body}{self.run('<o:p></o:p>', 22, lang=True)}</p>")
        if p.role in ("signature", "date"):
            return (f"<p class=MsoNormal align=right style='text-align:right;line-height:28.0pt;"
                    f"mso-line-height-rule:exactly'>{self.run(text)}{self.run('<o:p></o:p>', lang=True)}</p>")
        font = "黑体" if p.role == "heading" else ("楷体_GB2312" if p.role == "caption" else None)
        return (f"<p class=MsoNormal style='text-indent:32.0pt;mso-char-indent-count:2.0;line-height:28.0pt;"
                f"mso-line-height-rule:exactly'>{self.run(text, 16, font)}{self.run('<o:p></o:p>', lang=True)}</p>")

    def cell_text(self, cell: Cell) -> str:
        if not cell.text or cell.blank:
            return self.run("<o:p>&nbsp;</o:p>", 10.5, "宋体", lang=True)
        text = cell.text
        if cell.role == "num" and len(text) > 1 and (self.style.split_numbers or self.rng.random() < 0.3):
            i = self.rng.randint(1, len(text) - 1)
            return (self.run(escape(text[:i]), 10.5, "宋体", lang=True) + self.run(escape(text[i:]), 10.5, "宋体", lang=True)
                    + self.run("<o:p></o:p>", 10.5, "宋体", lang=True))
        if cell.role == "num":
            return self.run(escape(text), 10.5, "宋体", lang=True) + self.run("<o:p></o:p>", 10.5, "宋体", lang=True)
        return self.run(escape(text), 10.5, "宋体") + self.run("<o:p></o:p>", 10.5, "宋体", lang=True)

    def table(self, t: Table) -> str:
        total_pt = 441.0
        widths = [total_pt * w / sum(t.widths) for w in t.widths]
        rows = [f"<div align=center><table class=MsoNormalTable border=1 cellspacing=0 cellpadding=0 "
                f"width={int(total_pt * 4 / 3)} style='width:{total_pt}pt;border-collapse:collapse;border:none;"
                f"mso-border-alt:solid windowtext .5pt;mso-yfti-tbllook:1184;mso-padding-alt:0cm 5.4pt 0cm 5.4pt'>"]
        grid = t.grid()
        for r, row in enumerate(t.rows):
            flags = ";mso-yfti-firstrow:yes" if r == 0 else (";mso-yfti-lastrow:yes" if r == len(t.rows) - 1 else "")
            header = ";mso-yfti-irow:-1" if r < t.header_rows and self.style.repeat_header else ""
            rows.append(f"<tr style='mso-yfti-irow:{r}{flags}{header};height:21.0pt'>")
            c = 0
            for cell in row:
                while not grid[r][c][1] or grid[r][c][0] is not cell:
                    c += 1
                w = sum(widths[c:c + cell.colspan])
                attrs = f" width={int(w * 4 / 3)}"
                if cell.rowspan > 1:
                    attrs += f" rowspan={cell.rowspan}"
                if cell.colspan > 1:
                    attrs += f" colspan={cell.colspan}"
                style = CELL.format(w=f"{w:.1f}", h="21.0", top="none" if r else "solid windowtext 1.0pt",
                                    left="none" if c else "solid windowtext 1.0pt")
                if cell.rotated:
                    style += ";layout-flow:vertical-ideographic"
                align = "center" if cell.role in ("num", "head", "group", "section") else "left"
                rows.append(f"<td{attrs} valign=middle style='{style}'><p class=MsoNormal align={align} "
                            f"style='text-align:{align};mso-pagination:widow-orphan'>{self.cell_text(cell)}</p></td>")
                c += cell.colspan
            rows.append("</tr>")
        if any(c.rowspan > 1 or c.colspan > 1 for row in t.rows for c in row):
            rows.append("<![if !supportMisalignedColumns]><tr height=0>"
                        + "".join(f"<td width={int(w * 4 / 3)} style='border:none'></td>" for w in widths)
                        + "</tr><![endif]>")
        rows.append("</table></div>")
        return "\n".join(rows)

    def head(self, title: str, author: str, when: dt.date) -> str:
        created = f"{when:%Y-%m-%d}T01:{self.rng.randint(0, 59):02d}:00Z"
        latent = "\n".join(f'  <w:LsdException Locked="false" Priority="{self.rng.randint(1, 99)}" '
                           f'SemiHidden="true" UnhideWhenUsed="true" Name="{name}"/>' for name in LATENT)
        fonts = "\n".join(f" @font-face\n\t{{font-family:{n};\n\tpanose-1:{p};\n"
                          + (f"\tmso-font-alt:{alt};\n" if alt else "")
                          + f"\tmso-font-charset:{cs};\n\tmso-generic-font-family:auto;\n\tmso-font-pitch:variable;\n"
                          f"\tmso-font-signature:3 680460288 22 0 262145 0;}}" for n, alt, p, cs in FONTS)
        classes = "\n".join(
            f"{sel}\n\t{{mso-style-name:\"{sel.split('.')[-1]}\";mso-style-unhide:no;mso-style-qformat:yes;"
            f"margin:0cm;margin-bottom:.0001pt;text-align:justify;text-justify:inter-ideograph;"
            f"mso-pagination:none;font-size:10.5pt;mso-bidi-font-size:11.0pt;font-family:\"Calibri\",sans-serif;"
            f"mso-ascii-font-family:Calibri;mso-fareast-font-family:宋体;mso-hansi-font-family:Calibri;"
            f"mso-bidi-font-family:\"Times New Roman\";mso-font-kerning:1.0pt;}}"
            for sel in ("p.MsoNormal, li.MsoNormal, div.MsoNormal", "h1", "h2", "h3", "p.MsoHeader, li.MsoHeader",
                        "p.MsoFooter, li.MsoFooter", "p.MsoTitle", "p.MsoDate", "p.MsoBodyText", "a:link, span.MsoHyperlink",
                        "p.MsoNormalWeb", "p.MsoAcetate", "span.Char", "span.Char0", "span.Char1", "p.msonormal0"))
        return f"""<html xmlns:v="urn:schemas-microsoft-com:vml"
xmlns:o="urn:schemas-microsoft-com:office:office"
xmlns:w="urn:schemas-microsoft-com:office:word"
xmlns:m="http://schemas.microsoft.com/office/2004/12/omml"
xmlns="http://www.w3.org/TR/REC-html40">

<head>
<meta http-equiv=Content-Type content="text/html; charset=gb2312">
<meta name=ProgId content=Word.Document>
<meta name=Generator content="Microsoft Word 15">
<meta name=Originator content="Microsoft Word 15">
<link rel=File-List href="{escape(title)}.files/filelist.xml">
<title>{escape(title)}</title>
<!--[if gte mso 9]><xml>
 <o:DocumentProperties>
  <o:Author>{escape(author)}</o:Author>
  <o:LastAuthor>{escape(author)}</o:LastAuthor>
  <o:Revision>{self.rng.randint(2, 30)}</o:Revision>
  <o:TotalTime>{self.rng.randint(5, 300)}</o:TotalTime>
  <o:Created>{created}</o:Created>
  <o:LastSaved>{created}</o:LastSaved>
  <o:Pages>{self.rng.randint(4, 8)}</o:Pages>
  <o:Company>Microsoft</o:Company>
  <o:Version>16.00</o:Version>
 </o:DocumentProperties>
</xml><![endif]-->
<!--[if gte mso 9]><xml>
 <w:WordDocument>
  <w:SpellingState>Clean</w:SpellingState>
  <w:GrammarState>Clean</w:GrammarState>
  <w:TrackMoves>false</w:TrackMoves>
  <w:TrackFormatting/>
  <w:PunctuationKerning/>
  <w:DrawingGridVerticalSpacing>7.8 磅</w:DrawingGridVerticalSpacing>
  <w:DisplayHorizontalDrawingGridEvery>0</w:DisplayHorizontalDrawingGridEvery>
  <w:DisplayVerticalDrawingGridEvery>2</w:DisplayVerticalDrawingGridEvery>
  <w:ValidateAgainstSchemas/>
  <w:SaveIfXMLInvalid>false</w:SaveIfXMLInvalid>
  <w:IgnoreMixedContent>false</w:IgnoreMixedContent>
  <w:AlwaysShowPlaceholderText>false</w:AlwaysShowPlaceholderText>
  <w:Compatibility>
   <w:SpaceForUL/>
   <w:BalanceSingleByteDoubleByteWidth/>
   <w:DoNotLeaveBackslashAlone/>
   <w:ULTrailSpace/>
   <w:DoNotExpandShiftReturn/>
   <w:AdjustLineHeightInTable/>
   <w:BreakWrappedTables/>
   <w:SnapToGridInCell/>
   <w:WrapTextWithPunct/>
   <w:UseAsianBreakRules/>
   <w:DontGrowAutofit/>
   <w:UseFELayout/>
  </w:Compatibility>
  <w:BrowserLevel>MicrosoftInternetExplorer4</w:BrowserLevel>
 </w:WordDocument>
</xml><![endif]--><!--[if gte mso 9]><xml>
 <w:LatentStyles DefLockedState="false" DefUnhideWhenUsed="false"
  DefSemiHidden="false" DefQFormat="false" DefPriority="99"
  LatentStyleCount="{len(LATENT)}">
{latent}
 </w:LatentStyles>
</xml><![endif]-->
<style>
<!--
 /* Font Definitions */
{fonts}
 /* Style Definitions */
{classes}
@page WordSection1
\t{{size:595.3pt 841.9pt;
\tmargin:104.9pt 73.7pt 99.2pt 79.4pt;
\tmso-header-margin:42.55pt;
\tmso-footer-margin:49.6pt;
\tmso-paper-source:0;
\tlayout-grid:15.6pt;}}
div.WordSection1
\t{{page:WordSection1;}}
-->
</style>
<!--[if gte mso 10]>
<style>
 table.MsoNormalTable
\t{{mso-style-name:普通表格;
\tmso-tstyle-rowband-size:0;
\tmso-tstyle-colband-size:0;
\tmso-style-noshow:yes;
\tmso-style-priority:99;
\tmso-style-parent:"";
\tmso-padding-alt:0cm 5.4pt 0cm 5.4pt;
\tmso-para-margin:0cm;
\tfont-size:10.5pt;
\tfont-family:"Calibri",sans-serif;}}
</style>
<![endif]--><!--[if gte mso 9]><xml>
 <o:shapedefaults v:ext="edit" spidmax="1026"/>
</xml><![endif]--><!--[if gte mso 9]><xml>
 <o:shapelayout v:ext="edit">
  <o:idmap v:ext="edit" data="1"/>
 </o:shapelayout></xml><![endif]-->
</head>
"""

    def render(self, title: str, author: str, when: dt.date) -> str:
        parts = [self.head(title, author, when),
                 "<body lang=ZH-CN style='tab-interval:21.0pt;text-justify-trim:punctuation'>\n",
                 "<div class=WordSection1 style='layout-grid:15.6pt'>\n"]
        for block in self.doc.blocks:
            if isinstance(block, Para):
                parts.append(self.para(block) + "\n")
            elif isinstance(block, Table):
                parts.append(self.table(block) + "\n")
        parts.append("</div>\n\n</body>\n\n</html>\n")
        return wrap_source("".join(parts))


def render(doc: Doc, style: Style, *, title: str, author: str, when: dt.date, seed: int) -> bytes:
    """Word writes characters outside GB2312 (traditional ones, say) as numeric references."""
    html = WordHtml(doc, style, random.Random(f"synth-word:{seed}")).render(title, author, when)
    return html.encode("gb2312", errors="xmlcharrefreplace")
