"""HTML as portals serve it: the report's body fragment, and the fragment inside a detail page.

Body dialects (``Style.body``): ``plain`` (a CMS editor's clean markup), ``ueditor`` (Baidu
UEditor, the editor most county CMSs embed: inline font spans, ``firstRow``), ``word_paste``
(Word content pasted into the editor: MsoNormal paragraphs, ``<o:p>``, spans). Detail-page
chrome (``Style.chrome``) follows the platform families of research/portals.md: TRS
(``div.TRS_Editor``, ArticleTitle/PubDate meta), Hanweb (ContentStart/ContentEnd meta,
``table.xxgk_table`` metadata), Zhengzhou-style ``?a=dir`` pages, a county platform with a
department tree, and a generic template.
"""
from __future__ import annotations

import random
from html import escape

from tests.synth.doc import Cell, Doc, Para, Table
from tests.synth.style import Style

NUMERIC = set("0123456789.+-－")


def _split(text: str, rng: random.Random, span: str) -> str:
    """A number split across spans, as editors leave it after a correction."""
    if len(text) < 2 or not set(text) <= NUMERIC:
        return escape(text)
    i = rng.randint(1, len(text) - 1)
    return f"{span}{escape(text[:i])}</span>{span}{escape(text[i:])}</span>"


class Fragment:
    """Writes the report body in one editor dialect."""

    def __init__(self, doc: Doc, style: Style, rng: random.Random) -> None:
        self.doc, self.style, self.rng = doc, style, rng
        self.font = style.font

    # ---------------------------------------------------------------- paragraphs
    def para(self, p: Para) -> str:
        text = escape(p.text)
        body = self.style.body
        if p.role == "title":
            if body == "word_paste":
                return (f'<p class="MsoNormal" align="center" style="text-align:center"><b><span style="font-size:'
                        f'22.0pt;font-family:方正小标宋简体">{text}</span></b></p>')
            return f'<p style="text-align: center;"><strong><span style="font-size: 24px;">{text}</span></strong></p>'
        align = {"signature": "right", "date": "right"}.get(p.role, "justify")
        indent = "" if p.role in ("signature", "date") else "text-indent:2em;"
        weight = p.role in ("heading", "caption")
        if body == "word_paste":
            inner = f'<span style="font-size:16.0pt;font-family:{self.font}">{text}</span>'
            if weight:
                inner = f"<b>{inner}</b>"
            return (f'<p class="MsoNormal" style="{indent}text-align:{align};line-height:28.0pt">{inner}'
                    f'<span lang="EN-US" style="font-size:16.0pt"><o:p></o:p></span></p>')
        if body == "ueditor":
            inner = f'<span style="font-family: {self.font}, 仿宋; font-size: 16px;">{text}</span>'
            if weight:
                inner = f"<strong>{inner}</strong>"
            return f'<p style="{indent.replace(":", ": ")} line-height: 1.75em; text-align: {align};">{inner}</p>'
        inner = f"<strong>{text}</strong>" if weight else text
        return f'<p style="{indent}text-align:{align}">{inner}</p>'

    # ---------------------------------------------------------------- tables
    def cell_content(self, cell: Cell) -> str:
        body = self.style.body
        if cell.blank == "nbsp":
            return "&nbsp;"
        if cell.blank == "o:p":
            return '<p class="MsoNormal" align="center"><span lang="EN-US"><o:p></o:p></span></p>'
        if cell.vertical and self.rng.random() < 0.5:
            return "<br/>".join(escape(ch) for ch in cell.text)
        if cell.role == "num" and self.style.split_numbers:
            span = '<span lang="EN-US">' if body == "word_paste" else '<span style="font-size: 14px;">'
            text = _split(cell.text, self.rng, span)
        elif cell.role == "head" and self.style.wrap_labels and len(cell.text) > 5 and self.rng.random() < 0.5:
            half = len(cell.text) // 2
            text = escape(cell.text[:half]) + "<br/>" + escape(cell.text[half:])
        else:
            text = escape(cell.text)
        if body == "word_paste":
            return (f'<p class="MsoNormal" align="center" style="text-align:center"><span style="font-size:10.5pt;'
                    f'font-family:宋体">{text}</span></p>')
        if body == "ueditor" and cell.role != "num":
            return f'<span style="font-family: 宋体; font-size: 14px;">{text}</span>'
        return text

    def table(self, t: Table, width_px: int = 640) -> str:
        body = self.style.body
        if body == "word_paste":
            start = ('<table class="MsoNormalTable" border="1" cellspacing="0" cellpadding="0" '
                     'style="border-collapse:collapse;border:none">')
        elif body == "ueditor":
            start = f'<table width="{width_px}" data-sort="sortDisabled">'
        else:
            start = '<table border="1" cellspacing="0" cellpadding="0" style="border-collapse:collapse;width:100%">'
        rows = []
        for r, row in enumerate(t.rows):
            cells = []
            for cell in row:
                attrs = ""
                if cell.rowspan > 1:
                    attrs += f' rowspan="{cell.rowspan}"'
                if cell.colspan > 1:
                    attrs += f' colspan="{cell.colspan}"'
                if body == "ueditor":
                    attrs += ' valign="middle" align="center" style="border-color: rgb(0, 0, 0); word-break: break-all;"'
                elif body == "word_paste":
                    attrs += ' valign="center" style="border:solid windowtext 1.0pt;padding:0cm 5.4pt 0cm 5.4pt"'
                if cell.vertical:
                    attrs += ' width="24"'
                if cell.rotated:
                    attrs = attrs.replace(' style="', ' style="writing-mode: vertical-rl; ') if ' style="' in attrs \
                        else attrs + ' style="writing-mode: vertical-rl"'
                tag = "th" if self.style.header_th and cell.role == "head" else "td"
                cells.append(f"<{tag}{attrs}>{self.cell_content(cell)}</{tag}>")
            cls = ' class="firstRow"' if body == "ueditor" and r == 0 else ""
            rows.append(f"<tr{cls}>" + "".join(cells) + "</tr>")
        return start + "<tbody>" + "\n".join(rows) + "</tbody></table>"

    def render(self) -> str:
        parts = []
        for block in self.doc.blocks:
            if isinstance(block, Para):
                parts.append(self.para(block))
            elif isinstance(block, Table):
                parts.append(self.table(block))
        return "\n".join(parts)


def fragment(doc: Doc, style: Style, seed: int) -> str:
    return Fragment(doc, style, random.Random(f"synth-html:{seed}")).render()
