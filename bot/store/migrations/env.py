"""Alembic environment for the store.

`Store.migrate()` hands over an open connection (in `config.attributes["connection"]`). Run from the
command line (`alembic -c bot/store/migrations/alembic.ini …`), it connects to `DATABASE_URL`.
"""

from __future__ import annotations

import asyncio
import os

from alembic import context
from sqlalchemy import Connection

from bot.store.connection import Database
from bot.store.schema import metadata
from bot.store.url import async_database_url


def _run(connection: Connection) -> None:
    context.configure(connection=connection, target_metadata=metadata, render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()


async def _run_from_url() -> None:
    database = Database.from_url(async_database_url(os.environ.get("DATABASE_URL", "sqlite:///dbops.db")))
    try:
        async with database.engine.begin() as connection:
            await connection.run_sync(_run)
    finally:
        await database.close()


if context.is_offline_mode():
    raise SystemExit("dbops migrations run online only: set DATABASE_URL and run `python -m bot migrate`.")

_connection = context.config.attributes.get("connection")
if _connection is not None:
    _run(_connection)
else:
    asyncio.run(_run_from_url())
