"""A lean PDF content-stream interpreter: characters with positions, ruling lines, images.

pdfminer.six's own interpreter and layout analysis cost ~80 ms a page on real reports; this
one tokenises with one regular expression and implements only what table reconstruction
needs (text positioning and showing, the CTM, rectangles and straight path segments,
rectangular clipping — WPS clips every glyph to its cell, LibreOffice hides overflowing
header text that way —, form XObjects), which makes a 5-page report several times faster. pdfminer still does everything
else: the file structure, decryption, stream filters and fonts (encodings, ToUnicode, CMaps,
widths).

Coordinates are returned top-down (y grows downwards from the top of the page's crop box).
"""
from __future__ import annotations

import contextlib
import re
import time
from dataclasses import dataclass, field
from typing import Any

from pdfminer.pdffont import PDFFont
from pdfminer.pdfinterp import PDFResourceManager
from pdfminer.pdftypes import PDFObjRef, PDFStream, resolve1

from parsers.errors import Unreadable
from parsers.textnorm import ideographs

Matrix = tuple[float, float, float, float, float, float]
IDENTITY: Matrix = (1.0, 0.0, 0.0, 1.0, 0.0, 0.0)

# One token per match: a literal string (one level of nesting), a dict bracket, a hex
# string, an array bracket, a name, or a run of regular characters (number or operator).
_TOKENS = re.compile(
    rb"\((?:[^()\\]|\\.|\((?:[^()\\]|\\.)*\))*\)"
    rb"|<<|>>|<[0-9A-Fa-f\x00\t\n\x0c\r ]*>|\[|\]"
    rb"|/[^\x00\t\n\x0c\r ()<>\[\]{}/%]*"
    rb"|[^\x00\t\n\x0c\r ()<>\[\]{}/%]+", re.S)
_COMMENT = re.compile(rb"%[^\r\n]*")
_INLINE_IMAGE = re.compile(rb"(?<![^\x00\t\n\x0c\r ])BI[\x00\t\n\x0c\r ].*?[\x00\t\n\x0c\r ]ID[\x00\t\n\x0c\r ].*?"
                           rb"[\x00\t\n\x0c\r ]EI(?=[\x00\t\n\x0c\r ]|$)", re.S)
_NUMERIC = frozenset(b"0123456789+-.")
# The operators the interpreter handles, as small integers (compared faster than bytes);
# anything else (colours, line styles, marked content, ET, …) is skipped unparsed.
(_q, _Q, _SHOW, _MOVE, _re, _W, _n, _BT, _Tf, _Tm, _PAINT, _m, _l, _CURVE, _h, _cm, _Tstar, _TEXTSTATE,
 _Do, _BI) = range(20)
_CODES: dict[bytes, int] = {
    b"q": _q, b"Q": _Q, b"Tj": _SHOW, b"TJ": _SHOW, b"'": _SHOW, b'"': _SHOW, b"Td": _MOVE, b"TD": _MOVE,
    b"re": _re, b"W": _W, b"W*": _W, b"n": _n, b"BT": _BT, b"Tf": _Tf, b"Tm": _Tm,
    **dict.fromkeys([b"S", b"s", b"f", b"F", b"f*", b"B", b"B*", b"b", b"b*"], _PAINT),
    b"m": _m, b"l": _l, b"c": _CURVE, b"v": _CURVE, b"y": _CURVE, b"h": _h, b"cm": _cm, b"T*": _Tstar,
    **dict.fromkeys([b"Tc", b"Tw", b"Tz", b"TL", b"Ts"], _TEXTSTATE), b"Do": _Do, b"BI": _BI,
}
_STR_SPECIAL = re.compile(rb"[()\\]")
_ESCAPES = {ord("n"): b"\n", ord("r"): b"\r", ord("t"): b"\t", ord("b"): b"\b", ord("f"): b"\f",
            ord("("): b"(", ord(")"): b")", ord("\\"): b"\\"}
_OCTAL = re.compile(rb"[0-7]{1,3}")
_NAME_ESC = re.compile(r"#([0-9A-Fa-f]{2})")
_MARK = object()

MAX_DEPTH = 8              # nested form XObjects
CHECK_EVERY = 8192         # operators between deadline checks
MAX_CACHED_STRINGS = 50_000  # decoded strings kept per document (a hostile PDF shows millions)


