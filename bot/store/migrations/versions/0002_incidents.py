"""Incidents and accountability: break-glass requests, their countdown and review, reminders, escalation.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-27
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from bot.store.schema import UtcDateTime

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | None = None
depends_on: str | None = None

_COLUMNS = (
    ("emergency_reason", sa.Text),
    ("runs_at", UtcDateTime),
    ("remind_at", UtcDateTime),
    ("escalate_at", UtcDateTime),
    ("escalated_at", UtcDateTime),
    ("review_state", lambda: sa.String(16)),
    ("review_due_at", UtcDateTime),
    ("reviewed_by", lambda: sa.String(32)),
    ("reviewed_at", UtcDateTime),
)
_INDEXES = ("runs_at", "remind_at", "escalate_at", "review_due_at")


def upgrade() -> None:
    # Plain ADD COLUMN (no table rebuild on SQLite, which would lose the partial unique index).
    for name, kind in _COLUMNS:
        op.add_column("requests", sa.Column(name, kind(), nullable=True))
    for name in _INDEXES:
        op.create_index(f"ix_requests_{name}", "requests", [name])
    op.create_index("ix_requests_requester", "requests", ["requester"])


def downgrade() -> None:
    op.drop_index("ix_requests_requester", "requests")
    for name in _INDEXES:
        op.drop_index(f"ix_requests_{name}", "requests")
    with op.batch_alter_table("requests") as batch:
        for name, _ in reversed(_COLUMNS):
            batch.drop_column(name)
