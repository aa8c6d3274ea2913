"""Every sandbox answer, success and error, checked against DigitalOcean's official OpenAPI spec."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
import yaml
from openapi_core import OpenAPI

from bot.sandbox import CACHE_REDIS, OPERATIONS, PROD_PG, SandboxState
from tests.support.openapi import spec_path, validate_request, validate_response

pytestmark = pytest.mark.contract

MISSING = "00000000-0000-4000-8000-000000000000"
POOL = {"name": "batch", "mode": "transaction", "size": 5, "db": "app", "user": "app"}
PUT = {"mode": "session", "size": 12, "db": "orders", "user": "reporting"}

# operation → (method, path on prod-pg, body, expected success status)
SUCCESS: dict[str, tuple[str, str, dict[str, Any] | None, int]] = {
    "list_options": ("GET", "/v2/databases/options", None, 200),
    "list_clusters": ("GET", "/v2/databases?tag_name=production", None, 200),
    "get_cluster": ("GET", f"/v2/databases/{PROD_PG}", None, 200),
    "list_users": ("GET", f"/v2/databases/{PROD_PG}/users", None, 200),
    "list_databases": ("GET", f"/v2/databases/{PROD_PG}/dbs", None, 200),
    "add_database": ("POST", f"/v2/databases/{PROD_PG}/dbs", {"name": "billing"}, 201),
    "get_database": ("GET", f"/v2/databases/{PROD_PG}/dbs/app", None, 200),
    "delete_database": ("DELETE", f"/v2/databases/{PROD_PG}/dbs/billing", None, 204),
    "list_pools": ("GET", f"/v2/databases/{PROD_PG}/pools", None, 200),
    "add_pool": ("POST", f"/v2/databases/{PROD_PG}/pools", POOL, 201),
    "get_pool": ("GET", f"/v2/databases/{PROD_PG}/pools/batch", None, 200),
    "update_pool": ("PUT", f"/v2/databases/{PROD_PG}/pools/batch", PUT, 204),
    "delete_pool": ("DELETE", f"/v2/databases/{PROD_PG}/pools/batch", None, 204),
    "list_backups": ("GET", f"/v2/databases/{PROD_PG}/backups", None, 200),
}

# operation → a request the sandbox must refuse with 422
UNPROCESSABLE: dict[str, tuple[str, str, dict[str, Any] | None]] = {
    "list_users": ("GET", f"/v2/databases/{CACHE_REDIS}/users", None),
    "list_databases": ("GET", f"/v2/databases/{CACHE_REDIS}/dbs", None),
    "add_database": ("POST", f"/v2/databases/{PROD_PG}/dbs", {"name": "app"}),
    "get_database": ("GET", f"/v2/databases/{CACHE_REDIS}/dbs/x", None),
    "delete_database": ("DELETE", f"/v2/databases/{PROD_PG}/dbs/defaultdb", None),
    "list_pools": ("GET", f"/v2/databases/{CACHE_REDIS}/pools", None),
    "add_pool": ("POST", f"/v2/databases/{PROD_PG}/pools", {**POOL, "size": 0}),
    "get_pool": ("GET", f"/v2/databases/{CACHE_REDIS}/pools/web", None),
    "update_pool": ("PUT", f"/v2/databases/{PROD_PG}/pools/web", {**PUT, "mode": "nope"}),
    "delete_pool": ("DELETE", f"/v2/databases/{CACHE_REDIS}/pools/web", None),
    "list_backups": ("GET", f"/v2/databases/{CACHE_REDIS}/backups", None),
}


def _missing(path: str) -> str:
    """The same operation on a cluster (or resource) that does not exist."""
    if path.startswith("/v2/databases/options") or path.startswith("/v2/databases?"):
        return path
    return path.replace(PROD_PG, MISSING)


async def _check(
    spec: OpenAPI, http: httpx.AsyncClient, method: str, path: str, body: dict[str, Any] | None, status: int
) -> httpx.Response:
    response = await http.request(method, path, json=body)
    assert response.status_code == status, f"{method} {path}: {response.status_code} {response.text}"
    if status != 401:
        validate_request(spec, response.request)
    validate_response(spec, response.request, response)
    for header in ("ratelimit-limit", "ratelimit-remaining", "ratelimit-reset"):
        assert response.headers[header].isdigit()
    if status >= 400:
        assert response.json()["request_id"] == response.headers["x-request-id"]
    return response


def _spec_paths() -> dict[str, dict[str, Any]]:
    path = spec_path()
    assert path is not None
    paths: dict[str, dict[str, Any]] = yaml.safe_load(path.read_text())["paths"]
    return paths


def test_the_sandbox_serves_exactly_the_specs_operations(do_spec: OpenAPI) -> None:
    spec_ops = {
        (method.upper(), path)
        for path, item in _spec_paths().items()
        for method in item
        if method in {"get", "post", "put", "delete"}
    }
    ours = {
        (method, path.replace("{cluster_id}", "{database_cluster_uuid}"))
        for method, path, _ in OPERATIONS.values()
    }
    ours = {
        (m, p.replace("/dbs/{name}", "/dbs/{database_name}").replace("/pools/{name}", "/pools/{pool_name}"))
        for m, p in ours
    }
    assert ours == spec_ops
    spec_ids = {
        item[method]["operationId"]
        for item in _spec_paths().values()
        for method in item
        if method in {"get", "post", "put", "delete"}
    }
    assert {op_id for _, _, op_id in OPERATIONS.values()} == spec_ids


async def test_every_success_matches_the_spec(do_spec: OpenAPI, http: httpx.AsyncClient) -> None:
    for method, path, body, status in SUCCESS.values():  # in order: create before read, update, delete
        await _check(do_spec, http, method, path, body, status)


async def test_every_401_matches_the_spec(do_spec: OpenAPI, anonymous: httpx.AsyncClient) -> None:
    for method, path, body, _ in SUCCESS.values():
        await _check(do_spec, anonymous, method, path, body, 401)


async def test_every_404_matches_the_spec(do_spec: OpenAPI, http: httpx.AsyncClient) -> None:
    for operation, (method, path, body, _) in SUCCESS.items():
        if operation in {"list_options", "list_clusters"}:
            continue  # account-wide: nothing to miss
        await _check(do_spec, http, method, _missing(path), body, 404)
    # a malformed cluster id is a 404 as well (the spec's request check would refuse it before sending)
    response = await http.get("/v2/databases/not-a-uuid")
    assert response.status_code == 404
    validate_response(do_spec, response.request, response)


async def test_every_422_matches_the_spec(do_spec: OpenAPI, http: httpx.AsyncClient) -> None:
    for method, path, body in UNPROCESSABLE.values():
        await _check(do_spec, http, method, path, body, 422)


@pytest.mark.parametrize("status", [429, 500, 503])
async def test_injected_errors_match_the_spec(
    do_spec: OpenAPI, http: httpx.AsyncClient, state: SandboxState, status: int
) -> None:
    for method, path, body, _ in SUCCESS.values():
        if status == 429:
            state.faults.rate_limit(reset_in=30, retry_after=5)
        else:
            state.faults.server_error(status)
        await _check(do_spec, http, method, path, body, status)
