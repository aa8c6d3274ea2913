"""The store's tables (SQLAlchemy Core). Alembic migrations in `migrations/` create and evolve them.

Times are stored as naive UTC and come back timezone-aware, the same on SQLite and PostgreSQL.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Column,
    DateTime,
    Dialect,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    TypeDecorator,
    text,
)

__all__ = [
    "ACTIVE_STATES_SQL",
    "NAME_MAX",
    "SLACK_ID_MAX",
    "approvals",
    "audit_events",
    "metadata",
    "requests",
]

NAME_MAX = 255
"""The longest cluster name the store keeps (as typed in a refused request, or DigitalOcean's)."""
SLACK_ID_MAX = 32
"""The longest Slack ID (user, channel, message ts) the store keeps."""

metadata = MetaData(
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_name)s",
        "uq": "uq_%(table_name)s_%(column_0_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)

# Requests in these states hold their resource (see `records.ACTIVE_STATES`); a partial unique index
# makes "one live request per resource" a database rule, race-free across processes.
ACTIVE_STATES_SQL = "state IN ('pending', 'approved', 'executing', 'unknown')"


class UtcDateTime(TypeDecorator[datetime]):
    """Aware datetimes in, aware UTC datetimes out; naive UTC in the column."""

    impl = DateTime(timezone=False)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("the store only takes timezone-aware datetimes")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        assert isinstance(value, datetime)
        return value.replace(tzinfo=UTC)


def _without_nul(value: Any) -> Any:
    """PostgreSQL text cannot hold NUL (U+0000): stored as U+FFFD, the replacement character, instead."""
    if isinstance(value, str):
        return value.replace("\x00", "\ufffd")
    if isinstance(value, dict):
        return {_without_nul(k): _without_nul(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_without_nul(item) for item in value]
    return value


class FreeString(TypeDecorator[str]):
    """A bounded string that may come from a person (a cluster name as typed, an id from a payload)."""

    impl: Any = String
    cache_ok = True

    def process_bind_param(self, value: str | None, dialect: Dialect) -> str | None:
        return None if value is None else value.replace("\x00", "\ufffd")


class FreeText(FreeString):
    """Text that may come from a person (a reason, a message quoting what they typed)."""

    impl = Text
    cache_ok = True


class FreeJSON(TypeDecorator[Any]):
    """JSON that may carry what a person typed."""

    impl = JSON
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Dialect) -> Any:
        return _without_nul(value)


requests = Table(
    "requests",
    metadata,
    Column("id", FreeString(16), primary_key=True),
    Column("action", FreeString(32), nullable=False),
    Column("state", FreeString(16), nullable=False),
    Column("resource_key", FreeString(300), nullable=False),
    Column("cluster_id", FreeString(64), nullable=False),
    Column("cluster_name", FreeString(NAME_MAX), nullable=False),
    Column("change", FreeJSON, nullable=False),
    Column("plan", FreeJSON, nullable=False),
    Column("requester", FreeString(SLACK_ID_MAX), nullable=False),
    Column("channel", FreeString(SLACK_ID_MAX), nullable=False),
    Column("card_channel", FreeString(SLACK_ID_MAX)),
    Column("card_ts", FreeString(SLACK_ID_MAX)),
    Column("required_approvals", Integer, nullable=False),
    Column("rejected_by", FreeString(SLACK_ID_MAX)),
    Column("rejection_reason", FreeText),
    Column("cancelled_by", FreeString(SLACK_ID_MAX)),
    Column("created_at", UtcDateTime, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
    Column("expires_at", UtcDateTime, nullable=False),
    Column("claimed_at", UtcDateTime),
    Column("claimed_by", FreeString(100)),
    Column("lease_expires_at", UtcDateTime),
    Column("finished_at", UtcDateTime),
    Column("result", FreeJSON),
    Column("error_message", FreeText),
    Column("error_status", Integer),
    Column("error_request_id", FreeString(100)),
    # break-glass, reminders, escalation and review (migration 0002); due times drive the timer sweep
    Column("emergency_reason", FreeText),
    Column("runs_at", UtcDateTime),
    Column("remind_at", UtcDateTime),
    Column("escalate_at", UtcDateTime),
    Column("escalated_at", UtcDateTime),
    Column("review_state", FreeString(16)),
    Column("review_due_at", UtcDateTime),
    Column("reviewed_by", FreeString(SLACK_ID_MAX)),
    Column("reviewed_at", UtcDateTime),
    # revert (migration 0003): the request this one undoes
    Column("revert_of", FreeString(16)),
    Column("revert_until", UtcDateTime),  # a succeeded change offers Revert until then (a timer)
    Index("ix_requests_state", "state"),
    Index("ix_requests_revert_of", "revert_of"),
    Index("ix_requests_revert_until", "revert_until"),
    Index("ix_requests_runs_at", "runs_at"),
    Index("ix_requests_remind_at", "remind_at"),
    Index("ix_requests_escalate_at", "escalate_at"),
    Index("ix_requests_review_due_at", "review_due_at"),
    Index("ix_requests_requester", "requester"),
    Index("ix_requests_cluster_name", "cluster_name"),
    Index(
        "uq_requests_active_resource",
        "resource_key",
        unique=True,
        sqlite_where=text(ACTIVE_STATES_SQL),
        postgresql_where=text(ACTIVE_STATES_SQL),
    ),
)

approvals = Table(
    "approvals",
    metadata,
    Column("request_id", FreeString(16), ForeignKey("requests.id"), primary_key=True),
    Column("user_id", FreeString(SLACK_ID_MAX), primary_key=True),
    Column("approved_at", UtcDateTime, nullable=False),
)

audit_events = Table(
    "audit_events",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("at", UtcDateTime, nullable=False),
    Column("kind", FreeString(32), nullable=False),
    Column("actor", FreeString(SLACK_ID_MAX), nullable=False),
    Column("request_id", FreeString(16)),
    Column("cluster_id", FreeString(64)),
    Column("cluster_name", FreeString(NAME_MAX)),
    Column("from_state", FreeString(16)),
    Column("to_state", FreeString(16)),
    Column("message", FreeText, nullable=False),
    Column("detail", FreeJSON, nullable=False),
    Index("ix_audit_events_request_id", "request_id"),
    Index("ix_audit_events_cluster_name", "cluster_name"),
    Index("ix_audit_events_at", "at"),
)
