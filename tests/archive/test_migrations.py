"""Alembic: one head, dated files, models = migrations, downgrade/upgrade with data, self-migrating SQLite."""
from __future__ import annotations

import re
import sqlite3

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory

from archive import Archive, ConfigurationError, NotMigrated, db
from archive.models import Base
from tests.dbs import DIALECTS, database

from .helpers import expected, put, result


@pytest.fixture(params=DIALECTS)
def fresh_url(request, tmp_path):
    with database(request.param, tmp_path, migrate=False) as url:
        yield url


def test_single_head_and_dated_file_names():
    script = ScriptDirectory.from_config(db.alembic_config("sqlite://"))
    assert len(script.get_heads()) == 1
    for rev in script.walk_revisions():
        assert re.match(r"\d{4}_\d{2}_\d{2}_\d{4}_[0-9a-f]{12}_\w+\.py$", rev.module.__file__.rsplit("/", 1)[-1])


def test_models_and_migrations_agree(fresh_url):
    engine = db.create_engine(fresh_url)
    db.upgrade(engine)
    with engine.connect() as conn:
        ctx = MigrationContext.configure(conn, opts={"compare_type": True})
        assert compare_metadata(ctx, Base.metadata) == []
    engine.dispose()


def test_upgrade_downgrade_upgrade_with_data(fresh_url, tmp_path):
    engine = db.create_engine(fresh_url)
    db.upgrade(engine)
    with Archive.open(fresh_url, tmp_path / "data") as ar:
        stored = put(ar, b"report", "http://a.test/r.pdf")
        ar.file(stored.sha256, result(expected("hongze-district-2023")))
    script = ScriptDirectory.from_config(db.alembic_config(fresh_url))
    first = list(script.walk_revisions())[-1].revision
    db.downgrade(engine, first)  # views and the catalogue go, the data stays
    names = set(sa.inspect(engine).get_view_names())
    assert not any(n.startswith("v_") for n in names)
    with engine.connect() as conn:
        assert conn.execute(sa.text("SELECT COUNT(*) FROM facts")).scalar() == len(expected("hongze-district-2023")["facts"])
    db.upgrade(engine)
    with engine.connect() as conn:
        assert conn.execute(sa.text("SELECT agency, year, status FROM v_reports")).one() == ("洪泽区人民政府", 2023, "ok")
        assert conn.execute(sa.text("SELECT COUNT(*) FROM fact_keys")).scalar() == 226
    db.downgrade(engine, "base")
    assert set(sa.inspect(engine).get_table_names()) <= {"alembic_version"}
    db.upgrade(engine)
    assert db.current_revision(engine) == db.head_revision()
    engine.dispose()


def test_fresh_sqlite_migrates_itself_postgresql_asks_for_upgrade(fresh_url, tmp_path):
    if fresh_url.startswith("sqlite"):
        with Archive.open(fresh_url, tmp_path / "data") as ar:
            assert db.current_revision(ar.engine) == db.head_revision()
            mode = ar.read(lambda s: s.execute(sa.text("PRAGMA journal_mode")).scalar())
            assert mode == "wal"
    else:
        with pytest.raises(NotMigrated, match="nianbao db upgrade"):
            Archive.open(fresh_url, tmp_path / "data")


def test_foreign_sqlite_file_is_left_alone(tmp_path):
    path = tmp_path / "other.sqlite"
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE precious (x)")
    with pytest.raises(ConfigurationError, match="not a nianbao archive"):
        Archive.open(f"sqlite:///{path}", tmp_path / "data")
