"""Text normalisation shared by every layer: width, script, spacing, numbering.

Reports print the same label in many ways: full- or half-width brackets and digits, spaces
inside words (PDF extraction, `自然 人`), traditional characters, curly or straight quotes.
Matching is done on `fold(text)`, which removes all of that; what the report printed is kept
separately for `where.text`.
"""
from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from parsers._t2s import T2S

# Full-width ASCII (U+FF01–FF5E) to ASCII, the ideographic space to a space, and a few
# look-alike punctuation marks that reports use interchangeably.
_WIDTH = {cp: cp - 0xFEE0 for cp in range(0xFF01, 0xFF5F)}
_WIDTH.update({0x3000: 0x20, 0x00A0: 0x20, 0x2002: 0x20, 0x2003: 0x20, 0x2009: 0x20, 0x200B: None,
               0xFEFF: None, 0x3001: ord("、"), 0xFF64: ord("、"),
               0x2212: ord("-"), 0x2013: ord("-"), 0x2014: ord("-"), 0x2015: ord("-"), 0x2500: ord("-"),
               0x3014: ord("("), 0x3015: ord(")"), 0x3010: ord("["), 0x3011: ord("]"),
               0x201C: ord('"'), 0x201D: ord('"'), 0x2018: ord("'"), 0x2019: ord("'"),
               0x300C: ord('"'), 0x300D: ord('"'), 0x300E: ord('"'), 0x300F: ord('"'),
               0xFF0E: ord("."), 0x2024: ord("."), 0x00B7: ord("."), 0x30FB: ord(".")})
_WIDTH.update(T2S)

# Radical and compatibility code points some PDF writers (Chrome's Skia, fonts with odd cmaps)
# put in ToUnicode maps for ordinary ideographs: ⼯ (U+2F2F) for 工, ⺠ (U+2EA0) for 民,
# 年 (U+F98E) for 年. NFKC knows the Kangxi radicals and compatibility ideographs; the
# simplified-form radicals of the supplement block it does not, so they are listed.
RADICALS: dict[int, int] = {
    cp: ord(unicodedata.normalize("NFKC", chr(cp)))
    for cp in (*range(0x2F00, 0x2FD6), *range(0xF900, 0xFADA))
    if len(unicodedata.normalize("NFKC", chr(cp))) == 1
}
RADICALS.update({ord(k): ord(v) for k, v in zip(
    "⺁⺇⺈⺊⺌⺗⺝⺟⺠⺢⺣⺧⺩⺫⺬⺮⺶⺷⻀⻁⻂⻄⻅⻆⻈⻉⻊⻋⻌⻍⻏⻑⻓⻔⻖⻗⻘⻙⻚⻛⻜⻝⻟⻠⻢⻣⻤⻥⻦⻨⻩⻬⻮⻰⻳",
    "厂几刀卜小心月母民水火牛王目示竹羊羊糸虎衣西见角讠贝足车辶辶阝長长门阝雨青韦页风飞食食饣马骨鬼鱼鸟麦黄齐齿龙龟",
    strict=True)})
_WIDTH.update({k: _WIDTH.get(v, v) for k, v in RADICALS.items()})


def ideographs(text: str) -> str:
    """Radicals and compatibility ideographs to the ordinary ideographs they stand for."""
    return text.translate(RADICALS)

_SPACE = re.compile(r"\s+")
_PUNCT = re.compile(r"[\s\"'“”‘’、,，.。:：;；!！?？()（）\[\]【】<>《》〈〉/\\|_*#~·•…-]+")


def halfwidth(text: str) -> str:
    """Full-width forms to ASCII, traditional to simplified characters, unify look-alikes."""
    return text.translate(_WIDTH)


def squash(text: str) -> str:
    """`halfwidth` and no whitespace at all: the form used to compare labels and numbers."""
    return _SPACE.sub("", halfwidth(text))


def clean(text: str) -> str:
    """Collapse runs of whitespace to one space and strip; keeps the printed characters."""
    return _SPACE.sub(" ", text).strip()


# Numbering in front of a label: 一、 (一) 1. 1、 ①, possibly several (三、(三)1.).
NUMBERING = re.compile(
    r"(?:[一二三四五六七八九十]{1,3}\s*[、.]"
    r"|\(\s*[一二三四五六七八九十\d]{1,3}\s*\)"
    r"|(?<![\d.])\d{1,2}\s*[、.](?!\d)"
    r"|[①②③④⑤⑥⑦⑧⑨⑩])")


# Interchangeable wordings, folded to the one the schema uses.
_SYNONYMS = (("其它", "其他"), ("合计", "总计"), ("反覆", "反复"), ("帐", "账"))


@lru_cache(maxsize=65536)
def fold(text: str) -> str:
    """The comparison key of a label: no numbering, punctuation, spaces; simplified, half-width."""
    text = _PUNCT.sub("", NUMBERING.sub("", halfwidth(text)))
    for variant, canonical in _SYNONYMS:
        if variant in text:
            text = text.replace(variant, canonical)
    return text


def segments(text: str) -> list[str]:
    """Split a label at its numbering markers: `三、本年度办理结果(三)不予公开1.属于国家秘密`
    gives `["本年度办理结果", "不予公开", "属于国家秘密"]` (folded). The last segment is the most
    specific one; the others name the row group."""
    return list(_segments(text))


@lru_cache(maxsize=16384)
def _segments(text: str) -> tuple[str, ...]:
    parts = NUMBERING.split(halfwidth(text))
    return tuple(f for f in (fold(p) for p in parts) if f)


def cjk_count(text: str) -> int:
    return sum(1 for ch in text if "\u4e00" <= ch <= "\u9fff")
