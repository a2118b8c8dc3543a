"""Checking and normalising one roster row: pure functions, no database.

:func:`validate_row` never raises on text input: everything wrong becomes a :class:`Problem`
that quotes the value as it was given. ``RowResult.values`` holds every standard field
(normalised when valid; stripped text when not; ``None`` for a typed field that could not be
read), ``sector_raw`` and ``country``, plus any extra keys passed in, stripped.

Decisions:

* Country: NIB/NPWP mean Indonesia, GSTIN/PAN/Udyam/IEC India (a value counts even when it is
  invalid: it shows intent). Both at once is a ``country_conflict`` problem. Without
  identifiers, the province decides, then a phone written with +62/+91, then
  ``default_country``.
* PAN and GSTIN: a valid GSTIN carries its holder's PAN (characters 3-12); a different PAN is a
  ``pan_mismatch`` problem.
* IEC: since 2020 DGFT issues the firm's PAN as its IEC. A PAN-shaped IEC that differs from the
  row's PAN (or, without a PAN, the GSTIN's PAN) is an ``iec_mismatch`` problem. A 10-digit IEC
  is a pre-2020 code that has no relation to the PAN, so it is never compared.
* Text that a spreadsheet would run as a formula (``=HYPERLINK(...)``, ``+cmd``, ``@SUM``) is
  valid data here: it is neutralised on export by ``niaga.core.csv_export.safe_cell``.
* Dates are day first (Indonesia and India write 03/04/2025 for 3 April).
* An unknown sector is no problem: ``sector`` is "" and ``sector_raw`` keeps the text.
"""

from __future__ import annotations

import datetime
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import phonenumbers
import pycountry
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from niaga.core.identifiers import IdentifierKind, InvalidIdentifier, validate_identifier
from niaga.core.money import AmountError, CurrencyError, currency_exponent, parse_amount
from niaga.core.sectors import Sector
from niaga.registry.mapping import field_names

__all__ = [
    "MAX_NAME_LENGTH",
    "Problem",
    "RowResult",
    "match_sector",
    "parse_date",
    "resolve_province",
    "validate_row",
]

MAX_NAME_LENGTH = 255

_ID_IDENTIFIERS = ("nib", "npwp")
_IN_IDENTIFIERS = ("gstin", "pan", "udyam", "iec")
_COUNTRY_CURRENCY = {"ID": "IDR", "IN": "INR"}
_HOME_COUNTRIES = ("ID", "IN")
_FIELD_NAMES_ORDERED = tuple(field_names())
_FIELD_NAMES = frozenset(_FIELD_NAMES_ORDERED)


@dataclass(slots=True)
class Problem:
    """One thing wrong with one value: the column, the value as given, a code and a message."""

    column: str
    value: str
    reason: str
    message: str


@dataclass
class RowResult:
    values: dict[str, Any]
    problems: list[Problem] = field(default_factory=list)
    country: str | None = None

    @property
    def ok(self) -> bool:
        return not self.problems


def _shown(value: str, limit: int = 60) -> str:
    return value if len(value) <= limit else value[: limit - 3] + "..."


def _country_name(code: str | None) -> str:
    names = {"ID": _("Indonesia"), "IN": _("India")}
    if code in names:
        return names[code]
    country = pycountry.countries.get(alpha_2=code) if code else None
    return country.name if country else str(code)


class _Row:
    """Collects values and problems while one row is checked."""

    def __init__(self, values: Mapping[str, Any]):
        self.raw: dict[str, str] = {}
        for key, value in values.items():
            self.raw[str(key)] = "" if value is None else str(value)
        self.text = {key: value.strip() for key, value in self.raw.items()}
        self.values: dict[str, Any] = dict.fromkeys(_FIELD_NAMES_ORDERED, "")
        self.values.update(self.text)
        self.values["annual_turnover"] = None
        self.values["employees"] = None
        self.problems: list[Problem] = []

    def get(self, name: str) -> str:
        return self.text.get(name, "")

    def problem(self, column: str, reason: str, message: str) -> None:
        self.problems.append(Problem(column, self.raw.get(column, ""), reason, message))


# -- names -------------------------------------------------------------------------------------


