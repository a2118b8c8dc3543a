import os
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.conf import settings as django_settings
from hypothesis import given
from hypothesis import strategies as st

from niaga.core.money import (
    AmountError,
    CurrencyError,
    CurrencyMismatch,
    Money,
    currency_exponent,
    parse_amount,
)

# Error messages are translated when raised; these tests also run without Django (-p no:django).
if not django_settings.configured and not os.environ.get("DJANGO_SETTINGS_MODULE"):
    django_settings.configure(USE_I18N=False)


@pytest.fixture
def settings():
    """Stands in for pytest-django's fixture, which tests/conftest.py's autouse fixtures ask for."""
    return SimpleNamespace()


# -- currencies ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("code", "exponent"),
    [("USD", 2), ("IDR", 2), ("INR", 2), ("JPY", 0), ("KWD", 3), ("CLF", 4), ("usd", 2)],
)
def test_currency_exponent_is_iso_4217(code, exponent):
    assert currency_exponent(code) == exponent


@pytest.mark.parametrize(("code", "exponent"), [("IQD", 3), ("LAK", 2), ("RSD", 2)])
def test_iso_4217_wins_where_cldr_drops_the_minor_unit(code, exponent):
    from babel.numbers import get_currency_precision

    assert get_currency_precision(code) == 0
    assert currency_exponent(code) == exponent


@pytest.mark.parametrize("code", ["ZZZ", "US", "USDX", "", "XAU", "XXX", "XTS", 840, None])
def test_unknown_or_unholdable_currency_is_refused(code):
    with pytest.raises(CurrencyError) as caught:
        currency_exponent(code)
    assert caught.value.code == "currency_unknown"


# -- construction --------------------------------------------------------------------------------


def test_currency_is_normalised_to_upper_case():
    assert Money(100, " usd ").currency == "USD"
    assert Money(100, "usd") == Money(100, "USD")
    assert hash(Money(100, "usd")) == hash(Money(100, "USD"))


@pytest.mark.parametrize("amount", [1.0, Decimal("1"), "1", True, None])
def test_amount_must_be_an_int(amount):
    with pytest.raises(AmountError) as caught:
        Money(amount, "USD")
    assert caught.value.code == "amount_invalid"


def test_money_is_immutable():
    money = Money(1, "USD")
    with pytest.raises(AttributeError):
        money.amount = 2


@pytest.mark.parametrize(
    ("value", "currency", "amount"),
    [
        ("12.34", "USD", 1234),
        ("0.1", "USD", 10),
        ("-0.5", "USD", -50),
        ("+7", "USD", 700),
        (" 12 ", "IDR", 1200),
        (".5", "USD", 50),
        ("1234", "JPY", 1234),
        ("1.234", "KWD", 1234),
        (Decimal("12.34"), "USD", 1234),
        (Decimal("1E+3"), "USD", 100000),
        (Decimal("-0.01"), "USD", -1),
        (12, "USD", 1200),
        (-3, "KWD", -3000),
        ("12.340", "USD", 1234),  # trailing zeros are exact: nothing is rounded
        # beyond the 28 digits of the default decimal context, still exact
        ("12345678901234567890123456.78", "USD", 1234567890123456789012345678),
    ],
)
def test_from_decimal_is_exact(value, currency, amount):
    assert Money.from_decimal(value, currency) == Money(amount, currency)


@pytest.mark.parametrize(
    ("value", "currency"),
    [
        ("12.345", "USD"),
        ("0.001", "USD"),
        ("1.5", "JPY"),
        ("1.2345", "KWD"),
        (Decimal("0.125"), "USD"),
    ],
)
def test_from_decimal_refuses_more_decimal_places_than_the_currency_has(value, currency):
    with pytest.raises(AmountError) as caught:
        Money.from_decimal(value, currency)
    assert str(value) in str(caught.value)


