"""Provenance of every fetch, dedup by content, conditional-request validators, typed outcomes."""
from __future__ import annotations

import datetime as dt
import hashlib

import pytest
from sqlalchemy import func, select, text

from archive import Archive, FetchRecord, Hints, Listing, Outcome, Region, TooLarge
from archive.models import Document, Fetch

GBK_NAME = "洪泽区2024年政府信息公开工作年度报告.pdf"


def fetches(archive):
    return archive.read(lambda s: [dict(r) for r in s.execute(text("SELECT * FROM fetches ORDER BY id")).mappings()])


def test_full_provenance_of_an_attachment(archive):
    when = dt.datetime(2025, 1, 22, 8, 30, tzinfo=dt.UTC)
    rec = FetchRecord(
        url="http://old.hz.gov.cn.test/downfile.jsp?id=7", final_url="http://www.hz.gov.cn.test/attach/P0.pdf",
        redirects=["http://old.hz.gov.cn.test/downfile.jsp?id=7", "http://www.hz.gov.cn.test/downfile.jsp?id=7"],
        status=200, fetched_at=when, kind="attachment",
        headers={b"Content-Type": [b"application/pdf"], b"ETag": [b'"66a1-5f"'],
                 b"Last-Modified": [b"Mon, 20 Jan 2025 02:00:00 GMT"],
                 b"Content-Disposition": [b'attachment; filename="' + GBK_NAME.encode("gbk") + b'"']},
        referrer="http://www.hz.gov.cn.test/art/2025/1/20/art_1.html",
        via=["http://www.hz.gov.cn.test/col/col1/index.html", "http://www.hz.gov.cn.test/art/2025/1/20/art_1.html"],
        listing=Listing(title="洪泽区2024年政府信息公开工作年度报告", date=dt.date(2025, 1, 20),
                        index_no="11320813MB1234567X/2025-00012", publisher="洪泽区人民政府办公室", doc_no="洪政办发〔2025〕3号"),
        portal_id="js-huaian-hongze", crawl_run_id=None,
        hints=Hints(agency="淮安市洪泽区人民政府", year=2024, region=Region("江苏省", "淮安市", "洪泽区", "320813")))
    stored = archive.store(rec, b"%PDF-1.7 the report")
    assert stored.new_document and not stored.changed and not stored.repeat and stored.needs_parse
    assert stored.sha256 == hashlib.sha256(b"%PDF-1.7 the report").hexdigest()
    (row,) = fetches(archive)
    assert row["filename"] == GBK_NAME and row["etag"] == '"66a1-5f"'
    assert row["last_modified"] == "Mon, 20 Jan 2025 02:00:00 GMT" and row["content_type"] == "application/pdf"
    assert row["final_url"] == "http://www.hz.gov.cn.test/attach/P0.pdf" and row["status_code"] == 200
    assert row["list_title"] == "洪泽区2024年政府信息公开工作年度报告" and str(row["list_date"]) == "2025-01-20"
    assert (row["index_no"], row["publisher"], row["doc_no"]) == (
        "11320813MB1234567X/2025-00012", "洪泽区人民政府办公室", "洪政办发〔2025〕3号")
    assert (row["province"], row["county"], row["region_code"], row["year_hint"]) == ("江苏省", "洪泽区", "320813", 2024)
    assert archive.read_blob(stored.sha256) == b"%PDF-1.7 the report"
    last = archive.last_fetch(rec.url)
    assert (last.etag, last.last_modified, last.sha256) == (
        '"66a1-5f"', "Mon, 20 Jan 2025 02:00:00 GMT", stored.sha256)
    assert last.fetched_at == when


def test_same_bytes_from_two_urls_are_one_document_two_fetches(archive):
    a = archive.store(FetchRecord(url="http://county.test/r.pdf", status=200), b"same report")
    b = archive.store(FetchRecord(url="http://dept.test/r.pdf", status=200), b"same report")
    assert a.document_id == b.document_id and a.new_document and not b.new_document
    assert [f["url"] for f in fetches(archive)] == ["http://county.test/r.pdf", "http://dept.test/r.pdf"]


def test_refetching_unchanged_bytes_adds_nothing_changed_bytes_are_new(archive):
    url = "http://county.test/r.pdf"
    first = archive.store(FetchRecord(url=url, status=200), b"v1")
    again = archive.store(FetchRecord(url=url, status=200), b"v1")
    assert again.repeat and again.fetch_id == first.fetch_id and not again.changed
    (row,) = fetches(archive)
    assert row["times_seen"] == 2
    changed = archive.store(FetchRecord(url=url, status=200), b"v2")
    assert changed.changed and changed.new_document and not changed.repeat
    assert archive.last_fetch(url).sha256 == changed.sha256


def test_non_document_outcomes_are_recorded_never_stored(archive):
    archive.record(FetchRecord(url="http://a.test/x", outcome=Outcome.CHALLENGE, status=412))
    archive.record(FetchRecord(url="http://a.test/gone", outcome=Outcome.SOFT_404, status=200))
    archive.record(FetchRecord(url="http://a.test/err", outcome=Outcome.HTTP_ERROR, status=503, error="after 3 retries"))
    archive.record(FetchRecord(url="http://a.test/big", outcome=Outcome.TOO_LARGE, status=200))
    assert [(f["outcome"], f["document_id"]) for f in fetches(archive)] == [
        ("challenge", None), ("soft_404", None), ("http_error", None), ("too_large", None)]
    assert archive.read(lambda s: s.scalar(select(func.count()).select_from(Document))) == 0
    assert list(archive.blobs) == []
    assert archive.last_fetch("http://a.test/x") is None
    with pytest.raises(ValueError):
        archive.store(FetchRecord(url="http://a.test/x", outcome=Outcome.SOFT_404), "<html>页面不存在</html>".encode())


