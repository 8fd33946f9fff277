"""Re-interpretation: bundle versions, the interpretation index, re-interpretation jobs, and
a detail column on the outbox for re-interpretation notices.

Revision ID: 0004_reinterpretation
Revises: 0003_console
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004_reinterpretation"
down_revision = "0003_console"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "bundle_versions",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("name", sa.String(256), nullable=False),
        sa.Column("version", sa.String(128), nullable=False),
        sa.Column("path", sa.String(1024), nullable=False),
        sa.Column("manifest_sha256", sa.String(64), nullable=False),
        sa.Column("demo", sa.Boolean(), nullable=False),
        sa.Column("current", sa.Boolean(), nullable=False),
        sa.Column("installed_at", sa.DateTime(), nullable=False),
        sa.UniqueConstraint("version", name="uq_bundle_versions_version"),
    )
    op.create_table(
        "interpretations",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("sample_pk", sa.Integer(), sa.ForeignKey("samples.id"), nullable=False),
        sa.Column("bundle_version", sa.String(128), nullable=False),
        sa.Column("origin", sa.String(16), nullable=False),
        sa.Column("location", sa.String(1024), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.UniqueConstraint("sample_pk", "bundle_version", name="uq_interpretations_sample_bundle"),
    )
    op.create_index("ix_interpretations_sample_pk", "interpretations", ["sample_pk"])
    op.create_table(
        "reinterpretations",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("sample_pk", sa.Integer(), sa.ForeignKey("samples.id"), nullable=False),
        sa.Column("bundle_version", sa.String(128), nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("lease_owner", sa.String(256), nullable=True),
        sa.Column("lease_expires_at", sa.DateTime(), nullable=True),
        sa.Column("baseline_version", sa.String(128), nullable=True),
        sa.Column("output_key", sa.String(1024), nullable=True),
        sa.Column("changes", sa.Integer(), nullable=False),
        sa.Column("meaningful", sa.Integer(), nullable=False),
        sa.Column("summary", sa.JSON(), nullable=True),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.UniqueConstraint("sample_pk", "bundle_version", name="uq_reinterpretations_sample_bundle"),
    )
    op.create_index("ix_reinterpretations_sample_pk", "reinterpretations", ["sample_pk"])
    op.create_index("ix_reinterpretations_state_id", "reinterpretations", ["state", "id"])
    with op.batch_alter_table("notification_outbox") as batch:
        batch.add_column(sa.Column("detail", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("notification_outbox") as batch:
        batch.drop_column("detail")
    op.drop_index("ix_reinterpretations_state_id", table_name="reinterpretations")
    op.drop_index("ix_reinterpretations_sample_pk", table_name="reinterpretations")
    op.drop_table("reinterpretations")
    op.drop_index("ix_interpretations_sample_pk", table_name="interpretations")
    op.drop_table("interpretations")
    op.drop_table("bundle_versions")
