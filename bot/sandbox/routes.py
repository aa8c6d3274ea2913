"""The 14 Managed Databases operations of DigitalOcean's spec, as Starlette endpoints.

Each route's `name` is the operation's name, the same one `bot.digitalocean.DigitalOceanClient` reports
(`OPERATIONS` maps it to the spec's `operationId`).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from . import operations
from .errors import NotFound, Unprocessable
from .options import options_payload
from .render import render_cluster, render_database, render_pool, render_user
from .state import SandboxState
from .validation import parse_database, parse_pool

__all__ = ["OPERATIONS", "build_routes"]

# operation name → (method, path template, the spec's operationId)
OPERATIONS: dict[str, tuple[str, str, str]] = {
    "list_options": ("GET", "/v2/databases/options", "databases_list_options"),
    "list_clusters": ("GET", "/v2/databases", "databases_list_clusters"),
    "get_cluster": ("GET", "/v2/databases/{cluster_id}", "databases_get_cluster"),
    "list_users": ("GET", "/v2/databases/{cluster_id}/users", "databases_list_users"),
    "list_databases": ("GET", "/v2/databases/{cluster_id}/dbs", "databases_list"),
    "add_database": ("POST", "/v2/databases/{cluster_id}/dbs", "databases_add"),
    "get_database": ("GET", "/v2/databases/{cluster_id}/dbs/{name}", "databases_get"),
    "delete_database": ("DELETE", "/v2/databases/{cluster_id}/dbs/{name}", "databases_delete"),
    "list_pools": ("GET", "/v2/databases/{cluster_id}/pools", "databases_list_connectionPools"),
    "add_pool": ("POST", "/v2/databases/{cluster_id}/pools", "databases_add_connectionPool"),
    "get_pool": ("GET", "/v2/databases/{cluster_id}/pools/{name}", "databases_get_connectionPool"),
    "update_pool": ("PUT", "/v2/databases/{cluster_id}/pools/{name}", "databases_update_connectionPool"),
    "delete_pool": ("DELETE", "/v2/databases/{cluster_id}/pools/{name}", "databases_delete_connectionPool"),
    "list_backups": ("GET", "/v2/databases/{cluster_id}/backups", "databases_list_backups"),
}

DEFAULT_PER_PAGE = 20
MAX_PER_PAGE = 200

Endpoint = Callable[[Request], Awaitable[Response]]


def _int_param(request: Request, key: str, default: int, *, low: int, high: int) -> int:
    try:
        value = int(request.query_params.get(key, default))
    except ValueError:
        return default
    return min(high, max(low, value))


def build_routes(state: SandboxState) -> list[Route]:
    """The sandbox's routes, bound to `state`. Each endpoint touches the account only under its lock."""

    async def list_options(request: Request) -> Response:
        return JSONResponse(options_payload())

    async def list_clusters(request: Request) -> Response:
        tag = request.query_params.get("tag_name")
        per_page = _int_param(request, "per_page", DEFAULT_PER_PAGE, low=1, high=MAX_PER_PAGE)
        page = _int_param(request, "page", 1, low=1, high=1_000_000)
        with state.lock:
            clusters = [c for c in state.clusters.values() if tag is None or tag in c.tags]
            total = len(clusters)
            shown = [render_cluster(c) for c in clusters[(page - 1) * per_page : page * per_page]]
        body: dict[str, Any] = {"databases": shown, "meta": {"total": total}}
        last = max(1, -(-total // per_page))
        if last > 1:
            pages: dict[str, str] = {}
            if page > 1:
                pages["first"] = str(request.url.include_query_params(page=1, per_page=per_page))
                pages["prev"] = str(request.url.include_query_params(page=page - 1, per_page=per_page))
            if page < last:
                pages["next"] = str(request.url.include_query_params(page=page + 1, per_page=per_page))
                pages["last"] = str(request.url.include_query_params(page=last, per_page=per_page))
            body["links"] = {"pages": pages}
        return JSONResponse(body)

    async def get_cluster(request: Request) -> Response:
        with state.lock:
            body = {"database": render_cluster(state.cluster(request.path_params["cluster_id"]))}
        return JSONResponse(body)

    async def list_users(request: Request) -> Response:
        with state.lock:
            cluster = state.cluster(request.path_params["cluster_id"])
            if not cluster.manages_users:
                raise Unprocessable("User management is not supported for Caching or Valkey clusters.")
            body = {"users": [render_user(user) for user in cluster.users]}
        return JSONResponse(body)

    async def list_databases(request: Request) -> Response:
        with state.lock:
            cluster = state.managed_cluster(request.path_params["cluster_id"])
            body = {"dbs": [render_database(name) for name in cluster.dbs]}
        return JSONResponse(body)

    async def add_database(request: Request) -> Response:
        raw = await request.body()
        with state.lock:
            state.managed_cluster(request.path_params["cluster_id"])  # 404 / 422 before the body
            name = operations.add_database(state, request.path_params["cluster_id"], parse_database(raw))
        return JSONResponse({"db": render_database(name)}, status_code=201)

    async def get_database(request: Request) -> Response:
        name = request.path_params["name"]
        with state.lock:
            cluster = state.managed_cluster(request.path_params["cluster_id"])
            if name not in cluster.dbs:
                raise NotFound()
        return JSONResponse({"db": render_database(name)})

    async def delete_database(request: Request) -> Response:
        with state.lock:
            operations.delete_database(state, request.path_params["cluster_id"], request.path_params["name"])
        return Response(status_code=204)

    async def list_backups(request: Request) -> Response:
        with state.lock:
            cluster = state.cluster(request.path_params["cluster_id"])
            if not cluster.manages_users:
                raise Unprocessable("Backups are not supported for Caching or Valkey clusters.")
            if not cluster.lists_backups:
                raise Unprocessable("Backups are only available for PostgreSQL and MySQL clusters.")
            now = state.clock()
            body = {
                "backups": [
                    {"created_at": _iso(now - hours * 3600), "size_gigabytes": 0.03}
                    for hours in sorted(cluster.backup_ages_hours, reverse=True)
                ]
            }
        return JSONResponse(body)

    async def list_pools(request: Request) -> Response:
        with state.lock:
            cluster = state.pg_cluster(request.path_params["cluster_id"])
            body = {"pools": [render_pool(cluster, pool) for pool in cluster.pools.values()]}
        return JSONResponse(body)

    async def add_pool(request: Request) -> Response:
        raw = await request.body()
        with state.lock:
            state.pg_cluster(request.path_params["cluster_id"])  # 404 / 422 before the body
            cluster, pool = operations.add_pool(
                state, request.path_params["cluster_id"], parse_pool(raw, with_name=True)
            )
            body = {"pool": render_pool(cluster, pool)}
        return JSONResponse(body, status_code=201)

    async def get_pool(request: Request) -> Response:
        with state.lock:
            cluster, pool = operations.get_pool(
                state, request.path_params["cluster_id"], request.path_params["name"]
            )
            body = {"pool": render_pool(cluster, pool)}
        return JSONResponse(body)

    async def update_pool(request: Request) -> Response:
        raw = await request.body()
        cluster_id, name = request.path_params["cluster_id"], request.path_params["name"]
        with state.lock:
            operations.get_pool(state, cluster_id, name)  # 404 / 422 before the body
            operations.update_pool(state, cluster_id, name, parse_pool(raw, with_name=False))
        return Response(status_code=204)

    async def delete_pool(request: Request) -> Response:
        with state.lock:
            operations.delete_pool(state, request.path_params["cluster_id"], request.path_params["name"])
        return Response(status_code=204)

    endpoints: dict[str, Endpoint] = {
        "list_options": list_options,
        "list_clusters": list_clusters,
        "get_cluster": get_cluster,
        "list_users": list_users,
        "list_databases": list_databases,
        "add_database": add_database,
        "get_database": get_database,
        "delete_database": delete_database,
        "list_pools": list_pools,
        "add_pool": add_pool,
        "get_pool": get_pool,
        "update_pool": update_pool,
        "delete_pool": delete_pool,
        "list_backups": list_backups,
    }
    return [
        Route(path, endpoints[name], methods=[method], name=name)
        for name, (method, path, _) in OPERATIONS.items()
    ]


def _iso(epoch: float) -> str:
    return datetime.fromtimestamp(epoch, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
