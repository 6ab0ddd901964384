"""Building blocks for archive tests: parse results as the parsers return them, stored bytes."""
from __future__ import annotations

import json
import pathlib
from typing import Any

import parsers
from archive import Archive, FetchRecord, Hints, Listing
from archive.records import Stored
from parsers.result import Check, ParseResult, Status, Where

FIXTURES = pathlib.Path(__file__).resolve().parents[1] / "fixtures"
VERSION = "9.0.0"  # a parser version of these hand-made results


def expected(name: str) -> dict[str, Any]:
    """The hand-checked facts of a real report in tests/fixtures/realdata."""
    return json.loads((FIXTURES / "realdata" / "expected" / f"{name}.json").read_text(encoding="utf-8"))


def result(exp: dict[str, Any] | None = None, *, status: Status = Status.PARSED, version: str = VERSION,
           agency: str | None = None, year: int | None = None, checks_ok: bool = True, fmt: str = "pdf",
           changes: dict[str, float] | None = None, title: str | None = None, error: str | None = None) -> ParseResult:
    """A ParseResult shaped like the parsers' (facts with where each was read, the four checks)."""
    exp = exp or {"agency": None, "year": None, "layout": None, "facts": {}}
    facts = {**exp["facts"], **(changes or {})} if status.has_facts else {}
    names = ["applications.row_totals", "applications.outcome_total", "applications.balance", "review.total"]
    return ParseResult(
        status=status, parser_version=version, agency=agency or exp["agency"], year=year or exp["year"],
        layout=exp["layout"] if status.has_facts else None, facts=facts,
        checks=[Check(n, checks_ok or n != "applications.balance", "as printed") for n in names]
        if status.has_facts else [],
        where={k: Where(page=2, table=1, row=i + 1, col=3, text=str(v)) for i, (k, v) in enumerate(facts.items())},
        format=fmt, title=title, error=error)


def put(archive: Archive, body: bytes, url: str = "http://www.example.gov.cn.test/a.pdf", **kw: Any) -> Stored:
    listing = kw.pop("listing", None) or Listing()
    hints = kw.pop("hints", None) or Hints()
    return archive.store(FetchRecord(url=url, status=200, listing=listing, hints=hints, **kw), body)


# --- real documents in volume: the seed report under other agencies' names -------------------

SEED = FIXTURES / "seeds" / "000_263eb3bbcb242420.txt"
SEED_AGENCY = "荥阳市政务服务和大数据管理局"
DEPARTMENTS = ["教育局", "民政局", "财政局", "司法局", "商务局", "审计局", "统计局", "水利局", "林业局", "农业农村局",
               "文化广电和旅游局", "卫生健康委员会", "应急管理局", "市场监督管理局", "医疗保障局", "退役军人事务局",
               "城市管理局", "自然资源和规划局", "住房和城乡建设局", "交通运输局"]
PLACES = ["荥阳市", "新郑市", "登封市", "巩义市", "新密市", "中牟县"]


