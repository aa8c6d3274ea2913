"""Key scenarios on PostgreSQL (skipped without TEST_DATABASE_URL): happy path and concurrent clicks."""

from __future__ import annotations

import asyncio
import os
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import asyncpg
import pytest

from bot.slack import ids
from bot.store import RequestState
from tests.integration.slack.harness import Harness, running_bot
from tests.support.team import LEAD1, LEAD2, LEAD3

pytestmark = pytest.mark.postgres

URL = os.environ.get("TEST_DATABASE_URL", "")


@pytest.fixture
async def pg_bot(tmp_path: Path) -> AsyncIterator[Harness]:
    if not URL:
        pytest.skip("TEST_DATABASE_URL is not set (e.g. postgresql://postgres@127.0.0.1:5432/test)")
    name = f"dbops_slack_{uuid.uuid4().hex[:10]}"
    admin = await asyncpg.connect(URL.replace("postgresql+asyncpg://", "postgresql://"))
    await admin.execute(f'CREATE DATABASE "{name}"')
    try:
        base, _, _ = URL.rpartition("/")
        async with running_bot(tmp_path, database_url=f"{base}/{name}") as harness:
            yield harness
    finally:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()


async def test_concurrent_clicks_on_postgres_execute_once(pg_bot: Harness) -> None:
    bot = pg_bot
    await bot.command("/pool", "resize staging-pg staging-web size=13")
    request = await bot.request_of(await bot.wait_card())
    await asyncio.gather(*(bot.click(ids.APPROVE, request, user=u) for u in (LEAD1, LEAD2, LEAD3) * 3))
    await bot.wait_thread(request, "The change succeeded")
    await bot.drain()
    assert (await bot.engine.get(request.id)).state is RequestState.SUCCEEDED
    assert len([c for c in bot.sandbox.calls if c.method == "PUT"]) == 1
