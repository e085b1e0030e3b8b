"""Server-side validation of submitted figures and plans: pure functions, no database.

Every problem is reported with the path of the offending input, so a client can point
at the exact cell; a batch with any problem is refused whole by the caller.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from hub.dimensions import dimension_key
from hub.indicators import IndicatorRecord
from hub.submissions.codes import ErrorCode, Problem
from hub.submissions.inputs import ObservationItem, PlanItem, SourceItem, TargetItem
from hub.text import nfc

MAX_PERIOD = 32
MAX_COMMENT = 2000
MAX_TITLE = 500
MAX_URL = 1000
MAX_DESCRIPTION = 2000
MAX_SHORT_TEXT = 200
_PERIOD = re.compile(r"^(\d{4})(-(0[1-9]|1[0-2]))?$|^(\d{4})/(\d{4})$")


@dataclass(slots=True)
class ValidObservation:
    """A submitted figure that passed every check, normalised (NFC, derived value).

    Never changed once made, but not ``frozen``: a frozen dataclass sets each field
    through ``object.__setattr__``, four times the cost of a plain one (15 ms of a
    10,000-figure batch for this one alone)."""

    position: int
    indicator: str
    year: int
    period: str
    value: float
    numerator: float | None
    denominator: float | None
    dimensions: tuple[tuple[str, str], ...]
    dimension_key: str
    source: SourceItem | None
    flag: str
    comment: str | None
    expected_revision: int | None


@dataclass(frozen=True, slots=True)
class Catalogue:
    """What validation needs to know: indicators and the allowed dimension values."""

    indicators: Mapping[str, IndicatorRecord]
    dimension_values: Mapping[str, frozenset[str]]


def written_decimals(value: float) -> int:
    """How many decimals a float was written with: 89.0 → 0, 86.2 → 1, 89.29 → 2."""
    exponent = Decimal(repr(value)).normalize().as_tuple().exponent
    return max(0, -int(exponent))


def share_disagrees(value: float, numerator: float, denominator: float) -> bool:
    """Whether a stated percentage is off its parts by more than its own rounding."""
    exact = 100 * numerator / denominator
    tolerance = 0.5 * 10.0 ** -written_decimals(value) + 1e-9
    return bool(abs(exact - value) > tolerance)


def _range_problem(unit: str, value: float, path: tuple[str, ...]) -> Problem | None:
    if not math.isfinite(value):
        return Problem(path, ErrorCode.OUT_OF_RANGE, "The value must be a finite number")
    if unit == "PERCENT" and not 0 <= value <= 100:
        return Problem(path, ErrorCode.OUT_OF_RANGE, f"A percentage lies in 0–100, got {value}")
    if unit == "INDEX" and not 0 <= value <= 1:
        return Problem(path, ErrorCode.OUT_OF_RANGE, f"An index lies in 0–1, got {value}")
    if unit in {"COUNT", "RANK"}:
        if value != int(value):
            return Problem(
                path, ErrorCode.NOT_A_WHOLE_NUMBER, f"A {unit.lower()} is whole, got {value}"
            )
        if value < (1 if unit == "RANK" else 0):
            low = 1 if unit == "RANK" else 0
            return Problem(
                path, ErrorCode.OUT_OF_RANGE, f"A {unit.lower()} is at least {low}, got {value}"
            )
    if unit == "VND" and value < 0:
        return Problem(path, ErrorCode.OUT_OF_RANGE, f"Money is not negative, got {value}")
    return None


def check_text(
    value: str | None, path: tuple[str, ...], limit: int, problems: list[Problem], *, required: bool
) -> str | None:
    """NFC, trimmed; refused when blank (if required) or longer than ``limit``."""
    if value is None:
        if required:
            problems.append(Problem(path, ErrorCode.BLANK, "This text is required"))
        return None
    text = nfc(value).strip()
    if required and not text:
        problems.append(Problem(path, ErrorCode.BLANK, "This text must not be blank"))
    if len(text) > limit:
        problems.append(
            Problem(path, ErrorCode.TOO_LONG, f"At most {limit} characters, got {len(text)}")
        )
    return text


def check_source(
    source: SourceItem | None, path: tuple[str, ...], problems: list[Problem]
) -> SourceItem | None:
    if source is None:
        return None
    title = check_text(source.title, (*path, "title"), MAX_TITLE, problems, required=True)
    url = check_text(source.url, (*path, "url"), MAX_URL, problems, required=False)
    if url and not re.match(r"^https?://[^\s]+$", url):
        problems.append(
            Problem((*path, "url"), ErrorCode.INVALID_URL, "An address starts http:// or https://")
        )
    return SourceItem(title=title or "", url=url or None, published_on=source.published_on)


def check_dimensions(
    dimensions: Sequence[tuple[str, str]],
    indicator: IndicatorRecord | None,
    catalogue: Catalogue,
    path: tuple[str, ...],
    problems: list[Problem],
) -> tuple[tuple[str, str], ...]:
    seen: set[str] = set()
    for index, (name, value) in enumerate(dimensions):
        where = (*path, str(index))
        if name in seen:
            problems.append(
                Problem((*where, "name"), ErrorCode.DUPLICATE_DIMENSION, f"{name!r} given twice")
            )
        seen.add(name)
        if name not in catalogue.dimension_values:
            problems.append(
                Problem((*where, "name"), ErrorCode.UNKNOWN_DIMENSION, f"No dimension {name!r}")
            )
        elif value not in catalogue.dimension_values[name]:
            problems.append(
                Problem(
                    (*where, "value"),
                    ErrorCode.UNKNOWN_DIMENSION_VALUE,
                    f"{value!r} is not a value of {name!r}",
                )
            )
        elif indicator is not None and name not in indicator.dimensions:
            problems.append(
                Problem(
                    (*where, "name"),
                    ErrorCode.DIMENSION_NOT_ALLOWED,
                    f"{indicator.code} is not broken down by {name!r}",
                )
            )
    return tuple(sorted(dimensions))


def _check_year(
    year: int, indicator: IndicatorRecord, current_year: int, path: tuple[str, ...]
) -> Problem | None:
    if year < indicator.year_min or year > current_year:
        return Problem(
            path,
            ErrorCode.YEAR_OUT_OF_RANGE,
            f"{indicator.code} takes years {indicator.year_min}–{current_year}, got {year}",
        )
    return None


def _check_period(
    period: str | None, year: int, path: tuple[str, ...], problems: list[Problem]
) -> str:
    if period is None:
        return str(year)
    text = check_text(period, path, MAX_PERIOD, problems, required=True) or ""
    match = _PERIOD.match(text)
    if match is None:
        problems.append(
            Problem(
                path, ErrorCode.INVALID_PERIOD, 'A period reads "2021", "2022-08" or "2019/2020"'
            )
        )
    elif str(year) not in (match.group(1), match.group(4), match.group(5)):
        problems.append(
            Problem(path, ErrorCode.INVALID_PERIOD, f"The period {text!r} is not in year {year}")
        )
    return text


def _check_parts(
    item: ObservationItem, unit: str, path: tuple[str, ...], problems: list[Problem]
) -> float | None:
    """Check value and parts; return the value, derived from the parts when left out."""
    has_parts = item.numerator is not None or item.denominator is not None
    if has_parts and unit != "PERCENT":
        problems.append(
            Problem(
                (*path, "numerator"),
                ErrorCode.PARTS_NOT_ALLOWED,
                "Numerator and denominator go with a percentage only",
            )
        )
        return item.value
    if has_parts and (item.numerator is None or item.denominator is None):
        missing = "denominator" if item.denominator is None else "numerator"
        problems.append(
            Problem((*path, missing), ErrorCode.INCOMPLETE_SHARE, "Give both parts of a share")
        )
        return item.value
    if item.numerator is not None and item.denominator is not None:
        numerator, denominator = item.numerator, item.denominator
        for name, part in (("numerator", numerator), ("denominator", denominator)):
            if not math.isfinite(part) or part < 0 or part != int(part):
                problems.append(
                    Problem(
                        (*path, name),
                        ErrorCode.OUT_OF_RANGE,
                        f"The {name} is a whole number ≥ 0, got {part}",
                    )
                )
                return item.value
        if denominator == 0:
            problems.append(
                Problem((*path, "denominator"), ErrorCode.OUT_OF_RANGE, "The denominator is 0")
            )
            return item.value
        if numerator > denominator:
            problems.append(
                Problem(
                    (*path, "numerator"),
                    ErrorCode.NUMERATOR_EXCEEDS_DENOMINATOR,
                    f"{numerator:g} is more than {denominator:g}",
                )
            )
            return item.value
        if item.value is None:
            return round(100 * numerator / denominator, 2)
        if share_disagrees(item.value, numerator, denominator):
            problems.append(
                Problem(
                    (*path, "value"),
                    ErrorCode.INCONSISTENT_SHARE,
                    f"{item.value:g}% disagrees with {numerator:g}/{denominator:g} = "
                    f"{100 * numerator / denominator:.4f}%",
                )
            )
        return item.value
    if item.value is None:
        problems.append(Problem((*path, "value"), ErrorCode.MISSING_VALUE, "Give the value"))
    return item.value


Found = tuple[Problem, ...]
"""Problems of one part of an item, with paths relative to the item."""

_NO_PROBLEM: Found = ()
_VALUE = ("value",)


class _Forgetful(dict[Any, Any]):
    """A memo that keeps nothing: every part is checked afresh (``memoise=False``)."""

    def __setitem__(self, key: Any, value: Any) -> None:
        pass


class _Parts:
    """The checks of an item's parts that depend on that part alone (and the catalogue):
    its indicator and year, its period, its breakdown, its source, its comment. Each
    runs the rules above with paths relative to the item, and the caller puts the
    item's path in front of whatever they find."""

    def __init__(self, catalogue: Catalogue, current_year: int) -> None:
        self.catalogue = catalogue
        self.current_year = current_year

    def indicator(self, given: str, year: int) -> tuple[str, IndicatorRecord | None, Found]:
        code = given.strip()
        indicator = self.catalogue.indicators.get(code)
        if indicator is None:
            problem: Problem | None = Problem(
                ("indicator",), ErrorCode.UNKNOWN_INDICATOR, f"No indicator {code!r}"
            )
        else:
            problem = _check_year(year, indicator, self.current_year, ("year",))
        return code, indicator, _NO_PROBLEM if problem is None else (problem,)

    def period(self, given: str | None, year: int) -> tuple[str, Found]:
        found: list[Problem] = []
        return _check_period(given, year, ("period",), found), tuple(found)

    def dimensions(
        self, given: tuple[tuple[str, str], ...], indicator: IndicatorRecord | None
    ) -> tuple[tuple[tuple[str, str], ...], str, Found]:
        found: list[Problem] = []
        dims = check_dimensions(
            [(nfc(n).strip(), nfc(v).strip()) for n, v in given],
            indicator,
            self.catalogue,
            ("dimensions",),
            found,
        )
        return dims, dimension_key(dict(dims)), tuple(found)

    def source(self, given: SourceItem | None) -> tuple[SourceItem | None, Found]:
        found: list[Problem] = []
        return check_source(given, ("source",), found), tuple(found)

    def comment(self, given: str | None) -> tuple[str | None, Found]:
        found: list[Problem] = []
        return check_text(given, ("comment",), MAX_COMMENT, found, required=False), tuple(found)


