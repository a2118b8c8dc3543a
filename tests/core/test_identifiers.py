import datetime
import os
import random
import string
from types import SimpleNamespace

import pycountry
import pytest
from django.conf import settings as django_settings
from hypothesis import given
from hypothesis import strategies as st
from stdnum.id import nik as stdnum_nik
from stdnum.in_ import gstin as stdnum_gstin

from niaga.core.identifiers import (
    GSTIN_STATE_CODES,
    IdentifierKind,
    InvalidIdentifier,
    Reason,
    fake_gstin,
    fake_iec_from_pan,
    fake_nib,
    fake_nik,
    fake_npwp,
    fake_pan,
    fake_udyam,
    format_identifier,
    is_valid_identifier,
    udyam_state_codes,
    validate_identifier,
)

# Error messages are translated when raised; these tests also run without Django (-p no:django).
if not django_settings.configured and not os.environ.get("DJANGO_SETTINGS_MODULE"):
    django_settings.configure(USE_I18N=False)


@pytest.fixture
def settings():
    """Stands in for pytest-django's fixture, which tests/conftest.py's autouse fixtures ask for."""
    return SimpleNamespace()


@pytest.mark.parametrize(
    ("kind", "value", "normalised"),
    [
        ("gstin", "27AAPFU0939F1ZV", "27AAPFU0939F1ZV"),
        ("gstin", " 27 aapfu0939f1zv ", "27AAPFU0939F1ZV"),
        ("pan", "AAPFU0939F", "AAPFU0939F"),
        ("pan", "acupa7085r", "ACUPA7085R"),
        ("iec", "AAPFU0939F", "AAPFU0939F"),
        ("iec", "0304000000", "0304000000"),
        ("udyam", "UDYAM-MH-26-0012345", "UDYAM-MH-26-0012345"),
        ("udyam", "udyam mh 26 0012345", "UDYAM-MH-26-0012345"),
        ("udyam", "UDYAMKA030000001", "UDYAM-KA-03-0000001"),
        ("udyam", "UDYAM-OR-01-0000001", "UDYAM-OR-01-0000001"),
        ("udyam", "UDYAM-TG-01-0000001", "UDYAM-TG-01-0000001"),
        ("nib", "9120001234567", "9120001234567"),
        ("nib", "9120 0012 34567", "9120001234567"),
        ("npwp", "01.312.166.0-091.000", "013121660091000"),
        ("npwp", "016090524017000", "016090524017000"),
        ("npwp", "0013121660091000", "0013121660091000"),
        ("npwp", "3171011708450001", "3171011708450001"),  # a citizen's NIK is their NPWP
        ("nik", "3171011708450001", "3171011708450001"),
        ("nik", "3171 0117 0845 0001", "3171011708450001"),
        (IdentifierKind.GSTIN, "27AAPFU0939F1ZV", "27AAPFU0939F1ZV"),
        ("GSTIN", "27AAPFU0939F1ZV", "27AAPFU0939F1ZV"),
    ],
)
def test_valid_identifiers_are_normalised(kind, value, normalised):
    assert validate_identifier(kind, value) == normalised
    assert is_valid_identifier(kind, value)


def test_the_known_gstin_is_valid_for_stdnum_too():
    assert stdnum_gstin.is_valid("27AAPFU0939F1ZV")


@pytest.mark.parametrize("wrong", sorted(set(string.digits + string.ascii_uppercase) - {"V"}))
def test_every_other_gstin_check_character_is_refused(wrong):
    with pytest.raises(InvalidIdentifier) as caught:
        validate_identifier("gstin", "27AAPFU0939F1Z" + wrong)
    assert caught.value.reason == Reason.CHECKSUM


