"""deploy/postgres-setup.sh against the real PostgreSQL: role and database created once, the
schema migrated by `nianbao db upgrade`, and a second run changes nothing."""
from __future__ import annotations

import os
import pathlib
import subprocess
import uuid
from collections.abc import Iterator

import pytest
import sqlalchemy as sa

from tests.crawler.conftest import run_nianbao
from tests.dbs import POSTGRES_ADMIN

pytestmark = pytest.mark.postgres
SCRIPT = pathlib.Path(__file__).resolve().parents[2] / "deploy/postgres-setup.sh"


@pytest.fixture
def names() -> Iterator[tuple[str, str]]:
    suffix = uuid.uuid4().hex[:10]
    db, role = f"nianbao_setup_{suffix}", f"nianbao_role_{suffix}"
    yield db, role
    admin = sa.create_engine(POSTGRES_ADMIN, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{db}" WITH (FORCE)')
        conn.exec_driver_sql(f'DROP ROLE IF EXISTS "{role}"')
    admin.dispose()


def setup(db: str, role: str) -> subprocess.CompletedProcess[str]:
    admin = sa.engine.make_url(POSTGRES_ADMIN)
    env = {**os.environ, "PGHOST": admin.host or "127.0.0.1", "PGPORT": str(admin.port or 5432),
           "PGUSER": admin.username or "postgres", "PGDATABASE": admin.database or "postgres"}
    return subprocess.run(["sh", str(SCRIPT), "--db", db, "--role", role, "--password", "s3cret/+:@"],
                          capture_output=True, text=True, timeout=300, env=env)


def test_setup_creates_and_migrates_idempotently(names: tuple[str, str]) -> None:
    db, role = names
    first = setup(db, role)
    assert first.returncode == 0, first.stdout + first.stderr
    line = first.stdout.strip().splitlines()[-1]
    assert line.startswith(f"NIANBAO_DATABASE_URL=postgresql://{role}:***@") and line.endswith(f"/{db}")
    admin = sa.engine.make_url(POSTGRES_ADMIN)
    url = f"postgresql://{role}:s3cret%2F%2B%3A%40@{admin.host}:{admin.port or 5432}/{db}"
    current = run_nianbao("db", "current", "--db", url)
    assert current.returncode == 0 and "(head " in current.stdout, current.stdout + current.stderr
    revision = current.stdout.split(": ", 1)[1].split(" (head ")[0]
    assert current.stdout.strip().endswith(f"(head {revision})")  # migrated to head
    engine = sa.create_engine(url.replace("postgresql://", "postgresql+psycopg://", 1))
    with engine.connect() as conn:
        owners = set(conn.execute(sa.text("SELECT DISTINCT tableowner FROM pg_tables WHERE tablename = 'reports'")
                                  ).scalars())
        db_owner = conn.execute(sa.text("SELECT pg_get_userbyid(datdba) FROM pg_database "
                                        "WHERE datname = current_database()")).scalar()
    engine.dispose()
    assert owners == {role} and db_owner == role  # the service's role owns what it migrates

    again = setup(db, role)
    assert again.returncode == 0, again.stdout + again.stderr
    assert run_nianbao("db", "current", "--db", url).stdout == current.stdout


def test_setup_refuses_unknown_options(tmp_path: pathlib.Path) -> None:
    proc = subprocess.run(["sh", str(SCRIPT), "--database", "x"], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 2 and "usage" in proc.stderr
