"""drop the observation indexes no query uses: recorded_at and status

Every index of ``observations`` is written by each insert and by each non-HOT update
(``refresh_current`` and reviews change indexed columns): ~7-9 ms per 10,000 rows for
each of these two. Nothing reads through them:

- ``recorded_at``: no query filters or orders by it (it is only selected, and exports
  order by id).
- ``status``: it is tested only next to a narrower condition (``series_key IN`` for
  revisions, ``submission_id =`` for reviews) or OR-ed with ``is_current``, which no
  index serves, so neither PostgreSQL nor SQLite ever chooses it. EXPLAIN of every
  visibility and filter of the observations list on the national data set (with 5% of
  rows pending or rejected) gives the same plans with and without it, and the contract
  operations, submissions, reviews, revisions and the CSV export scan it zero times.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-04 12:00:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

UNUSED = ("recorded_at", "status")


def upgrade() -> None:
    for column in UNUSED:
        op.drop_index(f"ix_observations_{column}", table_name="observations")


def downgrade() -> None:
    for column in UNUSED:
        op.create_index(f"ix_observations_{column}", "observations", [column])
