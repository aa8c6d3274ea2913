"""Writing through the sandbox: pools and databases, with every rule DigitalOcean enforces."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from bot.sandbox import CACHE_REDIS, ORDERS_MYSQL, PROD_PG, STAGING_PG, SandboxState

POOLS = f"/v2/databases/{PROD_PG}/pools"
DBS = f"/v2/databases/{PROD_PG}/dbs"


def pool(**overrides: Any) -> dict[str, Any]:
    return {"name": "batch", "mode": "transaction", "size": 5, "db": "app", "user": "app", **overrides}


async def message_of(response: httpx.Response, status: int = 422) -> str:
    assert response.status_code == status, response.text
    body = response.json()
    assert body["id"] == ("unprocessable_entity" if status == 422 else "not_found")
    assert body["request_id"] == response.headers["x-request-id"]
    return str(body["message"])


async def test_add_pool_returns_201_with_the_pool(http: httpx.AsyncClient, state: SandboxState) -> None:
    response = await http.post(POOLS, json=pool())
    assert response.status_code == 201
    created = response.json()["pool"]
    assert {k: created[k] for k in ("name", "mode", "size", "db", "user")} == pool()
    assert created["connection"]["database"] == "batch"
    got = (await http.get(f"{POOLS}/batch")).json()["pool"]
    assert got["size"] == 5
    assert list(state.find_cluster("prod-pg").pools) == ["web", "reports", "batch"]


async def test_add_pool_without_user_uses_the_inbound_user(http: httpx.AsyncClient) -> None:
    body = pool()
    del body["user"]
    created = (await http.post(POOLS, json=body)).json()["pool"]
    assert created["user"] == ""  # as DigitalOcean answers for a pool without a user
    got = (await http.get(f"{POOLS}/batch")).json()["pool"]
    assert got["user"] == ""


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (pool(name="ab"), "Invalid connection pool: name must be between 3 and 60 characters."),
        (pool(name="x" * 61), "Invalid connection pool: name must be between 3 and 60 characters."),
        (
            pool(mode="pooled"),
            "Invalid connection pool: mode must be one of session, transaction or statement (got 'pooled').",
        ),
        (pool(size=0), "Invalid connection pool: size must be at least 1."),
        (pool(size="5"), "Invalid connection pool: size must be an integer."),
        (pool(size=True), "Invalid connection pool: size must be an integer."),
        (pool(db=7), "Invalid connection pool: db must be a string."),
        ({"name": "batch"}, "Invalid connection pool: mode is required; size is required; db is required."),
        (pool(db="nope"), "Database nope does not exist on cluster prod-pg."),
        (pool(user="nobody"), "User nobody does not exist on cluster prod-pg."),
        (pool(name="web"), "A connection pool named web already exists on cluster prod-pg."),
        (
            pool(size=68),
            "Pool size 68 is too large: cluster prod-pg (db-s-2vcpu-4gb) allows at most 97 backend "
            "connections across all its pools (25 per GB of RAM minus 3 reserved), 30 are used by other "
            "pools, 67 remain.",
        ),
    ],
)
async def test_add_pool_rejects_with_a_clear_422(
    http: httpx.AsyncClient, state: SandboxState, body: dict[str, Any], message: str
) -> None:
    assert await message_of(await http.post(POOLS, json=body)) == message
    assert list(state.find_cluster("prod-pg").pools) == ["web", "reports"]


async def test_capacity_is_exact_at_the_limit(http: httpx.AsyncClient) -> None:
    assert (await http.post(POOLS, json=pool(size=67))).status_code == 201  # 30 + 67 = 97
    assert (await http.post(POOLS, json=pool(name="one-more", size=1))).status_code == 422


async def test_small_cluster_capacity_is_22(http: httpx.AsyncClient) -> None:
    path = f"/v2/databases/{STAGING_PG}/pools"
    assert (await http.post(path, json=pool(size=12))).status_code == 201  # 10 + 12 = 22
    response = await http.post(path, json=pool(name="extra", size=1))
    assert "allows at most 22 backend connections" in await message_of(response)


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        (b"", "The request body is empty; send a JSON object."),
        (b"{not json", "The request body is not valid JSON."),
        (b"[1, 2]", "The request body must be a JSON object."),
    ],
)
async def test_malformed_bodies_are_422(http: httpx.AsyncClient, raw: bytes, message: str) -> None:
    response = await http.post(POOLS, content=raw, headers={"Content-Type": "application/json"})
    assert await message_of(response) == message


@pytest.mark.parametrize("cluster_id", [ORDERS_MYSQL, CACHE_REDIS])
async def test_add_pool_only_on_postgres(http: httpx.AsyncClient, cluster_id: str) -> None:
    response = await http.post(f"/v2/databases/{cluster_id}/pools", json=pool(db="defaultdb"))
    assert await message_of(response) == "Connection pools are only supported on PostgreSQL clusters."


async def test_put_replaces_the_whole_pool_and_drops_a_missing_user(
    http: httpx.AsyncClient, state: SandboxState
) -> None:
    response = await http.put(f"{POOLS}/web", json={"mode": "session", "size": 25, "db": "orders"})
    assert response.status_code == 204
    assert response.content == b""
    got = (await http.get(f"{POOLS}/web")).json()["pool"]
    assert {k: got.get(k) for k in ("name", "mode", "size", "db", "user")} == {
        "name": "web",
        "mode": "session",
        "size": 25,
        "db": "orders",
        "user": "",  # DigitalOcean's answer for a pool without a user
    }
    assert state.find_cluster("prod-pg").pools["web"].user is None


async def test_put_counts_capacity_without_the_pool_itself(http: httpx.AsyncClient) -> None:
    # reports holds 10 of 97, so web may grow to 87 but not 88.
    ok = await http.put(f"{POOLS}/web", json={"mode": "transaction", "size": 87, "db": "app", "user": "app"})
    assert ok.status_code == 204
    too_big = await http.put(f"{POOLS}/web", json={"mode": "transaction", "size": 88, "db": "app"})
    assert "10 are used by other pools, 87 remain" in await message_of(too_big)


async def test_put_validates_the_body(http: httpx.AsyncClient) -> None:
    response = await http.put(f"{POOLS}/web", json={"size": 5, "db": "app"})
    assert await message_of(response) == "Invalid connection pool: mode is required."
    response = await http.put(f"{POOLS}/web", json={"mode": "session", "size": 5, "db": "gone"})
    assert await message_of(response) == "Database gone does not exist on cluster prod-pg."


async def test_put_unknown_pool_is_404(http: httpx.AsyncClient) -> None:
    response = await http.put(f"{POOLS}/ghost", json={"mode": "session", "size": 5, "db": "app"})
    assert await message_of(response, 404) == "The resource you requested could not be found."


async def test_delete_pool(http: httpx.AsyncClient, state: SandboxState) -> None:
    response = await http.delete(f"{POOLS}/reports")
    assert response.status_code == 204
    assert list(state.find_cluster("prod-pg").pools) == ["web"]
    again = await http.delete(f"{POOLS}/reports")
    assert again.status_code == 404


async def test_add_database_tracks_db_names(http: httpx.AsyncClient) -> None:
    response = await http.post(DBS, json={"name": "billing"})
    assert response.status_code == 201
    assert response.json() == {"db": {"name": "billing"}}
    cluster = (await http.get(f"/v2/databases/{PROD_PG}")).json()["database"]
    assert cluster["db_names"] == ["defaultdb", "app", "orders", "billing"]
    # and a pool may now use it
    assert (await http.post(POOLS, json=pool(db="billing"))).status_code == 201


async def test_add_database_rejects_duplicates_and_bad_bodies(http: httpx.AsyncClient) -> None:
    dup = await http.post(DBS, json={"name": "app"})
    assert await message_of(dup) == "A database named app already exists on cluster prod-pg."
    assert await message_of(await http.post(DBS, json={})) == "Invalid database: name is required."
    assert (
        await message_of(await http.post(DBS, json={"name": 3})) == "Invalid database: name must be a string."
    )


async def test_database_management_refused_on_redis(http: httpx.AsyncClient) -> None:
    response = await http.post(f"/v2/databases/{CACHE_REDIS}/dbs", json={"name": "x"})
    assert (
        await message_of(response) == "Database management is not supported for Caching or Valkey clusters."
    )
    response = await http.delete(f"/v2/databases/{CACHE_REDIS}/dbs/x")
    assert response.status_code == 422


async def test_delete_database(http: httpx.AsyncClient, state: SandboxState) -> None:
    await http.post(DBS, json={"name": "scratch"})
    response = await http.delete(f"{DBS}/scratch")
    assert response.status_code == 204
    assert state.find_cluster("prod-pg").dbs == ["defaultdb", "app", "orders"]
    assert (await http.get(f"{DBS}/scratch")).status_code == 404
    assert (await http.delete(f"{DBS}/scratch")).status_code == 404


async def test_defaultdb_cannot_be_deleted(http: httpx.AsyncClient) -> None:
    response = await http.delete(f"{DBS}/defaultdb")
    assert await message_of(response) == "The defaultdb database cannot be deleted."


async def test_database_used_by_a_pool_is_deleted_and_the_pool_is_left_dangling(
    http: httpx.AsyncClient, state: SandboxState
) -> None:
    response = await http.delete(f"{DBS}/orders")
    assert response.status_code == 204
    cluster = state.find_cluster("prod-pg")
    assert "orders" not in cluster.dbs
    assert cluster.pools["reports"].db == "orders"
