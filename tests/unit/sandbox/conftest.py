"""A seeded sandbox with a fake clock and a recording sleep, reached over httpx.ASGITransport."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest
from starlette.applications import Starlette

from bot.digitalocean import DigitalOceanClient, RetryPolicy
from bot.sandbox import SANDBOX_TOKEN, SandboxState, create_app
from tests.support.clocks import FakeClock, RecordedSleep

BASE_URL = "http://sandbox"
AUTH = {"Authorization": f"Bearer {SANDBOX_TOKEN}"}


@pytest.fixture
def state(clock: FakeClock, sleep: RecordedSleep) -> SandboxState:
    return SandboxState.seeded(clock=clock, sleep=sleep)


@pytest.fixture
def app(state: SandboxState) -> Starlette:
    return create_app(state)


@pytest.fixture
async def http(app: Starlette) -> AsyncIterator[httpx.AsyncClient]:
    """A raw HTTP client carrying the sandbox token."""
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url=BASE_URL, headers=AUTH) as client:
        yield client


@pytest.fixture
async def anonymous(app: Starlette) -> AsyncIterator[httpx.AsyncClient]:
    """A raw HTTP client with no Authorization header."""
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=BASE_URL) as client:
        yield client


# Jitter off so waits are exact.
POLICY = RetryPolicy(attempts=3, backoff_initial=0.5, backoff_max=8.0, jitter=0.0, max_rate_limit_wait=60.0)


@pytest.fixture
async def client(app: Starlette, clock: FakeClock, sleep: RecordedSleep) -> AsyncIterator[DigitalOceanClient]:
    """The real DigitalOcean client, talking to the sandbox in process."""
    async with DigitalOceanClient(
        SANDBOX_TOKEN,
        base_url=BASE_URL,
        transport=httpx.ASGITransport(app=app),
        retry=POLICY,
        clock=clock,
        sleep=sleep,
    ) as do:
        yield do
