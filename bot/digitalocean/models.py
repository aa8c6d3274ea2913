"""Typed views of DigitalOcean Managed Database resources.

The models follow the official spec (`databases-openapi.yaml`): field names, required fields and enums.
They deliberately omit every credential the API can return (`connection`, `private_connection`,
`standby_*`, user passwords, certificates and keys): unknown fields are ignored on parse, so a password
can never reach a log, a Slack message or the store through these objects.
"""

from __future__ import annotations

import re
from datetime import datetime
from enum import StrEnum
from typing import Annotated

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, StringConstraints

__all__ = [
    "POOL_NAME_MAX",
    "POOL_NAME_MIN",
    "Backup",
    "Cluster",
    "ClusterStatus",
    "Database",
    "DatabaseUser",
    "Engine",
    "EngineOptions",
    "MaintenanceWindow",
    "Pool",
    "PoolMode",
    "PoolSpec",
    "UserRole",
    "ram_gb_from_size_slug",
]

POOL_NAME_MIN = 3
POOL_NAME_MAX = 60


class Engine(StrEnum):
    """`database_cluster_read.engine` in the spec."""

    PG = "pg"
    MYSQL = "mysql"
    REDIS = "redis"
    VALKEY = "valkey"
    MONGODB = "mongodb"
    KAFKA = "kafka"
    OPENSEARCH = "opensearch"
    ADVANCED_PG = "advanced_pg"
    ADVANCED_MYSQL = "advanced_mysql"

    @property
    def is_postgres(self) -> bool:
        return self in (Engine.PG, Engine.ADVANCED_PG)

    @property
    def manages_databases(self) -> bool:
        """Whether the cluster has databases to manage (`/dbs`). The spec's `/dbs` operations: "Database
        management is not supported for Caching or Valkey clusters"; Kafka clusters hold topics and
        OpenSearch clusters indexes instead (docs/OPERATIONS.md cites the sources)."""
        return self not in (Engine.REDIS, Engine.VALKEY, Engine.KAFKA, Engine.OPENSEARCH)

    @property
    def lists_backups(self) -> bool:
        """The spec's `/backups` lists "the available backups of a PostgreSQL or MySQL database cluster"."""
        return self in (Engine.PG, Engine.MYSQL, Engine.ADVANCED_PG, Engine.ADVANCED_MYSQL)

    @property
    def default_database(self) -> str:
        """The database every cluster of this engine starts with, which cannot be deleted (MongoDB's is
        `admin`: DigitalOcean's "How to Manage MongoDB Users and Databases")."""
        return "admin" if self is Engine.MONGODB else "defaultdb"

    @property
    def label(self) -> str:
        return _ENGINE_LABELS[self]


_ENGINE_LABELS = {
    Engine.PG: "PostgreSQL",
    Engine.MYSQL: "MySQL",
    Engine.REDIS: "Caching (Redis)",
    Engine.VALKEY: "Valkey",
    Engine.MONGODB: "MongoDB",
    Engine.KAFKA: "Kafka",
    Engine.OPENSEARCH: "OpenSearch",
    Engine.ADVANCED_PG: "PostgreSQL Advanced Edition",
    Engine.ADVANCED_MYSQL: "MySQL Advanced Edition",
}


class ClusterStatus(StrEnum):
    CREATING = "creating"
    ONLINE = "online"
    RESIZING = "resizing"
    MIGRATING = "migrating"
    FORKING = "forking"


class PoolMode(StrEnum):
    """PgBouncer pool modes DigitalOcean allows."""

    SESSION = "session"
    TRANSACTION = "transaction"
    STATEMENT = "statement"


class UserRole(StrEnum):
    PRIMARY = "primary"
    NORMAL = "normal"


class _Model(BaseModel):
    # `ignore` is what keeps credentials out: they are never parsed into these objects.
    model_config = ConfigDict(extra="ignore", frozen=True)


class DatabaseUser(_Model):
    """A database user: name and role only; the password is never read."""

    name: str
    role: UserRole | None = None


class MaintenanceWindow(_Model):
    """`database_maintenance_window` in the spec: when maintenance runs and whether some is `pending`."""

    day: str
    hour: str
    pending: bool | None = None
    description: list[str] | None = None


class Cluster(_Model):
    """A database cluster, without its connection details; its users by name and role only (no password)."""

    id: str
    name: str
    engine: Engine
    num_nodes: int
    size: str
    region: str
    version: str | None = None
    # A status this version does not know yet (DigitalOcean adds some) is kept as text, not refused.
    status: Annotated[ClusterStatus | str | None, Field(union_mode="left_to_right")] = None
    created_at: datetime | None = None
    tags: list[str] | None = None
    db_names: list[str] | None = None
    users: list[DatabaseUser] | None = None
    maintenance_window: MaintenanceWindow | None = None

    @property
    def ram_gb(self) -> int | None:
        return ram_gb_from_size_slug(self.size)


class Database(_Model):
    name: str


class Backup(_Model):
    """One backup of a cluster (`GET …/backups`; the spec's `components/schemas/backup`)."""

    created_at: datetime
    size_gigabytes: float


PoolName = Annotated[str, StringConstraints(min_length=POOL_NAME_MIN, max_length=POOL_NAME_MAX)]


def _blank_is_none(value: object) -> object:
    return None if value == "" else value


# DigitalOcean answers `"user": ""` for a pool without a user: that is no user, read or written.
PoolUser = Annotated[str | None, BeforeValidator(_blank_is_none)]


class PoolSpec(_Model):
    """What a pool is: the body of `POST …/pools` and, without `name`, of `PUT …/pools/{name}`.

    `PUT` replaces the whole pool: `mode`, `size` and `db` are required, and leaving `user` out removes the
    pool's user. So an update is always built from a complete pool, never from a partial patch.
    """

    name: PoolName
    mode: PoolMode
    size: Annotated[int, Field(ge=1, le=2**31 - 1)]
    db: str
    user: PoolUser = None

    def create_body(self) -> dict[str, object]:
        return self.model_dump(mode="json", exclude_none=True)

    def update_body(self) -> dict[str, object]:
        return self.model_dump(mode="json", exclude_none=True, exclude={"name"})


class Pool(PoolSpec):
    """A connection pool as DigitalOcean returns it (connection details dropped).

    Read as the spec types it, not as dbops writes it: `mode` is any string (a mode this version does not
    know is kept as text, never written back) and `size` any integer (0 included).
    """

    # DigitalOcean may return pools that predate the 3-character rule; reading must not fail on them.
    name: str
    mode: Annotated[PoolMode | str, Field(union_mode="left_to_right")]  # type: ignore[assignment]
    size: int


class EngineOptions(_Model):
    """The part of `GET /v2/databases/options` the plan needs: node size slugs per engine."""

    sizes: frozenset[str] = frozenset()
    versions: tuple[str, ...] = ()


_RAM_RE = re.compile(r"-(\d+)gb(?:-[a-z]+)?$")


def ram_gb_from_size_slug(slug: str) -> int | None:
    """RAM of a node from its size slug, e.g. `db-s-2vcpu-4gb` → 4, `gd-8vcpu-32gb-intel` → 32.

    DigitalOcean: "Each slug denotes the node's identifier, CPU count, and amount of RAM, in that order."
    """
    match = _RAM_RE.search(slug)
    return int(match.group(1)) if match else None
