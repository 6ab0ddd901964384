"""Page images for OCR: read a greyscale PGM, straighten it, find and erase its ruling lines.

Pure Python on `bytes` (slicing, `translate`, `count` and `re` do the per-pixel work in C),
because the parsers depend on neither numpy nor Pillow. A 300 dpi A4 page is 8.7 million
bytes; every step here is linear in that and takes well under a second.

Why straighten: a scan lies a fraction of a degree askew on the glass, so a table's ruling
lines are not pixel rows and columns, and the lattice reconstruction in `pdflayout` (which
the OCR backend reuses) needs axis-parallel lines. Why erase the lines before OCR: tesseract
reads a cell border as ``|``, ``1`` or ``l`` and merges text across it.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from operator import mul

INK = 160            # grey values below this are ink
FAINT = 215          # …and below this, faint ink: the thin arcs of a 0 that a scan greys out
LONG = 150           # px: a run this long is a ruling line wherever it is (½ inch at 300 dpi)
SHORT = 24           # px: a shorter run is a line only between two long perpendicular lines
THICK = 12           # px: a bundle of runs thicker than this is a filled area, not a line
TOUCH = 8            # px: how close a short line's ends must come to the lines it joins
MAX_SLOPE = 0.035    # about 2°: a steeper page is not a skewed scan; leave it alone


@dataclass
class Gray:
    """An 8-bit greyscale image, row-major, 0 black to 255 white."""

    width: int
    height: int
    pixels: bytearray


@dataclass(frozen=True)
class Line:
    """A ruling line in pixels: horizontal when y0 == y1."""

    x0: int
    y0: int
    x1: int
    y1: int
    thickness: int = 1


def read_pgm(data: bytes) -> Gray:
    """A binary (P5) 8-bit PGM, as ``pdftoppm -gray`` writes it."""
    m = re.match(rb"P5\s+(?:#[^\n]*\n\s*)*(\d+)\s+(\d+)\s+(\d+)\s", data)
    if not m or int(m.group(3)) != 255:
        raise ValueError("not an 8-bit binary PGM")
    width, height = int(m.group(1)), int(m.group(2))
    pixels = bytearray(data[m.end():m.end() + width * height])
    if len(pixels) != width * height:
        raise ValueError("PGM shorter than its header says")
    return Gray(width, height, pixels)


def pgm(img: Gray) -> bytes:
    return b"P5\n%d %d\n255\n" % (img.width, img.height) + bytes(img.pixels)


_MASK = bytes(1 if v < INK else 0 for v in range(256))
_FAINT = bytes(1 if v < FAINT else 0 for v in range(256))


def ink(img: Gray, faint: bool = False) -> bytes:
    """One byte per pixel: 1 for ink (with `faint`, any grey short of paper), 0 for paper."""
    return bytes(img.pixels).translate(_FAINT if faint else _MASK)


def skew(img: Gray) -> float:
    """The slope (dy/dx) of the page's horizontal features: text lines and table rules.

    Compares the ink profiles of two vertical bands a half page apart: the vertical shift that
    lines them up best, over the distance between the bands, is the slope.
    """
    w, h = img.width, img.height
    mask = ink(img)
    band = max(w // 40, 8)
    xa, xb = w // 4, (3 * w) // 4 - band
    pa = [mask[y * w + xa:y * w + xa + band].count(1) for y in range(h)]
    pb = [mask[y * w + xb:y * w + xb + band].count(1) for y in range(h)]
    reach = int(MAX_SLOPE * (xb - xa)) + 1
    if reach * 4 >= h:
        return 0.0
    scores = {d: sum(map(mul, pa[reach:h - reach], pb[reach + d:h - reach + d])) for d in range(-reach, reach + 1)}
    best = max(scores, key=lambda d: (scores[d], -abs(d)))
    if scores[best] == 0 or abs(best) == reach:
        return 0.0
    lo, mid, hi = scores[best - 1], scores[best], scores[best + 1]
    denom = lo - 2 * mid + hi
    frac = 0.5 * (lo - hi) / denom if denom else 0.0  # parabola through the peak: sub-pixel shift
    return (best + frac) / (xb - xa)


def straighten(img: Gray, slope: float) -> Gray:
    """Undo a small rotation whose horizontals have `slope`: two shears, about the centre.

    A vertical shear makes horizontal lines level; a horizontal one then makes vertical lines
    plumb (a rotation by θ is close to the two shears for θ of a degree or two).
    """
    if abs(slope) * max(img.width, img.height) < 1.0:
        return img
    w, h = img.width, img.height
    src = bytes(img.pixels)
    white = b"\xff" * (w + h)
    # vertical shear: column strips, each moved by a whole number of rows
    step = max(8, int(1 / abs(slope)))
    strips = [(x, min(x + step, w), round(slope * (x + step / 2 - w / 2))) for x in range(0, w, step)]
    out = bytearray()
    for y in range(h):
        for x0, x1, dy in strips:
            sy = y + dy
            out += src[sy * w + x0:sy * w + x1] if 0 <= sy < h else white[:x1 - x0]
    # horizontal shear: each row moved by a whole number of pixels
    rows = bytearray()
    for y in range(h):
        dx = round(-slope * (y - h / 2))
        row = out[y * w:(y + 1) * w]
        if dx > 0:
            rows += row[dx:] + white[:dx]
        elif dx < 0:
            rows += white[:-dx] + row[:dx]
        else:
            rows += row
    return Gray(w, h, rows)


def _runs(lines: list[bytes], least: int) -> list[tuple[int, int, int]]:
    """(index of the line, start, end) of every run of ink at least `least` long."""
    pattern = re.compile(rb"\x01{%d,}" % least)
    return [(i, m.start(), m.end()) for i, line in enumerate(lines) for m in pattern.finditer(line)]


def _bundle(runs: list[tuple[int, int, int]]) -> list[tuple[float, int, int, int]]:
    """Runs on neighbouring pixel lines that overlap form one line: (centre, start, end, thickness)."""
    parent = list(range(len(runs)))

    def find(a: int) -> int:
        while parent[a] != a:
            parent[a] = parent[parent[a]]
            a = parent[a]
        return a

    by_line: dict[int, list[int]] = {}
    for k, (i, a, b) in enumerate(runs):
        for j in (i - 1, i - 2):  # a one-pixel break in a faint line is still the same line
            for other in by_line.get(j, ()):
                if runs[other][1] < b and a < runs[other][2]:
                    parent[find(k)] = find(other)
        by_line.setdefault(i, []).append(k)
    groups: dict[int, list[int]] = {}
    for k in range(len(runs)):
        groups.setdefault(find(k), []).append(k)
    out = []
    for members in groups.values():
        first, last = min(runs[k][0] for k in members), max(runs[k][0] for k in members)
        if last - first + 1 > THICK:
            continue
        weight = sum(runs[k][2] - runs[k][1] for k in members)
        centre = sum(runs[k][0] * (runs[k][2] - runs[k][1]) for k in members) / weight
        out.append((centre, min(runs[k][1] for k in members), max(runs[k][2] for k in members), last - first + 1))
    return out


def rulings(img: Gray) -> list[Line]:
    """The ruling lines of an upright page.

    A run of ink half an inch long is a line; a shorter one (a border of a single narrow cell)
    counts only when both its ends touch long perpendicular lines, so strokes of characters
    (一, 丨, a dash) are never taken for borders.
    """
    w, h = img.width, img.height
    mask = ink(img)
    rows = [mask[y * w:(y + 1) * w] for y in range(h)]
    cols = [mask[x::w] for x in range(w)]
    hs = _bundle(_runs(rows, SHORT))
    vs = _bundle(_runs(cols, SHORT))
    long_h = [b for b in hs if b[2] - b[1] >= LONG]
    long_v = [b for b in vs if b[2] - b[1] >= LONG]

    def meets(at: float, along: float, others: list[tuple[float, int, int, int]]) -> bool:
        """A line at position `along` (on the other axis) ends at `at`: does one of `others` pass there?"""
        return any(abs(o[0] - at) <= TOUCH and o[1] - TOUCH <= along <= o[2] + TOUCH for o in others)

    out: list[Line] = []
    for y, a, b, t in hs:
        if b - a >= LONG or (meets(a, y, long_v) and meets(b - 1, y, long_v)):
            out.append(Line(a, round(y), b - 1, round(y), t))
    for x, a, b, t in vs:
        if b - a >= LONG or (meets(a, x, long_h) and meets(b - 1, x, long_h)):
            out.append(Line(round(x), a, round(x), b - 1, t))
    return out


def erase(img: Gray, lines: list[Line], pad: int = 4) -> None:
    """Paint the lines white (their thickness and `pad` pixels either side), in place."""
    w, h = img.width, img.height
    px = img.pixels
    for ln in lines:
        half = ln.thickness // 2 + pad
        if ln.y0 == ln.y1:
            for y in range(max(ln.y0 - half, 0), min(ln.y0 + half + 1, h)):
                a, b = y * w + max(ln.x0 - pad, 0), y * w + min(ln.x1 + pad + 1, w)
                px[a:b] = b"\xff" * (b - a)
        else:
            y0, y1 = max(ln.y0 - pad, 0), min(ln.y1 + pad + 1, h)
            for x in range(max(ln.x0 - half, 0), min(ln.x0 + half + 1, w)):
                px[y0 * w + x:y1 * w + x:w] = b"\xff" * (y1 - y0)


_BLACK_WHITE = bytes(0 if v < 200 else 255 for v in range(256))


def binarize(img: Gray) -> None:
    """Ink black, the rest white, in place. tesseract's own threshold, chosen per image, keeps
    the haze of a JPEG scan and the ghosts of erased lines as strokes, and reads 总计 in a
    narrow cell as 和总计; the fixed threshold that found the ruling lines does not."""
    img.pixels = bytearray(bytes(img.pixels).translate(_BLACK_WHITE))


def is_dash(img: Gray) -> bool:
    """Whether the image's only ink is one short horizontal bar (－, —, -): a cell printed
    blank with a dash, which tesseract tends to return as nothing at all."""
    mask = ink(img)
    w = img.width
    rows = [y for y in range(img.height) if mask.count(1, y * w, (y + 1) * w)]
    if not rows or rows[-1] - rows[0] + 1 > 12 or len(rows) != rows[-1] - rows[0] + 1:
        return False
    band = mask[rows[0] * w:(rows[-1] + 1) * w]
    cols = [x for x in range(w) if 1 in band[x::w]]
    width = cols[-1] - cols[0] + 1
    return 8 <= width <= 160 and 4 * len(cols) >= 3 * width and 2 * width >= 3 * len(rows)


def crop(img: Gray, x0: int, y0: int, x1: int, y1: int, margin: int = 0) -> Gray:
    """The box [x0, x1) × [y0, y1) (clamped to the image), framed by `margin` white pixels."""
    x0, y0, x1, y1 = max(x0, 0), max(y0, 0), min(x1, img.width), min(y1, img.height)
    w = max(x1 - x0, 0) + 2 * margin
    white = b"\xff" * margin
    out = bytearray(b"\xff" * (w * margin))
    for y in range(y0, y1):
        out += white + img.pixels[y * img.width + x0:y * img.width + x1] + white
    out += b"\xff" * (w * margin)
    return Gray(w, max(y1 - y0, 0) + 2 * margin, out)


def blank(img: Gray, x0: int, y0: int, x1: int, y1: int) -> None:
    """Paint a box white, in place."""
    x0, y0, x1, y1 = max(x0, 0), max(y0, 0), min(x1, img.width), min(y1, img.height)
    for y in range(y0, y1):
        img.pixels[y * img.width + x0:y * img.width + x1] = b"\xff" * max(x1 - x0, 0)


def ink_count(img: Gray) -> int:
    return ink(img).count(1)


def _ink_columns(img: Gray, faint: bool = False) -> list[bool] | None:
    """For each column of the image, whether it holds ink; None for a blank image."""
    mask = ink(img, faint)
    w = img.width
    rows = [y for y in range(img.height) if mask.count(1, y * w, (y + 1) * w)]
    if not rows:
        return None
    band = mask[rows[0] * w:(rows[-1] + 1) * w]
    return [1 in band[x::w] for x in range(w)]


def one_glyph(img: Gray) -> bool:
    """Whether the ink fits one character's box (no wider than tall, give or take): a lone
    digit or 汉字, not two digits side by side."""
    cols = _ink_columns(img)
    if cols is None:
        return False
    inked = [x for x, c in enumerate(cols) if c]
    mask = ink(img)
    rows = [y for y in range(img.height) if mask.count(1, y * img.width, (y + 1) * img.width)]
    return inked[-1] - inked[0] + 1 <= 1.2 * (rows[-1] - rows[0] + 1)


def slant(img: Gray) -> float:
    """How far the ink's top quarter lies right of its bottom quarter, in ink heights: about
    0.4 for a slash, near 0 for a 1 (whose flag, if any, points left)."""
    mask = ink(img)
    w = img.width
    rows = [y for y in range(img.height) if mask.count(1, y * w, (y + 1) * w)]
    if len(rows) < 4:
        return 0.0
    height = rows[-1] - rows[0] + 1
    quarter = max(height // 4, 1)

    def centre(ys: list[int]) -> float:
        xs = [x for y in ys for x in range(w) if mask[y * w + x]]
        return sum(xs) / len(xs) if xs else 0.0

    return (centre(rows[:quarter]) - centre(rows[-quarter:])) / height


def glyphs(img: Gray) -> int:
    """How many marks stand side by side, apart by blank columns: the characters of a
    printed number (1, 1 is 2; -81 is 3), since digits, signs and separators do not touch.
    A mark is a run of columns with faint ink holding some real ink, so a 0 whose thin arcs
    faded is one mark, not two, and the haze of a scan none; digits that touch count as
    one, so the count is at most the number of characters."""
    faint, strong = _ink_columns(img, faint=True), _ink_columns(img)
    if faint is None or strong is None:
        return 0
    count, inked = 0, False
    for x, c in enumerate(faint + [False]):
        if c:
            inked = inked or strong[x]
        elif x and faint[x - 1]:
            count += inked
            inked = False
    return count
