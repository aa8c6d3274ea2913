"""Every write the client makes: method, path and exact body, and what it returns."""

from __future__ import annotations

import json

import respx

from bot.digitalocean import Database, DigitalOceanClient, Pool, PoolMode, PoolSpec

from . import fixtures as fx

PROD = f"/v2/databases/{fx.PROD_PG_ID}"


def sent_json(route: respx.Route) -> object:
    assert route.call_count == 1
    request = route.calls.last.request
    assert request.headers["Content-Type"] == "application/json"
    assert request.headers["Authorization"] == f"Bearer {fx.TOKEN}"
    return json.loads(request.content)


async def test_add_database_posts_its_name(api: respx.MockRouter, client: DigitalOceanClient) -> None:
    route = api.post(f"{PROD}/dbs").respond(201, json=fx.DATABASE_BILLING)

    database = await client.add_database(fx.PROD_PG_ID, "billing")

    assert database == Database(name="billing")
    assert sent_json(route) == {"name": "billing"}


async def test_delete_database(api: respx.MockRouter, client: DigitalOceanClient) -> None:
    route = api.delete(f"{PROD}/dbs/orders").respond(204)

    assert await client.delete_database(fx.PROD_PG_ID, "orders") is None
    assert route.call_count == 1
    assert route.calls.last.request.content == b""


async def test_add_pool_posts_the_whole_pool(api: respx.MockRouter, client: DigitalOceanClient) -> None:
    route = api.post(f"{PROD}/pools").respond(201, json=fx.POOL_WEB)
    spec = PoolSpec(name="web", mode=PoolMode.TRANSACTION, size=20, db="app", user="app")

    pool = await client.add_pool(fx.PROD_PG_ID, spec)

    assert pool == Pool(name="web", mode=PoolMode.TRANSACTION, size=20, db="app", user="app")
    assert sent_json(route) == {"name": "web", "mode": "transaction", "size": 20, "db": "app", "user": "app"}


async def test_add_pool_without_a_user_sends_no_user_key(
    api: respx.MockRouter, client: DigitalOceanClient
) -> None:
    route = api.post(f"{PROD}/pools").respond(201, json=fx.POOL_BATCH)
    spec = PoolSpec(name="batch", mode=PoolMode.STATEMENT, size=5, db="orders")

    pool = await client.add_pool(fx.PROD_PG_ID, spec)

    assert pool.user is None
    assert sent_json(route) == {"name": "batch", "mode": "statement", "size": 5, "db": "orders"}


async def test_update_pool_puts_mode_size_db_and_user(
    api: respx.MockRouter, client: DigitalOceanClient
) -> None:
    route = api.put(f"{PROD}/pools/web").respond(204)
    spec = PoolSpec(name="web", mode=PoolMode.TRANSACTION, size=30, db="app", user="app")

    assert await client.update_pool(fx.PROD_PG_ID, spec) is None

    # PUT replaces the whole pool: leaving `user` out would remove the pool's user.
    assert sent_json(route) == {"mode": "transaction", "size": 30, "db": "app", "user": "app"}


async def test_update_pool_without_a_user_sends_no_user_key(
    api: respx.MockRouter, client: DigitalOceanClient
) -> None:
    route = api.put(f"{PROD}/pools/batch").respond(204)
    spec = PoolSpec(name="batch", mode=PoolMode.SESSION, size=8, db="orders")

    await client.update_pool(fx.PROD_PG_ID, spec)

    body = sent_json(route)
    assert body == {"mode": "session", "size": 8, "db": "orders"}
    assert isinstance(body, dict)
    assert "user" not in body
    assert "name" not in body


async def test_a_blank_user_is_no_user_and_is_never_sent(
    api: respx.MockRouter, client: DigitalOceanClient
) -> None:
    route = api.put(f"{PROD}/pools/batch").respond(204)
    spec = PoolSpec(name="batch", mode=PoolMode.SESSION, size=8, db="orders", user="")

    await client.update_pool(fx.PROD_PG_ID, spec)

    assert spec.user is None
    assert sent_json(route) == {"mode": "session", "size": 8, "db": "orders"}


async def test_delete_pool(api: respx.MockRouter, client: DigitalOceanClient) -> None:
    route = api.delete(f"{PROD}/pools/reports").respond(204)

    assert await client.delete_pool(fx.PROD_PG_ID, "reports") is None
    assert route.call_count == 1


async def test_every_exchange_is_reported_to_the_observer(api: respx.MockRouter) -> None:
    seen: list[tuple[str, str]] = []
    api.delete(f"{PROD}/pools/reports").respond(204)
    api.get(f"{PROD}/pools").respond(200, json=fx.POOLS)

    async with DigitalOceanClient(fx.TOKEN, base_url=fx.BASE_URL, observer=lambda *a: seen.append(a)) as do:
        await do.list_pools(fx.PROD_PG_ID)
        await do.delete_pool(fx.PROD_PG_ID, "reports")

    assert seen == [("list_pools", "200"), ("delete_pool", "204")]
