"""Notification outbox: notifications written in the same transaction as the state change.

Revision ID: 0002_outbox
Revises: 0001_initial
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002_outbox"
down_revision = "0001_initial"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "notification_outbox",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("sample_pk", sa.Integer(), sa.ForeignKey("samples.id"), nullable=False),
        sa.Column("event_state", sa.String(16), nullable=False),
        sa.Column("sample", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("not_before", sa.DateTime(), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("done_targets", sa.JSON(), nullable=False),
        sa.Column("claimed_by", sa.String(256), nullable=True),
        sa.Column("claimed_until", sa.DateTime(), nullable=True),
        sa.Column("finished_at", sa.DateTime(), nullable=True),
        sa.Column("outcome", sa.String(16), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
    )
    op.create_index("ix_notification_outbox_sample_pk", "notification_outbox", ["sample_pk"])
    op.create_index("ix_outbox_pending", "notification_outbox", ["finished_at", "not_before"])


def downgrade() -> None:
    op.drop_index("ix_outbox_pending", table_name="notification_outbox")
    op.drop_index("ix_notification_outbox_sample_pk", table_name="notification_outbox")
    op.drop_table("notification_outbox")
