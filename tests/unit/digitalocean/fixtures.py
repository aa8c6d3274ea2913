"""DigitalOcean answers used by the client's unit tests, shaped after the sandbox seed.

The contract tests validate every body here against the official spec, so these fixtures are proven to be
answers DigitalOcean can really give. Several carry credentials (connection URIs, user passwords) exactly as
DigitalOcean does, so the tests can show that none of them survives parsing.
"""

from __future__ import annotations

from typing import Any, Final

BASE_URL: Final = "https://api.digitalocean.com"

# A recognisable fake personal access token: it must never appear in an error, a repr or a log.
TOKEN: Final = "dop_v1_" + "3f9c2a7be1d04c6f8a5b9e2d7c1f0a4b6e8d2c9f1a3b5d7e9f0c2a4b6d8e0f1a"

PROD_PG_ID: Final = "9cc10173-e9ea-4176-9dbc-a4cee4c4ff30"
STAGING_PG_ID: Final = "2f1b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d"
CACHE_REDIS_ID: Final = "6c7d8e9f-0a1b-4c2d-9e3f-4a5b6c7d8e9f"

DOADMIN_PASSWORD: Final = "AVNS_doadminPw7x2kq9"
APP_PASSWORD: Final = "AVNS_appUserPw4m8n1z"
REPORTING_PASSWORD: Final = "AVNS_reportingPw5t3r"
# Every credential string any fixture below carries; none may survive into a model.
SECRETS: Final = (DOADMIN_PASSWORD, APP_PASSWORD, REPORTING_PASSWORD)

_HOST = "prod-pg-do-user-1-0.db.ondigitalocean.com"
_PRIVATE_HOST = "private-" + _HOST
_CERT = "-----BEGIN CERTIFICATE-----\nMIIFFjCCA/6gAwIBAgISA0AznUJm\n-----END CERTIFICATE-----"


def connection(
    user: str, password: str, database: str, *, host: str = _HOST, port: int = 25060
) -> dict[str, Any]:
    """A `database_connection` object, credentials included, as DigitalOcean returns it."""
    return {
        "uri": f"postgresql://{user}:{password}@{host}:{port}/{database}?sslmode=require",
        "database": database,
        "host": host,
        "port": port,
        "user": user,
        "password": password,
        "ssl": True,
    }


PROD_PG: Final[dict[str, Any]] = {
    "id": PROD_PG_ID,
    "name": "prod-pg",
    "engine": "pg",
    "version": "16",
    "semantic_version": "16.4",
    "num_nodes": 1,
    "size": "db-s-2vcpu-4gb",
    "region": "nyc3",
    "status": "online",
    "created_at": "2024-01-11T18:37:36Z",
    "tags": ["production"],
    "db_names": ["defaultdb", "app", "orders"],
    "connection": connection("doadmin", DOADMIN_PASSWORD, "defaultdb"),
    "private_connection": connection("doadmin", DOADMIN_PASSWORD, "defaultdb", host=_PRIVATE_HOST),
    "users": [
        {"name": "doadmin", "role": "primary", "password": DOADMIN_PASSWORD},
        {"name": "app", "role": "normal", "password": APP_PASSWORD},
        {"name": "reporting", "role": "normal", "password": REPORTING_PASSWORD},
    ],
    "maintenance_window": {"day": "saturday", "hour": "08:45:12", "pending": False, "description": []},
    "private_network_uuid": "d455e75d-4858-4eec-8c95-da2f0a5f93a7",
    "storage_size_mib": 61440,
}

STAGING_PG: Final[dict[str, Any]] = {
    "id": STAGING_PG_ID,
    "name": "staging-pg",
    "engine": "pg",
    "version": "16",
    "num_nodes": 1,
    "size": "db-s-1vcpu-1gb",
    "region": "nyc3",
    "status": "online",
    "created_at": "2024-02-01T09:00:00Z",
    "tags": ["staging"],
    "db_names": ["defaultdb", "app"],
    "connection": connection("doadmin", DOADMIN_PASSWORD, "defaultdb", port=25061),
    "users": [{"name": "doadmin", "role": "primary", "password": DOADMIN_PASSWORD}],
}

CACHE_REDIS: Final[dict[str, Any]] = {
    "id": CACHE_REDIS_ID,
    "name": "cache-redis",
    "engine": "redis",
    "version": "7",
    "num_nodes": 1,
    "size": "db-s-1vcpu-1gb",
    "region": "nyc3",
    "status": "online",
    "created_at": "2024-03-01T09:00:00Z",
    "tags": None,
    "db_names": None,
    "users": None,
}

# GET /v2/databases: one page, and the same clusters split over two pages.
CLUSTERS: Final[dict[str, Any]] = {"databases": [PROD_PG, STAGING_PG, CACHE_REDIS]}
CLUSTERS_PRODUCTION: Final[dict[str, Any]] = {"databases": [PROD_PG]}
CLUSTERS_PAGE_1: Final[dict[str, Any]] = {
    "databases": [PROD_PG, STAGING_PG],
    "links": {
        "pages": {"last": f"{BASE_URL}/v2/databases?page=2", "next": f"{BASE_URL}/v2/databases?page=2"}
    },
    "meta": {"total": 3},
}
CLUSTERS_PAGE_2: Final[dict[str, Any]] = {
    "databases": [CACHE_REDIS],
    "links": {
        "pages": {"first": f"{BASE_URL}/v2/databases?page=1", "prev": f"{BASE_URL}/v2/databases?page=1"}
    },
    "meta": {"total": 3},
}

