"""observations.recorded_at and updated_at default to now() on PostgreSQL

A batch of figures is stored by ``COPY`` with one moment for all its rows. asyncpg
encoded that same datetime twice per row, ~13 ms of CPU per 10,000 rows; the ``COPY``
now leaves both columns out and PostgreSQL fills them with ``now()``, the transaction's
time, which the hub also reads back for the batch's submission (``created_at``) and
uses for whatever else the transaction stamps. SQLite keeps no default: its inserts
give both columns.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-04 15:30:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(
        "ALTER TABLE observations ALTER COLUMN recorded_at SET DEFAULT now(), "
        "ALTER COLUMN updated_at SET DEFAULT now()"
    )


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(
        "ALTER TABLE observations ALTER COLUMN recorded_at DROP DEFAULT, "
        "ALTER COLUMN updated_at DROP DEFAULT"
    )