@pytest.mark.parametrize(
    ("kind", "value", "reason"),
    [
        ("gstin", "27AAPFU0939F1Z", "length"),
        ("gstin", "369296450896540", "format"),
        ("gstin", "27AAPFU0939F1ZO", "checksum"),
        ("gstin", "99AAPFU0939F1ZV", "state_code"),
        ("gstin", "00AAPFU0939F1ZV", "state_code"),
        ("gstin", "27AAPFU0939F1AA", "component"),  # the 14th character must be Z
        ("gstin", "27AAPXU0939F1ZV", "component"),  # X is no PAN holder type
        ("pan", "ACUPA7085RR", "length"),
        ("pan", "ABMPA32111", "format"),
        ("pan", "ABMXA3211G", "component"),
        ("pan", "ACUPA0000R", "component"),
        ("iec", "AAPFU0939", "length"),
        ("iec", "AAPXU0939F", "component"),
        ("iec", "12345ABCDE", "format"),
        ("udyam", "MH-26-0012345", "format"),
        ("udyam", "UDYAM-MH-26-001234", "length"),
        ("udyam", "UDYAM-M1-26-0012345", "format"),
        ("udyam", "UDYAM-MH-2A-0012345", "format"),
        ("udyam", "UDYAM-XX-26-0012345", "state_code"),
        ("nib", "912000123456", "length"),
        ("nib", "91200012345678", "length"),
        ("nib", "91200012345A7", "format"),
        ("npwp", "123456789", "length"),
        ("npwp", "01312166009100A", "format"),
        ("npwp", "013121661091000", "checksum"),
        ("npwp", "0013121661091000", "checksum"),
        ("npwp", "9971011708450001", "region"),
        ("nik", "31710117084500", "length"),
        ("nik", "31710117084500A1", "format"),
        ("nik", "9971011708450001", "region"),
        ("nik", "3171013002001234", "birth_date"),  # 30 February
        ("nik", "3171011713450001", "birth_date"),  # month 13
    ],
)
def test_each_refusal_names_its_reason(kind, value, reason):
    with pytest.raises(InvalidIdentifier) as caught:
        validate_identifier(kind, value)
    error = caught.value
    assert error.code == "identifier_invalid"
    assert error.kind == IdentifierKind(kind)
    assert error.value == value
    assert error.reason == reason
    assert error.params == {"kind": kind, "value": value, "reason": reason}
    assert value in str(error)
    assert not is_valid_identifier(kind, value)


def test_a_value_that_is_not_text_is_refused_not_crashed_on():
    with pytest.raises(InvalidIdentifier) as caught:
        validate_identifier("nib", 9120001234567)
    assert caught.value.reason == Reason.FORMAT


def test_an_unknown_kind_is_a_programming_error():
    with pytest.raises(ValueError, match="passport"):
        validate_identifier("passport", "X1234567")


@pytest.mark.parametrize(
    ("kind", "value", "shown"),
    [
        ("npwp", "013121660091000", "01.312.166.0-091.000"),
        ("npwp", "0013121660091000", "0013121660091000"),
        ("gstin", "27 aapfu 0939f 1zv", "27AAPFU0939F1ZV"),
        ("pan", "aapfu0939f", "AAPFU0939F"),
        ("nik", "3171-0117-0845-0001", "3171011708450001"),
        ("udyam", "udyammh260012345", "UDYAM-MH-26-0012345"),
    ],
)
def test_format_identifier(kind, value, shown):
    assert format_identifier(kind, value) == shown


def test_format_identifier_refuses_invalid_values():
    with pytest.raises(InvalidIdentifier):
        format_identifier("gstin", "27AAPFU0939F1ZO")


# -- state codes ---------------------------------------------------------------------------------


def test_every_indian_state_and_union_territory_has_a_gst_code():
    subdivisions = {sub.code for sub in pycountry.subdivisions.get(country_code="IN")}
    assert set(GSTIN_STATE_CODES) == subdivisions
    assert len(set(GSTIN_STATE_CODES.values())) == len(GSTIN_STATE_CODES)


@pytest.mark.parametrize(("iso", "gst"), sorted(GSTIN_STATE_CODES.items()))
def test_gst_codes_agree_with_stdnum(iso, gst):
    gstin = fake_gstin(random.Random(iso), iso)
    assert gstin[:2] == gst
    assert validate_identifier("gstin", gstin) == gstin
    if gst != "38":  # Ladakh is missing from python-stdnum 2.2's table
        assert stdnum_gstin.is_valid(gstin)


