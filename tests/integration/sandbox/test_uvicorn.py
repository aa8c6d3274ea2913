"""The sandbox served by uvicorn on a free loopback port, used by the real client over real HTTP."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import httpx
import pytest

from bot.digitalocean import (
    DigitalOceanClient,
    OutcomeUnknown,
    PoolMode,
    PoolSpec,
    RetryPolicy,
    TransportError,
    Unprocessable,
)
from bot.sandbox import PROD_PG, SANDBOX_TOKEN, SandboxState, create_app
from bot.sandbox.server import serve_in_background


async def _no_sleep(seconds: float) -> None:
    return None


@pytest.fixture
def state() -> SandboxState:
    return SandboxState.seeded()


@pytest.fixture
async def base_url(state: SandboxState) -> AsyncIterator[str]:
    async with serve_in_background(create_app(state)) as url:
        yield url


def _client(base_url: str, read_timeout: float = 5.0) -> DigitalOceanClient:
    retry = RetryPolicy(attempts=2, backoff_initial=0.0, jitter=0.0)
    timeout = httpx.Timeout(read_timeout, connect=1.0)
    return DigitalOceanClient(SANDBOX_TOKEN, base_url=base_url, retry=retry, sleep=_no_sleep, timeout=timeout)


@pytest.fixture
async def client(base_url: str) -> AsyncIterator[DigitalOceanClient]:
    async with _client(base_url) as do:
        yield do


async def test_reads_and_writes_over_http(client: DigitalOceanClient, state: SandboxState) -> None:
    assert [c.name for c in await client.list_clusters(tag_name="production")] == [
        "prod-pg",
        "analytics-pg",
        "orders-mysql",
    ]
    await client.add_pool(PROD_PG, PoolSpec(name="batch", mode=PoolMode.SESSION, size=5, db="app"))
    await client.update_pool(PROD_PG, PoolSpec(name="batch", mode=PoolMode.SESSION, size=6, db="app"))
    assert (await client.get_pool(PROD_PG, "batch")).size == 6
    with pytest.raises(Unprocessable, match="allows at most 97 backend connections"):
        await client.update_pool(PROD_PG, PoolSpec(name="batch", mode=PoolMode.SESSION, size=90, db="app"))
    assert state.call_counts() == {"list_clusters": 1, "add_pool": 1, "update_pool": 2, "get_pool": 1}


async def test_headers_over_http(base_url: str) -> None:
    async with httpx.AsyncClient(base_url=base_url) as http:
        response = await http.get("/v2/databases")
    assert response.status_code == 401
    assert response.json()["request_id"] == response.headers["x-request-id"]
    assert response.headers["ratelimit-limit"] == "5000"


async def test_dropped_connection_over_http(base_url: str, state: SandboxState) -> None:
    """Through uvicorn the answer starts, then the socket closes: httpx raises RemoteProtocolError."""
    state.faults.drop(operation="list_pools")
    async with httpx.AsyncClient(
        base_url=base_url, headers={"Authorization": f"Bearer {SANDBOX_TOKEN}"}
    ) as http:
        with pytest.raises(httpx.RemoteProtocolError):
            await http.get(f"/v2/databases/{PROD_PG}/pools")
        # the server lives on
        assert (await http.get(f"/v2/databases/{PROD_PG}/pools")).status_code == 200


async def test_applied_then_dropped_write_over_http(client: DigitalOceanClient, state: SandboxState) -> None:
    state.faults.apply_then_drop(operation="add_pool")
    with pytest.raises(OutcomeUnknown):
        await client.add_pool(PROD_PG, PoolSpec(name="batch", mode=PoolMode.SESSION, size=5, db="app"))
    assert len(state.calls_for("add_pool")) == 1
    assert "batch" in state.find_cluster("prod-pg").pools


async def test_dropped_get_over_http_is_retried_then_transport_error(
    client: DigitalOceanClient, state: SandboxState
) -> None:
    state.faults.drop(operation="get_cluster", times=None)
    with pytest.raises(TransportError):
        await client.get_cluster(PROD_PG)
    assert len(state.calls_for("get_cluster")) == 2


async def test_hanging_answer_hits_the_client_timeout(base_url: str, state: SandboxState) -> None:
    """The write is applied, then the answer hangs past the client's read timeout (real time, but tiny)."""
    state.faults.apply_then_timeout(operation="delete_pool", hang=0.75)
    async with _client(base_url, read_timeout=0.25) as client:
        # The retried DELETE finds the pool gone, so the client cannot say whether its first one worked.
        with pytest.raises(OutcomeUnknown):
            await asyncio.wait_for(client.delete_pool(PROD_PG, "reports"), timeout=10)
    assert [(c.status, c.applied) for c in state.calls_for("delete_pool")] == [(None, True), (404, False)]
    assert "reports" not in state.find_cluster("prod-pg").pools
