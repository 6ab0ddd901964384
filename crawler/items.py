"""What travels between spiders, middlewares and the archive pipeline.

A :class:`Lead` rides in ``request.meta["nianbao"]`` from the list row to the last attachment:
why the request was made, what the list said about it, the pages that led to it and the hints
for the parsers. A spider turns every document response into a :class:`DocumentItem`; the
pipeline stores it (or records that it did not change) with that provenance. Both pickle, so a
``JOBDIR`` can keep pending requests on disk.
"""
from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from archive import Hints, LastFetch, Listing

META = "nianbao"  # request.meta key of the Lead


@dataclass(frozen=True)
class Lead:
    portal: str
    kind: str                           # list | detail | attachment
    url: str                            # as first requested, before redirects
    listing: Listing = field(default_factory=Listing)
    via: tuple[str, ...] = ()           # pages that led here, oldest first
    referrer: str | None = None
    hints: Hints = field(default_factory=Hints)
    reportish: bool = False             # the list title reads as an annual report
    anchor: str | None = None           # the link text (an attachment's human file name)
    page: int = 1                       # list pages: which page of the column

    def child(self, kind: str, url: str, **changes: Any) -> Lead:
        """The lead of a link found on this page: this page joins the chain."""
        return dataclasses.replace(self, kind=kind, url=url, via=(*self.via, self.url), referrer=self.url,
                                   **changes)


@dataclass
class DocumentItem:
    """One document response (or a 304 for one) and how it was reached."""

    lead: Lead
    url: str                            # final URL, after redirects
    status: int
    headers: Mapping[Any, Any]
    body: bytes
    redirects: Sequence[str] = ()
    not_modified: LastFetch | None = None  # a 304: the document it still is
    filename: str | None = None         # the human file name when no Content-Disposition gives one
