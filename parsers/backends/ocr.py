"""OCR of PDFs without a usable text layer: pdftoppm pages, tesseract words, the same neutral
document the text-PDF path builds.

Each page is rasterised by poppler's ``pdftoppm`` (greyscale, 300 dpi, fewer dots for huge
pages), straightened and stripped of its ruling lines (`raster`). The lines become
`pdfcontent.Segment`s and the words tesseract reads become `pdfcontent.Char`s, in PDF
points, and `pdflayout.layout_page` rebuilds tables and paragraphs from them exactly as for a
text PDF: the lattice of ruling lines gives rows, columns and merged cells, so a misread
never moves a number into another cell.

Only run when asked (``Limits.ocr``: ``NIANBAO_OCR=1``, ``nianbao parse --ocr``): OCR takes
seconds a page, and what it reads is vetted afterwards (`parsers.report.vet_ocr`). Bounded:
at most ``Limits.ocr_pages`` pages, ``Limits.ocr_timeout`` seconds a page (all its tool runs),
one page image in memory at a time, in a private temporary directory removed afterwards. A missing
tool or language is a `NeedsOcr` that says so.
"""
from __future__ import annotations

import io
import os
import re
import shutil
import subprocess
import tempfile
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path

from parsers.backends import raster
from parsers.backends.pdfcontent import Char, PageContent, Segment
from parsers.backends.pdflayout import cell_boxes, layout_page
from parsers.document import UNREADABLE, Document
from parsers.errors import NeedsOcr
from parsers.limits import Limits
from parsers.numbers import read_number

DPI = 300
MAX_PIXELS = 20_000_000     # a page over 20 Mpx (larger than A3 at 300 dpi) is rendered with fewer dots
INSET = 8                   # px: a cell is read inside its borders (erased, but their edges linger)
MARGIN = 16                 # px of white around a cell's image: tesseract wants a quiet frame
MIN_INK = 40                # px of ink: less is a speck, not a character
SLASH = 0.12                # slant (ink heights) above which a lone 1 is a slash: / is ~0.22, 1 ≤ 0
CHINESE, MIXED = "chi_sim", "chi_sim+eng"
ENGINE = f"tesseract {MIXED}"

_HAN = re.compile(r"[\u4e00-\u9fff]")
_DIGIT = re.compile(r"\d")
_ONE = re.compile(r"[+\-]?[\dlI\]][\dlI\],.]*")  # 1 read as l, I or ] (a serif 1), among digits
_ONES = str.maketrans("lI]", "111")
_SLASHLIKE = frozenset("/1lI]|")
_LOOKALIKE = str.maketrans("|lIi]SsOo", "111115500")  # eng's letters for digits, to compare with chi_sim
_SIGN = re.compile(r"^[一—―─－](?=\d)")  # a minus read as 一 or a dash: only before a digit

Word = tuple[tuple[str, ...], str, int, int, int, int]  # (line id, text, left, top, width, height)
Reader = Callable[[str, list[raster.Gray], str], dict[int, list[Word]]]  # (language, images, psm)


def tools(timeout: float = 30.0) -> tuple[str, str]:
    """Paths of pdftoppm and tesseract; NeedsOcr naming what is missing (tesseract-ocr brings
    eng, tesseract-ocr-chi-sim the Chinese model)."""
    pdftoppm, tesseract = shutil.which("pdftoppm"), shutil.which("tesseract")
    if not pdftoppm:
        raise NeedsOcr("OCR unavailable: pdftoppm not found (install poppler-utils)")
    if not tesseract:
        raise NeedsOcr("OCR unavailable: tesseract not found (install tesseract-ocr and tesseract-ocr-chi-sim)")
    listed = _run([tesseract, "--list-langs"], time.monotonic() + timeout, "tesseract --list-langs")
    listed = listed.decode("utf-8", "replace")
    missing = {"chi_sim", "eng"} - set(listed.split()[1:])
    if missing:
        raise NeedsOcr(f"OCR unavailable: tesseract has no {' or '.join(sorted(missing))} language data "
                       "(install tesseract-ocr-chi-sim)")
    return pdftoppm, tesseract


