"""One scenario's inputs, checked, and its closed-form figures.

Turnover in each country is lognormal, ln Y ~ N(μ, σ²), in USD. With Φ the standard normal
CDF, the firms under the threshold T and their turnover are

    beneficiaries    = N · Φ((ln T − μ)/σ)
    waived_turnover  = N · exp(μ + σ²/2) · Φ((ln T − μ − σ²)/σ)

(the second is the partial expectation of a lognormal). Amounts are USD floats because they
are statistical estimates, not ledger money.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import pycountry
from django.utils.translation import gettext as _

from niaga.core.errors import NiagaError
from niaga.insights.policy.parameters import COUNTRY_FIELDS, LIMITS, SHARED_FIELDS

MAX_COUNTRIES = 12


class PolicyInputError(NiagaError):
    """A scenario the lab refuses; ``field`` names the input, e.g. "countries.ID.sigma"."""

    code = "policy_invalid"
    status = 422


@dataclass(frozen=True)
class Country:
    code: str
    N: float
    mu: float
    sigma: float
    s: float
    x: dict[str, float] = field(default_factory=dict)


@dataclass(frozen=True)
class Scenario:
    """Equal treatment: one T, f, p and ε for every country."""

    home: str
    T: float
    f: float
    p: float
    epsilon: float
    countries: dict[str, Country]

    def as_input(self) -> dict:
        """Back to the input format ``parse`` reads."""
        return {
            "home": self.home,
            "T": self.T,
            "f": self.f,
            "p": self.p,
            "epsilon": self.epsilon,
            "countries": {
                code: {
                    "N": c.N,
                    "mu": c.mu,
                    "sigma": c.sigma,
                    "s": c.s,
                    "x": dict(c.x),
                }
                for code, c in self.countries.items()
            },
        }

    def values(self) -> dict[str, float]:
        """Every number as a flat path: "T", "countries.ID.mu", "countries.ID.x.IN", ..."""
        flat = {name: getattr(self, name) for name in SHARED_FIELDS}
        for code, country in self.countries.items():
            for name in COUNTRY_FIELDS:
                flat[f"countries.{code}.{name}"] = getattr(country, name)
            for partner, share in country.x.items():
                flat[f"countries.{code}.x.{partner}"] = share
        return flat


@dataclass(frozen=True)
class CountryResult:
    beneficiaries: float
    waived_turnover: float
    fees_waived: float
    induced_sales: dict[str, float]


@dataclass(frozen=True)
class Core:
    """The closed-form figures of one scenario, at its own T."""

    countries: dict[str, CountryResult]
    net_trade_home: float

    @property
    def totals(self) -> dict[str, float]:
        rows = self.countries.values()
        return {
            "beneficiaries": sum(r.beneficiaries for r in rows),
            "waived_turnover": sum(r.waived_turnover for r in rows),
            "fees_waived": sum(r.fees_waived for r in rows),
        }


def phi(z: float) -> float:
    """The standard normal CDF; erfc keeps the far left tail accurate."""
    return 0.5 * math.erfc(-z / math.sqrt(2.0))


def closed_form(scenario: Scenario) -> Core:
    """The scalar closed form, one scenario at a time (see sensitivity.evaluate for many)."""
    log_t = math.log(scenario.T)
    rows: dict[str, CountryResult] = {}
    for code, c in scenario.countries.items():
        beneficiaries = c.N * phi((log_t - c.mu) / c.sigma)
        waived = c.N * math.exp(c.mu + c.sigma**2 / 2) * phi((log_t - c.mu - c.sigma**2) / c.sigma)
        fees = scenario.f * c.s * waived
        induced = {d: scenario.epsilon * scenario.p * share * fees for d, share in c.x.items()}
        rows[code] = CountryResult(beneficiaries, waived, fees, induced)
    home = scenario.home
    exports = sum(rows[home].induced_sales.values())
    imports = sum(r.induced_sales.get(home, 0.0) for code, r in rows.items() if code != home)
    return Core(rows, exports - imports)


# --- checking the input -------------------------------------------------------------------


def _number(value, name: str, low: float, high: float, *, open_low=False) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise PolicyInputError(_("%(field)s must be a number.") % {"field": name}, field=name)
    try:
        number = float(value)
    except OverflowError:  # an integer too long for a float
        number = math.inf
    if not math.isfinite(number):
        raise PolicyInputError(
            _("%(field)s must be a finite number, not NaN or infinity.") % {"field": name},
            field=name,
        )
    if open_low and (number <= low or number > high):
        raise PolicyInputError(
            _("%(field)s must be above %(low)s and at most %(high)s; it is %(value)s.")
            % {"field": name, "low": f"{low:g}", "high": f"{high:g}", "value": f"{number:g}"},
            field=name,
        )
    if number < low or number > high:
        raise PolicyInputError(
            _("%(field)s must be between %(low)s and %(high)s; it is %(value)s.")
            % {"field": name, "low": f"{low:g}", "high": f"{high:g}", "value": f"{number:g}"},
            field=name,
        )
    return number


def _country_code(value, name: str) -> str:
    if not isinstance(value, str) or len(value) != 2 or not value.isascii() or not value.isupper():
        raise PolicyInputError(
            _("%(field)s must be a two-letter ISO 3166 country code in capitals, such as ID.")
            % {"field": name},
            field=name,
        )
    if pycountry.countries.get(alpha_2=value) is None:
        raise PolicyInputError(
            _("%(field)s: %(code)s is not an ISO 3166 country code.")
            % {"field": name, "code": value},
            field=name,
        )
    return value


def _mapping(value, name: str) -> dict:
    if not isinstance(value, dict):
        raise PolicyInputError(_("%(field)s must be an object.") % {"field": name}, field=name)
    return value


def _keys(data: dict, required: tuple[str, ...], prefix: str) -> None:
    for key in required:
        if key not in data:
            name = f"{prefix}{key}"
            raise PolicyInputError(_("%(field)s is missing.") % {"field": name}, field=name)
    for key in data:
        if key not in required:
            name = f"{prefix}{key}"
            raise PolicyInputError(
                _("%(field)s is not an input the policy lab knows.") % {"field": name}, field=name
            )


def _country(code: str, data, codes: set[str]) -> Country:
    prefix = f"countries.{code}."
    data = _mapping(data, f"countries.{code}")
    _keys(data, (*COUNTRY_FIELDS, "x"), prefix)
    n = _number(data["N"], prefix + "N", *LIMITS["N"])
    mu = _number(data["mu"], prefix + "mu", *LIMITS["mu"])
    sigma = _number(data["sigma"], prefix + "sigma", *LIMITS["sigma"], open_low=True)
    s = _number(data["s"], prefix + "s", *LIMITS["s"])
    shares: dict[str, float] = {}
    for partner, share in _mapping(data["x"], prefix + "x").items():
        name = f"{prefix}x.{partner}"
        partner = _country_code(partner, name)
        if partner == code:
            raise PolicyInputError(
                _("%(field)s: a country does not export to itself.") % {"field": name}, field=name
            )
        if partner not in codes:
            raise PolicyInputError(
                _("%(field)s: %(code)s is not one of the scenario's countries.")
                % {"field": name, "code": partner},
                field=name,
            )
        shares[partner] = _number(share, name, *LIMITS["x"])
    if sum(shares.values()) > 1 + 1e-9:
        name = prefix + "x"
        raise PolicyInputError(
            _("%(field)s: the shares sold abroad add up to %(total)s, more than 1.")
            % {"field": name, "total": f"{sum(shares.values()):g}"},
            field=name,
        )
    return Country(code, n, mu, sigma, s, shares)


def parse(data) -> Scenario:
    """A scenario from its JSON form, or PolicyInputError naming the first field at fault."""
    data = _mapping(data, "scenario")
    _keys(data, ("home", *SHARED_FIELDS, "countries"), "")
    home = _country_code(data["home"], "home")
    countries = _mapping(data["countries"], "countries")
    if not countries:
        raise PolicyInputError(_("countries must name at least one country."), field="countries")
    if len(countries) > MAX_COUNTRIES:
        raise PolicyInputError(
            _("countries may name at most %(count)s countries.") % {"count": MAX_COUNTRIES},
            field="countries",
        )
    codes = {_country_code(code, f"countries.{code}") for code in countries}
    if home not in codes:
        raise PolicyInputError(
            _("home: %(code)s must be one of the scenario's countries.") % {"code": home},
            field="home",
        )
    return Scenario(
        home=home,
        T=_number(data["T"], "T", *LIMITS["T"], open_low=True),
        f=_number(data["f"], "f", *LIMITS["f"]),
        p=_number(data["p"], "p", *LIMITS["p"]),
        epsilon=_number(data["epsilon"], "epsilon", *LIMITS["epsilon"], open_low=True),
        countries={code: _country(code, countries[code], codes) for code in countries},
    )


def with_values(scenario: Scenario, flat: dict[str, float]) -> Scenario:
    """A copy with some flat paths (as in ``Scenario.values``) set to other numbers."""
    shared = {name: flat.get(name, getattr(scenario, name)) for name in SHARED_FIELDS}
    countries = {}
    for code, c in scenario.countries.items():
        prefix = f"countries.{code}."
        countries[code] = Country(
            code,
            *(flat.get(prefix + name, getattr(c, name)) for name in COUNTRY_FIELDS),
            {d: flat.get(f"{prefix}x.{d}", share) for d, share in c.x.items()},
        )
    return Scenario(scenario.home, **shared, countries=countries)