@pytest.mark.parametrize(
    "value",
    [
        0.1,
        12.0,
        float("nan"),
        "NaN",
        "inf",
        "Infinity",
        Decimal("NaN"),
        Decimal("Infinity"),
        "1e3",
        "12,34",
        "1_000",
        "",
        ".",
        "abc",
        "12.3.4",
        True,
        None,
        [1],
        Decimal("1E+40"),
    ],
)
def test_from_decimal_refuses_floats_and_garbage(value):
    with pytest.raises(AmountError) as caught:
        Money.from_decimal(value, "USD")
    assert caught.value.code == "amount_invalid"
    assert "value" in caught.value.params


def test_error_message_names_the_float():
    with pytest.raises(AmountError, match="0.1"):
        Money.from_decimal(0.1, "USD")


@pytest.mark.parametrize(
    ("money", "decimal", "text"),
    [
        (Money(1234, "USD"), Decimal("12.34"), "12.34 USD"),
        (Money(-1, "USD"), Decimal("-0.01"), "-0.01 USD"),
        (Money(0, "KWD"), Decimal("0.000"), "0.000 KWD"),
        (Money(1234, "KWD"), Decimal("1.234"), "1.234 KWD"),
        (Money(1234, "JPY"), Decimal("1234"), "1234 JPY"),
        (Money(10**30, "USD"), Decimal("1" + "0" * 28), "1" + "0" * 28 + ".00 USD"),
    ],
)
def test_to_decimal_and_str(money, decimal, text):
    assert money.to_decimal() == decimal
    assert str(money) == text


CURRENCIES = st.sampled_from(["USD", "IDR", "INR", "JPY", "KWD", "CLF"])


@given(amount=st.integers(min_value=-(10**20), max_value=10**20), currency=CURRENCIES)
def test_decimal_round_trip(amount, currency):
    money = Money(amount, currency)
    assert Money.from_decimal(money.to_decimal(), currency) == money
    assert Money.from_decimal(str(money.to_decimal()), currency) == money


@given(amount=st.integers(), currency=CURRENCIES)
def test_dict_round_trip(amount, currency):
    money = Money(amount, currency)
    assert money.to_dict() == {"amount": amount, "currency": currency}
    assert Money.from_dict(money.to_dict()) == money


def test_from_dict_refuses_bad_shapes():
    with pytest.raises(AmountError):
        Money.from_dict({"currency": "USD"})
    with pytest.raises(CurrencyError):
        Money.from_dict({"amount": 1})
    with pytest.raises(AmountError):
        Money.from_dict({"amount": "12.34", "currency": "USD"})
    with pytest.raises(CurrencyError):
        Money.from_dict({"amount": 1, "currency": "ZZZ"})


# -- arithmetic ----------------------------------------------------------------------------------


def test_arithmetic_within_a_currency():
    a, b = Money(1050, "USD"), Money(250, "USD")
    assert a + b == Money(1300, "USD")
    assert a - b == Money(800, "USD")
    assert b - a == Money(-800, "USD")
    assert -a == Money(-1050, "USD")
    assert abs(Money(-5, "USD")) == Money(5, "USD")
    assert a * 3 == Money(3150, "USD")
    assert 3 * a == Money(3150, "USD")
    assert a * -1 == -a


def test_comparisons_within_a_currency():
    small, big = Money(1, "IDR"), Money(2, "IDR")
    assert small < big
    assert small <= big
    assert big > small
    assert big >= small
    assert small <= Money(1, "IDR")
    assert not small > big
    assert sorted([big, small]) == [small, big]


@pytest.mark.parametrize(
    "operation",
    [
        lambda a, b: a + b,
        lambda a, b: a - b,
        lambda a, b: a < b,
        lambda a, b: a <= b,
        lambda a, b: a > b,
        lambda a, b: a >= b,
    ],
)
def test_mixing_currencies_is_an_error(operation):
    with pytest.raises(CurrencyMismatch) as caught:
        operation(Money(100, "USD"), Money(100, "IDR"))
    assert caught.value.code == "currency_mismatch"


