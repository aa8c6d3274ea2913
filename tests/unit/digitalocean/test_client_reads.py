"""Every read the client makes: the request it sends, and the models it gives back."""

from __future__ import annotations

import httpx
import pytest
import respx

from bot import __version__
from bot.digitalocean import (
    Cluster,
    ClusterStatus,
    Database,
    DatabaseUser,
    DigitalOceanClient,
    Engine,
    EngineOptions,
    MaintenanceWindow,
    Pool,
    PoolMode,
    UnexpectedError,
    UserRole,
)

from . import fixtures as fx

CLUSTERS_PATH = "/v2/databases"
PROD = f"/v2/databases/{fx.PROD_PG_ID}"


def only_request(route: respx.Route) -> httpx.Request:
    assert route.call_count == 1
    return route.calls.last.request


async def test_list_clusters_reads_every_cluster_with_our_token_and_user_agent(
    api: respx.MockRouter, client: DigitalOceanClient
) -> None:
    route = api.get(CLUSTERS_PATH).respond(200, json=fx.CLUSTERS)

    clusters = await client.list_clusters()

    assert [c.name for c in clusters] == ["prod-pg", "staging-pg", "cache-redis"]
    assert [c.engine for c in clusters] == [Engine.PG, Engine.PG, Engine.REDIS]
    assert [c.ram_gb for c in clusters] == [4, 1, 1]
    assert clusters[0].tags == ["production"]
    assert clusters[2].tags is None
    request = only_request(route)
    assert request.url.query == b""
    assert request.headers["Authorization"] == f"Bearer {fx.TOKEN}"
    assert request.headers["Accept"] == "application/json"
    assert request.headers["User-Agent"].startswith(f"dbops-bot/{__version__} ")


async def test_list_clusters_by_tag_sends_tag_name(api: respx.MockRouter, client: DigitalOceanClient) -> None:
    route = api.get(CLUSTERS_PATH, params={"tag_name": "production"}).respond(
        200, json=fx.CLUSTERS_PRODUCTION
    )

    clusters = await client.list_clusters(tag_name="production")

    assert [c.name for c in clusters] == ["prod-pg"]
    assert dict(only_request(route).url.params) == {"tag_name": "production"}


async def test_a_cluster_of_an_engine_this_version_does_not_know_is_left_out_not_fatal(
    api: respx.MockRouter, client: DigitalOceanClient, caplog: pytest.LogCaptureFixture
) -> None:
    newer = {
        **fx.CLUSTERS["databases"][0],
        "id": "1b2c3d4e-0000-4000-8000-000000000001",
        "name": "vectors",
        "engine": "vectordb",
    }
    api.get(CLUSTERS_PATH).respond(200, json={"databases": [*fx.CLUSTERS["databases"], newer]})

    clusters = await client.list_clusters()

    assert [c.name for c in clusters] == ["prod-pg", "staging-pg", "cache-redis"]
    assert "leaving out cluster vectors: its engine 'vectordb' is not one this version of dbops knows" in (
        caplog.text
    )


async def test_get_cluster(api: respx.MockRouter, client: DigitalOceanClient) -> None:
    route = api.get(PROD).respond(200, json=fx.CLUSTER)

    cluster = await client.get_cluster(fx.PROD_PG_ID)

    assert cluster == Cluster(
        id=fx.PROD_PG_ID,
        name="prod-pg",
        engine=Engine.PG,
        num_nodes=1,
        size="db-s-2vcpu-4gb",
        region="nyc3",
        version="16",
        status=ClusterStatus.ONLINE,
        created_at=cluster.created_at,
        tags=["production"],
        db_names=["defaultdb", "app", "orders"],
        users=[
            DatabaseUser(name="doadmin", role=UserRole.PRIMARY),
            DatabaseUser(name="app", role=UserRole.NORMAL),
            DatabaseUser(name="reporting", role=UserRole.NORMAL),
        ],
        maintenance_window=MaintenanceWindow(day="saturday", hour="08:45:12", pending=False, description=[]),
    )
    assert cluster.created_at is not None
    assert cluster.created_at.isoformat() == "2024-01-11T18:37:36+00:00"
    assert only_request(route).method == "GET"