def mult(m: Matrix, n: Matrix) -> Matrix:
    """m × n (m applied first), as in the PDF spec."""
    a, b, c, d, e, f = m
    a1, b1, c1, d1, e1, f1 = n
    return (a * a1 + b * c1, a * b1 + b * d1, c * a1 + d * c1, c * b1 + d * d1,
            e * a1 + f * c1 + e1, e * b1 + f * d1 + f1)


class Char:
    """One glyph: its text and box in top-down page coordinates (centre precomputed)."""

    __slots__ = ("text", "x0", "top", "x1", "bottom", "size", "font", "cx", "cy", "run")

    def __init__(self, text: str, x0: float, top: float, x1: float, bottom: float, size: float, font: str,
                 run: int = 0) -> None:
        self.text, self.x0, self.top, self.x1, self.bottom, self.size, self.font = text, x0, top, x1, bottom, size, font
        self.run = run  # which text-showing operator drew it: tells overprinted strings apart
        self.cx = (x0 + x1) / 2
        self.cy = (top + bottom) / 2

    def __repr__(self) -> str:
        return f"Char({self.text!r}, {self.x0:.1f}, {self.top:.1f})"


@dataclass(slots=True)
class Segment:
    """An axis-parallel ruling line: horizontal when y0 == y1 (top-down coordinates)."""
    x0: float
    y0: float
    x1: float
    y1: float


@dataclass
class PageContent:
    width: float
    height: float
    chars: list[Char] = field(default_factory=list)
    segments: list[Segment] = field(default_factory=list)
    images: int = 0
    image_area: float = 0.0
    undecodable: int = 0      # glyphs without a Unicode mapping


class _State:
    __slots__ = ("ctm", "font", "fontname", "size", "charspace", "wordspace", "scaling", "leading", "rise",
                 "clip")

    def __init__(self) -> None:
        self.ctm: Matrix = IDENTITY
        self.font: PDFFont | None = None
        self.fontname = ""
        self.size = 1.0
        self.charspace = 0.0
        self.wordspace = 0.0
        self.scaling = 100.0
        self.leading = 0.0
        self.rise = 0.0
        self.clip: tuple[float, float, float, float] | None = None  # rectangular clip, device space

    def copy(self) -> _State:
        s = _State.__new__(_State)
        s.ctm, s.font, s.fontname, s.size = self.ctm, self.font, self.fontname, self.size
        s.charspace, s.wordspace, s.scaling = self.charspace, self.wordspace, self.scaling
        s.leading, s.rise, s.clip = self.leading, self.rise, self.clip
        return s


