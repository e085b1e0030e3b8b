"""an index for a province's latest figure of an indicator and breakdown

Target progress looks up, for each target, the latest current observation of the
plan's province with the target's indicator and breakdown; without this index that
is a scan of every observation of the indicator.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-02 12:40:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index(
        "ix_observations_province_indicator_breakdown",
        "observations",
        ["province_code", "indicator_code", "dimension_key", "year"],
    )


def downgrade() -> None:
    op.drop_index("ix_observations_province_indicator_breakdown", table_name="observations")
