"""observations' references checked once per statement on PostgreSQL

A foreign key is checked by a row-level trigger: one query and one lock per inserted
row and key, about 40 ms per 10,000 rows for each of the four keys of observations,
most of a bulk submission's COPY. On PostgreSQL the four foreign keys of
``observations`` become statement-level triggers with transition tables that give the
same guarantees, checked once per statement:

- ``observations``, after INSERT (COPY included) or UPDATE: every distinct non-null
  ``indicator_code``, ``province_code``, ``source_id`` and ``submission_id`` of the new
  rows must exist in its parent table, and that parent row is locked FOR KEY SHARE (once
  per distinct key, as PostgreSQL's own check locks it once per row), so that a
  concurrent delete or re-keying of it waits for this transaction and then fails. An
  UPDATE checks only the combinations of references that no row held before it (none,
  for ``refresh_current`` and reviews, which change flags and dates).
- ``provinces``, ``indicators``, ``sources``, ``submissions``, after DELETE, UPDATE or
  TRUNCATE: a key that no longer exists must not be referenced by an observation (NO
  ACTION, as before). A ``TRUNCATE ... CASCADE`` of a parent no longer reaches
  observations: it is refused while they refer to it, unless it names them too.

Violations raise SQLSTATE 23503 (foreign_key_violation) with the message, constraint
name and detail PostgreSQL's own foreign keys give, so that callers see the same
``IntegrityError``.

One difference: PostgreSQL's own check of a parent's delete reads the latest committed
rows whatever the isolation level, while a trigger reads with its transaction's
snapshot. Under READ COMMITTED (all the hub uses) that is the latest, taken after the
delete waited for the writers that hold the parent; under REPEATABLE READ or
SERIALIZABLE it could miss a figure committed meanwhile. So a delete, re-keying or
TRUNCATE of a parent that removes a key is refused outside READ COMMITTED (SQLSTATE
0A000, as PostgreSQL refuses to truncate a table a foreign key references).

The parent-side lookups use indexes that lead with each referencing column:
``ix_observations_indicator_year_current``, ``ix_observations_province_year``,
``ix_observations_source_id`` and ``ix_observations_submission_id``.

SQLite keeps its foreign keys: nothing changes there.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-04 10:00:00
"""

from collections.abc import Sequence
from typing import NamedTuple

from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


class Reference(NamedTuple):
    column: str
    parent: str
    key: str
    key_type: str

    @property
    def constraint(self) -> str:
        return f"fk_observations_{self.column}_{self.parent}"


REFERENCES = (
    Reference("indicator_code", "indicators", "code", "text"),
    Reference("province_code", "provinces", "code", "text"),
    Reference("source_id", "sources", "id", "bigint"),
    Reference("submission_id", "submissions", "id", "bigint"),
)
COLUMNS = ", ".join(r.column for r in REFERENCES)


def _raise(reference: Reference, message: str, detail: str, key: str) -> str:
    """PL/pgSQL that raises PostgreSQL's own foreign key violation for ``key``."""
    return f"""RAISE EXCEPTION '{message}'
            USING ERRCODE = 'foreign_key_violation',
                  CONSTRAINT = '{reference.constraint}',
                  SCHEMA = TG_TABLE_SCHEMA,
                  TABLE = 'observations',
                  DETAIL = format('{detail}', {key});"""


def _child_function(name: str, changed_rows: str) -> str:
    """A trigger function on observations that checks the references of
    ``changed_rows`` (a query over the statement's transition tables)."""
    declared = "\n".join(f"    {r.column}_keys {r.key_type}[];" for r in REFERENCES)
    gathered = ",\n           ".join(
        f"array_agg(DISTINCT {r.column}) FILTER (WHERE {r.column} IS NOT NULL)" for r in REFERENCES
    )
    checks = "\n".join(
        f"""
    SELECT key INTO missing FROM unnest({r.column}_keys) AS key
    EXCEPT
    SELECT {r.key} FROM (
        SELECT {r.key} FROM {r.parent} WHERE {r.key} = ANY ({r.column}_keys) FOR KEY SHARE
    ) AS held
    LIMIT 1;
    IF FOUND THEN
        {
            _raise(
                r,
                'insert or update on table "observations" violates foreign key '
                f'constraint "{r.constraint}"',
                f'Key ({r.column})=(%s) is not present in table "{r.parent}".',
                "missing",
            )
        }
    END IF;"""
        for r in REFERENCES
    )
    return f"""
CREATE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
{declared}
    missing text;
BEGIN
    -- One pass over the statement's rows: their distinct combinations of references,
    -- then the distinct keys of each, each looked up and locked once.
    SELECT {gathered}
      INTO {", ".join(f"{r.column}_keys" for r in REFERENCES)}
      FROM ({changed_rows}) AS changed;
{checks}
    RETURN NULL;
END
$$"""


