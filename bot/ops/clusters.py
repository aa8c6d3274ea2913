"""Naming a cluster (by name or UUID, never by guessing) and the engine and status rules."""

from __future__ import annotations

from collections.abc import Sequence

from bot.digitalocean import Cluster, ClusterStatus

from .errors import ClusterNotFound, InvalidRequest
from .rules import listing

__all__ = ["pick_cluster", "require_database_management", "require_online", "require_postgres"]


def pick_cluster(clusters: Sequence[Cluster], ref: str, *, tag: str | None = None) -> Cluster:
    """The cluster `ref` names: an exact name or UUID, else the only one whose name or UUID starts with it.

    An unknown name, or a prefix several clusters share, is a `ClusterNotFound` listing the candidates.
    """
    wanted = ref.strip().lower()
    scope = f" tagged {tag}" if tag else ""
    if not wanted:
        names = sorted(c.name for c in clusters)
        raise ClusterNotFound(f"name a cluster; the clusters{scope} are: {listing(names)}", candidates=names)
    exact = [c for c in clusters if wanted in (c.name.lower(), c.id.lower())]
    if len(exact) == 1:
        return exact[0]
    prefixed = exact or [c for c in clusters if c.name.lower().startswith(wanted) or c.id.startswith(wanted)]
    if len(prefixed) == 1:
        return prefixed[0]
    if prefixed:
        names = sorted(c.name for c in prefixed)
        raise ClusterNotFound(
            f'"{ref.strip()}" matches several clusters: {listing(names)}; say which one by its full name',
            candidates=names,
        )
    names = sorted(c.name for c in clusters)
    raise ClusterNotFound(
        f'there is no cluster{scope} named "{ref.strip()}"; the clusters{scope} are: {listing(names)}',
        candidates=names,
    )


def require_online(cluster: Cluster) -> None:
    if cluster.status is not None and cluster.status != ClusterStatus.ONLINE:
        raise InvalidRequest(
            f"cluster {cluster.name} is {cluster.status}, not online; try again when it is online",
            field="cluster",
        )


def require_postgres(cluster: Cluster) -> None:
    if not cluster.engine.is_postgres:
        raise InvalidRequest(
            f"connection pools exist only on PostgreSQL clusters, and {cluster.name} is "
            f"{cluster.engine.label}",
            field="cluster",
        )


def require_database_management(cluster: Cluster) -> None:
    if not cluster.engine.manages_databases:
        raise InvalidRequest(
            f"cluster {cluster.name} runs {cluster.engine.label}, on which DigitalOcean offers no "
            "database management",
            field="cluster",
        )
