"""a submission's request_hash is kept only when it has an idempotency key

The digest exists to tell a retry (same key, same input) from a reuse of the key for
another input, and it is only ever compared for a submission found by its key. For a
batch of 10,000 figures sent without a key it was ~20 ms of CPU spent on a value no
one reads: it is now worked out only when a key comes with the batch, and the column
is NULL otherwise.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-04 14:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("submissions") as batch_op:
        batch_op.alter_column("request_hash", existing_type=sa.String(64), nullable=True)


def downgrade() -> None:
    # An empty digest never equals a sha256: a submission without a key stays one.
    op.execute("UPDATE submissions SET request_hash = '' WHERE request_hash IS NULL")
    with op.batch_alter_table("submissions") as batch_op:
        batch_op.alter_column("request_hash", existing_type=sa.String(64), nullable=False)
