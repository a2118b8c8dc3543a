"""Business identifiers of India (GSTIN, PAN, Udyam, IEC) and Indonesia (NIB, NPWP, NIK).

Checksums and component rules come from python-stdnum wherever it covers an identifier; what it
does not cover (Udyam, IEC, NIB) has no published checksum and is checked for shape only.
"""

from __future__ import annotations

import datetime
import random
import re
import string
from collections.abc import Callable, Mapping
from enum import StrEnum
from functools import lru_cache
from types import MappingProxyType, ModuleType

import pycountry
from django.utils.translation import gettext_lazy as _
from stdnum import luhn, numdb
from stdnum.exceptions import (
    InvalidChecksum,
    InvalidComponent,
    InvalidLength,
    ValidationError,
)
from stdnum.id import nik as stdnum_nik
from stdnum.id import npwp as stdnum_npwp
from stdnum.in_ import gstin as stdnum_gstin
from stdnum.in_ import pan as stdnum_pan

from niaga.core.errors import NiagaError

__all__ = [
    "GSTIN_STATE_CODES",
    "IdentifierKind",
    "InvalidIdentifier",
    "Reason",
    "fake_gstin",
    "fake_iec_from_pan",
    "fake_nib",
    "fake_nik",
    "fake_npwp",
    "fake_pan",
    "fake_udyam",
    "format_identifier",
    "is_valid_identifier",
    "udyam_state_codes",
    "validate_identifier",
]


class IdentifierKind(StrEnum):
    GSTIN = "gstin"
    PAN = "pan"
    UDYAM = "udyam"
    IEC = "iec"
    NIB = "nib"
    NPWP = "npwp"
    NIK = "nik"

    @property
    def label(self) -> str:
        """The identifier's proper name, the same in every language."""
        return "Udyam" if self is IdentifierKind.UDYAM else self.name


class Reason(StrEnum):
    """Why an identifier was refused: a stable code for APIs, row reports and tests."""

    LENGTH = "length"
    FORMAT = "format"
    CHECKSUM = "checksum"
    COMPONENT = "component"
    STATE_CODE = "state_code"
    BIRTH_DATE = "birth_date"
    REGION = "region"


_REASON_TEXT = {
    Reason.LENGTH: _("it has the wrong number of characters"),
    Reason.FORMAT: _("its characters are not in the expected pattern"),
    Reason.CHECKSUM: _("its check character does not match"),
    Reason.COMPONENT: _("a part of it is not valid"),
    Reason.STATE_CODE: _("its state code is unknown"),
    Reason.BIRTH_DATE: _("its date of birth is not a real date"),
    Reason.REGION: _("its region code is unknown"),
}


def _shown(value: object) -> str:
    text = value.strip() if isinstance(value, str) else repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


class InvalidIdentifier(NiagaError):
    """A refused identifier; ``kind``, ``value`` and ``reason`` say which and why."""

    code = "identifier_invalid"

    def __init__(
        self,
        kind: IdentifierKind | str,
        value: object,
        reason: Reason | str,
        *,
        field: str | None = None,
    ) -> None:
        self.kind = IdentifierKind(kind)
        self.value = value
        self.reason = Reason(reason)
        super().__init__(
            _("%(kind)s %(value)s is not valid: %(reason)s")
            % {
                "kind": self.kind.label,
                "value": _shown(value),
                "reason": _REASON_TEXT[self.reason],
            },
            field=field,
            params={"kind": self.kind.value, "value": _shown(value), "reason": self.reason.value},
        )


# -- state codes -------------------------------------------------------------------------------

# ISO 3166-2:IN (as pycountry has it) to the GST state code that starts a GSTIN. Andhra Pradesh
# registers under 37 since Telangana (36) was split off; 28 is the pre-2014 code, still accepted
# on old numbers. Dadra and Nagar Haveli and Daman and Diu merged in 2020 and use 26 (25 was Daman
# and Diu's). Ladakh (38) became a union territory in 2019.
GSTIN_STATE_CODES: Mapping[str, str] = MappingProxyType(
    {
        "IN-JK": "01",
        "IN-HP": "02",
        "IN-PB": "03",
        "IN-CH": "04",
        "IN-UK": "05",
        "IN-HR": "06",
        "IN-DL": "07",
        "IN-RJ": "08",
        "IN-UP": "09",
        "IN-BR": "10",
        "IN-SK": "11",
        "IN-AR": "12",
        "IN-NL": "13",
        "IN-MN": "14",
        "IN-MZ": "15",
        "IN-TR": "16",
        "IN-ML": "17",
        "IN-AS": "18",
        "IN-WB": "19",
        "IN-JH": "20",
        "IN-OD": "21",
        "IN-CG": "22",
        "IN-MP": "23",
        "IN-GJ": "24",
        "IN-DH": "26",
        "IN-MH": "27",
        "IN-KA": "29",
        "IN-GA": "30",
        "IN-LD": "31",
        "IN-KL": "32",
        "IN-TN": "33",
        "IN-PY": "34",
        "IN-AN": "35",
        "IN-TS": "36",
        "IN-AP": "37",
        "IN-LA": "38",
    }
)

