"""The registry fit: maximum likelihood on ln turnover in USD, worked by hand here."""

import math

import pytest

from niaga.core.money import currency_exponent
from niaga.insights.policy.fit import MIN_ROWS, USD_RATES, fit_country
from niaga.registry.models import Business

pytestmark = pytest.mark.django_db


def _business(i, country, minor, currency, **extra):
    return Business.objects.create(
        name=f"Usaha {country} {i}",
        country=country,
        annual_turnover_minor=minor,
        turnover_currency=currency,
        **extra,
    )


def test_a_fit_across_currencies_matches_the_hand_computed_mle():
    usd = [(i + 1) * 1_000_00 for i in range(20)]  # USD 1,000 .. 20,000 in cents
    idr_major = [(i + 1) * 50_000_000 for i in range(15)]  # IDR 50m .. 750m
    idr = [amount * 10 ** currency_exponent("IDR") for amount in idr_major]
    for i, minor in enumerate(usd):
        _business(i, "ID", minor, "USD")
    for i, minor in enumerate(idr):
        _business(100 + i, "ID", minor, "IDR")
    # left out: another country, no turnover, an unknown currency, a merged duplicate
    _business(200, "IN", 5_000_00, "USD")
    _business(201, "ID", None, "USD")
    _business(202, "ID", 0, "USD")
    _business(203, "ID", 10**9, "XAU")
    keeper = _business(204, "ID", 10**9, "USD")
    _business(205, "ID", 10**12, "USD", merged_into=keeper)

    logs = [math.log(m / 100) for m in usd]
    logs += [math.log(a * USD_RATES["IDR"].usd_per_unit) for a in idr_major]
    logs.append(math.log(10**9 / 100))
    mu = sum(logs) / len(logs)
    sigma = math.sqrt(sum((v - mu) ** 2 for v in logs) / len(logs))

    fit = fit_country("ID")
    assert fit.rows == len(logs) == 36
    assert fit.mu == pytest.approx(mu, rel=1e-9)
    assert fit.sigma == pytest.approx(sigma, rel=1e-9)


def test_too_few_rows_give_no_fit():
    for i in range(MIN_ROWS - 1):
        _business(i, "IN", (i + 1) * 10**6, "INR")
    assert fit_country("IN") is None
    _business(99, "IN", 7 * 10**7, "INR")
    assert fit_country("IN") is not None


def test_every_rate_shows_its_source():
    for rate in USD_RATES.values():
        assert rate.usd_per_unit > 0 and str(rate.source).strip()
