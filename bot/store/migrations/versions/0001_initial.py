"""Requests, approvals and the append-only audit log.

Revision ID: 0001
Revises:
Create Date: 2026-11-26
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from bot.store.schema import ACTIVE_STATES_SQL, UtcDateTime

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | None = None
depends_on: str | None = None

_APPEND_ONLY = "audit events are append-only"


def upgrade() -> None:
    op.create_table(
        "requests",
        sa.Column("id", sa.String(16), nullable=False),
        sa.Column("action", sa.String(32), nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("resource_key", sa.String(300), nullable=False),
        sa.Column("cluster_id", sa.String(64), nullable=False),
        sa.Column("cluster_name", sa.String(255), nullable=False),
        sa.Column("change", sa.JSON(), nullable=False),
        sa.Column("plan", sa.JSON(), nullable=False),
        sa.Column("requester", sa.String(32), nullable=False),
        sa.Column("channel", sa.String(32), nullable=False),
        sa.Column("card_channel", sa.String(32)),
        sa.Column("card_ts", sa.String(32)),
        sa.Column("required_approvals", sa.Integer(), nullable=False),
        sa.Column("rejected_by", sa.String(32)),
        sa.Column("rejection_reason", sa.Text()),
        sa.Column("cancelled_by", sa.String(32)),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.Column("updated_at", UtcDateTime(), nullable=False),
        sa.Column("expires_at", UtcDateTime(), nullable=False),
        sa.Column("claimed_at", UtcDateTime()),
        sa.Column("claimed_by", sa.String(100)),
        sa.Column("lease_expires_at", UtcDateTime()),
        sa.Column("finished_at", UtcDateTime()),
        sa.Column("result", sa.JSON()),
        sa.Column("error_message", sa.Text()),
        sa.Column("error_status", sa.Integer()),
        sa.Column("error_request_id", sa.String(100)),
        sa.PrimaryKeyConstraint("id", name="pk_requests"),
    )
    op.create_index("ix_requests_state", "requests", ["state"])
    op.create_index("ix_requests_cluster_name", "requests", ["cluster_name"])
    op.create_index(
        "uq_requests_active_resource",
        "requests",
        ["resource_key"],
        unique=True,
        sqlite_where=sa.text(ACTIVE_STATES_SQL),
        postgresql_where=sa.text(ACTIVE_STATES_SQL),
    )
    op.create_table(
        "approvals",
        sa.Column("request_id", sa.String(16), nullable=False),
        sa.Column("user_id", sa.String(32), nullable=False),
        sa.Column("approved_at", UtcDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["request_id"], ["requests.id"], name="fk_approvals_request_id_requests"),
        sa.PrimaryKeyConstraint("request_id", "user_id", name="pk_approvals"),
    )
    op.create_table(
        "audit_events",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("at", UtcDateTime(), nullable=False),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("actor", sa.String(32), nullable=False),
        sa.Column("request_id", sa.String(16)),
        sa.Column("cluster_id", sa.String(64)),
        sa.Column("cluster_name", sa.String(255)),
        sa.Column("from_state", sa.String(16)),
        sa.Column("to_state", sa.String(16)),
        sa.Column("message", sa.Text(), nullable=False),
        sa.Column("detail", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_audit_events"),
    )
    op.create_index("ix_audit_events_request_id", "audit_events", ["request_id"])
    op.create_index("ix_audit_events_cluster_name", "audit_events", ["cluster_name"])
    op.create_index("ix_audit_events_at", "audit_events", ["at"])

    # The audit log refuses UPDATE and DELETE in the database itself, whoever connects.
    if op.get_context().dialect.name == "postgresql":
        op.execute(
            "CREATE FUNCTION audit_events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$ "
            f"BEGIN RAISE EXCEPTION '{_APPEND_ONLY}'; END $$"
        )
        op.execute(
            "CREATE TRIGGER audit_events_append_only BEFORE UPDATE OR DELETE ON audit_events "
            "FOR EACH ROW EXECUTE FUNCTION audit_events_append_only()"
        )
    else:
        for verb in ("UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER audit_events_no_{verb.lower()} BEFORE {verb} ON audit_events "
                f"BEGIN SELECT RAISE(ABORT, '{_APPEND_ONLY}'); END"
            )


def downgrade() -> None:
    if op.get_context().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS audit_events_append_only ON audit_events")
        op.execute("DROP FUNCTION IF EXISTS audit_events_append_only()")
    op.drop_table("audit_events")
    op.drop_table("approvals")
    op.drop_table("requests")
