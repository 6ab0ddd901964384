"""Both databases for tests: a migrated SQLite file or a fresh PostgreSQL database.

Reusable outside tests/archive (tests/crawler imports it too)::

    from tests.dbs import DIALECTS, database, clear

    @pytest.fixture(scope="module", params=DIALECTS)
    def database_url(request, tmp_path_factory):
        with database(request.param, tmp_path_factory.mktemp("db")) as url:
            yield url

PostgreSQL is the server at 127.0.0.1:5432 (``NIANBAO_TEST_POSTGRES`` overrides the admin URL);
each :func:`database` creates its own database and drops it afterwards, so test modules (and
parallel test runs) never share state.
"""
from __future__ import annotations

import contextlib
import os
import pathlib
import uuid
from collections.abc import Iterator

import pytest
import sqlalchemy as sa

DIALECTS = [pytest.param("sqlite", id="sqlite"),
            pytest.param("postgresql", id="postgresql", marks=pytest.mark.postgres)]
POSTGRES_ADMIN = os.environ.get("NIANBAO_TEST_POSTGRES", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
KEEP = {"alembic_version", "fact_keys"}  # tables a migration fills; clear() leaves them


@contextlib.contextmanager
def postgres_database(prefix: str = "nianbao_test") -> Iterator[str]:
    """A new, empty PostgreSQL database; dropped (connections and all) on exit."""
    name = f"{prefix}_{uuid.uuid4().hex[:10]}"
    admin = sa.create_engine(POSTGRES_ADMIN, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    try:
        yield admin.url.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()


@contextlib.contextmanager
def database(dialect: str, directory: pathlib.Path, *, migrate: bool = True) -> Iterator[str]:
    """The URL of an empty nianbao database of ``dialect``, migrated to head unless told not to."""
    from archive import db

    with contextlib.ExitStack() as stack:
        if dialect == "sqlite":
            url = f"sqlite:///{directory / 'nianbao.sqlite'}"
        else:
            url = stack.enter_context(postgres_database())
        if migrate:
            engine = db.create_engine(url)
            db.upgrade(engine)
            engine.dispose()
        yield url


def clear(url: str) -> None:
    """Empty every table a test can fill (keeps the schema and the fact-key catalogue)."""
    from archive import db
    from archive.models import Base

    engine = db.create_engine(url)
    tables = [t.name for t in reversed(Base.metadata.sorted_tables) if t.name not in KEEP]
    with engine.begin() as conn:
        if engine.dialect.name == "postgresql":
            conn.exec_driver_sql(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE")
        else:
            for table in tables:
                conn.exec_driver_sql(f"DELETE FROM {table}")
    engine.dispose()