def validate_observations(
    items: Sequence[ObservationItem],
    *,
    catalogue: Catalogue,
    current_year: int,
    max_batch: int,
    path: tuple[str, ...] = ("observations",),
    memoise: bool = True,
) -> tuple[list[ValidObservation], list[Problem]]:
    """Check every item; return the normalised items and every problem found.

    Most items of a batch share their indicator, year, period and breakdown: each
    part's checks (``_Parts``) run once per distinct value of that part and are
    remembered for the batch. An item's problems are its parts' problems in the order
    the rules come, each under the item's path, then a duplicate, if it is one:
    ``memoise=False`` checks every part of every item afresh and must find the same (the
    tests compare both)."""
    problems: list[Problem] = []
    if not items:
        return [], [Problem(path, ErrorCode.EMPTY_BATCH, "The batch holds no observation")]
    if len(items) > max_batch:
        return [], [
            Problem(
                path,
                ErrorCode.BATCH_TOO_LARGE,
                f"A batch holds at most {max_batch} observations, got {len(items)}",
            )
        ]
    parts = _Parts(catalogue, current_year)
    memo: type[dict[Any, Any]] = dict if memoise else _Forgetful
    heads, periods, breakdowns, sources, comments = memo(), memo(), memo(), memo(), memo()
    valid: list[ValidObservation] = []
    seen: dict[tuple[str, str, str], int] = {}
    for position, item in enumerate(items):
        head = heads.get((item.indicator, item.year))
        if head is None:
            head = heads[item.indicator, item.year] = parts.indicator(item.indicator, item.year)
        code, indicator, found = head
        period_checked = periods.get((item.period, item.year))
        if period_checked is None:
            period_checked = periods[item.period, item.year] = parts.period(item.period, item.year)
        period, period_found = period_checked
        breakdown = breakdowns.get((item.dimensions, code))
        if breakdown is None:
            breakdown = breakdowns[item.dimensions, code] = parts.dimensions(
                item.dimensions, indicator
            )
        dims, dims_key, dims_found = breakdown
        if period_found or dims_found:
            found = (*found, *period_found, *dims_found)
        value = item.value
        if indicator is not None:
            value_found: list[Problem] = []
            value = _check_parts(item, indicator.unit, (), value_found)
            if value is not None and (problem := _range_problem(indicator.unit, value, _VALUE)):
                value_found.append(problem)
            if value_found:
                found = (*found, *value_found)
        source: SourceItem | None = None
        if item.source is not None:
            source_checked = sources.get(item.source)
            if source_checked is None:
                source_checked = sources[item.source] = parts.source(item.source)
            source, source_found = source_checked
            found = (*found, *source_found) if source_found else found
        comment: str | None = None
        if item.comment is not None:
            comment_checked = comments.get(item.comment)
            if comment_checked is None:
                comment_checked = comments[item.comment] = parts.comment(item.comment)
            comment, comment_found = comment_checked
            found = (*found, *comment_found) if comment_found else found
        key = (code, period, dims_key)
        first = seen.setdefault(key, position)
        if first != position:
            found = (
                *found,
                Problem(
                    (), ErrorCode.DUPLICATE_IN_BATCH, f"The same figure as observations[{first}]"
                ),
            )
        if found:
            where = (*path, str(position))
            problems += [Problem((*where, *p.field), p.code, p.message) for p in found]
        elif indicator is not None and value is not None:
            valid.append(
                ValidObservation(
                    position,
                    code,
                    item.year,
                    period,
                    value,
                    item.numerator,
                    item.denominator,
                    dims,
                    dims_key,
                    source,
                    item.flag or "FINAL",
                    comment or None,
                    item.expected_revision,
                )
            )
    return (valid if not problems else []), problems


