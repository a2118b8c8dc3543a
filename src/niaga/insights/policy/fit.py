"""μ and σ of a country's turnover, fitted from the registry by maximum likelihood.

For a lognormal the maximum-likelihood estimates are the mean and the (1/n) standard deviation
of ln turnover in USD. The sums of ln amount and ln² amount are taken in the database per
currency, then moved to USD: ln(usd) = ln(minor) − exponent·ln 10 + ln(rate). Merged
duplicates and rows without a positive turnover or a known currency are left out.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from django.db.models import Count, FloatField, Sum
from django.db.models.functions import Cast, Ln, Power
from django.utils.translation import gettext_lazy as _

from niaga.core.money import currency_exponent
from niaga.insights.policy.parameters import LIMITS

MIN_ROWS = 30


@dataclass(frozen=True)
class Rate:
    usd_per_unit: float
    source: str


_RATE_SOURCE = _(
    "Assumption: a rounded mid-market rate of 2025; replace it with a dated reference rate "
    "before relying on a fit."
)

#: USD for one major unit of each currency.
USD_RATES = {
    "USD": Rate(1.0, _("Definition.")),
    "IDR": Rate(1 / 16_000, _RATE_SOURCE),
    "INR": Rate(1 / 85, _RATE_SOURCE),
    "EUR": Rate(1.08, _RATE_SOURCE),
    "SGD": Rate(0.74, _RATE_SOURCE),
    "MYR": Rate(0.22, _RATE_SOURCE),
    "THB": Rate(0.028, _RATE_SOURCE),
    "VND": Rate(1 / 25_000, _RATE_SOURCE),
}


@dataclass(frozen=True)
class Fit:
    country: str
    mu: float
    sigma: float
    rows: int


def fit_country(country: str) -> Fit | None:
    """The fit, or None when fewer than MIN_ROWS usable rows exist or they do not spread."""
    from niaga.registry.models import Business

    log_amount = Ln(Cast("annual_turnover_minor", FloatField()))
    groups = (
        Business.objects.filter(
            country=country,
            merged_into__isnull=True,
            annual_turnover_minor__gt=0,
            turnover_currency__in=list(USD_RATES),
        )
        .values("turnover_currency")
        .annotate(rows=Count("id"), s1=Sum(log_amount), s2=Sum(Power(log_amount, 2)))
    )
    rows = total = total_sq = 0.0
    for group in groups:
        n, s1, s2 = group["rows"], group["s1"], group["s2"]
        code = group["turnover_currency"]
        shift = math.log(USD_RATES[code].usd_per_unit) - currency_exponent(code) * math.log(10)
        rows += n
        total += s1 + n * shift
        total_sq += s2 + 2 * shift * s1 + n * shift**2
    if rows < MIN_ROWS:
        return None
    mu = total / rows
    sigma = math.sqrt(max(total_sq / rows - mu**2, 0.0))
    if sigma <= 1e-6 or not LIMITS["mu"][0] <= mu <= LIMITS["mu"][1]:
        return None
    return Fit(country, mu, min(sigma, LIMITS["sigma"][1]), int(rows))
