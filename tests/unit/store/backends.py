"""The two store backends every store and engine test runs on: SQLite (a temp file) and PostgreSQL.

PostgreSQL runs only when `TEST_DATABASE_URL` is set; each test gets its own schema in one database
created for the session, and both are dropped afterwards.
"""

from __future__ import annotations

import asyncio
import os
import uuid
from collections.abc import AsyncIterator, Coroutine, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any, TypeVar

import asyncpg
import pytest
from sqlalchemy.engine import URL
from sqlalchemy.ext.asyncio import create_async_engine

from bot.store import Store, async_database_url

T = TypeVar("T")

NO_POSTGRES = "TEST_DATABASE_URL is not set (e.g. postgresql://postgres@127.0.0.1:5432/test)"
BACKENDS = ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]


def postgres_url() -> str:
    url = os.environ.get("TEST_DATABASE_URL")
    if not url:
        pytest.skip(NO_POSTGRES)
    return url


def _libpq(url: URL) -> str:
    return url.set(drivername="postgresql").render_as_string(hide_password=False)


async def create_database(base_url: str, prefix: str = "dbops_test") -> URL:
    """A new, uniquely named database on the server of `base_url`; returns its async URL."""
    url = async_database_url(base_url)
    name = f"{prefix}_{uuid.uuid4().hex[:10]}"
    conn = await asyncpg.connect(_libpq(url))
    try:
        await conn.execute(f'CREATE DATABASE "{name}"')
    finally:
        await conn.close()
    return url.set(database=name)


async def drop_database(url: URL) -> None:
    conn = await asyncpg.connect(_libpq(url.set(database="postgres")))
    try:
        await conn.execute(f'DROP DATABASE IF EXISTS "{url.database}" WITH (FORCE)')
    finally:
        await conn.close()


def _run(coroutine: Coroutine[Any, Any, T]) -> T:
    """Run a coroutine to completion from sync code, even inside a running event loop (own thread)."""
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, coroutine).result()


@pytest.fixture(scope="session")
def postgres_database() -> Iterator[URL]:
    """One database for the session's PostgreSQL tests (each test then takes a schema of its own)."""
    url = _run(create_database(postgres_url()))
    yield url
    _run(drop_database(url))


@asynccontextmanager
async def postgres_schema_store(database: URL) -> AsyncIterator[Store]:
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = await asyncpg.connect(_libpq(database))
    await admin.execute(f'CREATE SCHEMA "{schema}"')
    engine = create_async_engine(database, connect_args={"server_settings": {"search_path": schema}})
    store = Store(engine)
    try:
        await store.migrate()
        yield store
    finally:
        await store.close()
        await admin.execute(f'DROP SCHEMA "{schema}" CASCADE')
        await admin.close()


@asynccontextmanager
async def sqlite_store(path: Path) -> AsyncIterator[Store]:
    store = Store.from_url(f"sqlite:///{path}")
    try:
        await store.migrate()
        yield store
    finally:
        await store.close()


@asynccontextmanager
async def open_store(backend: str, request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Store]:
    if backend == "sqlite":
        async with sqlite_store(tmp_path / "dbops.db") as store:
            yield store
    else:
        postgres_url()
        database: URL = request.getfixturevalue("postgres_database")
        async with postgres_schema_store(database) as store:
            yield store