@dataclass(frozen=True, slots=True)
class ValidTarget:
    description: str
    year: int
    indicator: str | None
    value: float | None
    comparator: str
    dimensions: tuple[tuple[str, str], ...]


def validate_targets(
    targets: Sequence[TargetItem], *, catalogue: Catalogue, problems: list[Problem]
) -> list[ValidTarget]:
    valid: list[ValidTarget] = []
    for position, target in enumerate(targets):
        where = ("targets", str(position))
        description = check_text(
            target.description, (*where, "description"), MAX_DESCRIPTION, problems, required=True
        )
        indicator = None
        if target.indicator is not None:
            indicator = catalogue.indicators.get(target.indicator.strip())
            if indicator is None:
                problems.append(
                    Problem(
                        (*where, "indicator"),
                        ErrorCode.UNKNOWN_INDICATOR,
                        f"No indicator {target.indicator!r}",
                    )
                )
        if not 1900 <= target.year <= 2100:
            problems.append(
                Problem(
                    (*where, "year"), ErrorCode.YEAR_OUT_OF_RANGE, "A target year lies in 1900–2100"
                )
            )
        if (
            target.value is not None
            and indicator is not None
            and (problem := _range_problem(indicator.unit, target.value, (*where, "value")))
        ):
            problems.append(problem)
        dims = check_dimensions(
            target.dimensions, indicator, catalogue, (*where, "dimensions"), problems
        )
        valid.append(
            ValidTarget(
                description=description or "",
                year=target.year,
                indicator=None if indicator is None else indicator.code,
                value=target.value,
                comparator=target.comparator or "GE",
                dimensions=dims,
            )
        )
    return valid


