"""When the client tries again, how long it waits, and when it must not repeat a write."""

from __future__ import annotations

import httpx
import pytest
import respx

from bot.digitalocean import (
    DigitalOceanClient,
    NotFound,
    OutcomeUnknown,
    PoolMode,
    PoolSpec,
    RateLimited,
    RetryPolicy,
    ServerError,
    TransportError,
)
from tests.support.clocks import START, RecordedSleep

from . import fixtures as fx

PROD = f"/v2/databases/{fx.PROD_PG_ID}"
WEB = PoolSpec(name="web", mode=PoolMode.TRANSACTION, size=20, db="app", user="app")
BACKOFF = [0.5, 1.0, 2.0]  # the fixture's policy: 4 attempts, 0.5 s doubling, no jitter


def rate_limited(**headers: str) -> httpx.Response:
    return httpx.Response(429, json=fx.TOO_MANY_REQUESTS, headers={"ratelimit-remaining": "0", **headers})


def server_error() -> httpx.Response:
    return httpx.Response(500, json=fx.SERVER_ERROR)


# ---- 429 ----------------------------------------------------------------------------------------


async def test_get_429_then_success_waits_until_the_reset(
    api: respx.MockRouter, client: DigitalOceanClient, sleep: RecordedSleep
) -> None:
    route = api.get(f"{PROD}/pools").mock(
        side_effect=[
            rate_limited(**{"ratelimit-reset": str(int(START) + 30)}),
            httpx.Response(200, json=fx.POOLS),
        ]
    )

    pools = await client.list_pools(fx.PROD_PG_ID)

    assert [p.name for p in pools] == ["web", "reports"]
    assert route.call_count == 2
    assert sleep.waits == [30.0]


async def test_post_429_then_success_is_sent_again_after_retry_after(
    api: respx.MockRouter, client: DigitalOceanClient, sleep: RecordedSleep
) -> None:
    route = api.post(f"{PROD}/pools").mock(
        side_effect=[
            rate_limited(**{"retry-after": "7", "ratelimit-reset": str(int(START) + 900)}),
            httpx.Response(201, json=fx.POOL_WEB),
        ]
    )

    pool = await client.add_pool(fx.PROD_PG_ID, WEB)

    assert pool.name == "web"
    assert route.call_count == 2
    assert sleep.waits == [7.0]


async def test_a_429_reset_one_second_ahead_is_retried_after_that_second(
    api: respx.MockRouter, client: DigitalOceanClient, sleep: RecordedSleep
) -> None:
    route = api.get(f"/v2/databases/{fx.PROD_PG_ID}").mock(
        side_effect=[
            rate_limited(**{"ratelimit-reset": str(int(START) + 1)}),
            httpx.Response(200, json=fx.CLUSTER),
        ]
    )

    cluster = await client.get_cluster(fx.PROD_PG_ID)

    assert cluster.name == "prod-pg"
    assert sleep.waits == [1.0]
    assert route.call_count == 2


async def test_a_429_whose_wait_exceeds_the_bound_is_raised_at_once(
    api: respx.MockRouter, client: DigitalOceanClient, sleep: RecordedSleep
) -> None:
    route = api.get(f"{PROD}/pools").mock(side_effect=[rate_limited(**{"retry-after": "61"})])

    with pytest.raises(RateLimited) as caught:
        await client.list_pools(fx.PROD_PG_ID)

    assert caught.value.retry_after == 61.0
    assert route.call_count == 1
    assert sleep.waits == []


@pytest.mark.parametrize("headers", [{"ratelimit-reset": str(int(START) - 5)}, {"retry-after": "0"}])
async def test_a_reset_in_the_past_still_waits_a_second(
    api: respx.MockRouter, client: DigitalOceanClient, sleep: RecordedSleep, headers: dict[str, str]
) -> None:
    # A reset already past (clocks differ) was retried at once: 4 requests in 0.03 s, all refused.
    api.get(f"{PROD}/dbs").mock(side_effect=[rate_limited(**headers), httpx.Response(200, json=fx.DATABASES)])

    assert len(await client.list_databases(fx.PROD_PG_ID)) == 3
    assert sleep.waits == [1.0]  # the fixture's policy has no jitter


