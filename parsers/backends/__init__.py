"""Format backends: bytes of one format in, a `parsers.document.Document` out.

`load(fmt, data, …)` is the registry; `parsers.sniff` decides `fmt` from magic bytes.
Each backend raises `parsers.errors.BadInput` for documents it cannot read.
"""
from __future__ import annotations

import importlib

from parsers.document import Document
from parsers.limits import Limits

BACKENDS = {
    "pdf": "parsers.backends.pdf:load",
    "html": "parsers.backends.html:load",
    "docx": "parsers.backends.docx:load",
    "doc": "parsers.backends.doc:load",
    "wps": "parsers.backends.doc:load",
    "rtf": "parsers.backends.doc:load",
    "text": "parsers.backends.text:load",
}


def load(fmt: str, data: bytes, *, limits: Limits, content_type: str | None = None) -> Document:
    module, _, attr = BACKENDS[fmt].partition(":")
    loader = getattr(importlib.import_module(module), attr)
    doc: Document = loader(data, limits=limits, fmt=fmt, content_type=content_type)
    doc.number_tables()
    return doc