class Interpreter:
    """Run one page's content streams; collect chars, ruling segments and images."""

    def __init__(self, rsrc: PDFResourceManager, deadline: float, max_tokens: int = 2_000_000) -> None:
        self.rsrc = rsrc
        self.deadline = deadline
        self.max_tokens = max_tokens
        self.string_cache: dict[tuple[int, bytes], tuple[tuple[int, str | None, float], ...]] = {}  # _glyphs
        self.font_cache: dict[tuple[int, str], PDFFont | None] = {}
        self.runs = 0
        self.keep: list[Any] = []

    def page(self, streams: list[Any], resources: Any, box: tuple[float, float, float, float],
             rotate: int) -> PageContent:
        x0, y0, x1, y1 = box
        width, height = x1 - x0, y1 - y0
        # device space: origin at the top-left of the crop box, y downwards
        base: Matrix = (1, 0, 0, -1, -x0, y1)
        if rotate == 90:
            base = mult((0, -1, 1, 0, -y0, x1), (1, 0, 0, -1, 0, width))
            width, height = height, width
        elif rotate == 180:
            base = (-1, 0, 0, 1, x1, -y0)
        elif rotate == 270:
            base = mult((0, 1, -1, 0, y1, -x0), (1, 0, 0, -1, 0, width))
            width, height = height, width
        self.out = PageContent(width=width, height=height)
        self.tokens = 0
        data = b"\n".join(self._stream_data(s) for s in streams)
        state = _State()
        state.ctm = base
        self._run(data, state, resources, 0)
        return self.out

    @staticmethod
    def _stream_data(stream: Any) -> bytes:
        stream = resolve1(stream)
        if isinstance(stream, PDFStream):
            try:
                return stream.get_data()
            except Exception:  # a broken filter: skip this stream, keep the rest of the page
                return b""
        return b""

    # ------------------------------------------------------------------ the loop
    def _run(self, data: bytes, state: _State, resources: Any, depth: int) -> None:
        res = resolve1(resources) if resources else {}
        if not isinstance(res, dict):
            res = {}
        fonts = resolve1(res.get("Font")) or {}
        xobjects = resolve1(res.get("XObject")) or {}
        stack: list[Any]
        saved: list[_State] = []
        tm: Matrix = IDENTITY
        tlm: Matrix = IDENTITY
        path: list[tuple[str, float, float, float, float]] = []
        cur = (0.0, 0.0)
        start = (0.0, 0.0)
        clipping = False
        steps = operations(data, self.max_tokens)
        self.tokens += len(steps)
        if self.tokens > self.max_tokens:
            raise Unreadable("PDF page content too large")
        codes = _CODES
        for n, (operands, op) in enumerate(steps):
            if not n % CHECK_EVERY and time.monotonic() > self.deadline:
                raise Unreadable("PDF takes too long to read (time limit reached)")
            code = codes.get(op)
            if code is None:
                continue
            # most frequent first (WPS wraps every glyph in q … re W n … Q); operands are parsed
            # only by the operators that use them
            if code == _q:
                if len(saved) < 1000:
                    saved.append(state.copy())
            elif code == _Q:
                if saved:
                    state = saved.pop()
            elif code == _SHOW:
                stack = _operands(operands, op)
                if op == b"'" or op == b'"':
                    if op == b'"' and len(stack) >= 3:
                        state.wordspace, state.charspace = _num(stack[-3]), _num(stack[-2])
                    tlm = (tlm[0], tlm[1], tlm[2], tlm[3], tlm[4] - state.leading * tlm[2],
                           tlm[5] - state.leading * tlm[3])
                    tm = tlm
                seq = stack[-1] if stack else b""
                if isinstance(seq, bytes):
                    seq = [seq]
                if isinstance(seq, list):
                    tm = self._show(seq, tm, state)
            elif code == _MOVE:  # Td, TD
                if (nums := _numbers(operands, op, 2)) is None:
                    continue
                tx, ty = nums
                if op == b"TD":
                    state.leading = -ty
                tlm = (tlm[0], tlm[1], tlm[2], tlm[3], tx * tlm[0] + ty * tlm[2] + tlm[4],
                       tx * tlm[1] + ty * tlm[3] + tlm[5])
                tm = tlm
            elif code == _re:
                if (nums := _numbers(operands, op, 4)) is not None:
                    x, y, w, h = nums
                    path.append(("re", x, y, w, h))
                    cur = start = (x, y)
            elif code == _W:
                clipping = True
            elif code == _n:
                if clipping:
                    state.clip = _clip(path, state.ctm, state.clip)
                    clipping = False
                path = []
            elif code == _BT:
                tm = tlm = IDENTITY
            elif code == _Tf:
                stack = _operands(operands, op)
                if len(stack) >= 2:
                    ref = stack[-2]
                    state.size = _num(stack[-1])
                    if isinstance(ref, tuple):
                        state.fontname = ref[1]
                        state.font = self._font(fonts, ref[1])
            elif code == _Tm:
                if (nums := _numbers(operands, op, 6)) is not None:
                    tlm = tm = tuple(nums)  # type: ignore[assignment]
            elif code == _PAINT:
                if op in (b"s", b"b", b"b*") and cur != start:
                    path.append(("l", cur[0], cur[1], start[0], start[1]))
                self._paint(path, state.ctm)
                if clipping:
                    state.clip = _clip(path, state.ctm, state.clip)
                    clipping = False
                path = []
            elif code == _m:
                if (nums := _numbers(operands, op, 2)) is not None:
                    cur = start = (nums[0], nums[1])
            elif code == _l:
                if (nums := _numbers(operands, op, 2)) is not None:
                    path.append(("l", cur[0], cur[1], nums[0], nums[1]))
                    cur = (nums[0], nums[1])
            elif code == _CURVE:
                stack = _operands(operands, op)
                if len(stack) >= 2:
                    cur = (_num(stack[-2]), _num(stack[-1]))
            elif code == _h:
                if cur != start:
                    path.append(("l", cur[0], cur[1], start[0], start[1]))
                cur = start
            elif code == _cm:
                if (nums := _numbers(operands, op, 6)) is not None:
                    state.ctm = mult(tuple(nums), state.ctm)  # type: ignore[arg-type]
            elif code == _Tstar:
                tlm = (tlm[0], tlm[1], tlm[2], tlm[3], tlm[4] - state.leading * tlm[2],
                       tlm[5] - state.leading * tlm[3])
                tm = tlm
            elif code == _TEXTSTATE:  # Tc Tw Tz TL Ts
                stack = _operands(operands, op)
                if stack:
                    value = _num(stack[-1])
                    if op == b"Tc":
                        state.charspace = value
                    elif op == b"Tw":
                        state.wordspace = value
                    elif op == b"Tz":
                        state.scaling = value
                    elif op == b"TL":
                        state.leading = value
                    else:
                        state.rise = value
            elif code == _Do:
                stack = _operands(operands, op)
                if stack and isinstance(stack[-1], tuple):
                    self._xobject(xobjects, stack[-1][1], state, res, depth)
            elif code == _BI:
                self._image(state.ctm)

    # ------------------------------------------------------------------ text showing
    def _show(self, seq: list[Any], tm: Matrix, state: _State) -> Matrix:
        font = state.font
        if font is None:
            return tm
        size = state.size
        hscale = state.scaling * 0.01
        charspace = state.charspace * hscale
        wordspace = 0.0 if font.is_multibyte() else state.wordspace * hscale
        # [size·hscale 0 0 size 0 rise] × Tm × CTM, written out (this runs once per glyph run)
        ma, mb, mc, md, me, mf = tm
        ca, cb, cc, cd, ce, cf = state.ctm
        ta_, tb_ = ma * ca + mb * cc, ma * cb + mb * cd
        tc_, td_ = mc * ca + md * cc, mc * cb + md * cd
        te_, tf_ = me * ca + mf * cc + ce, me * cb + mf * cd + cf
        sh, rise = size * hscale, state.rise
        a, b = sh * ta_, sh * tb_
        c, d = size * tc_, size * td_
        e, f = rise * tc_ + te_, rise * td_ + tf_
        ta, tb, tc, td = tm[0], tm[1], tm[2], tm[3]
        upright = b == 0 and c == 0
        self.runs += 1
        run = self.runs
        em = size * hscale
        clip = state.clip
        glyph_size = max(abs(d), abs(c)) or abs(size)
        x = 0.0  # text-space advance along the line
        fid = id(font)
        strings = self.string_cache
        chars = self.out.chars
        fontname = state.fontname
        for item in seq:
            if isinstance(item, (int, float)):
                x -= item * 0.001 * size * hscale
                continue
            if not isinstance(item, bytes):
                continue
            glyphs = strings.get((fid, item))
            if glyphs is None:
                glyphs = self._glyphs(font, item)
                if len(strings) < MAX_CACHED_STRINGS:
                    strings[(fid, item)] = glyphs
            for cid, text, w in glyphs:
                adv = w * size * hscale
                if text is None:
                    self.out.undecodable += 1
                    text = "\ufffd"
                if text.strip():
                    # glyph box in unscaled text space: [x, x + w] × [-0.12, 0.88] (em units)
                    gx = x / em if em else 0.0
                    if upright:
                        px0, px1 = gx * a + e, (gx + w) * a + e
                        py0, py1 = -0.12 * d + f, 0.88 * d + f
                        if px0 > px1:
                            px0, px1 = px1, px0
                        if py0 > py1:
                            py0, py1 = py1, py0
                        if clip is None or (clip[0] - 1 <= (px0 + px1) / 2 <= clip[2] + 1
                                            and clip[1] - 1 <= (py0 + py1) / 2 <= clip[3] + 1):
                            chars.append(Char(text, px0, py0, px1, py1, glyph_size, fontname, run))
                    else:
                        pts = ((gx, -0.12), (gx + w, -0.12), (gx, 0.88), (gx + w, 0.88))
                        xs = [px * a + py * c + e for px, py in pts]
                        ys = [px * b + py * d + f for px, py in pts]
                        chars.append(Char(text, min(xs), min(ys), max(xs), max(ys), glyph_size, fontname, run))
                x += adv + charspace
                if cid == 32 and wordspace:
                    x += wordspace
        # advance the text matrix by the distance shown
        return (ta, tb, tc, td, x * ta + tm[4], x * tb + tm[5])

    def _glyphs(self, font: PDFFont, string: bytes) -> tuple[tuple[int, str | None, float], ...]:
        """(cid, text or None when unmapped, width) of each glyph of one shown string; cached
        per font and string, since reports show the same digits and labels over and over."""
        try:
            cids = font.decode(string)
        except Exception:
            return ()
        out = []
        for cid in cids:
            try:
                text = ideographs(font.to_unichr(cid))
            except Exception:  # PDFUnicodeNotDefined, or a broken font program
                text = None
            try:
                w = font.char_width(cid)
            except Exception:
                w = 0.5
            out.append((cid, text, w))
        return tuple(out)

    def _font(self, fonts: Any, name: str) -> PDFFont | None:
        key = (id(fonts), name)
        if key not in self.font_cache:  # failures too: a broken font is looked up once
            self.font_cache[key] = self._load_font(fonts, name)
            self.keep.append(fonts)   # the id stays valid while the page runs
        return self.font_cache[key]

    def _load_font(self, fonts: Any, name: str) -> PDFFont | None:
        fonts = resolve1(fonts)
        if not isinstance(fonts, dict) or name not in fonts:
            return None
        spec = fonts[name]
        objid = spec.objid if isinstance(spec, PDFObjRef) else None
        try:
            spec = resolve1(spec)
            if not isinstance(spec, dict):
                return None
            return self.rsrc.get_font(objid, spec)
        except Exception:  # a broken font dictionary: its text is lost, the page goes on
            return None

    # ------------------------------------------------------------------ paths
    def _paint(self, path: list[tuple[str, float, float, float, float]], ctm: Matrix) -> None:
        segs = self.out.segments
        a, b, c, d, e, f = ctm

        def tr(x: float, y: float) -> tuple[float, float]:
            return x * a + y * c + e, x * b + y * d + f

        for kind, p, q, r, s in path:
            if kind == "re":
                (x0, y0), (x1, y1) = tr(p, q), tr(p + r, q + s)
                if x0 > x1:
                    x0, x1 = x1, x0
                if y0 > y1:
                    y0, y1 = y1, y0
                w, h = x1 - x0, y1 - y0
                if h <= 2.5 and w > 2.5:
                    segs.append(Segment(x0, (y0 + y1) / 2, x1, (y0 + y1) / 2))
                elif w <= 2.5 and h > 2.5:
                    segs.append(Segment((x0 + x1) / 2, y0, (x0 + x1) / 2, y1))
                elif w > 2.5 and h > 2.5 and w * h < 0.5 * self.out.width * self.out.height:
                    segs += [Segment(x0, y0, x1, y0), Segment(x0, y1, x1, y1),
                             Segment(x0, y0, x0, y1), Segment(x1, y0, x1, y1)]
            else:
                (x0, y0), (x1, y1) = tr(p, q), tr(r, s)
                if abs(y0 - y1) < 1.0 and abs(x1 - x0) > 2.5:
                    segs.append(Segment(min(x0, x1), (y0 + y1) / 2, max(x0, x1), (y0 + y1) / 2))
                elif abs(x0 - x1) < 1.0 and abs(y1 - y0) > 2.5:
                    segs.append(Segment((x0 + x1) / 2, min(y0, y1), (x0 + x1) / 2, max(y0, y1)))

    # ------------------------------------------------------------------ XObjects
    def _xobject(self, xobjects: Any, name: str, state: _State, parent_res: Any, depth: int) -> None:
        xobjects = resolve1(xobjects)
        if not isinstance(xobjects, dict) or name not in xobjects:
            return
        xobj = resolve1(xobjects[name])
        if not isinstance(xobj, PDFStream):
            return
        subtype = xobj.get("Subtype")
        subtype = getattr(subtype, "name", subtype)
        if subtype == "Image":
            self._image(state.ctm)
        elif subtype == "Form" and depth < MAX_DEPTH:
            inner = state.copy()
            matrix = resolve1(xobj.get("Matrix")) or IDENTITY
            with contextlib.suppress(TypeError, ValueError):
                inner.ctm = mult(tuple(_num(v) for v in matrix), state.ctm)  # type: ignore[arg-type]
            res = xobj.get("Resources") or parent_res
            self._run(self._stream_data(xobj), inner, res, depth + 1)

    def _image(self, ctm: Matrix) -> None:
        self.out.images += 1
        a, b, c, d = ctm[:4]
        self.out.image_area += abs(a * d - b * c)


