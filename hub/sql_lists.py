"""A column matching any of a list of values, as one bound parameter.

``column.in_(values)`` renders one placeholder per value at every execution: for the
170 targets of a dashboard that is more work than the query itself, and a statement
text per list length. On PostgreSQL ``column = ANY(:values)`` binds the list as one
array; SQLite keeps SQLAlchemy's expanding ``IN``. Statements built with it are built
once per dialect and reused (the values are bound at execution).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import ARRAY, ColumnElement, any_, bindparam
from sqlalchemy.orm import QueryableAttribute


def one_of(
    column: ColumnElement[Any] | QueryableAttribute[Any], name: str, dialect: str
) -> ColumnElement[bool]:
    """``column`` is one of the values bound as ``name`` (a list) at execution."""
    if dialect == "postgresql":
        return column == any_(bindparam(name, type_=ARRAY(column.type)))
    return column.in_(bindparam(name, expanding=True))
