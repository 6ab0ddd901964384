"""The documents the sandbox publishes, made by ``tests.synth`` and rendered lazily.

A province holds thousands of reports and LibreOffice needs up to a second per document, so
nothing is rendered until a client asks for it (or ``prerender`` is called). Rendered bytes
are kept in a bounded in-memory cache keyed by the source and format; tests.synth keeps its
own on-disk cache of LibreOffice conversions, so a second run of the same seed is fast.
"""
from __future__ import annotations

import hashlib
import io
import threading
import zipfile
from collections import OrderedDict
from collections.abc import Iterable
from typing import Any

from tests.sandbox.model import Report, Source

# Formats made through LibreOffice: about a second each even in a batch, several alone.
SLOW_FORMATS = frozenset({"doc", "wps", "pdf", "scan_pdf"})


def _synth() -> Any:
    import tests.synth as synth

    return synth


class Content:
    """Makes report and non-report documents and renders them, memoised."""

    def __init__(self, max_bytes: int = 768 << 20) -> None:
        self.synth = _synth()
        self._objects: dict[tuple[Any, ...], Any] = {}
        self._bytes: OrderedDict[tuple[Any, ...], bytes] = OrderedDict()
        self._size = 0
        self._max = max_bytes
        self._lock = threading.Lock()
        self._key_locks: dict[tuple[Any, ...], threading.Lock] = {}
        self._soffice = threading.Lock()

    # -- the generator's objects -------------------------------------------------------
    def report(self, report: Report, edition: str = "final") -> Any:
        """The tests.synth Report behind one edition of a report (facts, title, date)."""
        return self._made(report, edition, report.content_seed(edition))

    def _made(self, report: Report, edition: str, seed: int) -> Any:
        """A chained final edition carries in what the agency's previous report carried out as
        first published (a later change to that one does not reach back into this one)."""
        key = ("report", report.id, edition, seed)
        obj = self._objects.get(key)
        if obj is None:
            carried = None
            if edition == "final" and report.chained and report.previous is not None:
                first = report.previous.seed  # its final edition as first published (version 1)
                carried = self._made(report.previous, "final", first).carried_out
            obj = self.synth.make_report(seed=seed, agency=report.agency.name, year=report.year,
                                         region=report.agency.region.label, perturb=True, carried_in=carried)
            self._objects[key] = obj
        return obj

    def obj(self, source: Source) -> Any:
        if source.report is not None:
            return self.report(source.report, source.edition)
        key = (source.kind, source.seed, source.agency, source.year)
        obj = self._objects.get(key)
        if obj is None:
            obj = self.synth.make_document(source.seed, kind=source.kind, agency=source.agency,
                                           year=source.year, region=source.region or None)
            self._objects[key] = obj
        return obj

    def forget(self, report: Report) -> None:
        """Drop cached objects of a report whose version changed (bytes are keyed by version)."""
        with self._lock:
            for key in [k for k in self._objects if k[:2] == ("report", report.id)]:
                del self._objects[key]

    # -- bytes ------------------------------------------------------------------------------
    def render(self, source: Source, fmt: str) -> bytes:
        key = source.key(fmt)
        with self._lock:
            data = self._bytes.get(key)
            if data is not None:
                self._bytes.move_to_end(key)
                return data
            key_lock = self._key_locks.setdefault(key, threading.Lock())
        with key_lock:  # one renderer per document; others wait for its bytes
            with self._lock:
                data = self._bytes.get(key)
            if data is None:
                data = self._make(source, fmt)
                self._store(key, data)
        return data

    def prerender(self, pairs: Iterable[tuple[Source, str]]) -> int:
        """Render many documents at once (LibreOffice formats in one batch). Returns the count."""
        todo = [(s, f) for s, f in dict.fromkeys(pairs) if s.key(f) not in self._bytes]
        slow = [(s, f) for s, f in todo if f in SLOW_FORMATS]
        if slow:
            with self._soffice:
                datas = self.synth.render_many([(self.obj(s), f) for s, f in slow])
            for (s, f), data in zip(slow, datas, strict=True):
                self._store(s.key(f), data)
        for s, f in todo:
            if f not in SLOW_FORMATS:
                self.render(s, f)
        return len(todo)

    def _make(self, source: Source, fmt: str) -> bytes:
        if fmt == "ofd":
            return ofd_twin(self.obj(source).title)
        if fmt in SLOW_FORMATS:
            with self._soffice:
                return self.synth.render(self.obj(source), fmt)
        return self.synth.render(self.obj(source), fmt)

    def _store(self, key: tuple[Any, ...], data: bytes) -> None:
        with self._lock:
            if key in self._bytes:
                return
            self._bytes[key] = data
            self._size += len(data)
            while self._size > self._max and len(self._bytes) > 1:
                _, old = self._bytes.popitem(last=False)
                self._size -= len(old)


def ofd_twin(title: str) -> bytes:
    """A minimal OFD package (the Chinese fixed-layout format TRS sites attach beside PDFs).

    Only the container and its entry document, enough to be recognised as OFD; the crawler
    must store it or skip it, never expect facts from it.
    """
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        def put(name: str, text: str) -> None:
            info = zipfile.ZipInfo(name, date_time=(2020, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            z.writestr(info, text)

        put("OFD.xml", '<?xml version="1.0" encoding="UTF-8"?>\n<ofd:OFD xmlns:ofd="http://www.ofdspec.org/2016"'
            ' Version="1.0" DocType="OFD"><ofd:DocBody><ofd:DocInfo><ofd:DocID>'
            f'{hashlib.sha1(title.encode()).hexdigest()[:12]}</ofd:DocID><ofd:Title>{title}</ofd:Title></ofd:DocInfo>'
            '<ofd:DocRoot>Doc_0/Document.xml</ofd:DocRoot></ofd:DocBody></ofd:OFD>\n')
        put("Doc_0/Document.xml", '<?xml version="1.0" encoding="UTF-8"?>\n<ofd:Document '
            'xmlns:ofd="http://www.ofdspec.org/2016"><ofd:CommonData><ofd:PageArea>'
            '<ofd:PhysicalBox>0 0 210 297</ofd:PhysicalBox></ofd:PageArea></ofd:CommonData>'
            '<ofd:Pages/></ofd:Document>\n')
    return buf.getvalue()