async def test_the_wait_after_a_past_reset_has_jitter(api: respx.MockRouter, sleep: RecordedSleep) -> None:
    policy = RetryPolicy(attempts=4, jitter=0.5)
    api.get(f"{PROD}/dbs").mock(side_effect=[rate_limited(**{"ratelimit-reset": "0"})] * 4)
    async with DigitalOceanClient(fx.TOKEN, base_url=fx.BASE_URL, retry=policy, sleep=sleep) as do:
        with pytest.raises(RateLimited):
            await do.list_databases(fx.PROD_PG_ID)

    assert len(sleep.waits) == 3
    assert all(1.0 <= wait <= 1.5 for wait in sleep.waits)


# ---- 5xx ----------------------------------------------------------------------------------------


async def test_get_500_three_times_then_success(
    api: respx.MockRouter, client: DigitalOceanClient, sleep: RecordedSleep
) -> None:
    route = api.get(f"{PROD}/pools/web").mock(
        side_effect=[server_error(), server_error(), server_error(), httpx.Response(200, json=fx.POOL_WEB)]
    )

    pool = await client.get_pool(fx.PROD_PG_ID, "web")

    assert pool.size == 20
    assert route.call_count == 4
    assert sleep.waits == BACKOFF


async def test_put_500_three_times_then_success(
    api: respx.MockRouter, client: DigitalOceanClient, sleep: RecordedSleep
) -> None:
    route = api.put(f"{PROD}/pools/web").mock(
        side_effect=[server_error(), server_error(), server_error(), httpx.Response(204)]
    )

    await client.update_pool(fx.PROD_PG_ID, WEB)

    assert route.call_count == 4
    assert {call.request.content for call in route.calls} == {route.calls.last.request.content}
    assert sleep.waits == BACKOFF


async def test_500_on_every_attempt_raises_server_error_after_all_attempts(
    api: respx.MockRouter, client: DigitalOceanClient, sleep: RecordedSleep
) -> None:
    route = api.get(f"{PROD}/users").mock(return_value=server_error())

    with pytest.raises(ServerError) as caught:
        await client.list_users(fx.PROD_PG_ID)

    assert caught.value.status == 500
    assert route.call_count == 4
    assert sleep.waits == BACKOFF


async def test_an_html_502_on_a_get_is_retried_like_any_server_failure(
    api: respx.MockRouter, client: DigitalOceanClient, sleep: RecordedSleep
) -> None:
    route = api.get(f"{PROD}/pools").mock(
        side_effect=[httpx.Response(502, text=fx.HTML_502), httpx.Response(200, json=fx.POOLS)]
    )

    assert len(await client.list_pools(fx.PROD_PG_ID)) == 2
    assert route.call_count == 2
    assert sleep.waits == [0.5]


async def test_a_post_answered_500_is_not_sent_again(
    api: respx.MockRouter, client: DigitalOceanClient, sleep: RecordedSleep
) -> None:
    route = api.post(f"{PROD}/dbs").mock(return_value=server_error())

    with pytest.raises(ServerError):
        await client.add_database(fx.PROD_PG_ID, "billing")

    assert route.call_count == 1
    assert sleep.waits == []


async def test_the_default_backoff_stays_within_its_bounds(
    api: respx.MockRouter, sleep: RecordedSleep
) -> None:
    api.get(f"{PROD}/pools").mock(return_value=server_error())

    async with DigitalOceanClient(fx.TOKEN, base_url=fx.BASE_URL, sleep=sleep) as do:
        with pytest.raises(ServerError):
            await do.list_pools(fx.PROD_PG_ID)

    assert len(sleep.waits) == 3
    for wait, low in zip(sleep.waits, BACKOFF, strict=True):
        assert low <= wait <= low + 0.5


# ---- no answer ----------------------------------------------------------------------------------


async def test_get_timeouts_are_retried_then_raise_transport_error(
    api: respx.MockRouter, client: DigitalOceanClient, sleep: RecordedSleep
) -> None:
    route = api.get(f"{PROD}/pools").mock(side_effect=httpx.ReadTimeout("timed out"))

    with pytest.raises(TransportError) as caught:
        await client.list_pools(fx.PROD_PG_ID)

    assert route.call_count == 4
    assert sleep.waits == BACKOFF
    assert str(caught.value) == f"No answer from DigitalOcean for GET {PROD}/pools: ReadTimeout: timed out"