_NUMERIC_OPS = frozenset([b"cm", b"re", b"Tm", b"Td", b"TD", b"m", b"l", b"c", b"v", b"y", b"Tc", b"Tw",
                          b"Tz", b"TL", b"Ts"])
Step = tuple[bytes | list[bytes], bytes]
_OPERATOR = re.compile(rb"(?:(?<=[\x00\t\n\x0c\r \]\)>])|^)([A-Za-z'\"][A-Za-z0-9*'\"]*)(?=[\x00\t\n\x0c\r \[\(/<%]|$)")


def operations(data: bytes, max_tokens: int = 2_000_000) -> list[Step]:
    """The content stream as (operands, operator) pairs; operands stay unparsed bytes until
    the interpreter asks (colours, clipping, graphics state are never looked at). Operators
    are found by one C-level split; a stream that split cannot read exactly (comments, a
    string holding parentheses or an operator-like word) goes through `tokenize` instead."""
    if b"BI" in data:
        data = _INLINE_IMAGE.sub(b" BI ", data)
    if len(data) > max_tokens:
        tokenize(data, max_tokens)  # refuses a stream with too many tokens
    if b"%" not in data:
        parts = _OPERATOR.split(data)
        if (b"(" not in data and b")" not in data) or all(
                p.count(b"(") == p.count(b")") for p in parts[::2] if b"(" in p or b")" in p):
            return list(zip(parts[0:-1:2], parts[1::2], strict=True))
    return _group(tokenize(data, max_tokens))


