"""What the reads return to the Slack layer: a cluster with its pools and capacity."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict

from bot.digitalocean import Cluster, Pool

from .plan import Capacity

__all__ = ["PoolListing", "PoolView"]


class PoolListing(BaseModel):
    """A PostgreSQL cluster's pools (sorted by name) and its capacity (None when its RAM is unknown)."""

    model_config = ConfigDict(frozen=True)

    cluster: Cluster
    pools: list[Pool]
    capacity: Capacity | None


class PoolView(BaseModel):
    """One pool, with its cluster's capacity and what is wrong with it (its user or database is gone)."""

    model_config = ConfigDict(frozen=True)

    cluster: Cluster
    pool: Pool
    capacity: Capacity | None
    warnings: list[str] = []
