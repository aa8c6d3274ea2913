from __future__ import annotations

import asyncio
import os
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.engine import URL

from bot.store import Store
from tests.unit.store.backends import create_database, drop_database, postgres_url

from .workers import FAKE_EXECUTIONS

ROOT = Path(__file__).resolve().parents[3]


def repetitions(default: int) -> int:
    """`DBOPS_RACE_REPETITIONS` runs the drills fully (20 for the full drill); the normal suite runs a few."""
    return int(os.environ.get("DBOPS_RACE_REPETITIONS", default))


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
async def shared_url(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[str]:
    """A migrated store several processes can open (its URL, password included), with `fake_executions`."""
    database: URL | None = None
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'shared.db'}"
    else:
        database = await create_database(postgres_url(), prefix="dbops_drill")
        url = database.render_as_string(hide_password=False)
    store = Store.from_url(url)
    await store.migrate()
    async with store.engine.begin() as conn:
        await conn.execute(text(FAKE_EXECUTIONS))
    await store.close()
    yield url
    if database is not None:
        await drop_database(database)


async def executions(store: Store, request_id: str) -> int:
    async with store.engine.connect() as conn:
        query = text("SELECT count(*) FROM fake_executions WHERE request_id = :r")
        return int((await conn.execute(query, {"r": request_id})).scalar_one())


async def spawn(*args: str) -> asyncio.subprocess.Process:
    return await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "tests.integration.workflow.workers",
        *args,
        cwd=ROOT,
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
    )


async def read_line(process: asyncio.subprocess.Process) -> str:
    assert process.stdout is not None
    line = await asyncio.wait_for(process.stdout.readline(), timeout=60)
    return line.decode().strip()
