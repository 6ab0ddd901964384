"""Matching printed row and column labels to the schema, tolerant of the ways reports differ.

Reports reword, abbreviate, mistype (`其他法律行政止公开`), wrap (`信访举报投诉类申 请`) and
renumber their labels, and print them in traditional characters or with full-width
brackets. A label is first folded (`parsers.textnorm.fold`), then matched by, in order:
an exact label, a label contained in it (or it in a label), and character-bigram similarity
with a clear winner.
"""
from __future__ import annotations

from collections import Counter
from functools import lru_cache

from parsers.schema import APPLICATION_ROWS, ART20_COLUMNS, ART20_ROWS, GROUPED_ROWS

MIN_SIMILARITY = 0.5
MIN_MARGIN = 0.1


def _bigrams(text: str) -> Counter[str]:
    if len(text) < 2:
        return Counter([text])
    return Counter(text[i:i + 2] for i in range(len(text) - 1))


def similarity(a: str, b: str) -> float:
    """Dice coefficient of the character bigrams of two folded labels (0..1)."""
    if not a or not b:
        return 0.0
    ba, bb = _bigrams(a), _bigrams(b)
    return 2 * sum((ba & bb).values()) / (sum(ba.values()) + sum(bb.values()))


def best_match(text: str, vocabulary: dict[str, tuple[str, ...]], *, min_contain: int = 2) -> tuple[str | None, float]:
    """The key whose labels best match the folded `text`, and a score in 0..1."""
    return _best_match(text, tuple(vocabulary.items()), min_contain)


@lru_cache(maxsize=8192)
def _best_match(text: str, items: tuple[tuple[str, tuple[str, ...]], ...], min_contain: int) -> tuple[str | None, float]:
    if not text:
        return None, 0.0
    for key, labels in items:
        if text in labels:
            return key, 1.0
    contained = [(len(label), key) for key, labels in items for label in labels
                 if len(label) >= min_contain and label in text]
    if contained:
        contained.sort(reverse=True)
        return contained[0][1], 0.9
    if len(text) >= 4:
        within = [(len(label), key) for key, labels in items for label in labels if text in label]
        if len({key for _, key in within}) == 1:
            return within[0][1], 0.85
    if len(text) < 4:  # too short to judge by similarity: 其他 is not 其他处理
        return None, 0.0
    scored = sorted(((max(similarity(text, label) for label in labels), key) for key, labels in items),
                    reverse=True)
    best, second = scored[0], scored[1] if len(scored) > 1 else (0.0, None)
    if best[0] >= MIN_SIMILARITY and best[0] - second[0] >= MIN_MARGIN:
        return best[1], best[0]
    return None, best[0]


_APPLICATION_VOCAB = {k: v for k, v in APPLICATION_ROWS.items() if k not in GROUPED_ROWS}


def match_application_row(segments: list[str], *, in_group: str | None) -> tuple[str | None, float]:
    """The application row named by a label's segments (see `textnorm.segments`).

    The last segment is the most specific; a bare `其他` only names (六)3 when the row sits in
    the 其他处理 group. When the last segment alone is not enough (a label broken by a stray
    numbering mark), the whole label is tried.
    """
    if not segments:
        return None, 0.0
    last = segments[-1]
    for key, group in GROUPED_ROWS.items():
        if last in APPLICATION_ROWS[key] and (in_group == group or group in segments[:-1]):
            return key, 1.0
    key, score = best_match(last, _APPLICATION_VOCAB, min_contain=4)
    if key is None and len(segments) > 1:
        key, score = best_match("".join(segments), _APPLICATION_VOCAB, min_contain=4)
    return key, score


def match_art20_row(segments: list[str]) -> tuple[str | None, float]:
    if not segments:
        return None, 0.0
    return best_match(segments[-1], ART20_ROWS)


_ART20_COLUMN_VOCAB = {label: (label,) for label in ART20_COLUMNS}


def match_art20_column(folded: str) -> str | None:
    """The header label (a key of ART20_COLUMNS) a printed column header names."""
    label, _ = best_match(folded, _ART20_COLUMN_VOCAB, min_contain=4)
    return label