def test_equality_across_currencies_is_false_not_an_error():
    assert Money(100, "USD") != Money(100, "IDR")


@pytest.mark.parametrize(
    "operation",
    [
        lambda m: m * 1.5,
        lambda m: m * Decimal("1.5"),
        lambda m: m * True,
        lambda m: m * m,
        lambda m: m + 1,
        lambda m: 1 + m,
        lambda m: m - 1,
        lambda m: m < 1,
    ],
)
def test_no_arithmetic_with_plain_numbers(operation):
    with pytest.raises(TypeError):
        operation(Money(100, "USD"))


def test_truthiness_and_sign_predicates():
    zero, positive, negative = Money.zero("USD"), Money(1, "USD"), Money(-1, "USD")
    assert not zero and zero.is_zero()
    assert positive and positive.is_positive() and not positive.is_negative()
    assert negative and negative.is_negative() and not negative.is_positive()
    assert Money.zero("jpy") == Money(0, "JPY")


# -- allocate ------------------------------------------------------------------------------------


def test_allocate_gives_leftover_units_to_the_largest_remainders():
    assert Money(100, "USD").allocate([1, 1, 1]) == [
        Money(34, "USD"),
        Money(33, "USD"),
        Money(33, "USD"),
    ]
    assert Money(5, "USD").allocate([3, 7]) == [Money(2, "USD"), Money(3, "USD")]
    assert Money(-100, "USD").allocate([1, 2]) == [Money(-33, "USD"), Money(-67, "USD")]
    assert Money(10, "JPY").allocate([0, 1]) == [Money(0, "JPY"), Money(10, "JPY")]


@pytest.mark.parametrize("ratios", [[], [0, 0], [1, -1], [1.5, 1], [True]])
def test_allocate_refuses_bad_ratios(ratios):
    with pytest.raises(AmountError):
        Money(100, "USD").allocate(ratios)


@given(
    amount=st.integers(min_value=-(10**15), max_value=10**15),
    ratios=st.lists(st.integers(min_value=0, max_value=10_000), min_size=1, max_size=12).filter(
        lambda ratios: sum(ratios) > 0
    ),
    currency=CURRENCIES,
)
def test_allocate_never_loses_a_minor_unit(amount, ratios, currency):
    money = Money(amount, currency)
    parts = money.allocate(ratios)
    assert len(parts) == len(ratios)
    assert sum(parts, Money.zero(currency)) == money
    total = sum(ratios)
    for part, ratio in zip(parts, ratios, strict=True):
        assert part.currency == money.currency
        # each part is within one minor unit of its exact share
        assert abs(part.amount * total - amount * ratio) < total
        if ratio == 0:
            assert part.is_zero()


# -- formatting ----------------------------------------------------------------------------------


def test_format_uses_the_locales_separators():
    indonesian = Money(123456789, "IDR").format("id")
    assert "Rp" in indonesian
    assert "1.234.567,89" in indonesian

    english = Money(123456789, "USD").format("en")
    assert "$" in english
    assert "1,234,567.89" in english

    # Hindi (and Indian English) group lakhs and crores
    hindi = Money(123456789, "INR").format("hi")
    assert "₹" in hindi
    assert "12,34,567.89" in hindi


def test_format_accepts_django_language_codes_and_falls_back_to_english():
    assert "1,234.56" in Money(123456, "USD").format("en-us")
    assert "1.234,56" in Money(123456, "USD").format("id-ID")
    assert Money(123456, "USD").format("xx-zz") == Money(123456, "USD").format("en")
    assert Money(123456, "USD").format("") == Money(123456, "USD").format("en")


def test_format_shows_the_currencys_own_decimal_places():
    assert "1,234" in Money(1234, "JPY").format("en")
    assert "1,234." not in Money(1234, "JPY").format("en")
    assert "1,234.567" in Money(1234567, "KWD").format("en")
    # CLDR would show no decimals for IQD; ISO 4217 has three, and display never rounds
    assert "1.234" in Money(1234, "IQD").format("en")
    assert "-" in Money(-1, "USD").format("en")


