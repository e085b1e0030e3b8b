"""Errors the caller can fix, each with a stable machine-readable code.

The GraphQL layer turns a ``HubError`` into an error whose ``extensions.code`` is
``code``; anything else is unexpected and is masked before it reaches a client.
"""

from __future__ import annotations

MIN_YEAR, MAX_YEAR = 1900, 2100
"""The years any question may be about; outside them is a caller's mistake."""


class HubError(Exception):
    """A problem with the caller's input or permissions, safe to show to the caller."""

    code = "BAD_USER_INPUT"

    def __init__(self, message: str, *, field: tuple[str, ...] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field

    @property
    def extensions(self) -> dict[str, object]:
        """What graphql-core copies into the error's ``extensions``: the stable code, and
        the class of error (the caller's input) in the convention generic clients read."""
        found: dict[str, object] = {"code": self.code, "classification": "BAD_USER_INPUT"}
        if self.field:
            found["field"] = list(self.field)
        return found


class UnknownProvinceError(HubError):
    code = "UNKNOWN_PROVINCE"

    def __init__(self, reference: str, *, field: tuple[str, ...] | None = None) -> None:
        super().__init__(
            f'No province matches {reference!r}: give its code ("67"), slug ("dak-nong") '
            "or name, with or without diacritics",
            field=field,
        )
        self.reference = reference


class UnknownIndicatorError(HubError):
    code = "UNKNOWN_INDICATOR"

    def __init__(self, reference: str, *, field: tuple[str, ...] | None = None) -> None:
        super().__init__(f"No indicator has the code {reference!r}", field=field)
        self.reference = reference


class InvalidArgumentError(HubError):
    code = "INVALID_ARGUMENT"


class InvalidCursorError(HubError):
    code = "INVALID_CURSOR"


class UnauthenticatedError(HubError):
    code = "UNAUTHENTICATED"


class ForbiddenError(HubError):
    code = "FORBIDDEN"


def check_year(year: int, field: tuple[str, ...]) -> int:
    """``year``, or INVALID_ARGUMENT when it lies outside MIN_YEAR-MAX_YEAR."""
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise InvalidArgumentError(
            f"A year lies between {MIN_YEAR} and {MAX_YEAR}, got {year}", field=field
        )
    return year