async def test_list_options_gives_sizes_and_versions_per_engine(
    api: respx.MockRouter, client: DigitalOceanClient
) -> None:
    api.get("/v2/databases/options").respond(200, json=fx.OPTIONS)

    options = await client.list_options()

    assert set(options) == {Engine.PG, Engine.MYSQL, Engine.REDIS}
    assert options[Engine.PG] == EngineOptions(
        sizes=frozenset({"db-s-1vcpu-1gb", "db-s-1vcpu-2gb", "db-s-2vcpu-4gb", "gd-4vcpu-16gb"}),
        versions=("15", "16", "17"),
    )
    assert options[Engine.REDIS] == EngineOptions(sizes=frozenset(), versions=("7",))


async def test_list_users(api: respx.MockRouter, client: DigitalOceanClient) -> None:
    route = api.get(f"{PROD}/users").respond(200, json=fx.USERS)

    users = await client.list_users(fx.PROD_PG_ID)

    assert users == [
        DatabaseUser(name="doadmin", role=UserRole.PRIMARY),
        DatabaseUser(name="app", role=UserRole.NORMAL),
        DatabaseUser(name="reporting", role=UserRole.NORMAL),
    ]
    assert route.called


async def test_list_databases(api: respx.MockRouter, client: DigitalOceanClient) -> None:
    api.get(f"{PROD}/dbs").respond(200, json=fx.DATABASES)

    assert await client.list_databases(fx.PROD_PG_ID) == [
        Database(name="defaultdb"),
        Database(name="app"),
        Database(name="orders"),
    ]


async def test_get_database(api: respx.MockRouter, client: DigitalOceanClient) -> None:
    route = api.get(f"{PROD}/dbs/orders").respond(200, json=fx.DATABASE_ORDERS)

    assert await client.get_database(fx.PROD_PG_ID, "orders") == Database(name="orders")
    assert route.called


async def test_list_pools(api: respx.MockRouter, client: DigitalOceanClient) -> None:
    api.get(f"{PROD}/pools").respond(200, json=fx.POOLS)

    pools = await client.list_pools(fx.PROD_PG_ID)

    assert pools == [
        Pool(name="web", mode=PoolMode.TRANSACTION, size=20, db="app", user="app"),
        Pool(name="reports", mode=PoolMode.SESSION, size=10, db="orders", user="reporting"),
    ]


async def test_get_pool_without_a_user(api: respx.MockRouter, client: DigitalOceanClient) -> None:
    api.get(f"{PROD}/pools/batch").respond(200, json=fx.POOL_BATCH)

    pool = await client.get_pool(fx.PROD_PG_ID, "batch")

    assert pool == Pool(name="batch", mode=PoolMode.STATEMENT, size=5, db="orders", user=None)


# ---- pagination ---------------------------------------------------------------------------------


async def test_a_paginated_list_is_read_whole(api: respx.MockRouter, client: DigitalOceanClient) -> None:
    # The more specific route first: respx takes the first route that matches.
    page_2 = api.get(CLUSTERS_PATH, params={"page": "2"}).respond(200, json=fx.CLUSTERS_PAGE_2)
    page_1 = api.get(CLUSTERS_PATH).respond(200, json=fx.CLUSTERS_PAGE_1)

    clusters = await client.list_clusters()

    assert [c.name for c in clusters] == ["prod-pg", "staging-pg", "cache-redis"]
    assert page_1.call_count == 1
    assert page_2.call_count == 1
    assert str(page_2.calls.last.request.url) == f"{fx.BASE_URL}/v2/databases?page=2"


async def test_a_next_link_on_another_host_is_followed_on_our_base_url(
    api: respx.MockRouter, client: DigitalOceanClient
) -> None:
    foreign = {**fx.CLUSTERS_PAGE_1, "links": {"pages": {"next": "https://evil.example/v2/databases?page=2"}}}
    page_2 = api.get(CLUSTERS_PATH, params={"page": "2"}).respond(200, json=fx.CLUSTERS_PAGE_2)
    api.get(CLUSTERS_PATH).respond(200, json=foreign)

    clusters = await client.list_clusters()

    assert len(clusters) == 3
    request = page_2.calls.last.request
    assert request.url.host == "api.digitalocean.com"
    assert [call.request.url.host for call in api.calls] == ["api.digitalocean.com", "api.digitalocean.com"]