# -- parse_amount --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "currency", "amount"),
    [
        ("1,234.50", "USD", 123450),
        ("$1,234.50", "USD", 123450),
        ("USD 1,234.50", "USD", 123450),
        ("1234.5 usd", "USD", 123450),
        ("Rp 1.234,50", "IDR", 123450),
        ("Rp1.234.567,89", "IDR", 123456789),
        ("Rp. 50.000", "IDR", 5000000),
        ("IDR 1.234.567", "IDR", 123456700),
        ("1 234 567,89", "IDR", 123456789),
        ("1\u00a0234,5", "IDR", 123450),
        ("12,5", "IDR", 1250),
        ("0,50", "USD", 50),
        ("₹12,34,567.89", "INR", 123456789),
        ("Rs. 1,00,000", "INR", 10000000),
        ("₹ १२,३४५.००", "INR", 1234500),
        ("1,234", "JPY", 1234),
        ("¥1,234", "JPY", 1234),
        ("0.125", "KWD", 125),
        ("1,234.567", "KWD", 1234567),
        ("-1,234.50", "USD", -123450),
        ("\u22121,234.50", "USD", -123450),
        ("(1,234.50)", "USD", -123450),
        ("-Rp 5.000", "IDR", -500000),
        ("Rp -5.000", "IDR", -500000),
        ("+7", "USD", 700),
        ("  42  ", "USD", 4200),
        ("1,234.00", "JPY", 1234),
    ],
)
def test_parse_amount_reads_what_people_type(text, currency, amount):
    assert parse_amount(text, currency) == Money(amount, currency)


@pytest.mark.parametrize(
    ("text", "currency"),
    [
        ("1.234", "KWD"),  # thousands or three decimals: a factor of 1000 is not guessed
        ("1,234", "USD"),
        ("12.345", "USD"),
        ("1.234", "INR"),
        ("1.234,567", "USD"),  # three decimals are too many for USD
        ("1,2345", "USD"),
        ("$12", "IDR"),  # another currency's symbol
        ("12 EUR", "USD"),
        ("1.234,56,78", "USD"),
        ("1,234.56.78", "USD"),
        ("12.34.56", "USD"),
        ("1,23,4567", "INR"),
        ("1 234.567,89", "USD"),
        ("12.", "USD"),
        ("", "USD"),
        ("   ", "USD"),
        ("abc", "USD"),
        ("1e5", "USD"),
        ("(-5)", "USD"),
        ("--5", "USD"),
        ("0x10", "USD"),
    ],
)
def test_parse_amount_refuses_ambiguous_or_bad_text(text, currency):
    with pytest.raises(AmountError) as caught:
        parse_amount(text, currency)
    assert caught.value.code == "amount_invalid"
    if text.strip():
        assert text.strip() in str(caught.value)


def test_parse_amount_checks_the_currency():
    with pytest.raises(CurrencyError):
        parse_amount("12", "ZZZ")


@pytest.mark.parametrize(
    ("text", "currency", "amount"),
    [
        ("12.345", "IDR", 1234500),
        ("12,345", "IDR", 1234500),
        ("Rp 50.000", "IDR", 5000000),
        ("12.345", "JPY", 12345),
        ("1.234", "IQD", 1234000),  # ISO has fils, but nobody writes them
    ],
)
def test_lone_mark_before_three_digits_groups_where_nobody_writes_fractions(text, currency, amount):
    assert parse_amount(text, currency) == Money(amount, currency)


@given(
    amount=st.integers(min_value=-(10**13), max_value=10**13),
    currency=st.sampled_from(["USD", "IDR", "INR", "JPY"]),
    locale=st.sampled_from(["en", "id", "hi", "en-IN"]),
)
def test_parse_amount_reads_back_what_format_writes(amount, currency, locale):
    money = Money(amount, currency)
    assert parse_amount(money.format(locale), currency) == money
