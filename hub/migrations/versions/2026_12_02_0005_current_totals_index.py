"""a partial index over current totals

Rankings and comparisons read, for many indicators and years, the latest current
total of every province. Totals are a minority of the rows once breakdowns are
stored; this index holds only them (with the value, for index-only scans on
PostgreSQL), so that the statement never reads the disaggregated rows.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-02 15:50:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

CURRENT_TOTALS = (
    "is_current IS true AND dim_level IS NULL AND dim_qualification IS NULL "
    "AND dim_employment IS NULL AND dim_school_level IS NULL AND dim_audience IS NULL "
    "AND dim_sector IS NULL AND dim_training_mode IS NULL"
)


def upgrade() -> None:
    op.create_index(
        "ix_observations_current_totals",
        "observations",
        ["indicator_code", "year", "province_code", "period", "id"],
        postgresql_where=sa.text(CURRENT_TOTALS),
        postgresql_include=["value"],
        sqlite_where=sa.text(CURRENT_TOTALS),
    )


def downgrade() -> None:
    op.drop_index("ix_observations_current_totals", table_name="observations")
