"""Alembic environment: run by ``nianbao db upgrade`` (``archive.db.upgrade``) or by the alembic CLI.

``render_as_batch`` lets ALTERs work on SQLite; ``compare_type`` makes autogenerate notice type
changes. The naming convention of ``archive.models`` names every constraint.
"""
from __future__ import annotations

from alembic import context
from sqlalchemy import engine_from_config, pool

from archive.models import Base, UTCDateTime

config = context.config
target_metadata = Base.metadata
if url := context.get_x_argument(as_dictionary=True).get("url"):  # alembic -x url=...
    config.set_main_option("sqlalchemy.url", url)


def render_item(type_: str, obj: object, autogen_context: object) -> str | bool:
    """Write our UTCDateTime as the plain column type it is, so migrations import nothing of ours."""
    if type_ == "type" and isinstance(obj, UTCDateTime):
        return "sa.DateTime(timezone=True)"
    return False


def run(connection) -> None:  # type: ignore[no-untyped-def]
    context.configure(connection=connection, target_metadata=target_metadata,
                      render_as_batch=True, compare_type=True, render_item=render_item)
    with context.begin_transaction():
        context.run_migrations()


if context.is_offline_mode():
    context.configure(url=config.get_main_option("sqlalchemy.url"), target_metadata=target_metadata,
                      literal_binds=True, render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()
elif (conn := config.attributes.get("connection")) is not None:
    run(conn)
else:
    engine = engine_from_config(config.get_section(config.config_ini_section) or {}, prefix="sqlalchemy.",
                                poolclass=pool.NullPool)
    with engine.begin() as connection:
        run(connection)
