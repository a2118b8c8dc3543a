"""The closed form against firms drawn one by one, and the uncertainty bands."""

import math

import numpy as np
import pytest

from niaga.insights.policy import montecarlo
from niaga.insights.policy.model import closed_form, parse
from niaga.insights.policy.parameters import default_input


@pytest.mark.parametrize("T", [5_000.0, 40_000.0, 1_000_000.0])
@pytest.mark.parametrize("code", ["ID", "IN"])
def test_the_closed_form_agrees_with_firm_level_draws(T, code):
    data = default_input()
    data["T"] = T
    scenario = parse(data)
    expected = closed_form(scenario).countries[code]
    country = scenario.countries[code]
    firms = 400_000
    draw = montecarlo.firm_level(country, T, np.random.default_rng(7), firms=firms)
    # Five standard errors of the sample's own sums: a false alarm about once in 3.5 million.
    assert abs(draw.beneficiaries - expected.beneficiaries) <= 5 * draw.beneficiaries_se + 1e-9
    assert (
        abs(draw.waived_turnover - expected.waived_turnover) <= 5 * draw.waived_turnover_se + 1e-9
    )
    # and the relative tolerance that follows from the sample size is small
    rel = 5 * draw.waived_turnover_se / max(expected.waived_turnover, 1e-300)
    assert rel < 0.1


def test_firm_level_draws_of_n_firms_by_default(two_countries):
    scenario = parse(two_countries)
    draw = montecarlo.firm_level(scenario.countries["ID"], scenario.T, np.random.default_rng(1))
    assert draw.firms == 1000
    assert abs(draw.beneficiaries - 500) < 5 * math.sqrt(1000 * 0.25)


def test_bands_are_ordered_and_hold_the_closed_form():
    scenario = parse(default_input())
    bands = montecarlo.bands(scenario, draws=2000, seed=3)
    core = closed_form(scenario)
    for low, median, high in bands.values():
        assert low <= median <= high
    low, _, high = bands["fees_waived"]
    assert low < core.totals["fees_waived"] < high
    assert bands == montecarlo.bands(scenario, draws=2000, seed=3)  # seeded: repeatable


def test_drawn_export_shares_never_add_up_above_one(two_countries):
    two_countries["countries"]["ID"]["x"] = {"IN": 0.95}
    scenario = parse(two_countries)
    drawn = montecarlo.draw(scenario, 5000, np.random.default_rng(0))
    assert drawn["countries.ID.x.IN"].max() <= 1.0
    assert "T" not in drawn


def test_the_fan_has_a_band_per_threshold():
    scenario = parse(default_input())
    thresholds = np.geomspace(1e3, 1e8, 11)
    fan = montecarlo.fan(scenario, thresholds, draws=500)
    assert fan.low.shape == fan.median.shape == fan.high.shape == (11,)
    assert np.all(fan.low <= fan.median) and np.all(fan.median <= fan.high)
