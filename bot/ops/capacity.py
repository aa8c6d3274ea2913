"""Backend connections of a PostgreSQL cluster, and whether a pool size fits in what is left.

DigitalOcean gives a cluster 25 backend connections per GB of RAM of its primary node and keeps 3 of
them reserved (1 GB → 22, 4 GB → 97); every connection pool of the cluster draws from what remains.
"""

from __future__ import annotations

from collections.abc import Iterable

from bot.digitalocean import Cluster, Pool

from .errors import CapacityExceeded
from .plan import Capacity

__all__ = [
    "BACKEND_CONNECTIONS_PER_GB",
    "RESERVED_CONNECTIONS",
    "capacity_for_ram",
    "check_fits",
    "cluster_capacity",
    "largest_fit",
    "used_by_pools",
]

BACKEND_CONNECTIONS_PER_GB = 25
RESERVED_CONNECTIONS = 3


def capacity_for_ram(ram_gb: int) -> int:
    """Backend connections the pools of a cluster with `ram_gb` GB on its primary node may use."""
    return max(0, BACKEND_CONNECTIONS_PER_GB * ram_gb - RESERVED_CONNECTIONS)


def cluster_capacity(cluster: Cluster) -> int | None:
    """The cluster's pool capacity, or None when its size slug names no RAM."""
    ram = cluster.ram_gb
    return None if ram is None else capacity_for_ram(ram)


def used_by_pools(pools: Iterable[Pool], *, excluding: str | None = None) -> int:
    """Backend connections the pools hold, leaving out the pool named `excluding`."""
    return sum(pool.size for pool in pools if pool.name != excluding)


def largest_fit(total: int, used_by_others: int) -> int:
    """The largest pool size that fits beside the other pools (0 when there is no room)."""
    return max(0, total - used_by_others)


def check_fits(cluster_name: str, total: int, used_by_others: int, size: int) -> Capacity:
    """The capacity once a pool of `size` joins the others; `CapacityExceeded` when it does not fit."""
    fit = largest_fit(total, used_by_others)
    if size > fit:
        room = (
            f"so the largest size that fits is {fit}"
            if fit >= 1
            else "so there is no room left for this pool"
        )
        raise CapacityExceeded(
            f"size {size} exceeds the capacity left: {cluster_name} allows {total} backend connections, "
            f"other pools use {used_by_others}, {room}",
            capacity=total,
            used_by_others=used_by_others,
            largest_fit=fit,
        )
    return Capacity(total=total, used=used_by_others + size)
