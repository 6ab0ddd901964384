"""Resource limits applied to every document, so hostile input fails fast and cleanly.

The defaults suit real annual reports (a few pages, a few hundred KB; scanned ones tens of
MB). Each limit can be set through an environment variable for batch jobs, or passed as a
`Limits` to `parse_bytes`. The OCR fallback rides here too: it is off unless asked for
(``NIANBAO_OCR=1``), since it costs seconds a page and an OCR tool on the machine.
"""
from __future__ import annotations

import os
from dataclasses import dataclass, fields

MB = 1024 * 1024


@dataclass(frozen=True)
class Limits:
    max_bytes: int = 64 * MB          # larger inputs are refused before any parsing
    max_pages: int = 60               # PDF pages read; reports have their tables in the first few
    max_unzipped: int = 64 * MB       # total bytes read out of a DOCX (zip-bomb guard)
    max_zip_ratio: int = 200          # declared uncompressed/compressed ratio of one DOCX member
    max_cells: int = 200_000          # table cells in one document (rowspan/colspan bombs)
    max_seconds: float = 20.0         # wall-clock budget of one PDF's text extraction
    convert_timeout: float = 90.0     # one LibreOffice conversion (DOC/WPS/RTF → DOCX)
    ocr: bool = False                 # OCR scanned PDFs (tesseract) instead of returning needs_ocr
    ocr_pages: int = 12               # pages OCR reads; the tables are in the first few
    ocr_timeout: float = 60.0         # one page's OCR: rasterising and every tesseract run on it

    def __post_init__(self) -> None:
        for f in fields(self):
            if f.type != "bool" and getattr(self, f.name) <= 0:
                raise ValueError(f"Limits.{f.name} must be positive")

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None) -> Limits:
        """Defaults overridden by NIANBAO_MAX_BYTES, NIANBAO_MAX_PAGES, …, NIANBAO_OCR (upper-case
        field names; a flag is on for 1, true, yes or on)."""
        env = os.environ if environ is None else environ
        values = {}
        for f in fields(cls):
            raw = env.get(f"NIANBAO_{f.name.upper()}")
            if raw:
                if f.type == "bool":
                    values[f.name] = raw.strip().lower() in ("1", "true", "yes", "on")
                else:
                    values[f.name] = float(raw) if f.type == "float" else int(raw)
        return cls(**values)