def _check_names(row: _Row) -> None:
    name = row.get("business_name")
    if not name:
        row.problem("business_name", "required", _("The business name is missing."))
    for column in ("business_name", "owner_name"):
        text = row.get(column)
        if len(text) > MAX_NAME_LENGTH:
            row.problem(
                column,
                "too_long",
                _("“%(value)s” is %(length)s characters long; at most %(limit)s are allowed.")
                % {"value": _shown(text), "length": len(text), "limit": MAX_NAME_LENGTH},
            )


# -- identifiers and country -------------------------------------------------------------------


def _check_identifiers(row: _Row) -> dict[str, str]:
    """The valid identifiers, normalised; a problem for each invalid one."""
    valid = {}
    for kind in IdentifierKind:
        column = kind.value
        text = row.get(column)
        if column not in _FIELD_NAMES or not text:
            continue
        try:
            valid[column] = validate_identifier(kind, text)
        except InvalidIdentifier as error:
            row.problem(column, f"identifier_{error.reason.value}", str(error.message))
        else:
            row.values[column] = valid[column]
    gstin_pan = valid["gstin"][2:12] if "gstin" in valid else None
    if gstin_pan and "pan" in valid and valid["pan"] != gstin_pan:
        row.problem(
            "pan",
            "pan_mismatch",
            _("PAN %(pan)s differs from the PAN inside GSTIN %(gstin)s (%(gstin_pan)s).")
            % {"pan": valid["pan"], "gstin": valid["gstin"], "gstin_pan": gstin_pan},
        )
    iec = valid.get("iec")
    holder_pan = valid.get("pan") or gstin_pan
    if iec and not iec.isdigit() and holder_pan and iec != holder_pan:
        row.problem(
            "iec",
            "iec_mismatch",
            _("IEC %(iec)s should be the firm's PAN (%(pan)s): since 2020 the IEC is the PAN.")
            % {"iec": iec, "pan": holder_pan},
        )
    return valid


def _identifier_country(row: _Row) -> tuple[str | None, bool]:
    """(country the identifiers point to, whether they contradict each other)."""
    indonesian = [c for c in _ID_IDENTIFIERS if row.get(c)]
    indian = [c for c in _IN_IDENTIFIERS if row.get(c)]
    if indonesian and indian:
        row.problem(
            indian[0],
            "country_conflict",
            _(
                "%(id_field)s is an Indonesian number but %(in_field)s is an Indian one; a row "
                "describes a business in one country."
            )
            % {"id_field": indonesian[0].upper(), "in_field": _label(indian[0])},
        )
        return None, True
    if indonesian:
        return "ID", False
    if indian:
        return "IN", False
    return None, False


def _label(column: str) -> str:
    return "Udyam" if column == "udyam" else column.upper()


# -- provinces ---------------------------------------------------------------------------------

