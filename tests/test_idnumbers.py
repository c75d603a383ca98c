"""GB 11643 ID numbers: generated valid numbers pass; any single changed digit fails."""

from datetime import date

import pytest
from django.core.exceptions import ValidationError
from hypothesis import given
from hypothesis import strategies as st

from linli.residents.idnumbers import check_digit, make_id_number, parse_id_number

regions = st.sampled_from(["140213", "140202", "140214", "110101", "440305"])
births = st.dates(min_value=date(1900, 1, 1), max_value=date(2025, 12, 31))
sequences = st.integers(min_value=0, max_value=999)


@given(regions, births, sequences)
def test_numbers_made_with_the_algorithm_are_valid(region, birth, sequence):
    number = make_id_number(region, birth, sequence)
    parsed = parse_id_number(number)
    assert parsed.value == number
    assert parsed.birth_date == birth
    assert parsed.gender == ("M" if sequence % 2 else "F")


@given(regions, births, sequences, st.integers(0, 17), st.integers(1, 10))
def test_any_single_changed_character_fails(region, birth, sequence, position, shift):
    number = make_id_number(region, birth, sequence)
    alphabet = "0123456789X" if position == 17 else "0123456789"
    original = number[position]
    changed = alphabet[(alphabet.index(original) + shift) % len(alphabet)]
    if changed == original:
        return
    mutated = number[:position] + changed + number[position + 1 :]
    with pytest.raises(ValidationError):
        parse_id_number(mutated)


@given(regions, births, st.integers(0, 999).filter(lambda n: True))
def test_lower_case_x_is_accepted_and_normalised(region, birth, sequence):
    number = make_id_number(region, birth, sequence)
    if number.endswith("X"):
        assert parse_id_number(number.lower()).value == number


def test_known_example():
    # 11010519491231002X: the textbook example of GB 11643
    assert check_digit("11010519491231002") == "X"
    parsed = parse_id_number("11010519491231002x")
    assert parsed.value == "11010519491231002X"
    assert parsed.birth_date == date(1949, 12, 31)
    assert parsed.gender == "F"


@pytest.mark.parametrize(
    "bad",
    [
        "",
        "1234",
        "14021319500101123",
        "1402131950010112345",
        "14021319500101123A",
        "140213195002301234",
    ],
)
def test_malformed_numbers_are_refused(bad):
    with pytest.raises(ValidationError):
        parse_id_number(bad)


def test_an_impossible_birth_date_is_named():
    first17 = "14021319500230123"
    with pytest.raises(ValidationError) as exc:
        parse_id_number(first17 + check_digit(first17))
    assert "19500230" in str(exc.value)
