"""the index on observations' source_id holds only rows that have a source

Nothing looks observations up by a missing source: the index serves only the checks of
a source's delete or re-keying (the trigger of 0006 on PostgreSQL, the foreign key on
SQLite), which ask for one source id, and both planners use a partial index for
``source_id = ?``. Rows without a source (a bulk submission without sources, like the
benchmark's) then cost that index nothing: ~5 ms less per 10,000 rows.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-04 12:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

HAS_SOURCE = sa.text("source_id IS NOT NULL")


def upgrade() -> None:
    op.drop_index("ix_observations_source_id", table_name="observations")
    op.create_index(
        "ix_observations_source_id",
        "observations",
        ["source_id"],
        postgresql_where=HAS_SOURCE,
        sqlite_where=HAS_SOURCE,
    )


def downgrade() -> None:
    op.drop_index("ix_observations_source_id", table_name="observations")
    op.create_index("ix_observations_source_id", "observations", ["source_id"])