# Names people write that ISO 3166-2 (as pycountry has it) does not: English names, older and
# official Indonesian forms, common abbreviations, and India's renamed states.
_PROVINCE_ALIASES: dict[str, dict[str, str]] = {
    "ID": {
        "DKI Jakarta": "ID-JK",
        "Daerah Khusus Ibukota Jakarta": "ID-JK",
        "Daerah Khusus Jakarta": "ID-JK",
        "DKJ": "ID-JK",
        "Jakarta": "ID-JK",
        "Special Capital Region of Jakarta": "ID-JK",
        "DI Yogyakarta": "ID-YO",
        "Daerah Istimewa Yogyakarta": "ID-YO",
        "DIY": "ID-YO",
        "Jogja": "ID-YO",
        "Jogjakarta": "ID-YO",
        "Special Region of Yogyakarta": "ID-YO",
        "Nanggroe Aceh Darussalam": "ID-AC",
        "NAD": "ID-AC",
        "DI Aceh": "ID-AC",
        "West Java": "ID-JB",
        "Jabar": "ID-JB",
        "Central Java": "ID-JT",
        "Jateng": "ID-JT",
        "East Java": "ID-JI",
        "Jatim": "ID-JI",
        "North Sumatra": "ID-SU",
        "Sumatra Utara": "ID-SU",
        "Sumut": "ID-SU",
        "West Sumatra": "ID-SB",
        "Sumatra Barat": "ID-SB",
        "Sumbar": "ID-SB",
        "South Sumatra": "ID-SS",
        "Sumatra Selatan": "ID-SS",
        "Sumsel": "ID-SS",
        "Riau Islands": "ID-KR",
        "Kepri": "ID-KR",
        "Kep Riau": "ID-KR",
        "Bangka Belitung": "ID-BB",
        "Bangka Belitung Islands": "ID-BB",
        "Kep Bangka Belitung": "ID-BB",
        "Babel": "ID-BB",
        "West Nusa Tenggara": "ID-NB",
        "NTB": "ID-NB",
        "East Nusa Tenggara": "ID-NT",
        "NTT": "ID-NT",
        "West Kalimantan": "ID-KB",
        "Kalbar": "ID-KB",
        "Central Kalimantan": "ID-KT",
        "Kalteng": "ID-KT",
        "South Kalimantan": "ID-KS",
        "Kalsel": "ID-KS",
        "East Kalimantan": "ID-KI",
        "Kaltim": "ID-KI",
        "North Kalimantan": "ID-KU",
        "Kaltara": "ID-KU",
        "North Sulawesi": "ID-SA",
        "Sulut": "ID-SA",
        "Central Sulawesi": "ID-ST",
        "Sulteng": "ID-ST",
        "South Sulawesi": "ID-SN",
        "Sulsel": "ID-SN",
        "Southeast Sulawesi": "ID-SG",
        "South East Sulawesi": "ID-SG",
        "Sultra": "ID-SG",
        "West Sulawesi": "ID-SR",
        "Sulbar": "ID-SR",
        "North Maluku": "ID-MU",
        "Malut": "ID-MU",
        "West Papua": "ID-PB",
        "Pabar": "ID-PB",
        "Southwest Papua": "ID-PD",
        "South West Papua": "ID-PD",
        "Papua Pegunungan": "ID-PE",  # pycountry spells it "Pengunungan"
        "Highland Papua": "ID-PE",
        "South Papua": "ID-PS",
        "Central Papua": "ID-PT",
    },
    "IN": {
        "Orissa": "IN-OD",
        "Pondicherry": "IN-PY",
        "Uttaranchal": "IN-UK",
        "Chattisgarh": "IN-CG",
        "Chhatisgarh": "IN-CG",
        "NCT of Delhi": "IN-DL",
        "National Capital Territory of Delhi": "IN-DL",
        "New Delhi": "IN-DL",
        "J and K": "IN-JK",
        "Andaman and Nicobar": "IN-AN",
        "Dadra and Nagar Haveli": "IN-DH",
        "Daman and Diu": "IN-DH",
        "DNH and DD": "IN-DH",
        # ISO 3166-2:IN codes renamed or merged since (Udyam numbers still carry them).
        "OR": "IN-OD",
        "CT": "IN-CG",
        "TG": "IN-TS",
        "UT": "IN-UK",
        "DD": "IN-DH",
        "DN": "IN-DH",
        "IN-OR": "IN-OD",
        "IN-CT": "IN-CG",
        "IN-TG": "IN-TS",
        "IN-UT": "IN-UK",
        "IN-DD": "IN-DH",
        "IN-DN": "IN-DH",
    },
}

_PROVINCE_NOISE = {"provinsi", "propinsi", "prov", "province", "state", "of", "the", "ut"}


def _fold(text: str) -> str:
    """Case, accents and punctuation removed: "Tamil Nādu" and "TAMIL-NADU" are alike."""
    decomposed = unicodedata.normalize("NFKD", text.replace("&", " and "))
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(re.sub(r"[\W_]+", " ", plain.casefold()).split())


def _province_key(text: str) -> str:
    words = _fold(text).split()
    # "Provinsi Jawa Barat", "State of Kerala", "West Java Province" name the same province.
    while len(words) > 1 and words[0] in _PROVINCE_NOISE:
        words.pop(0)
    while len(words) > 1 and words[-1] in _PROVINCE_NOISE:
        words.pop()
    return "".join(words)


@lru_cache(maxsize=64)
def _province_index(country: str) -> dict[str, str]:
    index: dict[str, str] = {}
    for sub in pycountry.subdivisions.get(country_code=country) or ():
        # Indonesia's islands ("Jawa", "Sumatera") are ISO 'geographical units', not provinces.
        if sub.type == "Geographical unit":
            continue
        for name in (sub.code, sub.code.split("-", 1)[1], sub.name):
            index.setdefault(_province_key(name), sub.code)
    for alias, code in _PROVINCE_ALIASES.get(country, {}).items():
        index.setdefault(_province_key(alias), code)
    return index


