"""The account's rules for writes, as DigitalOcean enforces them. Call with `state.lock` held."""

from __future__ import annotations

from .errors import NotFound, Unprocessable
from .model import BACKEND_CONNECTIONS_PER_GB, RESERVED_CONNECTIONS, SandboxCluster, SandboxPool
from .state import SandboxState
from .validation import DatabaseBody, PoolBody

__all__ = ["add_database", "add_pool", "delete_database", "delete_pool", "get_pool", "update_pool"]


def _check_references(cluster: SandboxCluster, body: PoolBody) -> None:
    if body.db not in cluster.dbs:
        raise Unprocessable(f"Database {body.db} does not exist on cluster {cluster.name}.")
    if body.user is not None and cluster.user(body.user) is None:
        raise Unprocessable(f"User {body.user} does not exist on cluster {cluster.name}.")


def _check_capacity(cluster: SandboxCluster, size: int, *, replacing: str | None = None) -> None:
    capacity = cluster.pool_capacity
    if capacity is None:
        return
    others = cluster.pool_connections(excluding=replacing)
    if others + size > capacity:
        left = max(0, capacity - others)
        raise Unprocessable(
            f"Pool size {size} is too large: cluster {cluster.name} ({cluster.size}) allows at most "
            f"{capacity} backend connections across all its pools ({BACKEND_CONNECTIONS_PER_GB} per GB of "
            f"RAM minus {RESERVED_CONNECTIONS} reserved), {others} are used by other pools, {left} remain."
        )


def get_pool(state: SandboxState, cluster_id: str, name: str) -> tuple[SandboxCluster, SandboxPool]:
    cluster = state.pg_cluster(cluster_id)
    pool = cluster.pools.get(name)
    if pool is None:
        raise NotFound()
    return cluster, pool


def add_pool(state: SandboxState, cluster_id: str, body: PoolBody) -> tuple[SandboxCluster, SandboxPool]:
    cluster = state.pg_cluster(cluster_id)
    if body.name in cluster.pools:
        raise Unprocessable(f"A connection pool named {body.name} already exists on cluster {cluster.name}.")
    _check_references(cluster, body)
    _check_capacity(cluster, body.size)
    pool = SandboxPool(name=body.name, mode=body.mode, size=body.size, db=body.db, user=body.user)
    cluster.pools[pool.name] = pool
    return cluster, pool


def update_pool(state: SandboxState, cluster_id: str, name: str, body: PoolBody) -> SandboxPool:
    """Replace the whole pool, like DigitalOcean's PUT: a missing `user` removes the pool's user."""
    cluster, pool = get_pool(state, cluster_id, name)
    _check_references(cluster, body)
    _check_capacity(cluster, body.size, replacing=name)
    pool.mode, pool.size, pool.db, pool.user = body.mode, body.size, body.db, body.user
    return pool


def delete_pool(state: SandboxState, cluster_id: str, name: str) -> None:
    cluster, _ = get_pool(state, cluster_id, name)
    del cluster.pools[name]


def add_database(state: SandboxState, cluster_id: str, body: DatabaseBody) -> str:
    cluster = state.managed_cluster(cluster_id)
    if body.name in cluster.dbs:
        raise Unprocessable(f"A database named {body.name} already exists on cluster {cluster.name}.")
    cluster.dbs.append(body.name)
    return body.name


def delete_database(state: SandboxState, cluster_id: str, name: str) -> None:
    cluster = state.managed_cluster(cluster_id)
    if name not in cluster.dbs:
        raise NotFound()
    if name == cluster.default_database:
        raise Unprocessable(f"The {name} database cannot be deleted.")
    # DigitalOcean documents no rule against dropping a database that pools use: the drop goes through and
    # those pools are left pointing at a database that is gone (which is why the plan warns about them).
    cluster.dbs.remove(name)
