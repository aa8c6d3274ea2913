"""Revert: a request may undo an earlier, succeeded one (`revert_of` names it); a succeeded change offers
Revert until `revert_until` (a timer clears it when the window ends).

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from bot.store.schema import UtcDateTime

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    # Plain ADD COLUMN (no table rebuild on SQLite, which would lose the partial unique index).
    op.add_column("requests", sa.Column("revert_of", sa.String(16), nullable=True))
    op.add_column("requests", sa.Column("revert_until", UtcDateTime(), nullable=True))
    op.create_index("ix_requests_revert_of", "requests", ["revert_of"])
    op.create_index("ix_requests_revert_until", "requests", ["revert_until"])


def downgrade() -> None:
    op.drop_index("ix_requests_revert_until", "requests")
    op.drop_index("ix_requests_revert_of", "requests")
    with op.batch_alter_table("requests") as batch:
        batch.drop_column("revert_until")
        batch.drop_column("revert_of")