def test_not_modified_neither_downloads_nor_reparses(archive):
    url = "http://county.test/r.pdf"
    stored = archive.store(FetchRecord(url=url, status=200, headers={"ETag": '"v1"'}), b"v1")
    for _ in range(2):
        archive.record(FetchRecord(url=url, outcome=Outcome.NOT_MODIFIED, status=304))
    rows = fetches(archive)
    assert [(r["outcome"], r["document_id"], r["times_seen"]) for r in rows] == [
        ("document", stored.document_id, 1), ("not_modified", stored.document_id, 2)]
    last = archive.last_fetch(url)
    assert last.etag == '"v1"' and last.last_seen_at >= last.fetched_at


def test_too_large_is_refused_and_nothing_is_left(db_url, data_dir):
    with Archive.open(db_url, data_dir, max_document_bytes=1000) as ar:
        from tests.dbs import clear

        clear(db_url)
        with pytest.raises(TooLarge, match="http://a.test/huge.pdf"):
            ar.store(FetchRecord(url="http://a.test/huge.pdf", status=200), b"x" * 1001)
        assert ar.read(lambda s: s.scalar(select(func.count()).select_from(Fetch))) == 0
        assert list(ar.blobs) == [] and not list((data_dir / "staging").iterdir())


def test_local_file_has_provenance(archive, tmp_path):
    path = tmp_path / "洪泽区2023年报.pdf"
    path.write_bytes(b"local bytes")
    stored = archive.store_file(path)
    (row,) = fetches(archive)
    assert row["kind"] == "local" and row["local_path"] == str(path) and row["filename"] == path.name
    assert row["url"] == path.as_uri()
    again = archive.store_file(path)
    assert again.repeat and again.document_id == stored.document_id


def test_a_batch_is_one_commit_item_by_item(db_url, data_dir):
    """store_many (the crawler's group commit): documents and other outcomes in one transaction;
    an item that cannot be stored gives its error in its place and leaves nothing, the others
    are stored; the same bytes twice in a batch are one document and one blob."""
    from tests.dbs import clear

    clear(db_url)
    with Archive.open(db_url, data_dir, max_document_bytes=1000) as ar:
        first = ar.store(FetchRecord(url="http://a.test/old.pdf", status=200, headers={"ETag": '"1"'}), b"old")
        results = ar.store_many([
            (FetchRecord(url="http://a.test/r.pdf", status=200), b"report"),
            (FetchRecord(url="http://a.test/huge.pdf", status=200), b"x" * 1001),
            (FetchRecord(url="http://a.test/gone", outcome=Outcome.SOFT_404, status=200), None),
            (FetchRecord(url="http://b.test/copy.pdf", status=200), b"report"),
            (FetchRecord(url="http://a.test/old.pdf", outcome=Outcome.NOT_MODIFIED, status=304), None),
        ])
        stored, too_large, soft_404, copy, not_modified = results
        assert isinstance(too_large, TooLarge) and "http://a.test/huge.pdf" in str(too_large)
        assert stored.new_document and not copy.new_document and copy.document_id == stored.document_id
        assert isinstance(soft_404, int) and isinstance(not_modified, int)
        rows = {r["url"]: r for r in fetches(ar)}
        assert set(rows) == {"http://a.test/old.pdf", "http://a.test/r.pdf", "http://a.test/gone", "http://b.test/copy.pdf"}
        assert rows["http://a.test/gone"]["outcome"] == "soft_404" and rows["http://a.test/gone"]["document_id"] is None
        unchanged = [r for r in fetches(ar) if r["outcome"] == "not_modified"]
        assert [(r["id"], r["document_id"]) for r in unchanged] == [(not_modified, first.document_id)]
        assert sorted(ar.blobs) == sorted({first.sha256, stored.sha256})
        assert not list((data_dir / "staging").iterdir())
        assert ar.last_fetches(["http://a.test/r.pdf", "http://b.test/copy.pdf", "http://a.test/gone"]) == {
            "http://a.test/r.pdf": ar.last_fetch("http://a.test/r.pdf"),
            "http://b.test/copy.pdf": ar.last_fetch("http://b.test/copy.pdf")}
        with pytest.raises(ValueError, match="bytes go with outcome document"):
            ar.store_many([(FetchRecord(url="http://a.test/x", outcome=Outcome.CHALLENGE), b"<html>")])


def test_one_url_twice_in_a_batch_is_recorded_in_order(archive):
    url = "http://a.test/r.pdf"
    a, b, c = archive.store_many([(FetchRecord(url=url, status=200), b"v1"), (FetchRecord(url=url, status=200), b"v1"),
                                  (FetchRecord(url=url, status=200), b"v2")])
    assert not a.repeat and b.repeat and b.fetch_id == a.fetch_id and not b.changed
    assert c.changed and not c.repeat and c.fetch_id != a.fetch_id
    assert [(r["id"], r["times_seen"]) for r in fetches(archive)] == [(a.fetch_id, 2), (c.fetch_id, 1)]