def _group(tokens: list[bytes]) -> list[Step]:
    out: list[Step] = []
    pending: list[bytes] = []
    for tok in tokens:
        first = tok[0]
        if (0x41 <= first <= 0x5A or 0x61 <= first <= 0x7A or first in (0x27, 0x22)) \
                and tok not in (b"true", b"false", b"null"):
            out.append((pending, tok))
            pending = []
        else:
            pending.append(tok)
    return out


def _operands(operands: bytes | list[bytes], op: bytes) -> list[Any]:
    """The operand values of one operator (numbers, names, strings, arrays)."""
    if isinstance(operands, bytes):
        if op in _NUMERIC_OPS:
            try:
                return [float(x) for x in operands.split()]
            except ValueError:
                pass
        elif op == b"Tj":
            one = operands.strip()
            if one[:1] == b"<" and one[-1:] == b">" and one[:2] != b"<<":
                try:
                    return [bytes.fromhex(one[1:-1].decode("ascii"))]
                except ValueError:
                    pass
        elif op == b"Tf":
            parts = operands.split()
            if len(parts) == 2 and parts[0][:1] == b"/" and b"#" not in parts[0]:
                try:
                    return [("/", parts[0][1:].decode("latin-1")), float(parts[1])]
                except ValueError:
                    pass
        tokens = _TOKENS.findall(operands)
    else:
        if op in _NUMERIC_OPS:
            try:
                return [float(x) for x in operands]
            except ValueError:
                pass
        tokens = operands
    stack: list[Any] = []
    for tok in tokens:
        first = tok[0]
        if first in _NUMERIC:
            try:
                stack.append(float(tok))
            except ValueError:
                stack.append(0.0)
        elif first == 0x2F:  # /Name
            name = tok[1:].decode("latin-1")
            if "#" in name:
                name = _NAME_ESC.sub(lambda m: chr(int(m.group(1), 16)), name)
            stack.append(("/", name))
        elif first == 0x28:  # (string)
            stack.append(_literal(tok, 1)[0])
        elif first == 0x3C:  # <hex> or <<
            if tok == b"<<":
                stack.append(_MARK)
            else:
                try:
                    stack.append(bytes.fromhex(tok[1:-1].decode("ascii")))
                except ValueError:  # odd number of digits (a trailing 0 is implied), or NULs
                    h = re.sub(rb"[\x00\t\n\x0c\r ]", b"", tok[1:-1])
                    stack.append(bytes.fromhex((h + b"0" if len(h) % 2 else h).decode("ascii")))
        elif first == 0x5B:  # [
            stack.append(_MARK)
        elif first == 0x5D or tok == b">>":
            items = []
            while stack:
                item = stack.pop()
                if item is _MARK:
                    break
                items.append(item)
            items.reverse()
            stack.append(items if first == 0x5D else None)
        else:
            stack.append(None)  # true, false, null
    return stack


