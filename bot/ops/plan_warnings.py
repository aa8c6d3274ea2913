"""The plan warnings that match how pools really fail: PgBouncer modes, deleted pools, pools left without
their user or database, and a cluster that is not online or has maintenance pending.

Each is one plain sentence made from data the plan has already read (no extra DigitalOcean call); the Slack
layer escapes it. The mode sentences follow PgBouncer's "SQL feature map for pooling modes"
(docs/OPERATIONS.md cites it).
"""

from __future__ import annotations

from bot.digitalocean import Cluster, ClusterStatus, Pool, PoolMode

__all__ = ["cluster_warnings", "delete_warning", "mode_warnings", "orphan_warnings"]


def mode_warnings(pool: str, mode: PoolMode, size: int) -> list[str]:
    """What clients of `pool` meet in `mode` with `size` server connections."""
    if mode is PoolMode.SESSION:
        return [
            f"in session mode each client of pool {pool} holds one server connection for as long as it "
            f"stays connected, so at most {size} clients can use the pool at once and the others wait"
        ]
    lost = (
        "prepared statements fail unless the client turns them off, and session-level advisory locks, "
        "SET, LISTEN, temporary tables kept past a transaction and other session-level settings stop working"
    )
    if mode is PoolMode.TRANSACTION:
        return [
            f"in transaction mode a client of pool {pool} keeps a server connection only for one "
            f"transaction: {lost}"
        ]
    return [
        f"in statement mode a client of pool {pool} keeps a server connection only for one statement: "
        f"transactions of several statements are refused, {lost}"
    ]


def delete_warning(pool: str) -> str:
    return (
        f"every client that connects through pool {pool} (clients give the pool's name as the database "
        "name) fails at once: its connections are closed and new ones are refused"
    )


def orphan_warnings(cluster: Cluster, pool: Pool) -> list[str]:
    """A pool whose database or user no longer exists on the cluster (from the cluster listing)."""
    found: list[str] = []
    if cluster.db_names is not None and pool.db not in cluster.db_names:
        found.append(
            f"pool {pool.name} uses database {pool.db}, which no longer exists on {cluster.name}: "
            "its clients cannot connect"
        )
    if pool.user and cluster.users is not None and pool.user not in {user.name for user in cluster.users}:
        found.append(
            f"pool {pool.name} connects as user {pool.user}, which no longer exists on {cluster.name}: "
            "its clients cannot connect"
        )
    return found


def cluster_warnings(cluster: Cluster) -> list[str]:
    """A cluster whose status is not known to be online, or that has maintenance pending."""
    found: list[str] = []
    if cluster.status is None:
        found.append(f"DigitalOcean does not say whether cluster {cluster.name} is online")
    elif cluster.status != ClusterStatus.ONLINE:
        found.append(f"cluster {cluster.name} is {cluster.status}, not online")
    window = cluster.maintenance_window
    if window is not None and window.pending:
        found.append(
            f"cluster {cluster.name} has maintenance pending for its next window ({window.day} "
            f"{window.hour} UTC), which can briefly interrupt its connections"
        )
    return found
