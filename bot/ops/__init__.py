"""The service layer: validate, plan, execute, verify and reconcile each database operation.

Callers use `DatabaseOps` and the types re-exported here; nothing above this layer needs
`bot.digitalocean` to read what it returns.
"""

from bot.digitalocean import Cluster, Database, DatabaseUser, Pool

from .capacity import capacity_for_ram
from .changes import CHANGE_ADAPTER, Action, Change, DbCreate, DbDrop, PoolCreate, PoolDelete, PoolResize
from .errors import (
    CapacityExceeded,
    ClusterNotFound,
    InvalidRequest,
    OpsError,
    OutcomeUnknownError,
    StalePlan,
    UpstreamFailure,
)
from .plan import (
    Capacity,
    DatabaseSnapshot,
    ExecutionResult,
    Outcome,
    Plan,
    PoolSnapshot,
    Snapshot,
    fingerprint,
)
from .service import DEFAULT_CACHE_TTL, DatabaseOps
from .views import PoolListing, PoolView

__all__ = [
    "CHANGE_ADAPTER",
    "DEFAULT_CACHE_TTL",
    "Action",
    "Capacity",
    "CapacityExceeded",
    "Change",
    "Cluster",
    "ClusterNotFound",
    "Database",
    "DatabaseOps",
    "DatabaseSnapshot",
    "DatabaseUser",
    "DbCreate",
    "DbDrop",
    "ExecutionResult",
    "InvalidRequest",
    "OpsError",
    "Outcome",
    "OutcomeUnknownError",
    "Plan",
    "Pool",
    "PoolCreate",
    "PoolDelete",
    "PoolListing",
    "PoolResize",
    "PoolSnapshot",
    "PoolView",
    "Snapshot",
    "StalePlan",
    "UpstreamFailure",
    "capacity_for_ram",
    "fingerprint",
]