def load(data: bytes, *, limits: Limits, reason: str = "no usable text layer") -> Document:
    """The document tesseract reads on the first ``limits.ocr_pages`` pages of a PDF; its first
    warning says it was read by OCR, and `reason` why."""
    pdftoppm, tesseract = tools()
    sizes = _page_sizes(data, limits.ocr_pages + 1)
    doc = Document(format="pdf", pages=len(sizes))
    doc.warnings.append(f"read by OCR ({ENGINE}): {reason}")
    if len(sizes) > limits.ocr_pages:
        sizes = sizes[:limits.ocr_pages]
        doc.warnings.append(f"OCR read only the first {limits.ocr_pages} pages (NIANBAO_OCR_PAGES)")
    with tempfile.TemporaryDirectory(prefix="nianbao-ocr-") as tmp:
        pdf = Path(tmp) / "in.pdf"
        pdf.write_bytes(data)
        for n, (width, height) in enumerate(sizes, 1):
            deadline = time.monotonic() + limits.ocr_timeout  # the page's budget, shared by its tool runs
            what = f"page {n} ({limits.ocr_timeout:g} s a page, NIANBAO_OCR_TIMEOUT)"
            dpi = min(DPI, int((MAX_PIXELS / max(width * height / 72 / 72, 1.0)) ** 0.5))
            try:
                img = raster.read_pgm(_run([pdftoppm, "-gray", "-r", str(dpi), "-f", str(n), "-l", str(n),
                                            str(pdf)], deadline, f"pdftoppm, {what}"))
            except ValueError as exc:
                raise NeedsOcr(f"OCR failed: pdftoppm gave no page image for page {n} ({exc})") from None
            reader = partial(_tesseract, tesseract, stem=Path(tmp) / f"page-{n}", deadline=deadline,
                             what=f"tesseract, {what}")
            content = read_page(img, dpi, reader)
            doc.chars += len(content.chars)
            doc.blocks += layout_page(content, n)
    return doc


