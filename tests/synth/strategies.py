"""Hypothesis strategies over the generator: every perturbation as an independent choice.

``Style.random`` draws realistic mixes; these strategies instead let Hypothesis explore (and
shrink) the whole space, so a failing round trip comes back as the smallest style that
breaks the parser.
"""
from __future__ import annotations

from hypothesis import strategies as st

from tests.synth.documents import KINDS, Document, make_document
from tests.synth.report import Report, make_report
from tests.synth.schema import CHECKS
from tests.synth.style import BLANKS, BODIES, CHROMES, FOOTERS, SIGNS, TITLE_VARIANTS, Style

STYLE_CHOICES: dict[str, st.SearchStrategy] = {
    "brackets": st.sampled_from(("full", "half", "mixed")),
    "label_variants": st.booleans(), "typos": st.booleans(), "traditional": st.booleans(), "spaced_labels": st.booleans(),
    "blank": st.sampled_from(BLANKS), "blank_rate": st.sampled_from((1.0, 0.5)),
    "money_yuan": st.booleans(), "money_decimals": st.sampled_from((None, 2, 4)), "unit_suffix": st.booleans(),
    "sign": st.sampled_from(SIGNS), "art20_split": st.booleans(), "label_cols": st.sampled_from((3, 2)),
    "rowspan_groups": st.booleans(), "header_rows": st.sampled_from((3, 2)), "wrap_labels": st.booleans(),
    "vertical_group": st.booleans(), "title_split": st.booleans(), "heading_numbers": st.booleans(),
    "inconsistent": st.one_of(st.just(()), st.sampled_from(CHECKS).map(lambda c: (c,))),
    "chrome": st.sampled_from(CHROMES), "body": st.sampled_from(BODIES), "split_numbers": st.booleans(),
    "related_links": st.booleans(), "text_mode": st.sampled_from(("tabs", "lines")),
    "footer": st.sampled_from(FOOTERS), "repeat_header": st.booleans(),
    "font": st.sampled_from(("仿宋_GB2312", "宋体", "仿宋")),
    "thousands": st.booleans(), "fullwidth_digits": st.booleans(), "split_table": st.booleans(), "table_note": st.booleans(),
    "date_style": st.sampled_from(("arabic", "chinese")), "title_variant": st.integers(0, len(TITLE_VARIANTS) - 1),
    "title_spaces": st.booleans(), "split_rows": st.booleans(), "rotate_group": st.booleans(), "layout_tables": st.booleans(),
    "charset": st.sampled_from(("utf-8", "gbk")), "extra_table": st.booleans(), "header_th": st.booleans(),
    "landscape_tables": st.booleans(), "running_header": st.booleans(),
    "pdf_engine": st.sampled_from(("libreoffice", "chromium", "chromium_type3")),
}
styles = st.builds(Style, **STYLE_CHOICES)


def reports(style: st.SearchStrategy[Style] = styles) -> st.SearchStrategy[Report]:
    """Reports built by a visible call, so a failing example prints as ``make_report(...)``."""
    return st.builds(make_report, seed=st.integers(0, 2**31 - 1), year=st.integers(2019, 2025),
                     layout=st.sampled_from((None, None, "2019", "2021", "hybrid")), perturb=style)


def documents() -> st.SearchStrategy[Document]:
    return st.one_of(
        st.builds(make_document, seed=st.integers(0, 2**31 - 1), kind=st.just("legacy_report"),
                  year=st.integers(2008, 2018), perturb=styles),
        st.builds(make_document, seed=st.integers(0, 2**31 - 1),
                  kind=st.sampled_from([k for k in KINDS if k != "legacy_report"]),
                  year=st.integers(2019, 2025), perturb=styles))