def tokenize(data: bytes, max_tokens: int = 2_000_000) -> list[bytes]:
    """The raw tokens of a content stream. One C-level regex pass handles nearly every
    stream; one with comments or deeper-nested strings goes the slow, exact way. A stream
    with more than `max_tokens` tokens is refused before its tokens fill the memory."""
    if len(data) > max_tokens:  # could hold more tokens than allowed: count them lazily first
        for count, _ in enumerate(_TOKENS.finditer(data)):
            if count >= max_tokens:
                raise Unreadable("PDF page content too large (too many drawing operators)")
    if b"BI" in data:
        data = _INLINE_IMAGE.sub(b" BI ", data)
    tokens = _TOKENS.findall(data)
    if _TOKENS.sub(b"", data).strip(b"\x00\t\n\x0c\r "):
        return _slow_tokens(data)
    return tokens


def _slow_tokens(data: bytes) -> list[bytes]:
    out: list[bytes] = []
    pos, end = 0, len(data)
    while pos < end:
        ch = data[pos]
        if ch in b"\x00\t\n\x0c\r ":
            pos += 1
        elif ch == 0x25:  # % comment
            m = _COMMENT.match(data, pos)
            pos = m.end() if m else end
        elif ch == 0x28:
            _, stop = _literal(data, pos + 1)
            out.append(data[pos:stop])
            pos = stop
        elif ch in b")>{}" and data[pos:pos + 2] != b">>":
            pos += 1  # stray delimiter
        else:
            m = _TOKENS.match(data, pos)
            if m is None:
                pos += 1
                continue
            out.append(m.group())
            pos = m.end()
    return out


