"""Fixtures of the deployment tests: the small simulated province, fresh PostgreSQL archives and
Redis key prefixes that are removed afterwards."""
from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest
import redis

from tests.dbs import postgres_database
from tests.sandbox.fixtures import serve
from tests.sandbox.server import Sandbox

REDIS_URL = "redis://127.0.0.1:6379/0"


@pytest.fixture(scope="module")
def small(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Sandbox]:
    yield from serve("small", tmp_path_factory, slow_scale=0.25)


@pytest.fixture
def pg_archive() -> Iterator[str]:
    """A fresh PostgreSQL database, migrated by the real `nianbao db upgrade`, dropped afterwards."""
    from archive import db

    with postgres_database() as url:
        engine = db.create_engine(url)
        db.upgrade(engine)
        engine.dispose()
        yield url


@pytest.fixture
def redis_prefix() -> Iterator[str]:
    """A key prefix of its own in the real Redis; every key under it is deleted afterwards."""
    prefix = f"nianbao-test-{uuid.uuid4().hex[:10]}"
    yield prefix
    client = redis.Redis.from_url(REDIS_URL)
    keys = list(client.scan_iter(match=f"{prefix}:*"))
    if keys:
        client.delete(*keys)
