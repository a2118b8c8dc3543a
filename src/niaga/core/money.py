"""Money as a value: integer minor units and an ISO 4217 code. No floats anywhere."""

from __future__ import annotations

import copy
import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache
from typing import Any

import pycountry
from babel import Locale, UnknownLocaleError
from babel.core import get_global
from babel.numbers import format_currency, get_currency_precision, get_currency_symbol
from django.utils.translation import gettext_lazy as _

from niaga.core.errors import NiagaError

__all__ = [
    "AmountError",
    "CurrencyError",
    "CurrencyMismatch",
    "Money",
    "currency_exponent",
    "parse_amount",
]


class CurrencyError(NiagaError):
    code = "currency_unknown"


class CurrencyMismatch(NiagaError):
    code = "currency_mismatch"


class AmountError(NiagaError):
    code = "amount_invalid"


# babel's get_currency_precision is CLDR's <currencyData> "digits" (not the cash digits, which
# format_currency never uses): it agrees with ISO 4217 for USD 2, INR 2, IDR 2, JPY 0, KWD 3, but
# CLDR sets 0 where a currency's minor unit is no longer used in practice, while ISO 4217 still
# defines it. ISO 4217 wins: amounts are exchanged with banks and payment rails in ISO minor units,
# and a display convention must never change how many units an amount is stored in.
_ISO_4217_WHERE_CLDR_DIFFERS: Mapping[str, int] = {
    "AFN": 2,
    "ALL": 2,
    "IQD": 3,
    "IRR": 2,
    "KPW": 2,
    "LAK": 2,
    "LBP": 2,
    "MGA": 2,
    "MMK": 2,
    "RSD": 2,
    "SOS": 2,
    "SYP": 2,
    "YER": 2,
}

# Precious metals, SDRs, bond-market units and the test/"no currency" codes have no minor unit in
# ISO 4217 ("N.A."), so no amount of them can be held as integer minor units.
_NO_MINOR_UNIT = frozenset(
    ["XAG", "XAU", "XBA", "XBB", "XBC", "XBD", "XDR", "XPD", "XPT", "XSU", "XTS", "XUA", "XXX"]
)

_CURRENCY_CODE = re.compile(r"[A-Z]{3}")

# More integer digits than this is a typo or an attack, not a price; it also keeps 10**n cheap.
_MAX_INTEGER_DIGITS = 30

_PLAIN_DECIMAL = re.compile(r"([+-]?)([0-9]*)(?:\.([0-9]*))?")


def _shown(value: object) -> str:
    """The offending value as it goes into a message: short enough to read."""
    text = value if isinstance(value, str) else repr(value)
    return text if len(text) <= 50 else text[:47] + "..."


@lru_cache(maxsize=512)
def _checked_exponent(code: str) -> int:
    if not _CURRENCY_CODE.fullmatch(code) or pycountry.currencies.get(alpha_3=code) is None:
        raise CurrencyError(
            _("%(currency)s is not an ISO 4217 currency code.") % {"currency": _shown(code)},
            field="currency",
            params={"currency": code},
        )
    if code in _NO_MINOR_UNIT:
        raise CurrencyError(
            _("%(currency)s is not a currency that amounts can be held in.") % {"currency": code},
            field="currency",
            params={"currency": code},
        )
    return _ISO_4217_WHERE_CLDR_DIFFERS.get(code, get_currency_precision(code))


def currency_exponent(code: str) -> int:
    """Number of minor-unit digits of an ISO 4217 currency (USD 2, JPY 0, KWD 3)."""
    if not isinstance(code, str):
        raise CurrencyError(
            _("%(currency)s is not an ISO 4217 currency code.") % {"currency": _shown(code)},
            field="currency",
        )
    return _checked_exponent(code.strip().upper())


def _amount_error(value: object, reason: Any, **params: Any) -> AmountError:
    return AmountError(
        _("“%(value)s” is not a valid amount: %(reason)s")
        % {"value": _shown(value), "reason": reason},
        field="amount",
        params={"value": _shown(value), **params},
    )