def resolve_province(text: str, country: str | None = None) -> list[str]:
    """ISO 3166-2 codes ``text`` may name: in ``country`` if given, else in Indonesia or India.

    A full code ("ID-JB", "IN-MH") is looked up in any country. One code means it resolved;
    none means unknown; several means it is ambiguous ("PB" is Papua Barat and Punjab).
    """
    key = _province_key(text)
    if not key:
        return []
    full = re.fullmatch(r"\s*([A-Za-z]{2})\s*-\s*([A-Za-z0-9]{1,3})\s*", text)
    if full:
        code = f"{full[1]}-{full[2]}".upper()
        home = _province_index(code[:2]).get(_province_key(code))
        if home:
            return [home]
        sub = pycountry.subdivisions.get(code=code)
        if sub is not None and sub.type != "Geographical unit":
            return [sub.code]
        return []
    countries = [country] if country else list(_HOME_COUNTRIES)
    found = []
    for candidate in countries:
        code = _province_index(candidate).get(key)
        if code and code not in found:
            found.append(code)
    return found


def _check_province(row: _Row, country: str | None, hint: str | None) -> str | None:
    """Normalise the province and return its country.

    ``country`` is what the identifiers showed (the province must be there); without it the
    province is looked for in Indonesia and India, and ``hint`` (the default country) settles
    an ambiguous code or names another country to look in.
    """
    text = row.get("province")
    if not text:
        return None
    firm = country is not None
    codes = resolve_province(text, country)
    if not firm and hint:
        in_hint = [code for code in codes if code[:2] == hint]
        if len(codes) > 1 and in_hint:
            codes = in_hint
        elif not codes and hint not in _HOME_COUNTRIES:
            codes = resolve_province(text, hint)
    if len(codes) == 1:
        code = codes[0]
        if firm and country and code[:2] != country:
            row.problem(
                "province",
                "province_country",
                _("“%(value)s” is not in %(country)s, where the row's identifiers place it.")
                % {"value": _shown(text), "country": _country_name(country)},
            )
            return None
        row.values["province"] = code
        return code[:2]
    if len(codes) > 1:
        row.problem(
            "province",
            "province_ambiguous",
            _("“%(value)s” could be %(codes)s; write the full code or the name.")
            % {"value": _shown(text), "codes": ", ".join(codes)},
        )
        return None
    elsewhere = [c for c in _HOME_COUNTRIES if c != country and resolve_province(text, c)]
    if firm and country and elsewhere:
        message = _("“%(value)s” is not in %(country)s, where the row's identifiers place it.") % {
            "value": _shown(text),
            "country": _country_name(country),
        }
        row.problem("province", "province_country", message)
        return None
    if country:
        message = _("“%(value)s” is not a province or state of %(country)s.") % {
            "value": _shown(text),
            "country": _country_name(country),
        }
    else:
        message = _("“%(value)s” is not a province or state Niaga knows.") % {"value": _shown(text)}
    row.problem("province", "province_unknown", message)
    return None


# -- phone, email, postcode --------------------------------------------------------------------


def _phone_country(text: str) -> str | None:
    if not text.startswith("+"):
        return None
    try:
        number = phonenumbers.parse(text, None)
    except phonenumbers.NumberParseException:
        return None
    region = phonenumbers.region_code_for_number(number)
    # "001" is a non-geographic number (satellite...), "ZZ" an unknown one: no country.
    return region if region and region.isalpha() and region != "ZZ" else None


def _check_phone(row: _Row, country: str | None) -> None:
    text = row.get("phone")
    if not text:
        return
    try:
        number = phonenumbers.parse(text, country)
    except phonenumbers.NumberParseException as error:
        if error.error_type == phonenumbers.NumberParseException.INVALID_COUNTRY_CODE:
            row.problem(
                "phone",
                "phone_country_unknown",
                _(
                    "The country of phone number “%(value)s” is unknown; write it with its "
                    "country code (+62, +91)."
                )
                % {"value": _shown(text)},
            )
            return
        number = None
    if number is None or not phonenumbers.is_valid_number(number):
        if country:
            message = _("“%(value)s” is not a valid phone number in %(country)s.") % {
                "value": _shown(text),
                "country": _country_name(country),
            }
        else:
            message = _("“%(value)s” is not a valid phone number.") % {"value": _shown(text)}
        row.problem("phone", "phone_invalid", message)
        return
    row.values["phone"] = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def _check_email(row: _Row) -> None:
    text = row.get("email")
    if not text:
        return
    address = text.lower()
    try:
        validate_email(address)
    except ValidationError:
        row.problem(
            "email",
            "email_invalid",
            _("“%(value)s” is not a valid email address.") % {"value": _shown(text)},
        )
        return
    row.values["email"] = address


