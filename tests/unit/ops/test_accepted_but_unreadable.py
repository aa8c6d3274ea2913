"""A write DigitalOcean accepted (2xx) but whose answer cannot be parsed has an unknown outcome: it is
reconciled from DigitalOcean's state, never reported "failed" (issue 12.8)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest

from bot.digitalocean import DigitalOceanClient
from bot.ops import DatabaseOps, DbCreate, Outcome, OutcomeUnknownError, PoolCreate
from bot.sandbox import PROD_PG, SANDBOX_TOKEN, SandboxState, create_app

from .conftest import NO_RETRY, writes

# What a 2xx may carry that is not the documented object: a proxy's page, an empty object, a bare pool.
BODIES = [
    b"<html><body>OK</body></html>",
    b"{}",
    b'{"pool": {"name": "batch"}}',
    b"[]",
]


class Garbling(httpx.AsyncBaseTransport):
    """The sandbox, but every POST that succeeds comes back with `body` instead of its JSON."""

    def __init__(self, app: httpx.ASGITransport, body: bytes) -> None:
        self._app = app
        self._body = body

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        response = await self._app.handle_async_request(request)
        if request.method != "POST" or response.status_code >= 300:
            return response
        await response.aread()
        return httpx.Response(response.status_code, content=self._body, headers={"content-type": "text/html"})


@pytest.fixture(params=BODIES, ids=["html", "empty object", "partial pool", "array"])
async def garbled_ops(state: SandboxState, request: pytest.FixtureRequest) -> AsyncIterator[DatabaseOps]:
    transport = Garbling(httpx.ASGITransport(app=create_app(state)), request.param)
    async with DigitalOceanClient(
        SANDBOX_TOKEN, base_url="http://sandbox", transport=transport, retry=NO_RETRY
    ) as client:
        yield DatabaseOps(client)


async def test_an_accepted_pool_with_an_unreadable_answer_is_reconciled_as_applied(
    garbled_ops: DatabaseOps, state: SandboxState
) -> None:
    plan = await garbled_ops.plan(
        PoolCreate(cluster="prod-pg", pool="batch", db="app", size=5, mode="session")
    )

    with pytest.raises(OutcomeUnknownError):
        await garbled_ops.execute(plan)
    result = await garbled_ops.reconcile(plan)

    assert result.outcome is Outcome.APPLIED
    assert "batch" in state.clusters[PROD_PG].pools
    assert writes(state) == [f"POST /v2/databases/{PROD_PG}/pools"]  # never repeated


async def test_an_accepted_database_with_an_unreadable_answer_is_reconciled_as_applied(
    garbled_ops: DatabaseOps, state: SandboxState
) -> None:
    plan = await garbled_ops.plan(DbCreate(cluster="prod-pg", db="billing"))

    with pytest.raises(OutcomeUnknownError):
        await garbled_ops.execute(plan)

    assert (await garbled_ops.reconcile(plan)).outcome is Outcome.APPLIED