def _minor_units(
    original: object, negative: bool, integer: str, fraction: str, currency: str
) -> int:
    """Exact conversion of major-unit digits to minor units; refuses to round."""
    exponent = currency_exponent(currency)
    integer = integer.lstrip("0")
    if len(integer) > _MAX_INTEGER_DIGITS:
        raise _amount_error(original, _("it is too large."))
    if len(fraction) > exponent:
        if fraction[exponent:].strip("0"):
            raise _amount_error(
                original,
                _("%(currency)s has %(digits)s decimal places and amounts are never rounded.")
                % {"currency": currency.upper(), "digits": exponent},
                digits=exponent,
            )
        # Extra trailing zeros ("12.340" USD) change nothing: the value is exactly 12.34.
        fraction = fraction[:exponent]
    minor = int((integer or "0") + fraction.ljust(exponent, "0"))
    return -minor if negative else minor


def _decimal_digits(value: Decimal) -> tuple[bool, str, str]:
    """(negative, integer digits, fraction digits) of a finite Decimal, without any rounding."""
    sign, digits, exp = value.as_tuple()
    assert isinstance(exp, int)
    text = "".join(map(str, digits))
    if exp >= 0:
        return bool(sign), text + "0" * exp, ""
    text = text.rjust(-exp, "0")
    return bool(sign), text[:exp], text[exp:]


def _parse_locale(locale: str) -> Locale:
    try:
        return Locale.parse(locale.replace("-", "_"))
    except (UnknownLocaleError, ValueError, TypeError, AttributeError):
        return Locale.parse("en")


