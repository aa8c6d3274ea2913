"""The service layer against the sandbox in process (`httpx.ASGITransport`), with a clock we move."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest

from bot.digitalocean import DigitalOceanClient, RetryPolicy
from bot.ops import DatabaseOps
from bot.sandbox import SANDBOX_TOKEN, SandboxState, create_app
from tests.support.clocks import FakeClock

# One attempt per call: the unit tests see exactly what DigitalOcean answered, without the client's retries.
NO_RETRY = RetryPolicy(attempts=1, backoff_initial=0.0, backoff_max=0.0, jitter=0.0)


async def _no_sleep(_: float) -> None:
    return None


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(1000.0)


@pytest.fixture
def state() -> SandboxState:
    return SandboxState.seeded()


@pytest.fixture
async def client(state: SandboxState) -> AsyncIterator[DigitalOceanClient]:
    transport = httpx.ASGITransport(app=create_app(state))
    async with DigitalOceanClient(
        SANDBOX_TOKEN, base_url="http://sandbox", transport=transport, retry=NO_RETRY, sleep=_no_sleep
    ) as do:
        yield do


@pytest.fixture
def ops(client: DigitalOceanClient, clock: FakeClock) -> DatabaseOps:
    return DatabaseOps(client, clock=clock, protected_databases=frozenset({"defaultdb", "orders"}))


def writes(state: SandboxState) -> list[str]:
    """The write calls the sandbox received, as "METHOD path"."""
    return [f"{c.method} {c.path}" for c in state.calls if c.method in ("POST", "PUT", "DELETE")]