_POSTCODES = {
    # Indonesian postcodes run 10110-99976; an Indian PIN's first digit (1-9) is its zone.
    "ID": (re.compile(r"[1-9][0-9]{4}"), 5),
    "IN": (re.compile(r"[1-9][0-9]{5}"), 6),
}


def _check_postcode(row: _Row, country: str | None) -> None:
    text = row.get("postcode")
    if not text:
        return
    compact = re.sub(r"[\s\u00a0]", "", text)  # "400 001" is how PINs are often written
    rule = _POSTCODES.get(country or "")
    if rule is None:
        row.values["postcode"] = text
        return
    pattern, digits = rule
    if not (compact.isascii() and pattern.fullmatch(compact)):
        row.problem(
            "postcode",
            "postcode_invalid",
            _("“%(value)s” is not a postcode of %(country)s: it has %(digits)s digits.")
            % {"value": _shown(text), "country": _country_name(country), "digits": digits},
        )
        return
    row.values["postcode"] = compact


# -- money and counts --------------------------------------------------------------------------

_CURRENCY_ALIASES = {
    "RP": "IDR",
    "RP.": "IDR",
    "RUPIAH": "IDR",
    "RS": "INR",
    "RS.": "INR",
    "₹": "INR",
    "RUPEE": "INR",
    "RUPEES": "INR",
    "$": "USD",
    "US$": "USD",
}


def _check_turnover(row: _Row, country: str | None) -> None:
    amount_text = row.get("annual_turnover")
    currency_text = row.get("turnover_currency")
    currency = _CURRENCY_ALIASES.get(currency_text.upper(), currency_text.upper())
    if currency:
        try:
            currency_exponent(currency)
        except CurrencyError:
            row.problem(
                "turnover_currency",
                "currency_invalid",
                _("“%(value)s” is not a currency code such as IDR or INR.")
                % {"value": _shown(currency_text)},
            )
            return
        row.values["turnover_currency"] = currency
    if not amount_text:
        return
    if not currency:
        currency = _COUNTRY_CURRENCY.get(country or "", "")
        if not currency:
            row.problem(
                "turnover_currency",
                "currency_missing",
                _("The turnover “%(value)s” needs a currency (IDR, INR...).")
                % {"value": _shown(amount_text)},
            )
            return
        row.values["turnover_currency"] = currency
    try:
        money = parse_amount(amount_text, currency)
    except (AmountError, CurrencyError) as error:
        row.problem("annual_turnover", "amount_invalid", str(error.message))
        return
    if money.is_negative():
        row.problem(
            "annual_turnover",
            "amount_negative",
            _("The turnover “%(value)s” is below zero.") % {"value": _shown(amount_text)},
        )
        return
    row.values["annual_turnover"] = money.to_dict()


_COUNT = re.compile(r"([0-9]{1,3}(?:([.,\s\u00a0])[0-9]{3})?(?:\2[0-9]{3})*)(?:[.,]0+)?")


def _check_employees(row: _Row) -> None:
    text = row.get("employees")
    if not text:
        return
    match = _COUNT.fullmatch(text) if len(text) <= 15 else None
    if match is None:
        match = re.fullmatch(r"([0-9]{1,9})(?:[.,]0+)?", text)
    if match is None:
        row.problem(
            "employees",
            "employees_invalid",
            _("“%(value)s” is not a number of employees: write a whole number such as 12.")
            % {"value": _shown(text)},
        )
        return
    row.values["employees"] = int(re.sub(r"[^0-9]", "", match[1]))


# -- dates -------------------------------------------------------------------------------------

