"""The default scenario, each figure with its range and where it comes from.

Every default is a ``Parameter``: a value, the plausible range around it (which the tornado
chart and the Monte Carlo bands draw from), and a source, or the word "assumption" where the
figure is a judgement and not a measurement. Amounts are USD floats: these are statistical
estimates of a policy's size, not ledger money, so the project's integer-minor-unit rule for
money does not apply here.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Parameter:
    value: float
    low: float
    high: float
    source: str

    def __post_init__(self):
        if not self.low <= self.value <= self.high:
            raise ValueError(f"{self.value} lies outside [{self.low}, {self.high}]")


#: Where a range searched for the break-even threshold starts and ends (USD).
BREAK_EVEN_RANGE = (1_000.0, 100_000_000.0)

SHARED = {
    "T": Parameter(
        50_000.0,
        10_000.0,
        500_000.0,
        _(
            "Assumption. For scale: Indonesia's Government Regulation 7/2021 counts a business "
            "with annual sales up to IDR 2 billion (about USD 125,000) as micro."
        ),
    ),
    "f": Parameter(
        0.029,
        0.01,
        0.04,
        _("Assumption: a typical card-acceptance fee of a few per cent, not a provider's quote."),
    ),
    "p": Parameter(0.5, 0.2, 1.0, _("Assumption: half of the fee reaches prices.")),
    "epsilon": Parameter(
        4.0,
        1.0,
        8.0,
        _(
            "Assumption, within the trade elasticities surveyed by Head and Mayer (2014), "
            "'Gravity equations', Handbook of International Economics vol. 4."
        ),
    ),
}

_PLATFORM_SCALE = _("Assumption: the platform's scale in that country.")
_FIT_ME = _("Assumption: replace it with a fit from the registry when it holds enough rows.")
_PLATFORM_SHARE = _("Assumption: the share of turnover paid through the platform.")
_EXPORT_SHARE = _("Assumption: the share of platform turnover sold into that country.")

HOME = "ID"

#: Indonesia at home, India as partner: Niaga serves both. The Indian firms on the platform
#: are assumed fewer per head but larger, so that the home country gains at low thresholds
#: and loses at high ones: the break-even threshold then lies inside the searched range.
COUNTRIES: dict[str, dict[str, Parameter | dict[str, Parameter]]] = {
    "ID": {
        "N": Parameter(4_000.0, 2_000.0, 8_000.0, _PLATFORM_SCALE),
        "mu": Parameter(round(math.log(40_000), 4), 10.0, 11.2, _FIT_ME),
        "sigma": Parameter(1.3, 0.9, 1.7, _FIT_ME),
        "s": Parameter(0.6, 0.4, 0.8, _PLATFORM_SHARE),
        "x": {"IN": Parameter(0.25, 0.15, 0.35, _EXPORT_SHARE)},
    },
    "IN": {
        "N": Parameter(6_000.0, 3_000.0, 12_000.0, _PLATFORM_SCALE),
        "mu": Parameter(round(math.log(120_000), 4), 11.2, 12.2, _FIT_ME),
        "sigma": Parameter(1.6, 1.2, 2.0, _FIT_ME),
        "s": Parameter(0.5, 0.3, 0.7, _PLATFORM_SHARE),
        "x": {"ID": Parameter(0.15, 0.08, 0.25, _EXPORT_SHARE)},
    },
}

#: What a country added on the page starts from, before anyone edits it.
GENERIC_COUNTRY = {
    "N": Parameter(1_000.0, 500.0, 2_000.0, _PLATFORM_SCALE),
    "mu": Parameter(round(math.log(50_000), 4), 10.0, 11.6, _FIT_ME),
    "sigma": Parameter(1.4, 1.0, 1.8, _FIT_ME),
    "s": Parameter(0.5, 0.3, 0.7, _PLATFORM_SHARE),
}
GENERIC_EXPORT_SHARE = Parameter(0.0, 0.0, 0.2, _EXPORT_SHARE)

COUNTRY_FIELDS = ("N", "mu", "sigma", "s")
SHARED_FIELDS = ("T", "f", "p", "epsilon")

#: Hard validity limits of each input, beyond which a figure is a mistake, not a scenario.
#: (Ranges of the tornado stay inside these.)
LIMITS = {
    "T": (0.0, 1e15),
    "f": (0.0, 1.0),
    "p": (0.0, 1.0),
    "epsilon": (0.0, 50.0),
    "N": (0.0, 1e9),
    "mu": (0.0, 30.0),
    "sigma": (0.0, 10.0),
    "s": (0.0, 1.0),
    "x": (0.0, 1.0),
}


def default_parameter(path: str) -> Parameter:
    """The default behind a flat path such as "T", "countries.ID.mu" or "countries.ID.x.IN"."""
    parts = path.split(".")
    if len(parts) == 1:
        return SHARED[path]
    code, name = parts[1], parts[2]
    known = COUNTRIES.get(code)
    if name == "x":
        if known is not None and parts[3] in known["x"]:
            return known["x"][parts[3]]
        return GENERIC_EXPORT_SHARE
    return (known or GENERIC_COUNTRY)[name]


def range_for(path: str, value: float) -> tuple[float, float]:
    """The default's range, widened to hold the current value, so the base lies inside it."""
    default = default_parameter(path)
    low, high = min(default.low, value), max(default.high, value)
    if low == high:  # a default range of one point, moved: keep a quarter either side
        low, high = value * 0.75, value * 1.25
    limit = LIMITS[path.split(".")[2] if path.startswith("countries.") else path]
    return max(low, limit[0]), min(high, limit[1])


def label(path: str) -> str:
    parts = path.split(".")
    names = {
        "T": _("threshold T (USD)"),
        "f": _("fee rate f"),
        "p": _("pass-through p"),
        "epsilon": _("price elasticity ε"),
        "N": _("firms N"),
        "mu": _("μ of ln turnover (USD)"),
        "sigma": _("σ of ln turnover"),
        "s": _("share paid through the platform s"),
    }
    if len(parts) == 1:
        return str(names[path])
    code, name = parts[1], parts[2]
    if name == "x":
        return str(
            _("%(country)s: share sold into %(partner)s") % {"country": code, "partner": parts[3]}
        )
    return f"{code}: {names[name]}"


def default_input() -> dict:
    """The default scenario in the input format of ``model.parse`` (and of the CLI file)."""
    return {
        "home": HOME,
        **{name: SHARED[name].value for name in SHARED_FIELDS},
        "countries": {
            code: {
                **{name: fields[name].value for name in COUNTRY_FIELDS},
                "x": {partner: share.value for partner, share in fields["x"].items()},
            }
            for code, fields in COUNTRIES.items()
        },
    }


def country_defaults(code: str, partners: list[str]) -> dict:
    """A country's default inputs, known or generic, with a share for each partner listed."""
    known = COUNTRIES.get(code)
    fields = known or GENERIC_COUNTRY
    shares = known["x"] if known else {}
    return {
        **{name: fields[name].value for name in COUNTRY_FIELDS},
        "x": {
            partner: shares.get(partner, GENERIC_EXPORT_SHARE).value
            for partner in partners
            if partner != code
        },
    }