async def test_a_next_link_to_another_endpoint_is_refused(
    api: respx.MockRouter, client: DigitalOceanClient
) -> None:
    elsewhere = {**fx.CLUSTERS_PAGE_1, "links": {"pages": {"next": f"{fx.BASE_URL}/v2/account/keys?page=2"}}}
    api.get(CLUSTERS_PATH).respond(200, json=elsewhere)

    with pytest.raises(UnexpectedError) as caught:
        await client.list_clusters()

    assert str(caught.value) == (
        "DigitalOcean answered 200: the next page of the list points at another endpoint (GET /v2/databases)"
    )
    assert len(api.calls) == 1


async def test_a_next_link_that_loops_back_stops(api: respx.MockRouter, client: DigitalOceanClient) -> None:
    looping = {"pools": [fx.WEB_POOL], "links": {"pages": {"next": f"{fx.BASE_URL}{PROD}/pools"}}}
    route = api.get(f"{PROD}/pools").respond(200, json=looping)

    pools = await client.list_pools(fx.PROD_PG_ID)

    assert [p.name for p in pools] == ["web"]
    assert route.call_count == 1


# ---- credentials are never parsed ---------------------------------------------------------------


def assert_no_secret(*models: object) -> None:
    for model in models:
        dumped = model.model_dump() if hasattr(model, "model_dump") else model
        for text in (repr(model), str(dumped), str(model)):
            for secret in fx.SECRETS:
                assert secret not in text
            assert "postgresql://" not in text


async def test_no_model_carries_a_password_or_connection_uri(
    api: respx.MockRouter, client: DigitalOceanClient
) -> None:
    api.get(CLUSTERS_PATH).respond(200, json=fx.CLUSTERS)
    api.get(PROD).respond(200, json=fx.CLUSTER)
    api.get(f"{PROD}/users").respond(200, json=fx.USERS)
    api.get(f"{PROD}/pools").respond(200, json=fx.POOLS)
    api.get(f"{PROD}/pools/web").respond(200, json=fx.POOL_WEB)

    clusters = await client.list_clusters()
    cluster = await client.get_cluster(fx.PROD_PG_ID)
    users = await client.list_users(fx.PROD_PG_ID)
    pools = await client.list_pools(fx.PROD_PG_ID)
    pool = await client.get_pool(fx.PROD_PG_ID, "web")

    # The answers did carry credentials…
    assert fx.DOADMIN_PASSWORD in str(fx.CLUSTER)
    assert fx.APP_PASSWORD in str(fx.POOL_WEB)
    # …and none of them reached a model.
    assert_no_secret(*clusters, cluster, *users, *pools, pool)
    assert set(cluster.model_dump()) == {
        "id", "name", "engine", "num_nodes", "size", "region", "version", "status", "created_at", "tags",
        "db_names", "users", "maintenance_window",
    }  # fmt: skip
    assert set(pool.model_dump()) == {"name", "mode", "size", "db", "user"}
    assert set(users[0].model_dump()) == {"name", "role"}


# ---- path segments ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "raw_path_tail"),
    [
        ("a/b", b"/pools/a%2Fb"),
        ("../../account", b"/pools/..%2F..%2Faccount"),
        ("web?x=1#y", b"/pools/web%3Fx%3D1%23y"),
        ("with space", b"/pools/with%20space"),
    ],
)
async def test_a_pool_name_cannot_change_the_path(
    api: respx.MockRouter, client: DigitalOceanClient, name: str, raw_path_tail: bytes
) -> None:
    route = api.route().respond(200, json={"pool": {**fx.BATCH_POOL, "name": name}})

    pool = await client.get_pool(fx.PROD_PG_ID, name)

    assert pool.name == name
    request = only_request(route)
    assert request.url.raw_path == f"{PROD}".encode() + raw_path_tail
    assert request.url.query == b""


async def test_a_cluster_id_and_database_name_are_encoded_too(
    api: respx.MockRouter, client: DigitalOceanClient
) -> None:
    route = api.route().respond(204)

    await client.delete_database("../x", "a/b")

    assert only_request(route).url.raw_path == b"/v2/databases/..%2Fx/dbs/a%2Fb"
