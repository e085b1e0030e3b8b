"""submissions, tokens and period locks

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22 18:10:31.017679
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "api_tokens",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("display", sa.String(length=16), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("province_code", sa.String(length=8), nullable=True),
        sa.Column("label", sa.String(length=200), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["province_code"],
            ["provinces.code"],
            name=op.f("fk_api_tokens_province_code_provinces"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_api_tokens")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_api_tokens_token_hash")),
    )
    op.create_table(
        "period_locks",
        sa.Column("province_code", sa.String(length=8), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("locked_by", sa.String(length=200), nullable=False),
        sa.Column("locked_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["province_code"],
            ["provinces.code"],
            name=op.f("fk_period_locks_province_code_provinces"),
        ),
        sa.PrimaryKeyConstraint("province_code", "year", name=op.f("pk_period_locks")),
    )
    op.create_table(
        "submissions",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("province_code", sa.String(length=8), nullable=False),
        sa.Column("token_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.Column("submitted_by", sa.String(length=200), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("idempotency_key", sa.String(length=200), nullable=True),
        sa.Column("request_hash", sa.String(length=64), nullable=False),
        sa.Column("item_count", sa.Integer(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("decided_by", sa.String(length=200), nullable=True),
        sa.Column("decision_reason", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["province_code"],
            ["provinces.code"],
            name=op.f("fk_submissions_province_code_provinces"),
        ),
        sa.ForeignKeyConstraint(
            ["token_id"], ["api_tokens.id"], name=op.f("fk_submissions_token_id_api_tokens")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_submissions")),
        sa.UniqueConstraint(
            "token_id", "idempotency_key", name=op.f("uq_submissions_token_id_idempotency_key")
        ),
    )
    with op.batch_alter_table("submissions", schema=None) as batch_op:
        batch_op.create_index(
            "ix_submissions_province_status_created",
            ["province_code", "status", "created_at"],
            unique=False,
        )

    with op.batch_alter_table("observations", schema=None) as batch_op:
        batch_op.add_column(sa.Column("comment", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("reason", sa.Text(), nullable=True))
        batch_op.add_column(
            sa.Column(
                "submission_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True
            )
        )
        batch_op.add_column(sa.Column("updated_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.alter_column(
            "recorded_by",
            existing_type=sa.VARCHAR(length=100),
            type_=sa.String(length=200),
            existing_nullable=True,
        )
        batch_op.create_index("ix_observations_status", ["status"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_observations_submission_id"), ["submission_id"], unique=False
        )
        batch_op.create_index("ix_observations_updated_at", ["updated_at"], unique=False)
        batch_op.create_foreign_key(
            batch_op.f("fk_observations_submission_id_submissions"),
            "submissions",
            ["submission_id"],
            ["id"],
        )

    with op.batch_alter_table("plans", schema=None) as batch_op:
        batch_op.add_column(sa.Column("reason", sa.Text(), nullable=True))
        batch_op.add_column(
            sa.Column(
                "submission_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True
            )
        )
        batch_op.add_column(sa.Column("updated_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.alter_column(
            "recorded_by",
            existing_type=sa.VARCHAR(length=100),
            type_=sa.String(length=200),
            existing_nullable=True,
        )
        batch_op.create_index(batch_op.f("ix_plans_submission_id"), ["submission_id"], unique=False)
        batch_op.create_foreign_key(
            batch_op.f("fk_plans_submission_id_submissions"),
            "submissions",
            ["submission_id"],
            ["id"],
        )

    # Rows stored before this revision changed last when they were recorded.
    for table in ("observations", "plans"):
        op.execute(f"UPDATE {table} SET updated_at = recorded_at WHERE updated_at IS NULL")
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.alter_column(
                "updated_at", existing_type=sa.DateTime(timezone=True), nullable=False
            )


def downgrade() -> None:
    with op.batch_alter_table("plans", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_plans_submission_id_submissions"), type_="foreignkey"
        )
        batch_op.drop_index(batch_op.f("ix_plans_submission_id"))
        batch_op.alter_column(
            "recorded_by",
            existing_type=sa.String(length=200),
            type_=sa.VARCHAR(length=100),
            existing_nullable=True,
        )
        batch_op.drop_column("updated_at")
        batch_op.drop_column("submission_id")
        batch_op.drop_column("reason")

    with op.batch_alter_table("observations", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_observations_submission_id_submissions"), type_="foreignkey"
        )
        batch_op.drop_index("ix_observations_updated_at")
        batch_op.drop_index(batch_op.f("ix_observations_submission_id"))
        batch_op.drop_index("ix_observations_status")
        batch_op.alter_column(
            "recorded_by",
            existing_type=sa.String(length=200),
            type_=sa.VARCHAR(length=100),
            existing_nullable=True,
        )
        batch_op.drop_column("updated_at")
        batch_op.drop_column("submission_id")
        batch_op.drop_column("reason")
        batch_op.drop_column("comment")

    with op.batch_alter_table("submissions", schema=None) as batch_op:
        batch_op.drop_index("ix_submissions_province_status_created")

    op.drop_table("submissions")
    op.drop_table("period_locks")
    op.drop_table("api_tokens")