def agency_name(i: int) -> str:
    return PLACES[i // len(DEPARTMENTS) % len(PLACES)] + DEPARTMENTS[i % len(DEPARTMENTS)]


def seed_report(agency: str = SEED_AGENCY, *, year: int = 2020, procurement_projects: int = 2,
                trailer: str = "") -> bytes:
    """The real seed report (layout 2019) as another agency's, for another year or with one number changed.

    The bytes differ with every argument (``trailer`` varies the bytes alone), so they make distinct
    documents; the parse differs only as asked.
    """
    text = SEED.read_text(encoding="utf-8").replace(SEED_AGENCY, agency)
    if year != 2020:
        text = text.replace("2020 年", f"{year} 年").replace("2020年", f"{year}年")
    if procurement_projects != 2:
        assert "政府集中采购\t2\t7.9700" in text
        text = text.replace("政府集中采购\t2\t7.9700", f"政府集中采购\t{procurement_projects}\t7.9700")
    return (text + trailer).encode("utf-8")


def write_reports(directory: pathlib.Path, n: int, *, copies: int = 0) -> list[pathlib.Path]:
    """``n`` distinct agency reports as text files, plus ``copies`` byte-different copies of the first ones."""
    directory.mkdir(parents=True, exist_ok=True)
    paths = []
    for i in range(n):
        path = directory / f"r{i:03d}.txt"
        path.write_bytes(seed_report(agency_name(i)))
        paths.append(path)
    for i in range(copies):
        path = directory / f"copy{i:03d}.txt"
        path.write_bytes(seed_report(agency_name(i), trailer="\n"))
        paths.append(path)
    return paths


OLD_VERSION = parsers.PARSER_VERSION + "-old"  # a parser version before the current one
NOT_A_REPORT = "关于印发洪泽区2024年政务公开工作要点的通知\n各镇人民政府，区各有关部门：\n现将工作要点印发给你们，请认真贯彻落实。\n".encode()


def age(archive: Archive, directory: pathlib.Path, version: str = OLD_VERSION) -> list[Any]:
    """Five reports (2019, 2020, …) and a work plan, ingested and then made to look parsed by an older
    parser ``version`` whose parses differ from today's on three documents: it misread a number of r0
    (``art20.9.procurement.projects`` 9, printed 2), could not read r1 (``unreadable``), and took the
    work plan for a report (``parsed``). Returns the ingested items, in that order."""
    from sqlalchemy import text

    from archive.ingest import ingest

    def execute(sql: str, **params: Any) -> None:
        archive.write(lambda s: s.execute(text(sql), params))

    paths = []
    for i in range(5):
        paths.append(directory / f"r{i}.txt")
        paths[-1].write_bytes(seed_report(agency_name(i), year=2019 + i % 2))
    paths.append(directory / "plan.txt")
    paths[-1].write_bytes(NOT_A_REPORT)
    items = ingest(archive, paths)
    parse = dict(archive.read(lambda s: s.execute(text(
        "SELECT d.sha256, p.id FROM parses p JOIN documents d ON d.id = p.document_id")).all()))
    sha = [i.stored.sha256 for i in items]
    execute("UPDATE parses SET parser_version = :v", v=version)
    # r0: the old parser misread a number
    execute("UPDATE facts SET value = 9 WHERE parse_id = :p AND key = 'art20.9.procurement.projects'", p=parse[sha[0]])
    # r1: the old parser could not read it
    execute("DELETE FROM facts WHERE parse_id = :p", p=parse[sha[1]])
    execute("UPDATE parses SET status = 'unreadable', n_facts = 0 WHERE id = :p", p=parse[sha[1]])
    # the work plan: the old parser took it for a report
    execute("UPDATE parses SET status = 'parsed' WHERE id = :p", p=parse[sha[5]])
    return items


def nianbao(*args: str) -> list[str]:
    """The command line of ``nianbao ARGS`` in a subprocess of this interpreter."""
    import sys

    return [sys.executable, "-c", "from crawler.cli import main; main()", *args]


INCONSISTENCIES = {
    "report without a source": "SELECT r.id FROM reports r WHERE NOT EXISTS "
                               "(SELECT 1 FROM report_sources s WHERE s.report_id = r.id)",
    "parse with missing facts": "SELECT p.id FROM parses p WHERE p.n_facts <> "
                                "(SELECT COUNT(*) FROM facts f WHERE f.parse_id = p.id)",
    "canonical parse not a current source parse": (
        "SELECT r.id FROM reports r WHERE r.canonical_parse_id IS NOT NULL AND NOT EXISTS ("
        "SELECT 1 FROM report_sources s JOIN parses p ON p.document_id = s.document_id AND p.is_current "
        "WHERE s.report_id = r.id AND p.id = r.canonical_parse_id)"),
    "report with a stale source count": "SELECT r.id FROM reports r WHERE r.n_sources <> "
                                        "(SELECT COUNT(*) FROM report_sources s WHERE s.report_id = r.id)",
    "document with two current parses": "SELECT document_id FROM parses WHERE is_current "
                                        "GROUP BY document_id HAVING COUNT(*) > 1",
    "agency-year filed twice": "SELECT a.name, r.year FROM reports r JOIN agencies a ON a.id = r.agency_id "
                               "GROUP BY a.name, r.year HAVING COUNT(*) > 1",
    "agency created twice": "SELECT name FROM agencies GROUP BY name HAVING COUNT(*) > 1",
}


def inconsistencies(archive: Archive) -> dict[str, list[Any]]:
    """Every way the archive could be half-written; empty when it is whole."""
    from sqlalchemy import text

    from archive.maintenance import verify

    found = {label: archive.read(lambda s, q=sql: [tuple(r) for r in s.execute(text(q))])
             for label, sql in INCONSISTENCIES.items()}
    report = verify(archive)
    found["blob without a document (dangling)"] = report.dangling
    found["document without its blob"] = report.missing
    found["corrupt blob"] = report.corrupt
    return {k: v for k, v in found.items() if v}


def count(archive: Archive, sql: str, **params: Any) -> int:
    from sqlalchemy import text

    return int(archive.read(lambda s: s.execute(text(sql), params).scalar()) or 0)
