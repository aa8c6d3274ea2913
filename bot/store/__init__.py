"""The durable store: requests, approvals and the append-only audit log (SQLite or PostgreSQL).

store = Store.from_url(settings.database_url)   # picks aiosqlite / asyncpg itself
await store.migrate()                            # Alembic, to the newest schema
"""

from .errors import ActiveRequestExists, EmergencyCapReached, StoreError, UnsupportedDatabaseUrl
from .migrate import migrate_database
from .records import (
    ACTIVE_STATES,
    Approval,
    AuditEvent,
    EventDraft,
    Failure,
    Request,
    RequestState,
    ReviewState,
)
from .schema import NAME_MAX, SLACK_ID_MAX
from .store import AddApproval, ApprovalAdded, EmergencyCap, RequestIdTaken, Store, TimerColumn, result_values
from .url import async_database_url

__all__ = [
    "ACTIVE_STATES",
    "NAME_MAX",
    "SLACK_ID_MAX",
    "ActiveRequestExists",
    "AddApproval",
    "Approval",
    "ApprovalAdded",
    "AuditEvent",
    "EmergencyCap",
    "EmergencyCapReached",
    "EventDraft",
    "Failure",
    "Request",
    "RequestIdTaken",
    "RequestState",
    "ReviewState",
    "Store",
    "StoreError",
    "TimerColumn",
    "UnsupportedDatabaseUrl",
    "async_database_url",
    "migrate_database",
    "result_values",
]
