"""Converting settled amounts to USD: Decimal arithmetic, rounded to whole US cents.

A rate entered for the month wins, then a fixed rate entered for the currency, then the
planning rates below, which are assumptions and say so.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_EVEN, Decimal

from niaga.core.money import currency_exponent

USD_EXPONENT = 2
ASSUMPTION = "assumption: fixed planning rate, not a market rate"

# USD per one unit of the currency.
PLANNING_RATES: dict[str, Decimal] = {
    "USD": Decimal("1"),
    "EUR": Decimal("1.08"),
    "GBP": Decimal("1.27"),
    "IDR": Decimal("0.000063"),
    "INR": Decimal("0.012"),
    "SGD": Decimal("0.74"),
    "JPY": Decimal("0.0067"),
    "CNY": Decimal("0.14"),
    "AUD": Decimal("0.66"),
    "AED": Decimal("0.2723"),
}


@dataclass(frozen=True)
class Rate:
    currency: str
    usd_per_unit: Decimal
    source: str


def rate_for(currency: str, month: date) -> Rate | None:
    """The rate a settlement in ``currency`` during ``month`` is converted at; None if none."""
    from niaga.insights.models import ExchangeRate

    code = currency.upper()
    if code == "USD":
        return Rate("USD", Decimal(1), "identity")
    entered = (
        ExchangeRate.objects.filter(currency=code, month=month).first()
        or ExchangeRate.objects.filter(currency=code, month__isnull=True).first()
    )
    if entered is not None:
        return Rate(code, entered.usd_per_unit, entered.source)
    if code in PLANNING_RATES:
        return Rate(code, PLANNING_RATES[code], ASSUMPTION)
    return None


def to_usd_minor(amount_minor: int, currency: str, month: date) -> int:
    """``amount_minor`` of ``currency`` in US cents; 0 when no rate is known (shown as such)."""
    rate = rate_for(currency, month)
    if rate is None:
        return 0
    return convert(amount_minor, currency_exponent(currency.upper()), rate.usd_per_unit)


def convert(amount_minor: int, exponent: int, usd_per_unit: Decimal) -> int:
    scaled = Decimal(amount_minor) * usd_per_unit * Decimal(10) ** (USD_EXPONENT - exponent)
    return int(scaled.quantize(Decimal(1), rounding=ROUND_HALF_EVEN))
