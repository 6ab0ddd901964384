"""The parsers' exceptions: bad input, as distinct from our own bugs.

Backends raise a `BadInput` subclass when a document cannot be read; `parse_bytes` turns it
into a result with the matching status and the one-line reason. Anything else that escapes
is a bug in the parser and is allowed to raise.
"""
from __future__ import annotations

from parsers.result import Status


class ParserError(Exception):
    """Base class of every error `parsers` raises on purpose."""


class BadInput(ParserError):
    """The document cannot be parsed; `reason` is one line a user can act on."""

    status = Status.UNREADABLE

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class Unreadable(BadInput):
    """Corrupt, truncated, encrypted, of the wrong type, or over a limit."""

    status = Status.UNREADABLE


class NeedsOcr(BadInput):
    """The document has no usable text layer (a scan, or a font without a usable encoding)."""

    status = Status.NEEDS_OCR


class ConversionError(Unreadable):
    """LibreOffice could not convert a legacy DOC/WPS/RTF file (crashed, timed out, no output)."""