# GST codes that python-stdnum 2.2's table lacks although GSTINs carry them: 38 Ladakh and
# 97 "Other Territory" (offshore areas). For these alone the checks stdnum runs after its state
# table (registration character, the 'Z', the embedded PAN, Luhn mod 36) are run here with
# stdnum's own pan and luhn modules.
_GST_CODES_MISSING_FROM_STDNUM = frozenset({"38", "97"})
_GST_CODES = frozenset(GSTIN_STATE_CODES.values()) | {"25", "28"} | _GST_CODES_MISSING_FROM_STDNUM
_GSTIN_ALPHABET = string.digits + string.ascii_uppercase  # Luhn mod 36, as stdnum's gstin uses

# A Udyam number keeps the state code it was issued with, and ISO 3166-2:IN has renamed several
# (OR→OD, CT→CG, TG→TS, UT→UK) while DD and DN merged into DH in 2020, so the older spellings
# remain valid next to the codes pycountry has today.
_UDYAM_LEGACY_STATE_CODES = frozenset({"OR", "CT", "TG", "UT", "DD", "DN"})
_LEGACY_TO_ISO = {"OR": "OD", "CT": "CG", "TG": "TS", "UT": "UK"}


@lru_cache(maxsize=1)
def udyam_state_codes() -> frozenset[str]:
    """Two-letter state codes accepted in a Udyam number (ISO 3166-2:IN plus older spellings)."""
    iso = {sub.code.removeprefix("IN-") for sub in pycountry.subdivisions.get(country_code="IN")}
    return frozenset(iso) | _UDYAM_LEGACY_STATE_CODES


def _iso_state(state: str) -> str:
    """ "MH", "IN-MH", "mh" -> "IN-MH"; older spellings map to today's ISO code."""
    short = state.strip().upper().removeprefix("IN-")
    return "IN-" + _LEGACY_TO_ISO.get(short, short)


# -- validation --------------------------------------------------------------------------------


def _kind(kind: IdentifierKind | str) -> IdentifierKind:
    if isinstance(kind, IdentifierKind):
        return kind
    try:
        return IdentifierKind(str(kind).strip().lower())
    except ValueError:
        raise ValueError(f"unknown identifier kind {kind!r}") from None


def _stdnum_reason(error: ValidationError) -> Reason:
    if isinstance(error, InvalidLength):
        return Reason.LENGTH
    if isinstance(error, InvalidChecksum):
        return Reason.CHECKSUM
    if isinstance(error, InvalidComponent):
        return Reason.COMPONENT
    return Reason.FORMAT


def _with_stdnum(
    kind: IdentifierKind,
    module: ModuleType,
    value: str,
    component_reason: Callable[[str], Reason] | None = None,
) -> str:
    try:
        return str(module.validate(value))
    except ValidationError as error:
        reason = _stdnum_reason(error)
        if reason is Reason.COMPONENT and component_reason is not None:
            reason = component_reason(module.compact(value))
        raise InvalidIdentifier(kind, value, reason) from None


def _nik_component_reason(number: str) -> Reason:
    try:
        stdnum_nik.get_birth_date(number)
    except ValidationError:
        return Reason.BIRTH_DATE
    return Reason.REGION


def _validate_gstin(value: str) -> str:
    number = stdnum_gstin.compact(value)
    try:
        return str(stdnum_gstin.validate(number))
    except InvalidComponent:
        state = number[:2]
        if state not in _GST_CODES:
            raise InvalidIdentifier(IdentifierKind.GSTIN, value, Reason.STATE_CODE) from None
        if state not in _GST_CODES_MISSING_FROM_STDNUM:
            raise InvalidIdentifier(IdentifierKind.GSTIN, value, Reason.COMPONENT) from None
    except ValidationError as error:
        raise InvalidIdentifier(IdentifierKind.GSTIN, value, _stdnum_reason(error)) from None
    # Length and pattern already passed inside stdnum: it reaches its state table only after them.
    try:
        if number[12] == "0" or number[13] != "Z":
            raise InvalidComponent()
        stdnum_pan.validate(number[2:12])
        luhn.validate(number, _GSTIN_ALPHABET)
    except ValidationError as error:
        raise InvalidIdentifier(IdentifierKind.GSTIN, value, _stdnum_reason(error)) from None
    return number


