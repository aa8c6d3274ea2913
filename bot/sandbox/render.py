"""The sandbox's records as DigitalOcean's JSON, including the read-only fields the real API returns.

Connection details and passwords are included on purpose, with obviously fake values (hosts under the
reserved `.invalid` domain), so the client can prove that it drops them.
"""

from __future__ import annotations

import uuid
from typing import Any

from .model import SandboxCluster, SandboxPool, SandboxUser

__all__ = ["render_cluster", "render_database", "render_pool", "render_user"]

_HOST_SUFFIX = "sandbox-do-user-0000000-0.db.sandbox.invalid"
_SCHEMES = {"pg": "postgresql", "advanced_pg": "postgresql", "mysql": "mysql", "redis": "rediss"}
_PORTS = {"pg": 25060, "advanced_pg": 25060, "mysql": 25060, "redis": 25061, "valkey": 25061}
POOL_PORT = 25061


def _host(cluster: SandboxCluster, prefix: str = "") -> str:
    return f"{prefix}{cluster.name}-{_HOST_SUFFIX}"


def _connection(
    cluster: SandboxCluster,
    *,
    prefix: str = "",
    database: str = "defaultdb",
    user: SandboxUser | None = None,
    port: int | None = None,
) -> dict[str, Any]:
    user = user or cluster.primary_user or SandboxUser("default")
    scheme = _SCHEMES.get(cluster.engine, cluster.engine)
    host = _host(cluster, prefix)
    port = port or _PORTS.get(cluster.engine, 25060)
    path = f"/{database}?sslmode=require" if cluster.manages_databases else ""
    return {
        "uri": f"{scheme}://{user.name}:{user.password}@{host}:{port}{path}",
        "database": database if cluster.manages_databases else "",
        "host": host,
        "port": port,
        "user": user.name,
        "password": user.password,
        "ssl": True,
    }


def render_user(user: SandboxUser) -> dict[str, Any]:
    return {"name": user.name, "role": user.role.value, "password": user.password}


def render_database(name: str) -> dict[str, Any]:
    return {"name": name}


def render_cluster(cluster: SandboxCluster) -> dict[str, Any]:
    body: dict[str, Any] = {
        "id": cluster.id,
        "name": cluster.name,
        "engine": cluster.engine,
        "version": cluster.version,
        "semantic_version": f"{cluster.version}.4",
        "num_nodes": cluster.num_nodes,
        "size": cluster.size,
        "region": cluster.region,
        "status": cluster.status,
        "created_at": cluster.created_at,
        "private_network_uuid": str(uuid.uuid5(uuid.NAMESPACE_URL, f"sandbox-vpc-{cluster.region}")),
        "tags": list(cluster.tags) or None,
        "db_names": list(cluster.dbs) if cluster.manages_databases else None,
        "connection": _connection(cluster),
        "private_connection": _connection(cluster, prefix="private-"),
        "users": [render_user(user) for user in cluster.users] if cluster.manages_users else None,
        "maintenance_window": {
            "day": "tuesday",
            "hour": "02:00:00",
            "pending": bool(cluster.maintenance_pending),
            "description": list(cluster.maintenance_pending),
        },
        "project_id": str(uuid.uuid5(uuid.NAMESPACE_URL, "sandbox-project")),
        "rules": [],
        "storage_size_mib": 0,
        "metrics_endpoints": [{"host": _host(cluster, "metrics-"), "port": 9273}],
    }
    if cluster.num_nodes > 1:
        body["standby_connection"] = _connection(cluster, prefix="replica-")
        body["standby_private_connection"] = _connection(cluster, prefix="private-replica-")
    return body


def render_pool(cluster: SandboxCluster, pool: SandboxPool) -> dict[str, Any]:
    # DigitalOcean answers `"user": ""` for a pool without a user (see docs/OPERATIONS.md).
    body: dict[str, Any] = {
        "name": pool.name,
        "mode": pool.mode,
        "size": pool.size,
        "db": pool.db,
        "user": pool.user or "",
    }
    user = cluster.user(pool.user) if pool.user else None
    body["connection"] = _connection(cluster, database=pool.name, user=user, port=POOL_PORT)
    body["private_connection"] = _connection(
        cluster, prefix="private-", database=pool.name, user=user, port=POOL_PORT
    )
    return body
