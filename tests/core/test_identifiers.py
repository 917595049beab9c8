"""Property tests for the identifier validators, with the DOMAIN.md examples as fixed cases.

The check digits are recomputed here from the standards' own tables, written differently from
app.core.identifiers, so a wrong table in the app cannot agree with itself.
"""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from stdnum.ua import edrpou

from app.core.identifiers import (
    mrn_check_digit,
    validate_customs_office,
    validate_edrpou,
    validate_export_plate,
    validate_hs_code,
    validate_mrn,
    validate_vin,
    vin_check_digit,
    vin_warnings,
)

EXAMPLES = settings(max_examples=150, deadline=None)

DIGITS = "0123456789"
LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
VIN_ALPHABET = "ABCDEFGHJKLMNPRSTUVWXYZ" + DIGITS

vins = st.text(alphabet=VIN_ALPHABET, min_size=17, max_size=17)


def reference_vin_check_digit(vin: str) -> str:
    # ISO 3779 transliteration: a character's value is its index in this string, modulo 10.
    table = "0123456789.ABCDEFGH..JKLMN.P.R..STUVWXYZ"
    weights = [8, 7, 6, 5, 4, 3, 2, 10, 0, 9, 8, 7, 6, 5, 4, 3, 2]
    total = sum(table.index(c) % 10 * w for c, w in zip(vin, weights, strict=True))
    return "X" if total % 11 == 10 else str(total % 11)


def with_check_digit(vin: str) -> str:
    return vin[:8] + vin_check_digit(vin) + vin[9:]


# --- VIN ----------------------------------------------------------------------------------


@EXAMPLES
@given(vins)
def test_any_17_characters_from_the_vin_alphabet_pass(vin: str) -> None:
    assert validate_vin(vin) == vin
    assert validate_vin(vin.lower()) == vin


@EXAMPLES
@given(
    st.text(alphabet=VIN_ALPHABET, min_size=16, max_size=16),
    st.sampled_from("IOQ"),
    st.integers(min_value=0, max_value=16),
)
def test_any_vin_containing_i_o_or_q_fails(rest: str, bad: str, position: int) -> None:
    vin = rest[:position] + bad + rest[position:]
    with pytest.raises(ValueError, match=f"never contains I, O or Q \\(found {bad}\\)"):
        validate_vin(vin)


@EXAMPLES
@given(st.text(alphabet=VIN_ALPHABET, min_size=0, max_size=30).filter(lambda s: len(s) != 17))
def test_a_vin_has_exactly_17_characters(vin: str) -> None:
    with pytest.raises(ValueError, match="a VIN has 17 characters"):
        validate_vin(vin)


@EXAMPLES
@given(vins)
def test_vin_check_digit_agrees_with_the_iso_3779_table(vin: str) -> None:
    assert vin_check_digit(vin) == reference_vin_check_digit(vin)


@EXAMPLES
@given(vins)
def test_correct_vin_check_digit_gives_no_warning(vin: str) -> None:
    assert vin_warnings(with_check_digit(vin)) == []


@EXAMPLES
@given(vins, st.sampled_from(DIGITS + "X"))
def test_wrong_vin_check_digit_gives_exactly_one_warning(vin: str, digit: str) -> None:
    correct = with_check_digit(vin)
    if digit == correct[8]:
        digit = "0" if digit != "0" else "1"
    wrong = correct[:8] + digit + correct[9:]
    warnings = vin_warnings(wrong)
    assert len(warnings) == 1
    assert warnings[0].startswith(f"VIN check digit (position 9) is {digit!r}")
    # A warning, not an error: the VIN itself is still accepted.
    assert validate_vin(wrong) == wrong


@pytest.mark.parametrize(
    ("vin", "warned"),
    [
        ("1M8GDM9AXKP042788", False),  # the classic North American example, check digit X
        ("11111111111111111", False),
        ("WDB9634031L123456", True),  # typical European VIN without a check digit
    ],
)
def test_vin_fixed_cases(vin: str, warned: bool) -> None:
    assert validate_vin(vin) == vin
    assert bool(vin_warnings(vin)) is warned


# --- MRN ----------------------------------------------------------------------------------

# ISO 6346 letter values: 10 upwards, skipping the multiples of 11 (11, 22, 33).
ISO_6346_LETTERS = {
    "A": 10,
    **dict(zip("BCDEFGHIJK", range(12, 21 + 1), strict=True)),
    **dict(zip("LMNOPQRSTU", range(23, 32 + 1), strict=True)),
    **dict(zip("VWXYZ", range(34, 38 + 1), strict=True)),
}


def reference_mrn_check_digit(first17: str) -> str:
    values = [int(c) if c.isdigit() else ISO_6346_LETTERS[c] for c in first17]
    return str(sum(v * 2**i for i, v in enumerate(values)) % 11 % 10)


mrn_prefixes = st.builds(
    lambda year, country, national: year + country + national,
    st.text(alphabet=DIGITS, min_size=2, max_size=2),
    st.text(alphabet=LETTERS, min_size=2, max_size=2),
    st.text(alphabet=LETTERS + DIGITS, min_size=13, max_size=13),
)