def _validate_pan(value: str) -> str:
    return _with_stdnum(IdentifierKind.PAN, stdnum_pan, value)


def _validate_npwp(value: str) -> str:
    # A 16-digit NPWP that does not start with 0 is the holder's NIK (since 2024).
    return _with_stdnum(IdentifierKind.NPWP, stdnum_npwp, value, _nik_component_reason)


def _validate_nik(value: str) -> str:
    return _with_stdnum(IdentifierKind.NIK, stdnum_nik, value, _nik_component_reason)


_UDYAM_RE = re.compile(r"UDYAM([A-Z]{2})([0-9]{2})([0-9]{7})")


def _validate_udyam(value: str) -> str:
    # The Udyam Registration Number has no published check digit: shape and state code only.
    number = re.sub(r"[\s-]", "", value).upper()
    if not number.startswith("UDYAM"):
        raise InvalidIdentifier(IdentifierKind.UDYAM, value, Reason.FORMAT)
    if len(number) != 16:
        raise InvalidIdentifier(IdentifierKind.UDYAM, value, Reason.LENGTH)
    match = _UDYAM_RE.fullmatch(number)
    if not match:
        raise InvalidIdentifier(IdentifierKind.UDYAM, value, Reason.FORMAT)
    state, district, serial = match.groups()
    if state not in udyam_state_codes():
        raise InvalidIdentifier(IdentifierKind.UDYAM, value, Reason.STATE_CODE)
    return f"UDYAM-{state}-{district}-{serial}"


def _validate_iec(value: str) -> str:
    # Since 2020 DGFT issues the firm's PAN as its IEC, so a PAN-shaped IEC gets stdnum's PAN
    # checks; codes issued before that are 10 digits with no published check digit.
    number = re.sub(r"[\s-]", "", value).upper()
    if len(number) != 10:
        raise InvalidIdentifier(IdentifierKind.IEC, value, Reason.LENGTH)
    if number.isascii() and number.isdigit():
        return number
    try:
        return str(stdnum_pan.validate(number))
    except ValidationError as error:
        raise InvalidIdentifier(IdentifierKind.IEC, value, _stdnum_reason(error)) from None


def _validate_nib(value: str) -> str:
    # Indonesia's Nomor Induk Berusaha (OSS) is 13 digits; no checksum has been published.
    number = re.sub(r"[\s.-]", "", value)
    if not (number.isascii() and number.isdigit()):
        raise InvalidIdentifier(IdentifierKind.NIB, value, Reason.FORMAT)
    if len(number) != 13:
        raise InvalidIdentifier(IdentifierKind.NIB, value, Reason.LENGTH)
    return number


_VALIDATORS: Mapping[IdentifierKind, Callable[[str], str]] = {
    IdentifierKind.GSTIN: _validate_gstin,
    IdentifierKind.PAN: _validate_pan,
    IdentifierKind.UDYAM: _validate_udyam,
    IdentifierKind.IEC: _validate_iec,
    IdentifierKind.NIB: _validate_nib,
    IdentifierKind.NPWP: _validate_npwp,
    IdentifierKind.NIK: _validate_nik,
}


def validate_identifier(kind: IdentifierKind | str, value: str) -> str:
    """The normalised identifier (compact, upper case; Udyam hyphenated) or InvalidIdentifier.

    An unknown ``kind`` is a programming error and raises ValueError.
    """
    kind = _kind(kind)
    if not isinstance(value, str):
        raise InvalidIdentifier(kind, value, Reason.FORMAT)
    return _VALIDATORS[kind](value)


def is_valid_identifier(kind: IdentifierKind | str, value: str) -> bool:
    try:
        validate_identifier(kind, value)
    except InvalidIdentifier:
        return False
    return True


def format_identifier(kind: IdentifierKind | str, value: str) -> str:
    """Display form: NPWP punctuated (old 15-digit form), Udyam hyphenated, others compact."""
    kind = _kind(kind)
    number = validate_identifier(kind, value)
    # The 16-digit NPWP (2024 onwards) is written as plain digits; stdnum's format is for 15.
    if kind is IdentifierKind.NPWP and len(number) == 15:
        return str(stdnum_npwp.format(number))
    return number


# -- deterministic demo data -------------------------------------------------------------------