@dataclass(frozen=True, slots=True)
class Money:
    """An amount in a currency's minor units (cents, paise, sen) and its ISO 4217 code."""

    amount: int
    currency: str

    def __post_init__(self) -> None:
        # bool is an int subclass; True dollars is a bug, not an amount.
        if type(self.amount) is not int:
            raise _amount_error(self.amount, _("amounts are whole numbers of minor units."))
        if not isinstance(self.currency, str):
            raise CurrencyError(
                _("%(currency)s is not an ISO 4217 currency code.")
                % {"currency": _shown(self.currency)},
                field="currency",
            )
        code = self.currency.strip().upper()
        currency_exponent(code)
        object.__setattr__(self, "currency", code)

    # -- construction --------------------------------------------------------------------------

    @classmethod
    def zero(cls, currency: str) -> Money:
        """Nothing, in ``currency``."""
        return cls(0, currency)

    @classmethod
    def from_decimal(cls, value: str | Decimal | int, currency: str) -> Money:
        """Exact major-unit value ("12.34", Decimal("12.34"), 12) to Money; never rounds."""
        code = currency.strip().upper() if isinstance(currency, str) else currency
        currency_exponent(code)
        if isinstance(value, float):
            raise _amount_error(value, _("floating-point numbers are not accepted for money."))
        if isinstance(value, bool):
            raise _amount_error(value, _("it is not a number."))
        if isinstance(value, int):
            negative, integer, fraction = value < 0, str(abs(value)), ""
        elif isinstance(value, Decimal):
            if not value.is_finite():
                raise _amount_error(value, _("it is not a finite number."))
            if value and value.adjusted() >= _MAX_INTEGER_DIGITS:
                raise _amount_error(value, _("it is too large."))
            negative, integer, fraction = _decimal_digits(value)
        elif isinstance(value, str):
            match = _PLAIN_DECIMAL.fullmatch(value.strip())
            if not match or not (match[2] or match[3]):
                raise _amount_error(value, _("write it as digits with an optional decimal point."))
            negative, integer, fraction = match[1] == "-", match[2], match[3] or ""
        else:
            raise _amount_error(value, _("it is not a number."))
        return cls(_minor_units(value, negative, integer, fraction, code), code)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Money:
        """Inverse of :meth:`to_dict`."""
        if not isinstance(data, Mapping) or "amount" not in data:
            raise _amount_error(data, _("it needs an amount and a currency."))
        if "currency" not in data:
            raise CurrencyError(_("The amount has no currency."), field="currency")
        return cls(data["amount"], data["currency"])

    # -- views ---------------------------------------------------------------------------------

    @property
    def exponent(self) -> int:
        return currency_exponent(self.currency)

    def to_decimal(self) -> Decimal:
        """The amount in major units, exact (1234 USD cents -> Decimal("12.34"))."""
        # Built from its digits so no decimal context (28 digits by default) can round it.
        digits = tuple(int(d) for d in str(abs(self.amount)))
        return Decimal((int(self.amount < 0), digits, -self.exponent))

    def to_dict(self) -> dict[str, Any]:
        return {"amount": self.amount, "currency": self.currency}

    def format(self, locale: str = "en") -> str:
        """Locale-aware display, e.g. "$12.34" (en), "Rp1.234.567,89" (id), "₹12,34,567.89" (hi).

        Accepts Django language codes ("en-us", "id"); an unknown locale falls back to English.
        """
        babel_locale = _parse_locale(locale)
        # Always show the ISO exponent's digits: CLDR's currency digits can be fewer than ISO's
        # (see _ISO_4217_WHERE_CLDR_DIFFERS), and a display must never round away minor units.
        pattern = copy.copy(babel_locale.currency_formats["standard"])
        pattern.frac_prec = (self.exponent, self.exponent)
        return format_currency(
            self.to_decimal(),
            self.currency,
            format=pattern,
            locale=babel_locale,
            currency_digits=False,
        )

    def __str__(self) -> str:
        return f"{self.to_decimal():f} {self.currency}"

    # -- predicates ----------------------------------------------------------------------------

    def __bool__(self) -> bool:
        return self.amount != 0

    def is_zero(self) -> bool:
        return self.amount == 0

    def is_positive(self) -> bool:
        return self.amount > 0

    def is_negative(self) -> bool:
        return self.amount < 0

    # -- arithmetic ----------------------------------------------------------------------------

    def _same_currency(self, other: Money, operation: str) -> None:
        if self.currency != other.currency:
            raise CurrencyMismatch(
                _("Cannot %(operation)s %(left)s and %(right)s: the currencies differ.")
                % {"operation": operation, "left": self.currency, "right": other.currency},
                params={"left": self.currency, "right": other.currency},
            )

    def __add__(self, other: object) -> Money:
        if not isinstance(other, Money):
            return NotImplemented
        self._same_currency(other, "add")
        return Money(self.amount + other.amount, self.currency)

    def __sub__(self, other: object) -> Money:
        if not isinstance(other, Money):
            return NotImplemented
        self._same_currency(other, "subtract")
        return Money(self.amount - other.amount, self.currency)

    def __neg__(self) -> Money:
        return Money(-self.amount, self.currency)

    def __pos__(self) -> Money:
        return self

    def __abs__(self) -> Money:
        return Money(abs(self.amount), self.currency)

    def __mul__(self, factor: object) -> Money:
        # Only whole multipliers: a rate or a percentage goes through allocate() or an explicit
        # rounding rule, never through a silent float or Decimal product.
        if type(factor) is not int:
            return NotImplemented
        return Money(self.amount * factor, self.currency)

    __rmul__ = __mul__

    def _compare(self, other: object) -> int | None:
        if not isinstance(other, Money):
            return None
        self._same_currency(other, "compare")
        return self.amount - other.amount

    def __lt__(self, other: object) -> bool:
        diff = self._compare(other)
        return NotImplemented if diff is None else diff < 0

    def __le__(self, other: object) -> bool:
        diff = self._compare(other)
        return NotImplemented if diff is None else diff <= 0

    def __gt__(self, other: object) -> bool:
        diff = self._compare(other)
        return NotImplemented if diff is None else diff > 0

    def __ge__(self, other: object) -> bool:
        diff = self._compare(other)
        return NotImplemented if diff is None else diff >= 0

    def allocate(self, ratios: Sequence[int]) -> list[Money]:
        """Split by whole-number ratios without losing a minor unit (largest remainder).

        The parts always sum to ``self``; leftover units go to the largest remainders, ties to
        the earlier ratio. A negative amount splits like its absolute value, negated.
        """
        if not ratios or any(type(r) is not int or r < 0 for r in ratios):
            raise _amount_error(list(ratios), _("ratios are non-negative whole numbers."))
        total = sum(ratios)
        if total == 0:
            raise _amount_error(list(ratios), _("at least one ratio must be above zero."))
        whole = abs(self.amount)
        shares = [whole * r // total for r in ratios]
        remainders = [whole * r % total for r in ratios]
        left = whole - sum(shares)
        by_remainder = sorted(range(len(ratios)), key=lambda i: (-remainders[i], i))
        for i in by_remainder[:left]:
            shares[i] += 1
        sign = -1 if self.amount < 0 else 1
        return [Money(sign * share, self.currency) for share in shares]


# -- tolerant parsing of typed amounts -----------------------------------------------------------

_EXTRA_SYMBOLS: Mapping[str, tuple[str, ...]] = {
    "IDR": ("Rp.", "Rp", "IDR."),
    "INR": ("Rs.", "Rs", "₹", "INR."),
    "USD": ("US$", "USD$", "$"),
}

_SYMBOL_LOCALES = ("en", "en_US", "en_IN", "id", "hi")


def _written_in_whole_units(code: str) -> bool:
    """True where prices are written without decimals: no minor unit, or CLDR cash digits 0
    (IDR, JPY, HUF...)."""
    fractions = get_global("currency_fractions")
    cash_digits = fractions.get(code, fractions["DEFAULT"])[2]
    return currency_exponent(code) == 0 or cash_digits == 0


_MINUS_SIGNS = "-\u2212\u2013"  # hyphen-minus, minus sign, en dash (spreadsheets and Word)


@lru_cache(maxsize=256)
def _currency_symbols(code: str) -> tuple[str, ...]:
    """Upper-cased symbols and codes that may stand next to an amount in ``code``, longest first."""
    symbols = {code, *_EXTRA_SYMBOLS.get(code, ())}
    for locale in _SYMBOL_LOCALES:
        symbols.add(get_currency_symbol(code, locale=locale))
    return tuple(sorted((s.upper() for s in symbols if s), key=len, reverse=True))


def _ascii_digits(text: str) -> str:
    # Devanagari, Arabic-Indic and other decimal digits are the same digits.
    return "".join(
        str(unicodedata.decimal(ch)) if ch.isdecimal() and not ch.isascii() else ch for ch in text
    )


def _strip_symbol(text: str, symbols: tuple[str, ...], *, prefix: bool) -> str:
    for symbol in symbols:
        size = len(symbol)
        if prefix and text[:size].upper() == symbol:
            return text[size:].strip()
        if not prefix and len(text) >= size and text[-size:].upper() == symbol:
            return text[:-size].strip()
    return text


def _take_sign(text: str) -> tuple[bool | None, str]:
    if text[:1] in _MINUS_SIGNS:
        return True, text[1:].strip()
    if text[:1] == "+":
        return False, text[1:].strip()
    return None, text


_WESTERN_GROUPS = re.compile(r"[1-9][0-9]{0,2}(?:G[0-9]{3})+")
_INDIAN_GROUPS = re.compile(r"[1-9][0-9]?(?:G[0-9]{2})*G[0-9]{3}")
_NUMBER_BODY = re.compile(r"[0-9., ]*[0-9][0-9., ]*")


def parse_amount(text: str, currency: str) -> Money:
    """Read an amount the way people type it in spreadsheets; refuse anything ambiguous.

    Rules:

    * Surrounding spaces, a sign (``-``, ``+``, the Unicode minus, or accounting parentheses
      ``(1,234.50)``) and the currency's own code or symbols (``USD``, ``$``, ``Rp``, ``Rp.``,
      ``₹``, ``Rs.``) before or after the number are allowed; any other letter or symbol is an
      error, so ``$12`` is refused for IDR.
    * Non-ASCII decimal digits (Devanagari, Arabic-Indic) count as digits.
    * With both ``.`` and ``,``, the last one is the decimal mark and must appear once
      (``1,234.50``, ``1.234,50``).
    * With one of them appearing several times, it groups thousands (``1.234.567``).
    * With one of them appearing once and followed by exactly three digits (``1.234``), it
      groups thousands for currencies written in whole units (no minor unit, or CLDR cash
      digits 0: ``Rp 50.000``, ``¥1,234``) and is refused as ambiguous for the others (USD
      ``1,234`` or ``12.345``, KWD ``1.234``); ``0.125`` and ``.125`` are decimals. Otherwise
      it is the decimal mark (``12,5`` → 12.50, ``1234.50``).
    * Spaces (including non-breaking ones) inside the number only group thousands.
    * Groups are Western (``1,234,567``) or Indian (``12,34,567``); anything else is refused.
    * More decimal places than the currency has are refused unless they are zeros; nothing is
      ever rounded.
    """
    original = text
    if not isinstance(text, str):
        raise _amount_error(text, _("it is not text."))
    code = currency.strip().upper() if isinstance(currency, str) else currency
    currency_exponent(code)
    symbols = _currency_symbols(code)

    body = re.sub(r"\s+", " ", _ascii_digits(text)).strip()
    negative = False
    if body.startswith("(") and body.endswith(")"):
        negative, body = True, body[1:-1].strip()
    sign, body = _take_sign(body)
    body = _strip_symbol(body, symbols, prefix=True)
    body = _strip_symbol(body, symbols, prefix=False)
    if sign is None:
        sign, body = _take_sign(body)
    if sign and negative:
        raise _amount_error(original, _("it has two signs."))
    negative = negative or bool(sign)

    if not _NUMBER_BODY.fullmatch(body):
        raise _amount_error(original, _("it is not a number in %(currency)s.") % {"currency": code})

    integer, fraction = _split_decimal_mark(original, body, _written_in_whole_units(code))
    return Money(_minor_units(original, negative, integer, fraction, code), code)


def _split_decimal_mark(original: str, body: str, whole_units_only: bool) -> tuple[str, str]:
    """(integer digits, fraction digits) of a number made of digits, '.', ',' and spaces."""
    marks = [c for c in body if c in ".,"]
    decimal_mark: str | None = None
    if "." in marks and "," in marks:
        decimal_mark = marks[-1]
        if marks.count(decimal_mark) > 1:
            raise _amount_error(original, _("it has more than one decimal mark."))
    elif marks:
        mark = marks[0]
        if len(marks) == 1:
            head, tail = body.split(mark)
            if " " in body or len(tail) != 3 or not head.strip("0"):
                decimal_mark = mark
            elif not whole_units_only:
                # "12.345" USD may be a price with one decimal too many or twelve thousand:
                # guessing wrong is a factor of 1000, so the typist decides.
                raise _amount_error(
                    original,
                    _("it could mean thousands or decimals; write 1,234.00 or 1.234,00."),
                )
            # Otherwise it groups thousands: nobody writes fractions of this currency
            # ("Rp 50.000" is fifty thousand rupiah).

    if decimal_mark is not None:
        head, _mark, tail = body.rpartition(decimal_mark)
        if not tail or not tail.isdigit():
            raise _amount_error(original, _("digits must follow the decimal mark."))
    else:
        head, tail = body, ""

    group_marks = {c for c in head if c in "., "}
    if len(group_marks) > 1:
        raise _amount_error(original, _("it mixes thousands separators."))
    if group_marks:
        grouped = head.replace(group_marks.pop(), "G")
        if not (_WESTERN_GROUPS.fullmatch(grouped) or _INDIAN_GROUPS.fullmatch(grouped)):
            raise _amount_error(original, _("its digit groups are not thousands."))
        head = grouped.replace("G", "")
    if not head and not tail:
        raise _amount_error(original, _("it has no digits."))
    return head, tail