def test_ladakh_gstin_still_has_its_check_character_checked():
    gstin = fake_gstin(random.Random(7), "IN-LA")
    assert gstin.startswith("38")
    wrong = "0" if gstin[-1] != "0" else "1"
    with pytest.raises(InvalidIdentifier) as caught:
        validate_identifier("gstin", gstin[:-1] + wrong)
    assert caught.value.reason == Reason.CHECKSUM
    with pytest.raises(InvalidIdentifier) as caught:
        validate_identifier("gstin", gstin[:12] + "0Z" + gstin[-1])
    assert caught.value.reason == Reason.COMPONENT


def test_fake_gstin_accepts_iso_short_and_gst_codes():
    rng = random.Random(1)
    assert fake_gstin(rng, "IN-MH").startswith("27")
    assert fake_gstin(rng, "mh").startswith("27")
    assert fake_gstin(rng, "27").startswith("27")
    assert fake_gstin(rng, "OR").startswith("21")  # Odisha's older code
    with pytest.raises(ValueError):
        fake_gstin(rng, "IN-XX")
    with pytest.raises(ValueError):
        fake_gstin(rng, "99")


def test_udyam_accepts_current_and_older_state_codes():
    codes = udyam_state_codes()
    assert {"MH", "KA", "OD", "OR", "TS", "TG", "UK", "UT", "CG", "CT", "DH", "LA"} <= codes
    assert "XX" not in codes


# -- demo data -----------------------------------------------------------------------------------

SEEDS = st.integers(min_value=0, max_value=2**64)


@given(seed=SEEDS)
def test_every_fake_identifier_validates(seed):
    rng = random.Random(seed)
    pan = fake_pan(rng)
    gstin = fake_gstin(rng)
    udyam = fake_udyam(rng, rng.choice(sorted(udyam_state_codes())))
    values = {
        IdentifierKind.PAN: pan,
        IdentifierKind.GSTIN: gstin,
        IdentifierKind.UDYAM: udyam,
        IdentifierKind.IEC: fake_iec_from_pan(pan),
        IdentifierKind.NIB: fake_nib(rng),
        IdentifierKind.NPWP: fake_npwp(rng),
        IdentifierKind.NIK: fake_nik(rng),
    }
    for kind, value in values.items():
        assert validate_identifier(kind, value) == value
    assert validate_identifier("npwp", fake_npwp(rng, legacy=True))
    assert stdnum_gstin.to_pan(gstin) == validate_identifier("pan", gstin[2:12])


@given(seed=SEEDS, state=st.sampled_from(sorted(GSTIN_STATE_CODES)))
def test_fake_gstin_validates_in_every_state(seed, state):
    gstin = fake_gstin(random.Random(seed), state)
    assert gstin[:2] == GSTIN_STATE_CODES[state]
    assert is_valid_identifier("gstin", gstin)


@given(seed=SEEDS)
def test_fake_identifiers_are_deterministic(seed):
    def draw(rng):
        return [fake_gstin(rng), fake_pan(rng), fake_nib(rng), fake_npwp(rng), fake_nik(rng)]

    assert draw(random.Random(seed)) == draw(random.Random(seed))


def test_fake_npwp_forms():
    rng = random.Random(3)
    new = fake_npwp(rng)
    old = fake_npwp(rng, legacy=True)
    assert len(new) == 16 and new.startswith("0")
    assert len(old) == 15
    assert format_identifier("npwp", old).count(".") == 4


@given(
    seed=SEEDS,
    birth=st.dates(min_value=datetime.date(1920, 1, 1), max_value=datetime.date(1999, 12, 31)),
    female=st.booleans(),
)
def test_fake_nik_encodes_the_birth_date(seed, birth, female):
    nik = fake_nik(random.Random(seed), birth_date=birth, female=female)
    assert stdnum_nik.get_birth_date(nik) == birth
    assert (int(nik[6:8]) > 40) is female


def test_fake_iec_from_pan_is_the_pan():
    assert fake_iec_from_pan("aapfu0939f") == "AAPFU0939F"
    with pytest.raises(InvalidIdentifier):
        fake_iec_from_pan("AAPXU0939F")


def test_fake_udyam_takes_iso_or_short_state():
    rng = random.Random(5)
    assert fake_udyam(rng, "IN-MH").startswith("UDYAM-MH-")
    assert fake_udyam(rng, "ka").startswith("UDYAM-KA-")
    with pytest.raises(InvalidIdentifier):
        fake_udyam(rng, "XX")
