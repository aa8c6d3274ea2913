"""The store's database connection: the engine, SQLite's tuning, and read and write transactions.

On SQLite every writing transaction starts with `BEGIN IMMEDIATE` (WAL, busy timeout), so writers queue
instead of failing; reads start with a plain `BEGIN`.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from sqlalchemy import event, inspect, text
from sqlalchemy.engine import URL
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, create_async_engine
from sqlalchemy.pool import ConnectionPoolEntry

from .errors import UnsupportedDatabaseUrl
from .url import async_database_url

__all__ = ["Database", "create_engine"]

log = logging.getLogger(__name__)

SQLITE_BUSY_TIMEOUT_S = 30.0


class Database:
    """One engine and how to open transactions on it; shared by every part of the store."""

    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine
        self.is_sqlite = engine.dialect.name == "sqlite"
        if self.is_sqlite:
            _tune_sqlite(engine)

    @classmethod
    def from_url(cls, database_url: str | URL) -> Database:
        return cls(create_engine(database_url))

    @asynccontextmanager
    async def write(self) -> AsyncIterator[AsyncConnection]:
        """A writing transaction (on SQLite: `BEGIN IMMEDIATE`, so writers queue)."""
        async with self.engine.begin() as conn:
            yield conn

    @asynccontextmanager
    async def read(self) -> AsyncIterator[AsyncConnection]:
        """A reading transaction (on SQLite: a plain `BEGIN`, which never waits for a writer)."""
        async with self.engine.connect() as conn:
            if self.is_sqlite:
                conn = await conn.execution_options(dbops_sqlite_begin="BEGIN")
            async with conn.begin():
                yield conn

    async def ping(self) -> None:
        async with self.read() as conn:
            await conn.execute(text("SELECT 1"))

    async def table_names(self) -> set[str]:
        async with self.read() as conn:
            return set(await conn.run_sync(lambda sync: inspect(sync).get_table_names()))

    async def close(self) -> None:
        await self.engine.dispose()


def create_engine(database_url: str | URL) -> AsyncEngine:
    """An engine that connects lazily to `DATABASE_URL` as people write it (see `async_database_url`)."""
    url = database_url if isinstance(database_url, URL) else async_database_url(database_url)
    options: dict[str, Any] = {"pool_pre_ping": True}
    if url.drivername.startswith("sqlite"):
        options["connect_args"] = {"timeout": SQLITE_BUSY_TIMEOUT_S}
    try:
        return create_async_engine(url, **options)
    except Exception as error:
        log.error("cannot create the database engine", extra={"error": repr(error)})
        raise UnsupportedDatabaseUrl(
            f"DATABASE_URL {url.render_as_string(hide_password=True)} cannot be used: {error}"
        ) from None


def _tune_sqlite(engine: AsyncEngine) -> None:
    """WAL, a busy timeout, foreign keys, and `BEGIN IMMEDIATE` for writing transactions."""

    @event.listens_for(engine.sync_engine, "connect")
    def _on_connect(dbapi_connection: Any, _: ConnectionPoolEntry) -> None:
        dbapi_connection.isolation_level = None  # we emit BEGIN ourselves, below
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA busy_timeout={int(SQLITE_BUSY_TIMEOUT_S * 1000)}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine.sync_engine, "begin")
    def _on_begin(conn: Any) -> None:
        conn.exec_driver_sql(conn.get_execution_options().get("dbops_sqlite_begin", "BEGIN IMMEDIATE"))
