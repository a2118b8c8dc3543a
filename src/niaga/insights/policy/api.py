"""The policy lab's API (/api/v1/policy/): public, compute-only, and holding no personal data.

Scenarios travel as JSON in the input format of ``model.parse`` (the CLI file's format); a
refused input answers 422 with the field at fault.
"""

from typing import Any

from django.utils.translation import gettext as _
from ninja import Body, Router, Schema

from niaga.core.errors import NotFound
from niaga.core.schemas import Problem, responses
from niaga.insights.policy import fit, montecarlo, parameters, sensitivity
from niaga.insights.policy.model import PolicyInputError, parse
from niaga.insights.policy.results import simulate

router = Router(tags=["policy lab"])


class CountryOut(Schema):
    beneficiaries: float
    waived_turnover: float
    fees_waived: float
    induced_sales: dict[str, float]


class SimulationOut(Schema):
    home: str
    T: float
    countries: dict[str, CountryOut]
    net_trade_home: float
    break_even_T: float | None
    break_even_statement: str
    break_even_range: list[float]


class ParameterOut(Schema):
    value: float
    low: float
    high: float
    source: str


class DefaultsOut(Schema):
    scenario: dict[str, Any]
    parameters: dict[str, ParameterOut]


class BarOut(Schema):
    path: str
    label: str
    low: float
    high: float
    output_low: float
    output_high: float
    swing: float


class SensitivityOut(Schema):
    output: str
    base: float
    bars: list[BarOut]
    bands: dict[str, list[float]]
    percentiles: list[int]


class FitOut(Schema):
    country: str
    mu: float
    sigma: float
    rows: int


@router.get("defaults", response=responses({200: DefaultsOut}), auth=None)
def defaults(request):
    """The default scenario, and each figure's range and source (or "assumption")."""
    scenario = parse(parameters.default_input())
    described = {}
    for path, value in scenario.values().items():
        default = parameters.default_parameter(path)
        described[path] = {
            "value": value,
            "low": default.low,
            "high": default.high,
            "source": str(default.source),
        }
    return {"scenario": scenario.as_input(), "parameters": described}


@router.post("simulate", response=responses({200: SimulationOut}), auth=None)
def simulate_scenario(request, scenario: Body[dict[str, Any]]):
    """Per country: beneficiaries, waived turnover, fees waived, induced sales; the home
    country's net trade, and the threshold at which it changes sign (or null, and why)."""
    return simulate(parse(scenario)).as_dict()


@router.post("sensitivity", response=responses({200: SensitivityOut}), auth=None)
def sensitivity_of(request, scenario: Body[dict[str, Any]]):
    """The tornado of the home country's net trade over every input's range, and Monte Carlo
    bands (5th, 50th, 95th percentiles) of the figures when uncertain inputs are drawn."""
    parsed = parse(scenario)
    tornado = sensitivity.tornado(parsed)
    return {
        "output": tornado.output,
        "base": tornado.base,
        "bars": [{**bar.__dict__, "swing": bar.swing} for bar in tornado.bars],
        "bands": {name: list(band) for name, band in montecarlo.bands(parsed).items()},
        "percentiles": list(montecarlo.PERCENTILES),
    }


@router.get("fit/{country}", response=responses({200: FitOut, 404: Problem}), auth=None)
def fit_from_registry(request, country: str):
    """μ and σ of ln turnover (USD) fitted from the registry's businesses of one country; 404
    below the minimum number of rows, so that small groups are not described."""
    if len(country) != 2 or not country.isascii() or not country.isalpha():
        raise PolicyInputError(
            _("country must be a two-letter ISO 3166 country code."), field="country"
        )
    result = fit.fit_country(country.upper())
    if result is None:
        raise NotFound(
            _("The registry holds fewer than %(count)s usable turnovers for %(country)s.")
            % {"count": fit.MIN_ROWS, "country": country.upper()}
        )
    return result.__dict__
