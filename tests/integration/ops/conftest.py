"""The service layer against the sandbox served by uvicorn on a free loopback port, over real HTTP."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from bot.digitalocean import DigitalOceanClient, RetryPolicy
from bot.ops import DatabaseOps
from bot.sandbox import SANDBOX_TOKEN, SandboxState, create_app
from bot.sandbox.server import serve_in_background
from tests.support.clocks import FakeClock, RecordedSleep

# The client's real policy (4 attempts, backoff), with jitter off; its waits are recorded, not slept.
RETRY = RetryPolicy(attempts=4, backoff_initial=0.5, backoff_max=8.0, jitter=0.0)
TTL = 30.0


@pytest.fixture
def state() -> SandboxState:
    return SandboxState.seeded()


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(5000.0)


@pytest.fixture
async def base_url(state: SandboxState) -> AsyncIterator[str]:
    async with serve_in_background(create_app(state)) as url:
        yield url


@pytest.fixture
async def client(base_url: str) -> AsyncIterator[DigitalOceanClient]:
    async with DigitalOceanClient(SANDBOX_TOKEN, base_url=base_url, retry=RETRY, sleep=RecordedSleep()) as do:
        yield do


@pytest.fixture
def ops(client: DigitalOceanClient, clock: FakeClock) -> DatabaseOps:
    return DatabaseOps(client, cache_ttl=TTL, clock=clock)


def operations(state: SandboxState) -> list[str]:
    """The DigitalOcean operations the sandbox received, in order (`list_pools`, `update_pool`, …)."""
    return [call.operation for call in state.calls]
