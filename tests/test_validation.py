"""Validating a batch checks each distinct part once and finds what checking each item
alone finds: the same problems, under the same paths, in the same order."""

from dataclasses import replace
from datetime import date

from hypothesis import given, settings
from hypothesis import strategies as st

from hub.indicators import IndicatorRecord
from hub.submissions.codes import ErrorCode, Problem
from hub.submissions.inputs import ObservationItem, SourceItem
from hub.submissions.validation import Catalogue, ValidObservation, validate_observations


def indicator(code: str, unit: str, *dimensions: str) -> IndicatorRecord:
    return IndicatorRecord(
        code=code,
        name=code,
        name_en=code,
        topic="staffing",
        unit=unit,
        higher_is_better=True,
        description="",
        year_min=2015,
        dimensions=dimensions,
    )


CATALOGUE = Catalogue(
    indicators={
        i.code: i
        for i in (
            indicator("staff", "COUNT", "level", "qualification"),
            indicator("share", "PERCENT", "level"),
            indicator("index", "INDEX"),
            indicator("rank", "RANK"),
            indicator("budget", "VND", "sector"),
        )
    },
    dimension_values={
        "level": frozenset({"PROVINCE", "DISTRICT", "COMMUNE"}),
        "qualification": frozenset({"MASTER", "UNIVERSITY"}),
        "sector": frozenset({"STATE"}),
    },
)

# Few choices per part, so that parts repeat across items (and memos are hit) and items
# repeat (duplicates), each with its mistakes.
dimension = st.sampled_from(
    [
        ("level", "PROVINCE"),
        ("level", "DISTRICT"),
        (" level", "COMMUNE "),
        ("qualification", "MASTER"),
        ("qualification", "GALAXY"),
        ("colour", "RED"),
        ("sector", "STATE"),
    ]
)
# Finite: GraphQL's Float refuses anything else before validation sees it.
number = st.one_of(
    st.none(), st.sampled_from([0.0, 1.0, 2.5, 40.0, 86.2, 100.0, 101.0, -1.0, 0.05, 1e12])
)
item = st.builds(
    ObservationItem,
    indicator=st.sampled_from(["staff", " share ", "share", "index", "rank", "budget", "nope"]),
    year=st.sampled_from([2010, 2020, 2023, 2024, 2030]),
    period=st.sampled_from([None, "2023", "2023-06", " 2024-13", "2020/2021", "summer", "x" * 40]),
    value=number,
    numerator=st.one_of(st.none(), st.sampled_from([0.0, 3.0, 2061.0, 2.5, -1.0])),
    denominator=st.one_of(st.none(), st.sampled_from([0.0, 5.0, 2392.0])),
    dimensions=st.lists(dimension, max_size=3).map(tuple),
    source=st.one_of(
        st.none(),
        st.builds(
            SourceItem,
            title=st.sampled_from(["Báo cáo", "  ", "Nghi\u0302\u0323 quyết"]),
            url=st.sampled_from([None, "https://example.org/1", "javascript:alert(1)"]),
            published_on=st.sampled_from([None, date(2023, 5, 1)]),
        ),
    ),
    flag=st.sampled_from([None, "ESTIMATED"]),
    comment=st.sampled_from([None, "", "  ghi chú ", "x" * 2001]),
    expected_revision=st.sampled_from([None, 0, 3]),
)


@st.composite
def good_item(draw: st.DrawFn) -> ObservationItem:
    """A figure that passes (unless another item of the batch is the same figure)."""
    year = draw(st.integers(2020, 2024))
    return ObservationItem(
        indicator=draw(st.sampled_from(["staff", " staff"])),
        year=year,
        period=draw(st.sampled_from([None, str(year), f"{year}-03", f"{year}-11"])),
        value=float(draw(st.integers(0, 5))),
        dimensions=draw(
            st.sampled_from(
                [(), (("level", "PROVINCE"),), (("qualification", "MASTER"), (" level", "COMMUNE"))]
            )
        ),
        source=draw(st.sampled_from([None, SourceItem(title="Báo cáo  ")])),
        comment=draw(st.sampled_from([None, " ghi chú"])),
    )


def validate(
    items: list[ObservationItem], memoise: bool = True
) -> tuple[list[ValidObservation], list[Problem]]:
    return validate_observations(
        items, catalogue=CATALOGUE, current_year=2025, max_batch=100, memoise=memoise
    )


@settings(max_examples=300, deadline=None)
@given(items=st.lists(st.one_of(good_item(), good_item(), item), min_size=1, max_size=30))
def test_a_batch_gets_the_problems_of_its_items_checked_one_by_one(items):
    valid, problems = validate(items)
    assert (valid, problems) == validate(items, memoise=False)
    # Each item alone: the same problems under its own path, duplicates aside.
    alone: list[Problem] = []
    for position, one in enumerate(items):
        for problem in validate([one], memoise=False)[1]:
            field = ("observations", str(position), *problem.field[2:])
            alone.append(Problem(field, problem.code, problem.message))
    assert [p for p in problems if p.code is not ErrorCode.DUPLICATE_IN_BATCH] == alone
    if not problems:
        alone_valid = [validate([one], memoise=False)[0][0] for one in items]
        assert valid == [replace(v, position=p) for p, v in enumerate(alone_valid)]
