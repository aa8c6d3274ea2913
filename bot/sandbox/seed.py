"""The account every engineer's tests and the demo rely on (see the team's seed table; UUIDs are fixed)."""

from __future__ import annotations

from .model import SandboxCluster, SandboxPool, SandboxUser, UserRole

__all__ = [
    "ANALYTICS_PG",
    "CACHE_REDIS",
    "ORDERS_MYSQL",
    "PROD_PG",
    "REPORTING_PG",
    "STAGING_PG",
    "seed_clusters",
]

PROD_PG = "9cc10173-e9ea-4176-9dbc-a4cee4c4ff30"
STAGING_PG = "2f1b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d"
ANALYTICS_PG = "7a8b9c0d-1e2f-4a3b-9c4d-5e6f7a8b9c0d"
REPORTING_PG = "4d5e6f7a-8b9c-4d0e-8f1a-2b3c4d5e6f7a"
ORDERS_MYSQL = "5b6c7d8e-9f0a-4b1c-8d2e-3f4a5b6c7d8e"
CACHE_REDIS = "6c7d8e9f-0a1b-4c2d-9e3f-4a5b6c7d8e9f"


def _admin() -> SandboxUser:
    return SandboxUser("doadmin", UserRole.PRIMARY)


def seed_clusters() -> list[SandboxCluster]:
    """Fresh copies of the seeded clusters (callers may mutate them freely)."""
    return [
        SandboxCluster(
            id=PROD_PG,
            name="prod-pg",
            engine="pg",
            version="16",
            size="db-s-2vcpu-4gb",
            region="nyc3",
            num_nodes=2,
            tags=["production"],
            dbs=["defaultdb", "app", "orders"],
            users=[_admin(), SandboxUser("app"), SandboxUser("reporting")],
            pools={
                "web": SandboxPool("web", "transaction", 20, "app", "app"),
                "reports": SandboxPool("reports", "session", 10, "orders", "reporting"),
            },
            created_at="2023-03-14T10:12:45Z",
            backup_ages_hours=[3.0, 27.0, 51.0],  # the latest is a few hours old
        ),
        SandboxCluster(
            id=STAGING_PG,
            name="staging-pg",
            engine="pg",
            version="16",
            size="db-s-1vcpu-1gb",
            region="nyc3",
            tags=["staging"],
            dbs=["defaultdb", "app"],
            users=[_admin(), SandboxUser("app")],
            pools={"staging-web": SandboxPool("staging-web", "transaction", 10, "app", "app")},
            created_at="2023-05-02T08:00:11Z",
            backup_ages_hours=[72.0, 96.0],  # the latest is 3 days old
        ),
        SandboxCluster(
            id=ANALYTICS_PG,
            name="analytics-pg",
            engine="pg",
            version="15",
            size="gd-4vcpu-16gb",
            region="fra1",
            num_nodes=2,
            tags=["production"],
            dbs=["defaultdb", "events"],
            users=[_admin()],
            created_at="2022-11-20T16:40:03Z",
        ),
        SandboxCluster(
            id=REPORTING_PG,
            name="reporting-pg",
            engine="pg",
            version="16",
            size="db-s-1vcpu-2gb",
            region="ams3",
            status="resizing",
            dbs=["defaultdb"],
            users=[_admin()],
            created_at="2024-02-08T12:05:59Z",
        ),
        SandboxCluster(
            id=ORDERS_MYSQL,
            name="orders-mysql",
            engine="mysql",
            version="8",
            size="db-s-1vcpu-2gb",
            region="nyc3",
            tags=["production"],
            dbs=["defaultdb", "orders"],
            users=[_admin()],
            created_at="2023-07-21T07:30:00Z",
            backup_ages_hours=[5.0],
        ),
        SandboxCluster(
            id=CACHE_REDIS,
            name="cache-redis",
            engine="redis",
            version="7",
            size="db-s-1vcpu-1gb",
            region="sfo3",
            created_at="2023-09-09T09:09:09Z",
        ),
    ]
