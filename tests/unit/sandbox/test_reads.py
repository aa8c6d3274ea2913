"""Reading the seeded account: clusters, users, databases, pools, options, with DigitalOcean's shapes."""

from __future__ import annotations

import httpx
import pytest

from bot.sandbox import ANALYTICS_PG, CACHE_REDIS, ORDERS_MYSQL, PROD_PG, REPORTING_PG, STAGING_PG

NOT_FOUND = "The resource you requested could not be found."

SEED = {
    # name: (id, engine, version, size, status, tags, dbs, users)
    "prod-pg": (
        PROD_PG,
        "pg",
        "16",
        "db-s-2vcpu-4gb",
        "online",
        ["production"],
        ["defaultdb", "app", "orders"],
        ["doadmin", "app", "reporting"],
    ),
    "staging-pg": (
        STAGING_PG,
        "pg",
        "16",
        "db-s-1vcpu-1gb",
        "online",
        ["staging"],
        ["defaultdb", "app"],
        ["doadmin", "app"],
    ),
    "analytics-pg": (
        ANALYTICS_PG,
        "pg",
        "15",
        "gd-4vcpu-16gb",
        "online",
        ["production"],
        ["defaultdb", "events"],
        ["doadmin"],
    ),
    "reporting-pg": (
        REPORTING_PG,
        "pg",
        "16",
        "db-s-1vcpu-2gb",
        "resizing",
        None,
        ["defaultdb"],
        ["doadmin"],
    ),
    "orders-mysql": (
        ORDERS_MYSQL,
        "mysql",
        "8",
        "db-s-1vcpu-2gb",
        "online",
        ["production"],
        ["defaultdb", "orders"],
        ["doadmin"],
    ),
    "cache-redis": (CACHE_REDIS, "redis", "7", "db-s-1vcpu-1gb", "online", None, None, None),
}


async def test_list_clusters_returns_the_whole_seed(http: httpx.AsyncClient) -> None:
    response = await http.get("/v2/databases")
    assert response.status_code == 200
    clusters = response.json()["databases"]
    assert [c["name"] for c in clusters] == list(SEED)
    for cluster in clusters:
        cid, engine, version, size, status, tags, dbs, users = SEED[cluster["name"]]
        assert (cluster["id"], cluster["engine"], cluster["version"], cluster["size"]) == (
            cid,
            engine,
            version,
            size,
        )
        assert cluster["status"] == status
        assert cluster["tags"] == tags
        assert cluster["db_names"] == dbs
        assert (None if cluster["users"] is None else [u["name"] for u in cluster["users"]]) == users
    assert response.json()["meta"] == {"total": 6}
    assert "links" not in response.json()


async def test_tag_filter_keeps_only_tagged_clusters(http: httpx.AsyncClient) -> None:
    response = await http.get("/v2/databases", params={"tag_name": "production"})
    assert [c["name"] for c in response.json()["databases"]] == ["prod-pg", "analytics-pg", "orders-mysql"]
    response = await http.get("/v2/databases", params={"tag_name": "nobody-uses-this"})
    assert response.json()["databases"] == []


async def test_list_clusters_paginates_with_links(http: httpx.AsyncClient) -> None:
    first = await http.get("/v2/databases", params={"per_page": 4})
    assert [c["name"] for c in first.json()["databases"]] == list(SEED)[:4]
    pages = first.json()["links"]["pages"]
    assert set(pages) == {"next", "last"}
    second = await http.get(pages["next"])
    assert [c["name"] for c in second.json()["databases"]] == list(SEED)[4:]
    assert set(second.json()["links"]["pages"]) == {"first", "prev"}


async def test_cluster_carries_fake_credentials_like_the_real_api(http: httpx.AsyncClient) -> None:
    cluster = (await http.get(f"/v2/databases/{PROD_PG}")).json()["database"]
    assert cluster["num_nodes"] == 2
    for key in ("connection", "private_connection", "standby_connection", "standby_private_connection"):
        connection = cluster[key]
        assert connection["host"].endswith(".sandbox.invalid")
        assert connection["user"] == "doadmin"
        assert connection["password"] == "fake-doadmin-pw-not-a-secret"
        assert connection["uri"].startswith("postgresql://doadmin:fake-doadmin-pw-not-a-secret@")
    assert {u["name"]: u["role"] for u in cluster["users"]} == {
        "doadmin": "primary",
        "app": "normal",
        "reporting": "normal",
    }
    assert all(u["password"].startswith("fake-") for u in cluster["users"])