@EXAMPLES
@given(mrn_prefixes)
def test_mrn_with_its_check_digit_validates(prefix: str) -> None:
    assert mrn_check_digit(prefix) == reference_mrn_check_digit(prefix)
    mrn = prefix + mrn_check_digit(prefix)
    assert validate_mrn(mrn) == mrn
    assert validate_mrn(f" {mrn[:9].lower()} {mrn[9:]} ") == mrn


@EXAMPLES
@given(mrn_prefixes, st.integers(min_value=1, max_value=9))
def test_mrn_with_a_changed_check_digit_fails(prefix: str, shift: int) -> None:
    correct = int(mrn_check_digit(prefix))
    wrong = str((correct + shift) % 10)
    with pytest.raises(ValueError, match=f"MRN check digit is {wrong}, expected {correct}"):
        validate_mrn(prefix + wrong)


@pytest.mark.parametrize("mrn", ["06DE586600006143E1", "10NL5663962BE1E825"])
def test_domain_md_mrn_examples_pass(mrn: str) -> None:
    assert validate_mrn(mrn) == mrn


@pytest.mark.parametrize(
    ("mrn", "reason"),
    [
        ("06DE586600006143E", "an MRN has 18 characters, this one has 17"),
        ("6XDE586600006143E1", "an MRN is 2 digits"),
        ("06D1586600006143E1", "an MRN is 2 digits"),
        ("06DE586600006143EX", "an MRN is 2 digits"),
        ("06DE586600006143E2", "MRN check digit is 2, expected 1"),
    ],
)
def test_mrn_fixed_failures(mrn: str, reason: str) -> None:
    with pytest.raises(ValueError, match=reason):
        validate_mrn(mrn)


# --- EDRPOU ---------------------------------------------------------------------------------


@EXAMPLES
@given(st.text(alphabet=DIGITS, min_size=7, max_size=7))
def test_edrpou_with_its_check_digit_passes(base: str) -> None:
    code = base + edrpou.calc_check_digit(base)
    assert validate_edrpou(code) == code


@EXAMPLES
@given(st.text(alphabet=DIGITS, min_size=7, max_size=7), st.integers(min_value=1, max_value=9))
def test_edrpou_with_a_wrong_check_digit_fails(base: str, shift: int) -> None:
    wrong = str((int(edrpou.calc_check_digit(base)) + shift) % 10)
    with pytest.raises(ValueError, match="not a valid EDRPOU code"):
        validate_edrpou(base + wrong)


@pytest.mark.parametrize("code", ["32855961"])
def test_edrpou_fixed_case(code: str) -> None:
    assert validate_edrpou(code) == code


@pytest.mark.parametrize("code", ["3285596", "328559612", "3285596A", "32855962"])
def test_edrpou_fixed_failures(code: str) -> None:
    with pytest.raises(ValueError, match="not a valid EDRPOU code"):
        validate_edrpou(code)


# --- export plate, customs office, HS code --------------------------------------------------


@pytest.mark.parametrize(
    ("plate", "normalised"),
    [
        ("W 1234 A", "W 1234 A"),
        ("w-1234a", "W 1234 A"),
        ("ABC 12 Z", "ABC 12 Z"),
        ("wü 12 x", "WÜ 12 X"),
    ],
)
def test_export_plate_fixed_cases(plate: str, normalised: str) -> None:
    assert validate_export_plate(plate) == normalised


@pytest.mark.parametrize("plate", ["W 12345 A", "W 1 A", "ABCD 12 A", "W 1234", "W 1234 AB", ""])
def test_export_plate_fixed_failures(plate: str) -> None:
    with pytest.raises(ValueError, match="an export plate is a district code"):
        validate_export_plate(plate)


@pytest.mark.parametrize(
    ("code", "normalised"),
    [("DE004601", "DE004601"), ("de 0046 01", "DE004601"), ("PL301010", "PL301010")],
)
def test_customs_office_fixed_cases(code: str, normalised: str) -> None:
    assert validate_customs_office(code) == normalised


@pytest.mark.parametrize(
    ("code", "reason"),
    [
        ("DE014601", "a German customs office code is DE00 followed by 4 digits"),
        ("DE00460A", "a German customs office code is DE00 followed by 4 digits"),
        ("DE0046", "a customs office code has 8 characters"),
        ("1E004601", "a customs office code has 8 characters"),
    ],
)
def test_customs_office_fixed_failures(code: str, reason: str) -> None:
    with pytest.raises(ValueError, match=reason):
        validate_customs_office(code)


@pytest.mark.parametrize(
    ("code", "normalised"),
    [("8702", "8702"), ("9919 0000", "99190000"), ("8413.70", "841370"), ("8502", "8502")],
)
def test_hs_code_fixed_cases(code: str, normalised: str) -> None:
    assert validate_hs_code(code) == normalised


@pytest.mark.parametrize("code", ["870", "87021", "abcd", "84137000000"])
def test_hs_code_fixed_failures(code: str) -> None:
    with pytest.raises(ValueError, match="an HS code has 4, 6, 8 or 10 digits"):
        validate_hs_code(code)
