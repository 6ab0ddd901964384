"""``nianbao export``: the browsing views as CSV or Parquet files, streamed in batches.

One file per dataset (``reports.csv``, ``facts.parquet``, …), each a view of
docs/archive.md; ``facts`` holds the canonical parse's facts with where each was read.
"""
from __future__ import annotations

import csv
import datetime as dt
import pathlib
from collections.abc import Iterator, Sequence
from typing import Any

from sqlalchemy import text

from archive.api import Archive

DATASETS = {  # name: (view, filter columns it has, order)
    "reports": ("v_reports", True, "province, city, county, agency, year"),
    "applications": ("v_applications", True, "report_id, position"),
    "art20": ("v_art20", True, "report_id, position"),
    "review": ("v_review", True, "report_id, position"),
    "facts": ("v_facts", False, "report_id, parse_id, key"),
    "sources": ("v_sources", False, "report_id, rank"),
    "coverage": ("v_coverage", True, "province, city, county, agency, year"),
    "conflicts": ("v_conflicts", False, "report_id, key"),
}
BATCH = 10_000


def _query(name: str, year: int | None, province: str | None) -> tuple[str, dict[str, Any]]:
    view, regional, order = DATASETS[name]
    where, params = [], {}
    if name == "facts":
        where.append("canonical")
    if year is not None:
        where.append("year = :year")
        params["year"] = year
    if province is not None:
        if regional:
            where.append("province = :province")
        else:
            where.append("report_id IN (SELECT report_id FROM v_reports WHERE province = :province)")
        params["province"] = province
    sql = f"SELECT * FROM {view}" + (f" WHERE {' AND '.join(where)}" if where else "") + f" ORDER BY {order}"
    return sql, params


def _batches(archive: Archive, sql: str, params: dict[str, Any]) -> tuple[list[str], Iterator[list[tuple[Any, ...]]]]:
    conn = archive.engine.execution_options(sqlite_begin="DEFERRED", stream_results=True,
                                            yield_per=BATCH).connect()
    result = conn.execute(text(sql), params)
    columns = list(result.keys())

    def rows() -> Iterator[list[tuple[Any, ...]]]:
        try:
            for partition in result.partitions(BATCH):
                yield [tuple(r) for r in partition]
        finally:
            conn.close()
    return columns, rows()


def _arrow_type(values: Sequence[Any]):  # type: ignore[no-untyped-def]
    import pyarrow as pa

    sample = next((v for v in values if v is not None), None)
    if isinstance(sample, bool):
        return pa.bool_()
    if isinstance(sample, int):
        return pa.int64()
    if isinstance(sample, float):
        return pa.float64()
    if isinstance(sample, dt.datetime):
        return pa.timestamp("us", tz="UTC")
    if isinstance(sample, dt.date):
        return pa.date32()
    return pa.string()


def _arrow_column(values: list[Any], type_):  # type: ignore[no-untyped-def]
    import pyarrow as pa

    if type_ == pa.string():
        values = [None if v is None else v if isinstance(v, str) else str(v) for v in values]
    elif type_ == pa.float64():
        values = [None if v is None else float(v) for v in values]
    return pa.array(values, type=type_)


def export(archive: Archive, out_dir: str | pathlib.Path, *, fmt: str = "csv", datasets: Sequence[str] = (),
           year: int | None = None, province: str | None = None) -> dict[str, int]:
    """Write the datasets to ``out_dir``; returns rows written per file."""
    out = pathlib.Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    written: dict[str, int] = {}
    for name in datasets or list(DATASETS):
        sql, params = _query(name, year, province)
        columns, batches = _batches(archive, sql, params)
        target = out / f"{name}.{fmt}"
        tmp = target.with_name(f".{target.name}.tmp")
        n = 0
        if fmt == "csv":
            with tmp.open("w", newline="", encoding="utf-8") as fh:
                writer = csv.writer(fh)
                writer.writerow(columns)
                for batch in batches:
                    writer.writerows(batch)
                    n += len(batch)
        elif fmt == "parquet":
            import pyarrow as pa
            import pyarrow.parquet as pq

            writer = schema = None
            for batch in batches:
                cols = list(zip(*batch, strict=True)) if batch else [[] for _ in columns]
                if schema is None:
                    schema = pa.schema([(c, _arrow_type(v)) for c, v in zip(columns, cols, strict=True)])
                    writer = pq.ParquetWriter(tmp, schema)
                arrays = [_arrow_column(list(v), schema.field(i).type) for i, v in enumerate(cols)]
                writer.write_table(pa.Table.from_arrays(arrays, schema=schema))  # type: ignore[union-attr]
                n += len(batch)
            if writer is None:
                pq.write_table(pa.table({c: pa.array([], pa.string()) for c in columns}), tmp)
            else:
                writer.close()
        else:
            raise ValueError(f"unknown export format {fmt!r}: csv or parquet")
        tmp.replace(target)  # no half-written export file under the final name
        written[target.name] = n
    return written
