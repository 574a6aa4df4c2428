"""Alembic environment: runs on the connection ``service.db.migrate`` hands over, or on a URL."""

from __future__ import annotations

from alembic import context
from sqlalchemy import text
from sqlalchemy.engine import Connection

from service.db import Base, make_engine


def run_on(connection: Connection) -> None:
    """Apply the pending revisions on ``connection``."""
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        render_as_batch=True,  # SQLite alters tables by copying them
        compare_type=True,
    )
    with context.begin_transaction():
        if connection.dialect.name == "postgresql":
            # Two processes starting at once (API and worker) must not both create the tables.
            connection.execute(text("SELECT pg_advisory_xact_lock(7253340613)"))
        context.run_migrations()


def run() -> None:
    """Entry point Alembic calls when it loads this file."""
    connection = context.config.attributes.get("connection")
    if connection is not None:
        run_on(connection)
        return
    url = context.config.get_main_option("sqlalchemy.url")
    if not url:
        raise RuntimeError("no connection and no sqlalchemy.url given to the migrations")
    engine = make_engine(url)
    with engine.begin() as own_connection:
        run_on(own_connection)
    engine.dispose()


run()
