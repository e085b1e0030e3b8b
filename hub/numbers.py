"""Numbers as Vietnamese documents write them, and the rounding check for shares.

In Vietnamese notation "." groups thousands and "," is the decimal mark: ``2.061`` is
two thousand and sixty-one, ``89,29`` is 89.29, ``1.133 tỷ`` is 1,133 × 10⁹.
Parsing keeps the exact decimal and how many decimals were written, so a stated
percentage can be checked against its numerator and denominator at its own precision.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

SCALES: dict[str, int] = {"nghìn": 10**3, "ngàn": 10**3, "triệu": 10**6, "tỷ": 10**9}

_VIETNAMESE_NUMBER = re.compile(r"^-?\d{1,3}(\.\d{3})*(,\d+)?$|^-?\d+(,\d+)?$")


class NumberFormatError(ValueError):
    """The text is not a number in Vietnamese notation."""


@dataclass(frozen=True, slots=True)
class WrittenNumber:
    """A number with the precision it was written at."""

    value: Decimal
    decimals: int
    text: str

    def __float__(self) -> float:
        return float(self.value)

    @property
    def half_unit(self) -> Decimal:
        """Half a unit of the last written decimal: the rounding a reader must allow."""
        return Decimal(5) * Decimal(10) ** -(self.decimals + 1)


def parse_vietnamese_number(text: str, scale: str | None = None) -> WrittenNumber:
    """Parse ``"2.061"``, ``"86,2"``, ``"0,0538"`` or ``"07"``; ``scale`` names a multiplier."""
    stripped = text.strip()
    if not _VIETNAMESE_NUMBER.match(stripped):
        raise NumberFormatError(f"{text!r} is not a number in Vietnamese notation")
    integer_part, _, fraction = stripped.partition(",")
    value = Decimal(integer_part.replace(".", "") + ("." + fraction if fraction else ""))
    if scale is not None:
        if scale not in SCALES:
            raise NumberFormatError(f"unknown scale {scale!r}; expected one of {sorted(SCALES)}")
        value *= SCALES[scale]
    return WrittenNumber(value=value, decimals=len(fraction), text=stripped)


def share_agrees(stated_percent: WrittenNumber, numerator: Decimal, denominator: Decimal) -> bool:
    """Whether a percentage written at its precision agrees with numerator / denominator."""
    if denominator == 0:
        return False
    exact = Decimal(100) * numerator / denominator
    return abs(exact - stated_percent.value) <= stated_percent.half_unit
