"""PDFs printed by headless Chromium from the report's HTML, as CMS "下载PDF" exports are made.

A second, independent PDF producer beside LibreOffice: Skia lays text out glyph by glyph,
draws table borders as paths and names fonts differently, so a PDF parser tuned on one
producer meets another. The printing runs in a child process (``python -m
tests.synth.chromium DIR``) so that Playwright's event loop never meets the caller's.
Debian's /usr/bin/chromium, never Playwright's own download.
"""
from __future__ import annotations

import subprocess
import sys
import tempfile
from html import escape
from pathlib import Path

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--no-first-run", "--font-render-hinting=none"]
FONTS = {"truetype": '"WenQuanYi Zen Hei"', "type3": '"Noto Serif CJK SC"'}
CSS = """
@page { size: A4; margin: 2.5cm 2.2cm 2.5cm 2.4cm; }
body { font-family: FONT, serif; font-size: 15px; line-height: 1.7; }
table { border-collapse: collapse; margin: 0 auto; width: 100%; }
td, th { border: 1px solid #000; padding: 2px 3px; font-size: 12px; text-align: center; }
p { margin: 0.2em 0; }
"""
FOOTER = '<div style="font-size:11px;width:100%;text-align:center">- <span class="pageNumber"></span> -</div>'


def page(title: str, fragment: str, fonts: str = "truetype") -> str:
    """The print page. ``fonts``: a TrueType face (embedded as a CID font, the usual case) or
    Noto's CFF face, which Skia can only embed as Type 3 fonts (what a Linux server prints)."""
    css = CSS.replace("FONT", FONTS[fonts])
    return (f'<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8"/><title>{escape(title)}</title>'
            f"<style>{css}</style></head><body>{fragment}</body></html>")


def print_many(pages: list[str], timeout: float = 300) -> list[bytes]:
    """Print HTML pages to PDF with one Chromium; returns the PDFs in order."""
    with tempfile.TemporaryDirectory(prefix="synth-chromium-") as tmp:
        for i, html in enumerate(pages):
            (Path(tmp) / f"{i}.html").write_text(html, encoding="utf-8")
        subprocess.run([sys.executable, "-m", "tests.synth.chromium", tmp], check=True, capture_output=True,
                       timeout=timeout + 10 * len(pages))
        return [(Path(tmp) / f"{i}.pdf").read_bytes() for i in range(len(pages))]


def _main(folder: str) -> None:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        tab = browser.new_page()
        for path in sorted(Path(folder).glob("*.html"), key=lambda x: int(x.stem)):
            tab.goto(path.as_uri())
            tab.pdf(path=str(path.with_suffix(".pdf")), format="A4", print_background=True,
                    display_header_footer=True, header_template="<span></span>", footer_template=FOOTER,
                    margin={"top": "2.5cm", "bottom": "2.5cm", "left": "2.4cm", "right": "2.2cm"})
        browser.close()


if __name__ == "__main__":
    _main(sys.argv[1])