async def test_a_get_timeout_then_success(
    api: respx.MockRouter, client: DigitalOceanClient, sleep: RecordedSleep
) -> None:
    api.get(f"{PROD}/pools").mock(
        side_effect=[httpx.ReadTimeout("timed out"), httpx.Response(200, json=fx.POOLS)]
    )

    assert len(await client.list_pools(fx.PROD_PG_ID)) == 2
    assert sleep.waits == [0.5]


async def test_a_post_that_times_out_is_sent_exactly_once(
    api: respx.MockRouter, client: DigitalOceanClient, sleep: RecordedSleep
) -> None:
    route = api.post(f"{PROD}/pools").mock(side_effect=httpx.ReadTimeout("timed out"))

    with pytest.raises(OutcomeUnknown) as caught:
        await client.add_pool(fx.PROD_PG_ID, WEB)

    assert route.call_count == 1
    assert sleep.waits == []
    assert str(caught.value) == (
        f"POST {PROD}/pools was sent but no answer came back (ReadTimeout: timed out); "
        "whether it took effect must be read back from DigitalOcean"
    )


async def test_a_post_whose_connection_could_not_be_opened_is_retried(
    api: respx.MockRouter, client: DigitalOceanClient, sleep: RecordedSleep
) -> None:
    route = api.post(f"{PROD}/dbs").mock(
        side_effect=[httpx.ConnectError("connection refused"), httpx.Response(201, json=fx.DATABASE_BILLING)]
    )

    database = await client.add_database(fx.PROD_PG_ID, "billing")

    assert database.name == "billing"
    assert route.call_count == 2
    assert sleep.waits == [0.5]


async def test_a_post_that_never_connects_is_a_transport_error(
    api: respx.MockRouter, client: DigitalOceanClient
) -> None:
    route = api.post(f"{PROD}/dbs").mock(side_effect=httpx.ConnectTimeout("connect timed out"))

    with pytest.raises(TransportError):
        await client.add_database(fx.PROD_PG_ID, "billing")

    assert route.call_count == 4


async def test_a_delete_that_times_out_then_gets_404_is_outcome_unknown(
    api: respx.MockRouter, client: DigitalOceanClient, sleep: RecordedSleep
) -> None:
    route = api.delete(f"{PROD}/pools/web").mock(
        side_effect=[httpx.ReadTimeout("timed out"), httpx.Response(404, json=fx.NOT_FOUND)]
    )

    with pytest.raises(OutcomeUnknown) as caught:
        await client.delete_pool(fx.PROD_PG_ID, "web")

    assert route.call_count == 2
    assert sleep.waits == [0.5]
    assert caught.value.reason == "the resource was gone when the delete was retried"


async def test_a_delete_answered_404_at_once_is_not_found(
    api: respx.MockRouter, client: DigitalOceanClient
) -> None:
    route = api.delete(f"{PROD}/dbs/orders").respond(404, json=fx.NOT_FOUND)

    with pytest.raises(NotFound):
        await client.delete_database(fx.PROD_PG_ID, "orders")

    assert route.call_count == 1


async def test_a_put_that_never_gets_an_answer_is_outcome_unknown(
    api: respx.MockRouter, client: DigitalOceanClient
) -> None:
    route = api.put(f"{PROD}/pools/web").mock(side_effect=httpx.ReadTimeout("timed out"))

    with pytest.raises(OutcomeUnknown):
        await client.update_pool(fx.PROD_PG_ID, WEB)

    assert route.call_count == 4


async def test_a_put_sent_once_then_unreachable_is_outcome_unknown(
    api: respx.MockRouter, client: DigitalOceanClient
) -> None:
    # The first PUT may have reached DigitalOcean; later attempts could not connect: the outcome is open.
    route = api.put(f"{PROD}/pools/web").mock(
        side_effect=[httpx.ReadTimeout("timed out")] + [httpx.ConnectError("connection refused")] * 3
    )

    with pytest.raises(OutcomeUnknown):
        await client.update_pool(fx.PROD_PG_ID, WEB)

    assert route.call_count == 4