def validate_plan(
    plan: PlanItem, *, catalogue: Catalogue
) -> tuple[dict[str, object], list[ValidTarget], list[Problem]]:
    """Check a plan's fields and targets; return its normalised fields and targets."""
    problems: list[Problem] = []
    fields: dict[str, object] = {
        "title": check_text(plan.title, ("title",), MAX_DESCRIPTION, problems, required=True),
        "number": check_text(plan.number, ("number",), 100, problems, required=False) or None,
        "signer": check_text(plan.signer, ("signer",), MAX_SHORT_TEXT, problems, required=False)
        or None,
        "kind": plan.kind,
        "issued_on": plan.issued_on,
        "period_start": plan.period_start,
        "period_end": plan.period_end,
    }
    for name, given in (("periodStart", plan.period_start), ("periodEnd", plan.period_end)):
        if given is not None and not 1900 <= given <= 2100:
            problems.append(
                Problem((name,), ErrorCode.YEAR_OUT_OF_RANGE, "A year lies in 1900–2100")
            )
    if (
        plan.period_start is not None
        and plan.period_end is not None
        and plan.period_start > plan.period_end
    ):
        problems.append(
            Problem(
                ("periodEnd",), ErrorCode.INVALID_PERIOD_RANGE, "The period ends before it starts"
            )
        )
    check_source(plan.source, ("source",), problems)
    targets = validate_targets(plan.targets, catalogue=catalogue, problems=problems)
    return fields, targets, problems
