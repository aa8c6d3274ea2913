"""Reading back after a write that DigitalOcean accepted (respx: answers the sandbox would never give)."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
import respx

from bot.digitalocean import DigitalOceanClient
from bot.ops import DatabaseOps, Outcome, PoolResize
from bot.ops.plan import PoolSnapshot
from tests.support.clocks import FakeClock

from .conftest import NO_RETRY

BASE = "https://api.digitalocean.com"
CLUSTER_ID = "9cc10173-e9ea-4176-9dbc-a4cee4c4ff30"
CLUSTER: dict[str, Any] = {
    "id": CLUSTER_ID,
    "name": "prod-pg",
    "engine": "pg",
    "version": "16",
    "num_nodes": 1,
    "size": "db-s-2vcpu-4gb",
    "region": "nyc3",
    "status": "online",
    "tags": ["production"],
    "db_names": ["defaultdb", "app"],
}
POOLS = f"{BASE}/v2/databases/{CLUSTER_ID}/pools"


def pools(size: int) -> httpx.Response:
    return httpx.Response(
        200,
        json={"pools": [{"name": "web", "mode": "transaction", "size": size, "db": "app", "user": "app"}]},
    )


@pytest.fixture
async def ops(clock: FakeClock) -> AsyncIterator[tuple[DatabaseOps, respx.MockRouter]]:
    with respx.mock(assert_all_mocked=True) as router:
        router.get(f"{BASE}/v2/databases").respond(200, json={"databases": [CLUSTER]})
        async with DigitalOceanClient("dop_v1_test", retry=NO_RETRY) as client:
            yield DatabaseOps(client, clock=clock), router


async def test_a_read_back_that_differs_is_a_conflict(ops: tuple[DatabaseOps, respx.MockRouter]) -> None:
    service, router = ops
    listing = router.get(POOLS).mock(side_effect=[pools(20), pools(20), pools(30)])
    put = router.put(f"{POOLS}/web").respond(204)
    plan = await service.plan(PoolResize(cluster="prod-pg", pool="web", size=25))
    result = await service.execute(plan)
    assert put.call_count == 1
    # The PUT replaces the whole pool: the current mode, db and user go along with the new size.
    assert json.loads(put.calls.last.request.content) == {
        "mode": "transaction",
        "size": 25,
        "db": "app",
        "user": "app",
    }
    assert listing.call_count == 3
    assert (result.outcome, result.observed) == (
        Outcome.CONFLICT,
        PoolSnapshot(size=30, mode="transaction", db="app", user="app"),
    )
    assert result.message == (
        "DigitalOcean accepted the change, but pool web on prod-pg now reads size 30, mode transaction, "
        "db app, user app instead of size 25, mode transaction, db app, user app"
    )


async def test_a_failed_read_back_still_reports_the_accepted_write(
    ops: tuple[DatabaseOps, respx.MockRouter],
) -> None:
    service, router = ops
    router.get(POOLS).mock(
        side_effect=[pools(20), pools(20), httpx.Response(503, json={"id": "x", "message": "down"})]
    )
    router.put(f"{POOLS}/web").respond(204)
    plan = await service.plan(PoolResize(cluster="prod-pg", pool="web", size=25))
    result = await service.execute(plan)
    assert (result.outcome, result.observed, result.calls) == (Outcome.APPLIED, None, 3)
    assert result.message == (
        "resized pool web on prod-pg: size 20 → 25; DigitalOcean accepted it, but reading back failed: "
        "DigitalOcean failed (HTTP 503); try again in a moment"
    )
