"""The closed set of disaggregations an observation or a target may carry.

Each dimension is a nullable column of its own (``dim_<name>``) on observations and
targets, so that filtering, grouping and CSV export stay plain, portable SQL. Adding a
dimension is a migration plus a line here.
"""

from __future__ import annotations

from collections.abc import Mapping

DIMENSION_NAMES: tuple[str, ...] = (
    "level",
    "qualification",
    "employment",
    "school_level",
    "audience",
    "sector",
    "training_mode",
)


def column_name(dimension: str) -> str:
    """The column that stores ``dimension`` on observations and targets."""
    return f"dim_{dimension}"


def dimension_key(dimensions: Mapping[str, str]) -> str:
    """A canonical text for a set of dimensions: ``level=DISTRICT;qualification=MASTER``.

    The empty string stands for the indicator's total.
    """
    return ";".join(f"{name}={dimensions[name]}" for name in sorted(dimensions))