def read_page(img: raster.Gray, dpi: int, read: Reader) -> PageContent:
    """One page image to characters and ruling lines in PDF points (top-down, like pdfcontent).

    Every table cell is cut out and read on its own: tesseract's page segmentation, given a
    whole table, runs a cell's text into its neighbours' and drops lone digits. The model
    loads once per run, not per cell: chi_sim reads every cell (it suits labels) and the rest
    of the page; chi_sim+eng reads again the cells that look like numbers (`_numbers`). A cell
    printed as one short bar is a dash.
    """
    img = raster.straighten(img, raster.skew(img))
    lines = raster.rulings(img)
    raster.erase(img, lines)
    grey = raster.Gray(img.width, img.height, bytearray(img.pixels))  # for counting marks
    raster.binarize(img)
    pt = 72.0 / dpi
    segments = [Segment(ln.x0 * pt, ln.y0 * pt, ln.x1 * pt, ln.y1 * pt) for ln in lines]
    rest = raster.Gray(img.width, img.height, bytearray(img.pixels))
    cells: list[tuple[int, int, raster.Gray]] = []  # (left, top, image)
    marks: list[int] = []
    words: list[list[Word]] = []
    for x0, top, x1, bottom in cell_boxes(segments):
        box = (round(x0 / pt) + INSET, round(top / pt) + INSET, round(x1 / pt) - INSET, round(bottom / pt) - INSET)
        raster.blank(rest, box[0] - 2 * INSET, box[1] - 2 * INSET, box[2] + 2 * INSET, box[3] + 2 * INSET)
        cell = raster.crop(img, *box, margin=MARGIN)
        if raster.ink_count(cell) < MIN_INK:
            continue
        left, upper = box[0] - MARGIN, box[1] - MARGIN
        if raster.is_dash(cell):
            words.append([((), "-", box[0], box[1], box[2] - box[0], 20)])
        else:
            cells.append((left, upper, cell))
            marks.append(raster.glyphs(raster.crop(grey, *box)))
    first = read(CHINESE, [rest] + [c[2] for c in cells], "6")
    found = _numbers([first.get(i + 1, []) for i in range(len(cells))], [c[2] for c in cells], marks, read)
    for (left, top, cell), got in zip(cells, found, strict=True):
        moved = [(line, text, x + left, y + top, w, h) for line, text, x, y, w, h in got]
        words.append(moved or [((), UNREADABLE, left + cell.width // 2 - 10, top + cell.height // 2 - 10, 20, 20)])
    words.append(first.get(0, []))
    chars: list[Char] = []
    for group in words:
        chars += _chars(group, pt, chars[-1].run + 1 if chars else 0)
    return PageContent(width=img.width * pt, height=img.height * pt, chars=chars, segments=segments)


def _numbers(found: list[list[Word]], images: list[raster.Gray], marks: list[int],
             read: Reader) -> list[list[Word]]:
    """chi_sim's readings of the cells, those that may be numbers read again and settled.

    chi_sim alone reads a lone 6 as 日, 7 as 学, 5 as 9; chi_sim+eng reads digits well but
    汉字 as Latin letters, so it is asked only about cells chi_sim read as nothing, one
    character, or no 汉字 at all. It is asked up to three ways: a block finds a 0 that a line
    misses, a line an 8 that a block misses, and only the single-character mode sees some lone
    无 (asked only of cells whose ink is one glyph, and only its 无 is taken: it reads 11 as 1).
    A number whose cell shows more marks side by side than it has characters lost one (11
    read as 1, -81 as 81): unreadable. A lone stroke leaning right is a slash (a blank),
    whichever model read it as 1.
    """
    found = list(found)
    tries: dict[int, list[list[Word]]] = {}
    todo = [i for i, words in enumerate(found) if _numberish(words)]
    for psm in ("6", "7", "10"):
        if psm == "10":
            todo = [i for i in todo if raster.one_glyph(images[i])]
        if not todo:
            break
        again = read(MIXED, [images[i] for i in todo], psm)
        for k, i in enumerate(todo):
            got = again.get(k, [])
            tries.setdefault(i, []).append(got if psm != "10" or _text(got) == "无" else [])
        todo = [i for i in todo if _number(tries[i][-1]) is None]
    for i, readings in tries.items():
        texts = {_text(w) for w in [found[i], *readings]} - {""}
        if texts and texts <= _SLASHLIKE and raster.slant(images[i]) > SLASH:
            first = next(w for w in [found[i], *readings] if w)
            found[i] = [(first[0][0], "/", *first[0][2:])]  # a slash, read as 1
            continue
        found[i] = _settle(found[i], readings, marks[i])
        number = _number(found[i])
        if number and _DIGIT.search(number) and marks[i] > len(number.replace(" ", "")):
            found[i] = _unreadable(found[i])
    return found


def _unreadable(words: list[Word]) -> list[Word]:
    return [(w[0], UNREADABLE, *w[2:]) for w in words[:1]]


def _numberish(words: list[Word]) -> bool:
    """Whether chi_sim's reading of a cell may be a misread number: nothing, one character
    (日 for 6), or no 汉字 at all. 无 (printed for zero) is kept as read."""
    text = "".join(w[1] for w in words)
    return text != "无" and (len(text) <= 1 or not _HAN.search(text))


def _settle(chinese: list[Word], tries: list[list[Word]], marks: int) -> list[Word]:
    """The reading of a number-like cell, from chi_sim's and chi_sim+eng's.

    chi_sim+eng's first number, if chi_sim read the same or no number. Two models that read
    different numbers leave nothing to trust (chi_sim reads 5 as 9, chi_sim+eng drops the
    minus of -81, chi_sim reads 11 as 1), so the cell is unreadable, unless one of the two
    is shorter than the marks the cell shows side by side (it lost a character; marks may
    touch, so a longer reading is not wrong for that) and the other is not. chi_sim's number
    when chi_sim+eng read the same with Latin look-alikes (1S for 15, | for 1); chi_sim's
    text when no reading is a number (a short label).
    """
    ours = _number(chinese)
    mixed = next((t for t in tries if _number(t) is not None), None)
    theirs = _number(mixed) if mixed is not None else None
    if theirs is not None and ours in (None, theirs):
        return mixed  # type: ignore[return-value]
    if ours is not None and any(_text(t).translate(_LOOKALIKE) == ours for t in tries):
        return chinese
    if ours is None and theirs is None:
        return chinese
    if ours is not None and theirs is not None:
        whole = [w for w, n in ((chinese, ours), (mixed, theirs)) if len(n.replace(" ", "")) >= marks]
        if len(whole) == 1:
            return whole[0]  # type: ignore[return-value]
    return _unreadable(chinese)


def _text(words: list[Word]) -> str:
    return "".join(w[1] for w in words)


def _number(words: list[Word]) -> str | None:
    """The cell's text as `_chars` will print it, when that is a number (or a blank mark)."""
    text = _SIGN.sub("-", _text(words))
    if _ONE.fullmatch(text):
        text = text.translate(_ONES)
    return text if text and (read_number(text) or read_number(text, money=True)) else None


def _tesseract(tesseract: str, lang: str, images: list[raster.Gray], psm: str, *, stem: Path, deadline: float,
               what: str) -> dict[int, list[Word]]:
    """Words of each image (by index), from one tesseract run over a list of images (the model
    loads once), with page segmentation mode `psm` (6: a block of lines; 7: one line; 10: one
    character)."""
    stem = stem.with_name(f"{stem.name}-{lang}-{psm}")
    stem.mkdir()
    paths = []
    for i, image in enumerate(images):
        path = stem / f"{i}.pgm"
        path.write_bytes(raster.pgm(image))
        paths.append(str(path))
    listing = stem / "images.txt"
    listing.write_text("\n".join(paths) + "\n", encoding="utf-8")
    tsv = _run([tesseract, "-l", lang, str(listing), "stdout", "--psm", psm, "tsv"], deadline, what)
    shutil.rmtree(stem, ignore_errors=True)
    words: dict[int, list[Word]] = {}
    for raw in tsv.decode("utf-8", "replace").splitlines():
        f = raw.split("\t")
        if len(f) < 12 or f[0] != "5" or not f[11].strip():
            continue
        left, top, width, height = (int(v) for v in f[6:10])
        words.setdefault(int(f[1]) - 1, []).append((tuple(f[1:5]), f[11].strip(), left, top, width, height))
    return words


def _chars(words: list[Word], pt: float, run: int = 0) -> list[Char]:
    """Words as characters, line by line in tesseract's reading order.

    tesseract's boxes of Chinese words overlap and wander up and down (国家 wider than the two
    characters, 秘 taller), so characters are not placed by their word's box: each line's
    characters share its extent evenly, at the line's median top and bottom, and only a gap
    wider than a character between two words (columns of an unruled table) is kept.
    """
    lines: dict[tuple[str, ...], list[Word]] = {}
    for word in words:
        lines.setdefault(word[0], []).append(word)
    chars: list[Char] = []
    for members in lines.values():
        top = sorted(w[3] for w in members)[len(members) // 2]
        bottom = sorted(w[3] + w[5] for w in members)[len(members) // 2]
        height = max(bottom - top, 1)
        pieces: list[list[Word]] = [[members[0]]]
        for prev, word in zip(members, members[1:], strict=False):
            if word[2] - (prev[2] + prev[4]) > 1.5 * height:
                pieces.append([word])
            else:
                pieces[-1].append(word)
        for piece in pieces:
            text = _SIGN.sub("-", "".join(w[1] for w in piece))
            if _ONE.fullmatch(text):
                text = text.translate(_ONES)
            left = piece[0][2]
            step = max(max(w[2] + w[4] for w in piece) - left, 1) / len(text)
            for i, ch in enumerate(text):
                x0 = (left + i * step) * pt
                chars.append(Char(ch, x0, top * pt, x0 + step * pt, bottom * pt, height * pt, "ocr", run))
            run += 1
    return chars


def _page_sizes(data: bytes, most: int) -> list[tuple[float, float]]:
    """Width and height in points of the first `most` pages, as displayed (rotation applied)."""
    from pdfminer.pdfdocument import PDFDocument
    from pdfminer.pdfpage import PDFPage
    from pdfminer.pdfparser import PDFParser
    from pdfminer.psexceptions import PSException

    out: list[tuple[float, float]] = []
    try:
        for page in PDFPage.create_pages(PDFDocument(PDFParser(io.BytesIO(data)), password="")):
            x0, y0, x1, y1 = page.cropbox
            w, h = abs(x1 - x0), abs(y1 - y0)
            out.append((h, w) if page.rotate % 180 else (w, h))
            if len(out) >= most:
                break
    except (PSException, ValueError, KeyError, TypeError, AttributeError, IndexError, AssertionError) as exc:
        if not out:
            raise NeedsOcr(f"OCR could not find the PDF's pages ({type(exc).__name__})") from None
    return out


def _run(cmd: list[str], deadline: float, what: str) -> bytes:
    """stdout of one tool run, killed at `deadline` (time.monotonic()); single-threaded, since
    OpenMP threads only fight on a busy machine."""
    env = dict(os.environ, OMP_THREAD_LIMIT="1")
    try:
        proc = subprocess.run(cmd, capture_output=True, timeout=max(deadline - time.monotonic(), 0.001), env=env,
                              stdin=subprocess.DEVNULL)
    except subprocess.TimeoutExpired:
        raise NeedsOcr(f"OCR gave up: {what} ran out of time") from None
    except OSError as exc:
        raise NeedsOcr(f"OCR unavailable: {what} could not run ({exc.strerror or exc})") from None
    if proc.returncode != 0:
        why = (proc.stderr.decode("utf-8", "replace").strip().splitlines() or [f"exit code {proc.returncode}"])[-1]
        raise NeedsOcr(f"OCR failed: {what}: {why[:120]}")
    return proc.stdout