CLUSTER: Final[dict[str, Any]] = {"database": PROD_PG}

OPTIONS: Final[dict[str, Any]] = {
    "options": {
        "pg": {
            "regions": ["nyc3", "ams3"],
            "versions": ["15", "16", "17"],
            "layouts": [
                {"num_nodes": 1, "sizes": ["db-s-1vcpu-1gb", "db-s-1vcpu-2gb", "db-s-2vcpu-4gb"]},
                {"num_nodes": 2, "sizes": ["db-s-2vcpu-4gb", "gd-4vcpu-16gb"]},
            ],
        },
        "mysql": {
            "regions": ["nyc3"],
            "versions": ["8"],
            "layouts": [{"num_nodes": 1, "sizes": ["db-s-1vcpu-2gb"]}],
        },
        "redis": {"regions": ["nyc3"], "versions": ["7"], "layouts": [{"num_nodes": 1, "sizes": []}]},
    },
    "version_availability": {
        "pg": [
            {"end_of_life": None, "end_of_availability": None, "version": "16"},
            {"end_of_life": "2027-11-09T00:00:00Z", "end_of_availability": None, "version": "15"},
        ]
    },
}

USERS: Final[dict[str, Any]] = {
    "users": [
        {"name": "doadmin", "role": "primary", "password": DOADMIN_PASSWORD},
        {"name": "app", "role": "normal", "password": APP_PASSWORD},
        {
            "name": "reporting",
            "role": "normal",
            "password": REPORTING_PASSWORD,
            "access_cert": _CERT,
            "settings": {"pg_allow_replication": False},
        },
    ]
}

DATABASES: Final[dict[str, Any]] = {"dbs": [{"name": "defaultdb"}, {"name": "app"}, {"name": "orders"}]}
DATABASE_ORDERS: Final[dict[str, Any]] = {"db": {"name": "orders"}}
DATABASE_BILLING: Final[dict[str, Any]] = {"db": {"name": "billing"}}

WEB_POOL: Final[dict[str, Any]] = {
    "name": "web",
    "mode": "transaction",
    "size": 20,
    "db": "app",
    "user": "app",
    "connection": connection("app", APP_PASSWORD, "web", port=25061),
    "private_connection": connection("app", APP_PASSWORD, "web", host=_PRIVATE_HOST, port=25061),
}
REPORTS_POOL: Final[dict[str, Any]] = {
    "name": "reports",
    "mode": "session",
    "size": 10,
    "db": "orders",
    "user": "reporting",
    "connection": connection("reporting", REPORTING_PASSWORD, "reports", port=25061),
}
# A pool without a user: sessions connect as the inbound user. DigitalOcean answers `"user": ""` for it
# (doctl PR #1205 shows a blank user; the Terraform provider's inbound-user acceptance test,
# digitalocean/database/resource_database_connection_pool_test.go, expects `user = ""`).
BATCH_POOL: Final[dict[str, Any]] = {
    "name": "batch",
    "mode": "statement",
    "size": 5,
    "db": "orders",
    "user": "",
    "connection": connection("doadmin", DOADMIN_PASSWORD, "batch", port=25061),
}

POOLS: Final[dict[str, Any]] = {"pools": [WEB_POOL, REPORTS_POOL]}
POOL_WEB: Final[dict[str, Any]] = {"pool": WEB_POOL}
POOL_BATCH: Final[dict[str, Any]] = {"pool": BATCH_POOL}


def error(error_id: str, message: str, request_id: str | None = None) -> dict[str, Any]:
    """DigitalOcean's error body: `{id, message}` and, on some endpoints, `request_id`."""
    body: dict[str, Any] = {"id": error_id, "message": message}
    if request_id is not None:
        body["request_id"] = request_id
    return body


REQUEST_ID: Final = "4d9d8375-3c56-4925-a3e7-eb137fed17e9"
UNAUTHORIZED: Final = error("unauthorized", "Unable to authenticate you.", REQUEST_ID)
FORBIDDEN: Final = error("forbidden", "You are not authorized to perform this operation.", REQUEST_ID)
NOT_FOUND: Final = error("not_found", "The resource you requested could not be found.", REQUEST_ID)
UNPROCESSABLE: Final = error(
    "unprocessable_entity", "pool size exceeds the cluster's available connections (97)", REQUEST_ID
)
TOO_MANY_REQUESTS: Final = error("too_many_requests", "API rate limit exceeded.", REQUEST_ID)
SERVER_ERROR: Final = error("server_error", "Unexpected server-side error", REQUEST_ID)
TEAPOT: Final = error("teapot", "I'm a teapot.", REQUEST_ID)

HTML_502: Final = (
    "<html><head><title>502 Bad Gateway</title></head>"
    "<body><center><h1>502 Bad Gateway</h1></center><hr><center>cloudflare</center></body></html>"
)