async def test_single_node_cluster_has_no_standby_connection(http: httpx.AsyncClient) -> None:
    cluster = (await http.get(f"/v2/databases/{STAGING_PG}")).json()["database"]
    assert "standby_connection" not in cluster
    assert cluster["num_nodes"] == 1


@pytest.mark.parametrize(
    "path",
    [
        "/v2/databases/00000000-0000-4000-8000-000000000000",
        "/v2/databases/not-a-uuid",
        "/v2/databases/not-a-uuid/pools",
        f"/v2/databases/{PROD_PG}/pools/nope",
        f"/v2/databases/{PROD_PG}/dbs/nope",
        "/v2/droplets",
    ],
)
async def test_unknown_things_are_404_not_found(http: httpx.AsyncClient, path: str) -> None:
    response = await http.get(path)
    assert response.status_code == 404
    body = response.json()
    assert (body["id"], body["message"]) == ("not_found", NOT_FOUND)
    assert body["request_id"] == response.headers["x-request-id"]


async def test_users_databases_and_pools_of_prod(http: httpx.AsyncClient) -> None:
    users = (await http.get(f"/v2/databases/{PROD_PG}/users")).json()["users"]
    assert [(u["name"], u["role"]) for u in users] == [
        ("doadmin", "primary"),
        ("app", "normal"),
        ("reporting", "normal"),
    ]
    dbs = (await http.get(f"/v2/databases/{PROD_PG}/dbs")).json()["dbs"]
    assert dbs == [{"name": "defaultdb"}, {"name": "app"}, {"name": "orders"}]
    assert (await http.get(f"/v2/databases/{PROD_PG}/dbs/orders")).json() == {"db": {"name": "orders"}}
    pools = (await http.get(f"/v2/databases/{PROD_PG}/pools")).json()["pools"]
    assert [(p["name"], p["mode"], p["size"], p["db"], p["user"]) for p in pools] == [
        ("web", "transaction", 20, "app", "app"),
        ("reports", "session", 10, "orders", "reporting"),
    ]
    assert pools[0]["connection"]["password"] == "fake-app-pw-not-a-secret"
    assert pools[0]["connection"]["database"] == "web"


async def test_get_pool(http: httpx.AsyncClient) -> None:
    pool = (await http.get(f"/v2/databases/{STAGING_PG}/pools/staging-web")).json()["pool"]
    assert {k: pool[k] for k in ("name", "mode", "size", "db", "user")} == {
        "name": "staging-web",
        "mode": "transaction",
        "size": 10,
        "db": "app",
        "user": "app",
    }


@pytest.mark.parametrize("cluster_id", [ORDERS_MYSQL, CACHE_REDIS])
async def test_pools_only_on_postgres(http: httpx.AsyncClient, cluster_id: str) -> None:
    response = await http.get(f"/v2/databases/{cluster_id}/pools")
    assert response.status_code == 422
    assert response.json()["id"] == "unprocessable_entity"
    assert response.json()["message"] == "Connection pools are only supported on PostgreSQL clusters."


async def test_no_database_or_user_management_on_redis(http: httpx.AsyncClient) -> None:
    dbs = await http.get(f"/v2/databases/{CACHE_REDIS}/dbs")
    assert dbs.status_code == 422
    assert dbs.json()["message"] == "Database management is not supported for Caching or Valkey clusters."
    users = await http.get(f"/v2/databases/{CACHE_REDIS}/users")
    assert users.status_code == 422
    assert users.json()["message"] == "User management is not supported for Caching or Valkey clusters."


async def test_mysql_databases_are_managed(http: httpx.AsyncClient) -> None:
    dbs = (await http.get(f"/v2/databases/{ORDERS_MYSQL}/dbs")).json()["dbs"]
    assert dbs == [{"name": "defaultdb"}, {"name": "orders"}]


async def test_options_list_the_seed_sizes(http: httpx.AsyncClient) -> None:
    options = (await http.get("/v2/databases/options")).json()["options"]
    pg_sizes = {size for layout in options["pg"]["layouts"] for size in layout["sizes"]}
    assert {"db-s-2vcpu-4gb", "db-s-1vcpu-1gb", "gd-4vcpu-16gb", "db-s-1vcpu-2gb"} <= pg_sizes
    assert {"15", "16"} <= set(options["pg"]["versions"])
    assert "nyc3" in options["pg"]["regions"]


async def test_wrong_method_is_405_with_error_json(http: httpx.AsyncClient) -> None:
    response = await http.patch(f"/v2/databases/{PROD_PG}/pools/web", json={})
    assert response.status_code == 405
    assert response.json()["id"] == "method_not_allowed"
