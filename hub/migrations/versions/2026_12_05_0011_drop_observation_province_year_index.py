"""drop the (province, year) index of observations: the breakdown index serves its reads

Every read that filters observations by province (and years) finds the same rows
through ``ix_observations_province_indicator_breakdown`` (province, indicator,
dimension_key, year), whose first column is the province and which holds the year.
EXPLAIN ANALYZE on the deep synthetic set (5.7 million figures), with and without it:
the aggregate of one province over two years 11.9 → 16.2 ms, of two provinces 102 →
109 ms, the count of a province's figures for a year 5.0 → 6.3 ms, completeness by
topic 10 → 9 ms; lists, rankings, comparisons, roll-ups, target reports and the
dashboard chose other indexes either way. Meanwhile each insert and each non-HOT
update (``refresh_current``, reviews) wrote it: 19-20 ms of a 10,000-figure ``COPY``
(``make bench-bulk``).

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-05 10:10:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.drop_index("ix_observations_province_year", table_name="observations")


def downgrade() -> None:
    op.create_index("ix_observations_province_year", "observations", ["province_code", "year"])
