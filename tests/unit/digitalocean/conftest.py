"""A client wired to respx, with the shared fake clock and the sleep that records its waits."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import pytest
import respx

from bot.digitalocean import DigitalOceanClient, RetryPolicy
from tests.support.clocks import FakeClock, RecordedSleep

from .fixtures import BASE_URL, TOKEN


@pytest.fixture
def api() -> Iterator[respx.MockRouter]:
    """DigitalOcean's API as respx routes; a request no route matches fails the test."""
    with respx.mock(base_url=BASE_URL, assert_all_called=False, assert_all_mocked=True) as router:
        yield router


# Jitter off, so the backoff waits are exact: 0.5 s, 1 s, 2 s.
POLICY = RetryPolicy(attempts=4, backoff_initial=0.5, backoff_max=8.0, jitter=0.0, max_rate_limit_wait=60.0)


@pytest.fixture
async def client(
    api: respx.MockRouter, clock: FakeClock, sleep: RecordedSleep
) -> AsyncIterator[DigitalOceanClient]:
    async with DigitalOceanClient(TOKEN, base_url=BASE_URL, retry=POLICY, clock=clock, sleep=sleep) as do:
        yield do
