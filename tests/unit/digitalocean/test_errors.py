"""Each failure DigitalOcean can give becomes one typed error; none of them ever shows the token."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
import respx

from bot.digitalocean import (
    ApiError,
    DigitalOceanClient,
    DigitalOceanError,
    Forbidden,
    NotFound,
    OutcomeUnknown,
    PoolMode,
    PoolSpec,
    RateLimited,
    RetryPolicy,
    ServerError,
    TransportError,
    Unauthorized,
    UnexpectedError,
    Unprocessable,
)
from tests.support.clocks import START, FakeClock, RecordedSleep

from . import fixtures as fx

PROD = f"/v2/databases/{fx.PROD_PG_ID}"
WEB_SPEC = PoolSpec(name="web", mode=PoolMode.TRANSACTION, size=20, db="app", user="app")


@pytest.fixture
async def once(
    api: respx.MockRouter, clock: FakeClock, sleep: RecordedSleep
) -> AsyncIterator[DigitalOceanClient]:
    """A client that tries each call once, so every error surfaces as DigitalOcean gave it."""
    policy = RetryPolicy(attempts=1)
    async with DigitalOceanClient(
        fx.TOKEN, base_url=fx.BASE_URL, retry=policy, clock=clock, sleep=sleep
    ) as do:
        yield do


@pytest.mark.parametrize(
    ("status", "body", "kind"),
    [
        (401, fx.UNAUTHORIZED, Unauthorized),
        (403, fx.FORBIDDEN, Forbidden),
        (404, fx.NOT_FOUND, NotFound),
        (422, fx.UNPROCESSABLE, Unprocessable),
        (500, fx.SERVER_ERROR, ServerError),
        (502, fx.SERVER_ERROR, ServerError),
        (503, fx.SERVER_ERROR, ServerError),
        (418, fx.TEAPOT, UnexpectedError),
    ],
)
async def test_each_status_is_its_own_error(
    api: respx.MockRouter,
    once: DigitalOceanClient,
    status: int,
    body: dict[str, Any],
    kind: type[ApiError],
) -> None:
    api.get(f"{PROD}/pools/web").respond(status, json=body)

    with pytest.raises(ApiError) as caught:
        await once.get_pool(fx.PROD_PG_ID, "web")

    error = caught.value
    assert type(error) is kind
    assert (error.status, error.error_id, error.message, error.request_id) == (
        status,
        body["id"],
        body["message"],
        fx.REQUEST_ID,
    )
    assert str(error) == (
        f"DigitalOcean answered {status}: {body['message']} "
        f"(GET {PROD}/pools/web) [request_id {fx.REQUEST_ID}]"
    )


async def test_unprocessable_keeps_digitaloceans_reason(
    api: respx.MockRouter, once: DigitalOceanClient
) -> None:
    api.put(f"{PROD}/pools/web").respond(
        422, json={"id": "unprocessable_entity", "message": "invalid pool mode"}
    )

    with pytest.raises(Unprocessable) as caught:
        await once.update_pool(fx.PROD_PG_ID, WEB_SPEC)

    assert caught.value.message == "invalid pool mode"
    assert caught.value.request_id is None
    assert str(caught.value) == f"DigitalOcean answered 422: invalid pool mode (PUT {PROD}/pools/web)"


async def test_rate_limited_waits_as_retry_after_says(
    api: respx.MockRouter, once: DigitalOceanClient
) -> None:
    api.get("/v2/databases").respond(
        429,
        json=fx.TOO_MANY_REQUESTS,
        headers={"retry-after": "12", "ratelimit-reset": str(int(START) + 3000), "ratelimit-remaining": "0"},
    )

    with pytest.raises(RateLimited) as caught:
        await once.list_clusters()

    assert caught.value.retry_after == 12.0
    assert (caught.value.status, caught.value.error_id) == (429, "too_many_requests")


async def test_rate_limited_without_retry_after_waits_until_the_reset(
    api: respx.MockRouter, once: DigitalOceanClient
) -> None:
    api.get("/v2/databases").respond(
        429,
        json=fx.TOO_MANY_REQUESTS,
        headers={"ratelimit-reset": str(int(START) + 42), "ratelimit-remaining": "0"},
    )

    with pytest.raises(RateLimited) as caught:
        await once.list_clusters()

    assert caught.value.retry_after == 42.0


async def test_an_html_error_page_is_unexpected_not_a_crash(
    api: respx.MockRouter, once: DigitalOceanClient
) -> None:
    api.get(f"{PROD}/pools").respond(
        502, text=fx.HTML_502, headers={"content-type": "text/html", "x-request-id": "edge-77"}
    )

    with pytest.raises(UnexpectedError) as caught:
        await once.list_pools(fx.PROD_PG_ID)

    error = caught.value
    assert (error.status, error.error_id, error.request_id) == (502, None, "edge-77")
    assert error.message == "HTTP 502 with a body that is not DigitalOcean's error JSON"
    assert "<html>" not in str(error)


async def test_a_success_that_is_not_json_is_unexpected(
    api: respx.MockRouter, once: DigitalOceanClient
) -> None:
    api.get(f"{PROD}/pools/web").respond(200, text="<html>maintenance</html>")

    with pytest.raises(UnexpectedError) as caught:
        await once.get_pool(fx.PROD_PG_ID, "web")

    assert str(caught.value) == f"DigitalOcean answered 200: the answer was not JSON (GET {PROD}/pools/web)"


async def test_an_answer_without_its_object_is_unexpected(
    api: respx.MockRouter, once: DigitalOceanClient
) -> None:
    api.get(f"{PROD}/pools/web").respond(200, json={"pools": []})

    with pytest.raises(UnexpectedError) as caught:
        await once.get_pool(fx.PROD_PG_ID, "web")

    assert caught.value.message == "the answer has no `pool` object"


async def test_a_malformed_resource_is_unexpected_and_shows_no_credential(
    api: respx.MockRouter, once: DigitalOceanClient
) -> None:
    broken = {k: v for k, v in fx.WEB_POOL.items() if k != "mode"}
    api.get(f"{PROD}/pools").respond(200, json={"pools": [broken]})

    with pytest.raises(UnexpectedError) as caught:
        await once.list_pools(fx.PROD_PG_ID)

    assert str(caught.value) == (
        f"DigitalOcean answered 200: the answer does not match the documented shape (0.mode: Field required) "
        f"(GET {PROD}/pools)"
    )
    assert caught.value.__cause__ is None
    assert caught.value.__suppress_context__
    assert fx.APP_PASSWORD not in repr(caught.value)


# ---- the token never shows ----------------------------------------------------------------------


async def test_the_token_is_in_no_error_no_repr_and_no_log(
    api: respx.MockRouter, caplog: pytest.LogCaptureFixture, sleep: RecordedSleep, clock: FakeClock
) -> None:
    caplog.set_level(logging.DEBUG)
    api.get("/v2/databases").respond(200, json=fx.CLUSTERS)
    api.get(f"{PROD}/pools/a").respond(401, json=fx.UNAUTHORIZED)
    api.get(f"{PROD}/pools/b").respond(403, json=fx.FORBIDDEN)
    api.get(f"{PROD}/pools/c").respond(404, json=fx.NOT_FOUND)
    api.get(f"{PROD}/pools/d").respond(429, json=fx.TOO_MANY_REQUESTS, headers={"retry-after": "3600"})
    api.get(f"{PROD}/pools/e").respond(500, json=fx.SERVER_ERROR)
    api.get(f"{PROD}/pools/f").respond(418, json=fx.TEAPOT)
    api.get(f"{PROD}/pools/g").respond(502, text=fx.HTML_502)
    api.get(f"{PROD}/pools/h").mock(side_effect=httpx.ReadTimeout("timed out"))
    api.get(f"{PROD}/pools/i").mock(side_effect=httpx.ConnectError("connection refused"))
    api.post(f"{PROD}/dbs").mock(side_effect=httpx.ReadTimeout("timed out"))
    api.put(f"{PROD}/pools/web").respond(422, json=fx.UNPROCESSABLE)

    errors: list[DigitalOceanError] = []
    async with DigitalOceanClient(fx.TOKEN, base_url=fx.BASE_URL, clock=clock, sleep=sleep) as do:
        assert fx.TOKEN not in repr(do)
        assert fx.TOKEN not in str(do)
        await do.list_clusters()
        for name in "abcdefghi":
            with pytest.raises(DigitalOceanError) as caught:
                await do.get_pool(fx.PROD_PG_ID, name)
            errors.append(caught.value)
        with pytest.raises(OutcomeUnknown) as unknown:
            await do.add_database(fx.PROD_PG_ID, "billing")
        errors.append(unknown.value)
        with pytest.raises(Unprocessable) as rejected:
            await do.update_pool(fx.PROD_PG_ID, WEB_SPEC)
        errors.append(rejected.value)

    kinds = [type(e) for e in errors]
    assert kinds == [
        Unauthorized,
        Forbidden,
        NotFound,
        RateLimited,
        ServerError,
        UnexpectedError,
        UnexpectedError,
        TransportError,
        TransportError,
        OutcomeUnknown,
        Unprocessable,
    ]
    secret = fx.TOKEN.removeprefix("dop_v1_")
    for error in errors:
        for text in (str(error), repr(error), str(error.__cause__), repr(error.__cause__), str(vars(error))):
            assert secret not in text
    assert caplog.records, "the client logs its exchanges"
    for record in caplog.records:
        assert secret not in record.getMessage()
        assert secret not in str(vars(record))
    assert secret not in caplog.text


async def test_a_write_accepted_with_an_unreadable_answer_is_an_unknown_outcome(
    api: respx.MockRouter, once: DigitalOceanClient
) -> None:
    route = api.post(f"{PROD}/dbs").respond(201, text="<html>created</html>")

    with pytest.raises(OutcomeUnknown) as caught:
        await once.add_database(fx.PROD_PG_ID, "billing")

    assert route.call_count == 1  # accepted: never sent again
    assert caught.value.reason == "DigitalOcean answered 201, but the answer was not JSON"
