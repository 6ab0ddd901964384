"""Engines, migrations and transactions that survive concurrent writers.

SQLite runs in WAL mode with a busy timeout, and every write transaction starts with
``BEGIN IMMEDIATE`` so two processes never both read-then-write and deadlock; read-only work uses
:func:`reader` (a deferred ``BEGIN``). PostgreSQL runs at READ COMMITTED and serialises what must
be serialised with row locks and transaction-scoped advisory locks (see ``archive.filing``).
:func:`retrying` re-runs a whole unit of work on the transient failures that concurrency causes
(deadlock, serialisation failure, a unique constraint lost to a racing process, a busy SQLite).
"""
from __future__ import annotations

import contextlib
import fcntl
import logging
import os
import pathlib
import threading
from collections.abc import Callable
from typing import TypeVar

import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError, IntegrityError, OperationalError
from sqlalchemy.orm import Session, sessionmaker
from tenacity import Retrying, retry_if_exception, stop_after_attempt, wait_random_exponential

from archive.errors import ConfigurationError, NotMigrated

log = logging.getLogger(__name__)
T = TypeVar("T")

SQLITE_BUSY_TIMEOUT_S = 60
MIGRATIONS = pathlib.Path(__file__).with_name("migrations")


def create_engine(url: str) -> Engine:
    if url.startswith("sqlite"):
        path = sa.engine.make_url(url).database
        if path and path != ":memory:":
            pathlib.Path(path).parent.mkdir(parents=True, exist_ok=True)
        engine = sa.create_engine(url, connect_args={"timeout": SQLITE_BUSY_TIMEOUT_S})
        _configure_sqlite(engine)
        return engine
    return sa.create_engine(url, pool_pre_ping=True, pool_size=2, max_overflow=4)


def _configure_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _connect(dbapi_conn, _record) -> None:  # type: ignore[no-untyped-def]
        dbapi_conn.isolation_level = None  # let the "begin" hook below issue BEGIN itself
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA synchronous=NORMAL")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_S * 1000}")
        cur.close()

    @event.listens_for(engine, "begin")
    def _begin(conn: sa.Connection) -> None:
        mode = conn.get_execution_options().get("sqlite_begin", "IMMEDIATE")
        conn.exec_driver_sql(f"BEGIN {mode}")


class WriteLock:
    """Takes turns at writing to one SQLite file, across threads and processes.

    SQLite lets one writer in at a time and makes the others poll: a busy writer sleeps (up to
    100 ms a time) and tries again, so under steady contention (the crawl's group commits and
    the parser processes' filings) most of the waiting is sleeping past a lock already free.
    Taking this lock (``flock`` on ``<database>.lock``, and a thread lock for the threads of one
    process, which share the file) before ``BEGIN IMMEDIATE`` makes waiters queue in the
    kernel and wake as soon as the writer before them commits. SQLite's own locking stays in
    charge of correctness; without ``flock`` (some network file systems) only that is left.
    """

    def __init__(self, path: str | None) -> None:
        self._threads = threading.Lock()
        self._file: int | None = None
        self.path = f"{path}.lock" if path and path != ":memory:" else None

    def __enter__(self) -> WriteLock:
        self._threads.acquire()
        try:
            if self.path is not None:
                if self._file is None:
                    self._file = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
                fcntl.flock(self._file, fcntl.LOCK_EX)
        except OSError as exc:
            log.warning("no write lock on %s (%s): SQLite's locking alone orders writers", self.path, exc)
            self.path = None
        except BaseException:
            self._threads.release()
            raise
        return self

    def __exit__(self, *exc: object) -> None:
        try:
            if self._file is not None and self.path is not None:
                fcntl.flock(self._file, fcntl.LOCK_UN)
        finally:
            self._threads.release()

    def close(self) -> None:
        if self._file is not None:
            os.close(self._file)
            self._file = None


def write_lock(engine: Engine) -> WriteLock | contextlib.nullcontext[None]:
    """The lock write transactions of ``engine`` take first: a :class:`WriteLock` on SQLite,
    nothing on PostgreSQL (whose row locks let writers work side by side)."""
    if engine.dialect.name != "sqlite":
        return contextlib.nullcontext()
    return WriteLock(engine.url.database)


def reader(engine: Engine) -> Engine:
    """The same engine for read-only work: on SQLite, a deferred BEGIN that never blocks writers."""
    return engine.execution_options(sqlite_begin="DEFERRED")


def session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False)


# --- transient failures -------------------------------------------------------------------

_PG_TRANSIENT = {"40001", "40P01", "55P03", "57014"}  # serialization, deadlock, lock not available, timeout


def is_transient(exc: BaseException) -> bool:
    if isinstance(exc, IntegrityError):
        return True  # a racing process inserted the same unique key first: re-run sees its row
    if isinstance(exc, DBAPIError):
        code = getattr(exc.orig, "sqlstate", None)
        if code in _PG_TRANSIENT or exc.connection_invalidated:
            return True
        if isinstance(exc, OperationalError):
            text = str(exc.orig).lower()
            return "locked" in text or "busy" in text
    return False


def retrying(fn: Callable[[], T], *, attempts: int = 12) -> T:
    """Run ``fn`` (one whole transaction) again on transient failures; the last error propagates."""
    for attempt in Retrying(retry=retry_if_exception(is_transient), stop=stop_after_attempt(attempts),
                            wait=wait_random_exponential(multiplier=0.02, max=2), reraise=True):
        with attempt:
            return fn()
    raise AssertionError("unreachable")


# --- migrations --------------------------------------------------------------------------


def alembic_config(url: str) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return cfg


def head_revision() -> str:
    head = ScriptDirectory.from_config(alembic_config("sqlite://")).get_current_head()
    assert head is not None
    return head


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def upgrade(engine: Engine, revision: str = "head") -> None:
    cfg = alembic_config(engine.url.render_as_string(hide_password=False))
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, revision)


def downgrade(engine: Engine, revision: str) -> None:
    cfg = alembic_config(engine.url.render_as_string(hide_password=False))
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, revision)


def ensure_schema(engine: Engine, *, auto_migrate_fresh_sqlite: bool = True) -> None:
    """Migrate a fresh SQLite file; refuse (with the command to run) anything not at head."""
    url = engine.url.render_as_string(hide_password=True)
    head = head_revision()
    try:
        current = current_revision(engine)
    except OperationalError as exc:
        raise ConfigurationError(f"cannot open database {url}: {exc.orig}") from exc
    if current == head:
        return
    if current is None and engine.dialect.name == "sqlite" and auto_migrate_fresh_sqlite:
        if sa.inspect(engine).get_table_names():
            raise ConfigurationError(f"{url} holds tables that are not a nianbao archive; refusing to touch it")
        log.info("migrating fresh archive %s to %s", url, head)
        upgrade(engine)
        return
    raise NotMigrated(url, current, head)