_MONTHS = {
    **dict.fromkeys(("january", "jan", "januari"), 1),
    **dict.fromkeys(("february", "feb", "februari", "pebruari", "peb"), 2),
    **dict.fromkeys(("march", "mar", "maret"), 3),
    **dict.fromkeys(("april", "apr"), 4),
    **dict.fromkeys(("may", "mei"), 5),
    **dict.fromkeys(("june", "jun", "juni"), 6),
    **dict.fromkeys(("july", "jul", "juli"), 7),
    **dict.fromkeys(("august", "aug", "agustus", "agu", "agt", "ags"), 8),
    **dict.fromkeys(("september", "sep", "sept"), 9),
    **dict.fromkeys(("october", "oct", "oktober", "okt"), 10),
    **dict.fromkeys(("november", "nov", "nopember", "nop"), 11),
    **dict.fromkeys(("december", "dec", "desember", "des"), 12),
}
_ISO_DATE = re.compile(r"([0-9]{4})[-/]([0-9]{1,2})[-/]([0-9]{1,2})(?:[T ][0-9:.]+)?")
_DAY_FIRST = re.compile(r"([0-9]{1,2})[/.-]([0-9]{1,2})[/.-]([0-9]{4})")
_DAY_MONTH_NAME = re.compile(r"([0-9]{1,2})[\s.-]+([^\W\d_]+)\.?[\s.,-]+([0-9]{4})")
_MONTH_NAME_DAY = re.compile(r"([^\W\d_]+)\.?\s+([0-9]{1,2}),?\s+([0-9]{4})")


def parse_date(text: str) -> datetime.date | None:
    """A date written as 2025-01-12, 12/01/2025, 12-01-2025, 12.1.2025, 12 Januari 2025,
    12 Jan 2025 or January 12, 2025 (always day before month when both are numbers)."""
    text = " ".join(text.split())
    parts: tuple[int, int, int] | None = None
    if match := _ISO_DATE.fullmatch(text):
        parts = int(match[1]), int(match[2]), int(match[3])
    elif match := _DAY_FIRST.fullmatch(text):
        parts = int(match[3]), int(match[2]), int(match[1])
    elif (match := _DAY_MONTH_NAME.fullmatch(text)) and match[2].casefold() in _MONTHS:
        parts = int(match[3]), _MONTHS[match[2].casefold()], int(match[1])
    elif (match := _MONTH_NAME_DAY.fullmatch(text)) and match[1].casefold() in _MONTHS:
        parts = int(match[3]), _MONTHS[match[1].casefold()], int(match[2])
    if parts is None:
        return None
    try:
        return datetime.date(*parts)
    except ValueError:
        return None


def _check_completed_on(row: _Row, today: datetime.date) -> None:
    text = row.get("mentoring_completed_on")
    if not text:
        return
    date = parse_date(text)
    if date is None:
        row.problem(
            "mentoring_completed_on",
            "date_invalid",
            _("“%(value)s” is not a date; write it as 2025-01-31 or 31/01/2025.")
            % {"value": _shown(text)},
        )
        return
    if date > today:
        row.problem(
            "mentoring_completed_on",
            "date_future",
            _("The mentoring cannot have been completed on %(date)s, which is in the future.")
            % {"date": date.isoformat()},
        )
        return
    row.values["mentoring_completed_on"] = date.isoformat()


# -- sectors -----------------------------------------------------------------------------------

