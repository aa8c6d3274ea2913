"""The typed async DigitalOcean Managed Databases client: models, errors, retries."""

from .client import DEFAULT_API_URL, CallObserver, DigitalOceanClient
from .errors import (
    ApiError,
    DigitalOceanError,
    Forbidden,
    NotFound,
    OutcomeUnknown,
    RateLimited,
    ServerError,
    TransportError,
    Unauthorized,
    UnexpectedError,
    Unprocessable,
)
from .models import (
    Cluster,
    ClusterStatus,
    Database,
    DatabaseUser,
    Engine,
    EngineOptions,
    Pool,
    PoolMode,
    PoolSpec,
    UserRole,
    ram_gb_from_size_slug,
)
from .retry import RetryPolicy

__all__ = [
    "DEFAULT_API_URL",
    "ApiError",
    "CallObserver",
    "Cluster",
    "ClusterStatus",
    "Database",
    "DatabaseUser",
    "DigitalOceanClient",
    "DigitalOceanError",
    "Engine",
    "EngineOptions",
    "Forbidden",
    "NotFound",
    "OutcomeUnknown",
    "Pool",
    "PoolMode",
    "PoolSpec",
    "RateLimited",
    "RetryPolicy",
    "ServerError",
    "TransportError",
    "Unauthorized",
    "UnexpectedError",
    "Unprocessable",
    "UserRole",
    "ram_gb_from_size_slug",
]