def _letters(rng: random.Random, count: int) -> str:
    return "".join(rng.choice(string.ascii_uppercase) for _ in range(count))


def fake_pan(rng: random.Random, *, holder_type: str | None = None) -> str:
    """A valid-looking PAN; the 4th letter is the holder type (C company, F firm, P person...)."""
    # stdnum cannot check a PAN's last letter (its algorithm is unpublished), so any letter works.
    holder = holder_type or rng.choice("CCFFPPHAT")
    number = f"{_letters(rng, 3)}{holder}{_letters(rng, 1)}{rng.randint(1, 9999):04d}"
    return validate_identifier(IdentifierKind.PAN, number + _letters(rng, 1))


def _gst_code(state_code: str) -> str:
    code = state_code.strip()
    if code.isdigit():
        if code not in _GST_CODES:
            raise ValueError(f"unknown GST state code {state_code!r}")
        return code
    iso = _iso_state(code)
    if iso not in GSTIN_STATE_CODES:
        raise ValueError(f"unknown Indian state {state_code!r}")
    return GSTIN_STATE_CODES[iso]


def fake_gstin(rng: random.Random, state_code: str | None = None) -> str:
    """A GSTIN with a correct check character.

    ``state_code`` is an ISO 3166-2:IN code ("IN-MH" or "MH") or a GST code ("27"); random if
    omitted.
    """
    gst = _gst_code(state_code) if state_code else rng.choice(sorted(GSTIN_STATE_CODES.values()))
    entity = rng.choice("111111123456789")  # most businesses hold one registration per state
    body = f"{gst}{fake_pan(rng)}{entity}Z"
    return validate_identifier(
        IdentifierKind.GSTIN, body + luhn.calc_check_digit(body, _GSTIN_ALPHABET)
    )


def fake_udyam(rng: random.Random, state: str) -> str:
    """A Udyam number in ``state`` ("MH" or "IN-MH")."""
    short = state.strip().upper().removeprefix("IN-")
    number = f"UDYAM-{short}-{rng.randint(1, 40):02d}-{rng.randint(1, 9_999_999):07d}"
    return validate_identifier(IdentifierKind.UDYAM, number)


def fake_iec_from_pan(pan: str) -> str:
    """The IEC of a firm with this PAN: since 2020 they are the same string."""
    return validate_identifier(IdentifierKind.IEC, validate_identifier(IdentifierKind.PAN, pan))


def fake_nib(rng: random.Random) -> str:
    """Thirteen digits, not starting with 0."""
    number = str(rng.randint(1, 9)) + "".join(rng.choice(string.digits) for _ in range(12))
    return validate_identifier(IdentifierKind.NIB, number)


def fake_npwp(rng: random.Random, *, legacy: bool = False) -> str:
    """A business NPWP: 16 digits starting with 0, or the pre-2024 15-digit form if ``legacy``.

    The check digit is the Luhn digit over the first eight, which stdnum verifies.
    """
    taxpayer = rng.choice(["01", "02", "03"]) + f"{rng.randint(0, 999_999):06d}"
    office = f"{rng.randint(1, 999):03d}"
    number = f"{taxpayer}{luhn.calc_check_digit(taxpayer)}{office}000"
    return validate_identifier(IdentifierKind.NPWP, number if legacy else "0" + number)


@lru_cache(maxsize=1)
def _nik_regions() -> tuple[str, ...]:
    """Four-digit province + regency prefixes from stdnum's own NIK region table."""
    regions = []
    for _length, low, high, _props, children in numdb.get("id/loc").prefixes:
        for province in range(int(low), int(high) + 1):
            for _clength, clow, chigh, _cprops, _children in children:
                for regency in range(int(clow), int(chigh) + 1):
                    regions.append(f"{province:02d}{regency:02d}")
    return tuple(sorted(regions))


def fake_nik(
    rng: random.Random,
    *,
    birth_date: datetime.date | None = None,
    female: bool | None = None,
) -> str:
    """A NIK: a real province and regency, a birth date (day + 40 for women), a serial."""
    if birth_date is None:
        birth_date = datetime.date(1960, 1, 1) + datetime.timedelta(days=rng.randint(0, 16_000))
    if female is None:
        female = rng.random() < 0.5
    day = birth_date.day + (40 if female else 0)
    number = (
        f"{rng.choice(_nik_regions())}{rng.randint(1, 30):02d}"
        f"{day:02d}{birth_date.month:02d}{birth_date.year % 100:02d}{rng.randint(1, 9999):04d}"
    )
    return validate_identifier(IdentifierKind.NIK, number)
