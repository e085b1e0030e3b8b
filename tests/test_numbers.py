from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from hub.numbers import NumberFormatError, parse_vietnamese_number, share_agrees


@pytest.mark.parametrize(
    ("text", "scale", "expected", "decimals"),
    [
        ("2.061", None, Decimal("2061"), 0),
        ("89,29", None, Decimal("89.29"), 2),
        ("0,0538", None, Decimal("0.0538"), 4),
        ("1.133", "tỷ", Decimal("1133000000000"), 0),
        ("62.900", None, Decimal("62900"), 0),
        ("07", None, Decimal("7"), 0),
        ("100", None, Decimal("100"), 0),
    ],
)
def test_vietnamese_notation_groups_with_dots_and_decimals_with_commas(
    text, scale, expected, decimals
):
    number = parse_vietnamese_number(text, scale)
    assert number.value == expected
    assert number.decimals == decimals


@pytest.mark.parametrize("text", ["2,061.5", "1.23", "abc", "", "1.2345", "12.34.5"])
def test_text_that_is_not_vietnamese_notation_is_refused(text):
    with pytest.raises(NumberFormatError):
        parse_vietnamese_number(text)


def test_unknown_scale_is_refused():
    with pytest.raises(NumberFormatError):
        parse_vietnamese_number("1", "gazillion")


@pytest.mark.parametrize(
    ("stated", "numerator", "denominator"),
    [
        ("86,2", 2061, 2392),
        ("89", 844, 947),
        ("92,8", 776, 836),
        ("72,4", 441, 609),
        ("89,29", 25, 28),
        ("7,14", 2, 28),
        ("3,57", 1, 28),
    ],
)
def test_shares_from_the_seed_documents_agree_with_their_parts(stated, numerator, denominator):
    assert share_agrees(parse_vietnamese_number(stated), Decimal(numerator), Decimal(denominator))


@pytest.mark.parametrize(
    ("stated", "numerator", "denominator"),
    [("86,3", 2061, 2392), ("90", 844, 947), ("89,2", 25, 28), ("50", 1, 0)],
)
def test_a_share_that_disagrees_beyond_its_rounding_is_caught(stated, numerator, denominator):
    assert not share_agrees(
        parse_vietnamese_number(stated), Decimal(numerator), Decimal(denominator)
    )


@given(st.integers(min_value=0, max_value=10**12))
def test_any_whole_number_written_with_thousand_dots_parses_back(value):
    written = f"{value:,}".replace(",", ".")
    assert parse_vietnamese_number(written).value == value


@given(
    st.integers(min_value=1, max_value=100_000).flatmap(
        lambda d: st.tuples(st.integers(min_value=0, max_value=d), st.just(d))
    ),
    st.integers(min_value=0, max_value=3),
)
def test_a_share_rounded_half_up_at_any_precision_agrees_with_its_parts(parts, decimals):
    numerator, denominator = parts
    exact = Decimal(100) * numerator / denominator
    rounded = exact.quantize(Decimal(10) ** -decimals)
    written = f"{rounded:f}".replace(".", ",")
    assert share_agrees(parse_vietnamese_number(written), Decimal(numerator), Decimal(denominator))