# Words that name a sector in Indonesian, English and Indian English, most specific sector
# first: "minuman kopi" is coffee before it is a beverage, "kerajinan kulit" leather.
# fmt: off
_SECTOR_WORDS: tuple[tuple[Sector, tuple[str, ...]], ...] = (
    (Sector.COFFEE_TEA_COCOA, (
        "kopi", "coffee", "teh", "tea", "kakao", "cocoa", "cacao", "coklat", "cokelat",
        "chocolate", "kafe",
    )),
    (Sector.SPICES, (
        "rempah", "rempah rempah", "spice", "spices", "lada", "merica", "pepper", "cengkeh",
        "clove", "cloves", "pala", "nutmeg", "kayu manis", "cinnamon", "vanili", "vanilla",
        "kunyit", "turmeric", "kapulaga", "cardamom", "jahe", "ginger", "masala", "jintan",
        "cumin", "herbs",
    )),
    (Sector.BATIK_HANDLOOM, (
        "batik", "tenun", "tenunan", "songket", "ikat", "lurik", "ulos", "handloom",
        "hand loom", "handlooms", "khadi", "weaving",
    )),
    (Sector.JEWELLERY, (
        "perhiasan", "jewellery", "jewelry", "jewel", "jewels", "emas", "perak", "gold",
        "silver", "permata", "gems", "gem", "mutiara", "pearl", "pearls",
    )),
    (Sector.LEATHER, (
        "kulit", "leather", "sepatu", "shoes", "shoe", "footwear", "alas kaki", "sandal",
        "sandals",
    )),
    (Sector.CERAMICS, (
        "keramik", "ceramic", "ceramics", "gerabah", "tembikar", "pottery", "porselen",
        "porcelain", "terracotta", "kaca", "glass", "glassware",
    )),
    (Sector.FURNITURE, (
        "furniture", "furnitur", "mebel", "meubel", "woodwork", "wooden", "wood products",
        "kayu olahan", "carpentry",
    )),
    (Sector.COSMETICS, (
        "kosmetik", "cosmetic", "cosmetics", "jamu", "herbal", "ayurveda", "ayurvedic",
        "skincare", "skin care", "sabun", "soap", "beauty", "kecantikan", "minyak atsiri",
        "essential oil", "essential oils", "perfume", "parfum",
    )),
    (Sector.TEXTILES, (
        "tekstil", "textile", "textiles", "garment", "garments", "garmen", "apparel", "pakaian",
        "busana", "fashion", "konveksi", "clothing", "kain", "fabric", "fabrics", "bordir",
        "embroidery", "hosiery", "readymade garments",
    )),
    (Sector.FRESH_PRODUCE, (
        "buah", "buah buahan", "fruit", "fruits", "sayur", "sayuran", "vegetable",
        "vegetables", "hortikultura", "horticulture", "fresh produce", "produce",
    )),
    (Sector.HANDICRAFTS, (
        "kerajinan", "kerajinan tangan", "handicraft", "handicrafts", "craft", "crafts",
        "kriya", "anyaman", "rotan", "rattan", "bambu", "bamboo", "souvenir", "cenderamata",
        "handmade", "artisan",
    )),
    (Sector.FOOD, (
        "makanan", "minuman", "mamin", "food", "foods", "beverage", "beverages", "pangan",
        "olahan pangan", "kuliner", "culinary", "snack", "snacks", "camilan", "keripik",
        "kue", "bakery", "roti", "sambal", "frozen food", "food processing", "processed food",
    )),
)
# fmt: on


@lru_cache(maxsize=1)
def _sector_exact() -> dict[str, Sector]:
    """Each sector's code and its label in every language Niaga speaks."""
    exact = {}
    for sector in Sector:
        exact[_fold(sector.value)] = sector
    for language, _name in settings.LANGUAGES:
        with translation.override(language):
            for sector in Sector:
                exact.setdefault(_fold(str(sector.label)), sector)
    return exact


def match_sector(text: str) -> str:
    """The Sector value free text names, or "" when none does."""
    key = _fold(text)
    if not key:
        return ""
    exact = _sector_exact().get(key)
    if exact:
        return exact.value
    padded = f" {key} "
    for sector, words in _SECTOR_WORDS:
        if any(f" {word} " in padded for word in words):
            return sector.value
    return ""


# -- the row -----------------------------------------------------------------------------------


def _today() -> datetime.date:
    return timezone.localdate() if settings.USE_TZ else datetime.date.today()


def validate_row(
    values: Mapping[str, Any],
    *,
    default_country: str | None = None,
    today: datetime.date | None = None,
) -> RowResult:
    """Check and normalise one row of ``{field: text}``; never raises on text input.

    ``default_country`` (ISO 3166-1 alpha-2) applies when nothing in the row shows the
    country. ``today`` is for tests; it defaults to the current date in Niaga's time zone.
    """
    row = _Row(values)
    default = default_country.strip().upper() if default_country else None
    _check_names(row)
    _check_identifiers(row)
    country, conflicting = _identifier_country(row)
    province_country = _check_province(row, country, default)
    if country is None:
        country = province_country
    if country is None:
        country = _phone_country(row.get("phone"))
    if country is None and not conflicting:
        country = default
    _check_phone(row, country)
    _check_email(row)
    _check_postcode(row, country)
    _check_turnover(row, country)
    _check_employees(row)
    _check_completed_on(row, today or _today())
    sector_text = row.get("sector")
    row.values["sector"] = match_sector(sector_text)
    row.values["sector_raw"] = sector_text
    row.values["country"] = country or ""
    return RowResult(values=row.values, problems=row.problems, country=country)
