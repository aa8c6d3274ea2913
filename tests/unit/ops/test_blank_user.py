"""DigitalOcean answers `"user": ""` for a pool without a user: that is no user, everywhere (issue 12.6)."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator

import httpx
import pytest

from bot.digitalocean import DigitalOceanClient
from bot.ops import DatabaseOps, Outcome, PoolCreate, PoolResize
from bot.sandbox import SANDBOX_TOKEN, STAGING_PG, SandboxState, create_app
from bot.sandbox.model import SandboxPool

from .conftest import NO_RETRY

Sent = list[httpx.Request]


@pytest.fixture
def sent() -> Sent:
    return []


@pytest.fixture
async def recorded_ops(state: SandboxState, sent: Sent) -> AsyncIterator[DatabaseOps]:
    async def record(request: httpx.Request) -> None:
        sent.append(request)

    http = httpx.AsyncClient(
        base_url="http://sandbox",
        transport=httpx.ASGITransport(app=create_app(state)),
        event_hooks={"request": [record]},
    )
    async with http, DigitalOceanClient(SANDBOX_TOKEN, http=http, retry=NO_RETRY) as client:
        yield DatabaseOps(client)


async def test_a_pool_created_without_a_user_is_applied(recorded_ops: DatabaseOps) -> None:
    plan = await recorded_ops.plan(
        PoolCreate(cluster="staging-pg", pool="jobs", db="app", size=4, mode="session")
    )

    result = await recorded_ops.execute(plan)

    assert result.outcome is Outcome.APPLIED
    assert result.observed.fields() == {"size": 4, "mode": "session", "db": "app", "user": None}


async def test_resizing_a_pool_without_a_user_sends_no_user(
    recorded_ops: DatabaseOps, state: SandboxState, sent: Sent
) -> None:
    state.add_pool(STAGING_PG, SandboxPool(name="jobs", mode="session", size=4, db="app"))
    plan = await recorded_ops.plan(PoolResize(cluster="staging-pg", pool="jobs", size=6))
    assert plan.before.fields() == {"size": 4, "mode": "session", "db": "app", "user": None}

    result = await recorded_ops.execute(plan)

    assert result.outcome is Outcome.APPLIED
    [put] = [request for request in sent if request.method == "PUT"]
    assert json.loads(put.content) == {"mode": "session", "size": 6, "db": "app"}


async def test_a_blank_user_in_a_request_is_no_user(recorded_ops: DatabaseOps) -> None:
    plan = await recorded_ops.plan(
        PoolCreate(cluster="staging-pg", pool="jobs", db="app", size=4, mode="session", user="")
    )

    assert plan.after.fields() == {"size": 4, "mode": "session", "db": "app", "user": None}
