import math

import numpy as np
import pytest

from niaga.insights.policy import sensitivity
from niaga.insights.policy.breakeven import break_even
from niaga.insights.policy.model import closed_form, parse, with_values
from niaga.insights.policy.parameters import default_input


def test_the_default_scenario_has_a_break_even_inside_the_range():
    scenario = parse(default_input())
    found = break_even(scenario)
    assert found.T is not None and found.low < found.T < found.high
    at = closed_form(with_values(scenario, {"T": found.T})).net_trade_home
    scale = closed_form(scenario).net_trade_home
    assert abs(at) < 1e-6 * abs(scale)
    below = closed_form(with_values(scenario, {"T": found.T * 0.9})).net_trade_home
    above = closed_form(with_values(scenario, {"T": found.T * 1.1})).net_trade_home
    assert below > 0 > above
    assert "surplus to a deficit" in found.statement


def test_identical_partners_break_even_where_hand_algebra_says(two_countries):
    # Same μ, σ, N and s: net ∝ (x_ID→IN − x_IN→ID) · W(T), one sign for every T: no break-even.
    for code in ("ID", "IN"):
        two_countries["countries"][code].update(N=1000, mu=10.0, sigma=1.0, s=0.5)
    scenario = parse(two_countries)
    found = break_even(scenario)
    assert found.T is None
    assert "does not change sign" in found.statement and "surplus" in found.statement


def test_no_trade_means_no_break_even(two_countries):
    two_countries["countries"]["ID"]["x"] = {}
    two_countries["countries"]["IN"]["x"] = {}
    found = break_even(parse(two_countries))
    assert found.T is None and "zero" in found.statement


def test_the_vectorised_form_equals_the_scalar_one():
    scenario = parse(default_input())
    rng = np.random.default_rng(5)
    drawn = sensitivity.sample(scenario, 50, rng)
    many = sensitivity.evaluate(scenario, drawn)
    for i in range(50):
        one = closed_form(with_values(scenario, {k: float(v[i]) for k, v in drawn.items()}))
        assert many["net_trade_home"][i] == pytest.approx(one.net_trade_home, rel=1e-9, abs=1e-6)
        assert many["fees_waived"][i] == pytest.approx(one.totals["fees_waived"], rel=1e-9)
        assert many["beneficiaries"][i] == pytest.approx(one.totals["beneficiaries"], rel=1e-9)


def test_the_tornado_has_a_bar_per_input_widest_first():
    scenario = parse(default_input())
    tornado = sensitivity.tornado(scenario)
    assert {bar.path for bar in tornado.bars} == set(scenario.values())
    swings = [bar.swing for bar in tornado.bars]
    assert swings == sorted(swings, reverse=True)
    assert tornado.base == pytest.approx(closed_form(scenario).net_trade_home)
    for bar in tornado.bars:
        low = closed_form(with_values(scenario, {bar.path: bar.low})).net_trade_home
        assert bar.output_low == pytest.approx(low, rel=1e-9, abs=1e-6)
    # net trade is linear in ε, p and f: the swing of ε is base · (high − low)/value
    eps = next(bar for bar in tornado.bars if bar.path == "epsilon")
    assert eps.swing == pytest.approx(abs(tornado.base) * (8 - 1) / 4)


def test_a_thousand_scenario_run_is_shaped_and_finite():
    scenario = parse(default_input())
    run = sensitivity.sensitivity_run(scenario, n=1000, seed=1)
    for name in sensitivity.OUTPUTS:
        assert run[name].shape == (1000,)
        assert np.all(np.isfinite(run[name]))
    assert np.all(run["beneficiaries"] >= 0)


def test_sigma_tiny_in_the_vectorised_form(two_countries):
    two_countries["countries"]["ID"]["sigma"] = 1e-9
    scenario = parse(two_countries)
    out = sensitivity.evaluate(scenario, {"T": np.array([math.exp(9.9), math.exp(10.1)])})
    in_benef = closed_form(scenario).countries["IN"]
    assert out["beneficiaries"][1] - out["beneficiaries"][0] == pytest.approx(
        1000
        + 2000
        * (0.5 * (1 + math.erf(-0.45 / math.sqrt(2))) - 0.5 * (1 + math.erf(-0.55 / math.sqrt(2)))),
        rel=1e-9,
    )
    assert in_benef.beneficiaries > 0
