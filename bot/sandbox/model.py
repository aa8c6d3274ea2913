"""What the sandbox account holds: clusters with their databases, users and connection pools.

These are the sandbox's own records, deliberately independent of `bot.digitalocean.models`: a stand-in
that shared the client's parsing code could hide the client's bugs instead of catching them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from enum import StrEnum

__all__ = [
    "BACKEND_CONNECTIONS_PER_GB",
    "BACKUP_ENGINES",
    "ENGINE_LABELS",
    "INT32_MAX",
    "NO_DATABASE_MANAGEMENT",
    "NO_USER_MANAGEMENT",
    "POOL_MODES",
    "POOL_NAME_MAX",
    "POOL_NAME_MIN",
    "POSTGRES_ENGINES",
    "RESERVED_CONNECTIONS",
    "SandboxCluster",
    "SandboxPool",
    "SandboxUser",
    "UserRole",
    "ram_gb",
]

POOL_MODES = ("session", "transaction", "statement")
POOL_NAME_MIN = 3
POOL_NAME_MAX = 60
BACKEND_CONNECTIONS_PER_GB = 25
RESERVED_CONNECTIONS = 3
INT32_MAX = 2**31 - 1

# Engines on which DigitalOcean offers no user management, and those with no databases to manage
# (Kafka clusters hold topics, OpenSearch clusters indexes); docs/OPERATIONS.md cites the sources.
NO_USER_MANAGEMENT = frozenset({"redis", "valkey"})
NO_DATABASE_MANAGEMENT = NO_USER_MANAGEMENT | {"kafka", "opensearch"}
POSTGRES_ENGINES = frozenset({"pg", "advanced_pg"})
BACKUP_ENGINES = frozenset({"pg", "mysql", "advanced_pg", "advanced_mysql"})  # "PostgreSQL or MySQL"
ENGINE_LABELS = {"redis": "Caching", "valkey": "Valkey", "kafka": "Kafka", "opensearch": "OpenSearch"}

_RAM_RE = re.compile(r"-(\d+)gb(?:-[a-z]+)?$")


def ram_gb(size_slug: str) -> int | None:
    """RAM of a node from its slug (`db-s-2vcpu-4gb` → 4); None when the slug names no RAM."""
    match = _RAM_RE.search(size_slug)
    return int(match.group(1)) if match else None


class UserRole(StrEnum):
    PRIMARY = "primary"
    NORMAL = "normal"


@dataclass
class SandboxUser:
    name: str
    role: UserRole = UserRole.NORMAL
    password: str = ""

    def __post_init__(self) -> None:
        if not self.password:
            self.password = f"fake-{self.name}-pw-not-a-secret"  # obviously fake on purpose


@dataclass
class SandboxPool:
    name: str
    mode: str
    size: int
    db: str
    user: str | None = None


@dataclass
class SandboxCluster:
    id: str
    name: str
    engine: str
    version: str
    size: str
    region: str = "nyc3"
    num_nodes: int = 1
    status: str = "online"
    tags: list[str] = field(default_factory=list)
    dbs: list[str] = field(default_factory=list)
    users: list[SandboxUser] = field(default_factory=list)
    pools: dict[str, SandboxPool] = field(default_factory=dict)
    created_at: str = "2024-01-15T09:30:00Z"
    backup_ages_hours: list[float] = field(default_factory=list)  # backups, as hours before "now"
    maintenance_pending: list[str] = field(default_factory=list)  # updates due in the next window

    @property
    def is_postgres(self) -> bool:
        return self.engine in POSTGRES_ENGINES

    @property
    def manages_databases(self) -> bool:
        return self.engine not in NO_DATABASE_MANAGEMENT

    @property
    def manages_users(self) -> bool:
        return self.engine not in NO_USER_MANAGEMENT

    @property
    def lists_backups(self) -> bool:
        return self.engine in BACKUP_ENGINES

    @property
    def default_database(self) -> str:
        return "admin" if self.engine == "mongodb" else "defaultdb"

    @property
    def pool_capacity(self) -> int | None:
        """Backend connections all pools share: 25 per GB of the primary node's RAM, minus 3 reserved."""
        gb = ram_gb(self.size)
        return None if gb is None else BACKEND_CONNECTIONS_PER_GB * gb - RESERVED_CONNECTIONS

    def pool_connections(self, *, excluding: str | None = None) -> int:
        return sum(pool.size for name, pool in self.pools.items() if name != excluding)

    def user(self, name: str) -> SandboxUser | None:
        return next((user for user in self.users if user.name == name), None)

    @property
    def primary_user(self) -> SandboxUser | None:
        return next((user for user in self.users if user.role is UserRole.PRIMARY), None)
