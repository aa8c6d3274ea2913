"""No name can change which endpoint the client calls (issue 13: `/db drop prod-pg ..` became
`DELETE /v2/databases/<cluster>`, because httpx removes the dot segments `.` and `..` from a URL)."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from urllib.parse import unquote

import httpx
import pytest
import respx
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.digitalocean import (
    DigitalOceanClient,
    DigitalOceanError,
    PoolMode,
    PoolSpec,
    RetryPolicy,
    UnsafeName,
)

from . import fixtures as fx

PROD = f"/v2/databases/{fx.PROD_PG_ID}"


@pytest.mark.parametrize("name", ["..", ".", ""])
async def test_a_dot_segment_never_reaches_the_cluster_endpoint(
    api: respx.MockRouter, client: DigitalOceanClient, name: str
) -> None:
    destroy_cluster = api.delete(PROD).respond(204)
    drop_database = api.delete(url__regex=rf"{PROD}/dbs/.*").respond(204)

    with pytest.raises(UnsafeName) as caught:
        await client.delete_database(fx.PROD_PG_ID, name)

    assert not destroy_cluster.called
    assert not drop_database.called
    assert caught.value.name == name
    assert "cannot be sent" in str(caught.value)


@pytest.mark.parametrize("name", ["..", "."])
async def test_every_named_endpoint_refuses_a_dot_segment(
    api: respx.MockRouter, client: DigitalOceanClient, name: str
) -> None:
    pool = PoolSpec.model_construct(name=name, mode=PoolMode.SESSION, size=1, db="app", user=None)
    calls = [
        client.get_database(fx.PROD_PG_ID, name),
        client.get_pool(fx.PROD_PG_ID, name),
        client.update_pool(fx.PROD_PG_ID, pool),
        client.delete_pool(fx.PROD_PG_ID, name),
        client.list_pools(name),
        client.get_cluster(name),
    ]
    for call in calls:
        with pytest.raises(UnsafeName):
            await call
    assert api.calls.call_count == 0


Endpoint = Callable[[DigitalOceanClient, str], Awaitable[object]]
# name → (the call with that name, the segments of its endpoint before the name)
ENDPOINTS: dict[str, tuple[Endpoint, list[str]]] = {
    "delete_database": (lambda do, name: do.delete_database(fx.PROD_PG_ID, name), ["dbs"]),
    "get_database": (lambda do, name: do.get_database(fx.PROD_PG_ID, name), ["dbs"]),
    "get_pool": (lambda do, name: do.get_pool(fx.PROD_PG_ID, name), ["pools"]),
    "delete_pool": (lambda do, name: do.delete_pool(fx.PROD_PG_ID, name), ["pools"]),
}


def _sent_path(endpoint: Endpoint, name: str) -> list[str] | None:
    """The raw path segments the client sends for `endpoint` with `name`, or None when it refuses."""
    sent: list[httpx.Request] = []

    def answer(request: httpx.Request) -> httpx.Response:
        sent.append(request)
        return httpx.Response(204)

    async def call() -> None:
        async with DigitalOceanClient(
            fx.TOKEN,
            base_url=fx.BASE_URL,
            transport=httpx.MockTransport(answer),
            retry=RetryPolicy(attempts=1),
        ) as do:
            try:
                await endpoint(do, name)
            except UnsafeName:
                raise
            except DigitalOceanError:
                pass  # an empty 204 is no pool: only the request matters here

    try:
        asyncio.run(call())
    except UnsafeName:
        assert not sent
        return None
    [request] = sent
    return request.url.raw_path.decode("ascii").split("?")[0].split("/")


NAMES = st.one_of(
    st.text(), st.sampled_from(["..", ".", "", "../..", "%2e%2e", "a/../b", "..%2f", "?x", "#", ".%2e"])
)


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(sorted(ENDPOINTS)), NAMES)
def test_for_any_name_the_path_has_exactly_the_segments_of_the_endpoint(endpoint: str, name: str) -> None:
    call, below = ENDPOINTS[endpoint]
    segments = _sent_path(call, name)
    if segments is None:
        return  # refused before any request
    assert segments[:-1] == ["", "v2", "databases", fx.PROD_PG_ID, *below]
    assert unquote(segments[-1]) == name