def _parent_function(reference: Reference) -> str:
    """A trigger function on a parent table: a key that is gone (deleted, re-keyed,
    truncated) must not be referenced by an observation."""
    r = reference
    fail = _raise(
        r,
        f'update or delete on table "{r.parent}" violates foreign key constraint '
        f'"{r.constraint}" on table "observations"',
        f'Key ({r.key})=(%s) is still referenced from table "observations".',
        "gone",
    )
    return f"""
CREATE FUNCTION {r.parent}_check_observations() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    gone text;
BEGIN
    IF TG_OP <> 'TRUNCATE' THEN
        -- Nothing to check when every key is still there (an update of other columns).
        PERFORM 1 FROM old_rows AS k
          WHERE NOT EXISTS (SELECT FROM {r.parent} AS p WHERE p.{r.key} = k.{r.key}) LIMIT 1;
        IF NOT FOUND THEN
            RETURN NULL;
        END IF;
    END IF;
    IF current_setting('transaction_isolation') <> 'read committed' THEN
        RAISE EXCEPTION 'removing keys of table "{r.parent}" needs READ COMMITTED'
            USING ERRCODE = 'feature_not_supported',
                  DETAIL = 'Constraint "{r.constraint}" is checked by a trigger, '
                           'which sees only the observations of its snapshot.';
    END IF;
    IF TG_OP = 'TRUNCATE' THEN
        SELECT o.{r.column} INTO gone FROM observations AS o
         WHERE o.{r.column} IS NOT NULL LIMIT 1;
    ELSE
        SELECT k.{r.key} INTO gone FROM (SELECT DISTINCT {r.key} FROM old_rows) AS k
         WHERE NOT EXISTS (SELECT FROM {r.parent} AS p WHERE p.{r.key} = k.{r.key})
           AND EXISTS (SELECT FROM observations AS o WHERE o.{r.column} = k.{r.key})
         LIMIT 1;
    END IF;
    IF FOUND THEN
        {fail}
    END IF;
    RETURN NULL;
END
$$"""


def _statements() -> list[str]:
    statements = [
        _child_function(
            "observations_check_references", f"SELECT DISTINCT {COLUMNS} FROM new_rows"
        ),
        _child_function(
            "observations_check_changed_references",
            f"SELECT {COLUMNS} FROM new_rows EXCEPT SELECT {COLUMNS} FROM old_rows",
        ),
        "CREATE TRIGGER observations_references_after_insert AFTER INSERT ON observations "
        "REFERENCING NEW TABLE AS new_rows "
        "FOR EACH STATEMENT EXECUTE FUNCTION observations_check_references()",
        "CREATE TRIGGER observations_references_after_update AFTER UPDATE ON observations "
        "REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows "
        "FOR EACH STATEMENT EXECUTE FUNCTION observations_check_changed_references()",
    ]
    for r in REFERENCES:
        statements.append(_parent_function(r))
        for event in ("DELETE", "UPDATE"):
            statements.append(
                f"CREATE TRIGGER {r.parent}_observations_after_{event.lower()} "
                f"AFTER {event} ON {r.parent} REFERENCING OLD TABLE AS old_rows "
                f"FOR EACH STATEMENT EXECUTE FUNCTION {r.parent}_check_observations()"
            )
        statements.append(
            f"CREATE TRIGGER {r.parent}_observations_after_truncate AFTER TRUNCATE "
            f"ON {r.parent} FOR EACH STATEMENT EXECUTE FUNCTION {r.parent}_check_observations()"
        )
    return statements


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for statement in _statements():
        op.execute(statement)
    for r in REFERENCES:
        op.drop_constraint(r.constraint, "observations", type_="foreignkey")


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for r in REFERENCES:
        op.create_foreign_key(r.constraint, "observations", r.parent, [r.column], [r.key])
    for r in REFERENCES:
        for event in ("delete", "update", "truncate"):
            op.execute(f"DROP TRIGGER {r.parent}_observations_after_{event} ON {r.parent}")
        op.execute(f"DROP FUNCTION {r.parent}_check_observations()")
    op.execute("DROP TRIGGER observations_references_after_update ON observations")
    op.execute("DROP TRIGGER observations_references_after_insert ON observations")
    op.execute("DROP FUNCTION observations_check_changed_references()")
    op.execute("DROP FUNCTION observations_check_references()")