def _clip(path: list[tuple[str, float, float, float, float]], ctm: Matrix,
          current: tuple[float, float, float, float] | None) -> tuple[float, float, float, float] | None:
    """The clip after `re … W n`: the rectangle (in device space) intersected with the current
    one. Other clipping paths are not followed (text inside them counts as visible)."""
    if len(path) != 1 or path[0][0] != "re":
        return current
    _, x, y, w, h = path[0]
    a, b, c, d, e, f = ctm
    xs = [px * a + py * c + e for px, py in ((x, y), (x + w, y + h))]
    ys = [px * b + py * d + f for px, py in ((x, y), (x + w, y + h))]
    box = (min(xs), min(ys), max(xs), max(ys))
    if current is None:
        return box
    return (max(box[0], current[0]), max(box[1], current[1]), min(box[2], current[2]), min(box[3], current[3]))


def _numbers(operands: bytes | list[bytes], op: bytes, k: int) -> list[float] | None:
    """The last ``k`` operands as numbers (None when there are fewer): the plain case —
    exactly ``k`` numbers — without tokenising."""
    if isinstance(operands, bytes):
        parts = operands.split()
        if len(parts) == k:
            try:
                return [float(x) for x in parts]
            except ValueError:
                pass
    stack = _operands(operands, op)
    return [_num(v) for v in stack[-k:]] if len(stack) >= k else None


def _num(v: Any) -> float:
    if isinstance(v, (int, float)):
        return float(v)
    return 0.0


def _literal(data: bytes, pos: int) -> tuple[bytes, int]:
    """A literal string starting just after its '(' at pos; returns (bytes, position after ')')."""
    out = bytearray()
    depth = 1
    n = len(data)
    while pos < n:
        m = _STR_SPECIAL.search(data, pos)
        if m is None:
            out += data[pos:]
            return bytes(out), n
        out += data[pos:m.start()]
        ch = data[m.start()]
        pos = m.end()
        if ch == 0x5C:  # backslash
            if pos >= n:
                break
            nxt = data[pos]
            if nxt in _ESCAPES:
                out += _ESCAPES[nxt]
                pos += 1
            elif 0x30 <= nxt <= 0x37:
                om = _OCTAL.match(data, pos)
                assert om is not None
                out.append(int(om.group(), 8) & 0xFF)
                pos = om.end()
            elif nxt == 0x0D:
                pos += 2 if data[pos + 1:pos + 2] == b"\n" else 1
            elif nxt == 0x0A:
                pos += 1
            else:
                out.append(nxt)
                pos += 1
        elif ch == 0x28:
            depth += 1
            out.append(ch)
        else:
            depth -= 1
            if depth == 0:
                return bytes(out), pos
            out.append(ch)
    return bytes(out), n
