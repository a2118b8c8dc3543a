"""The closed form against figures worked out by hand, its limits, and what parse refuses."""

import math

import pytest

from niaga.insights.policy.model import PolicyInputError, closed_form, parse
from niaga.insights.policy.parameters import default_input


def Phi(z):
    return 0.5 * (1 + math.erf(z / math.sqrt(2)))


def test_the_closed_form_matches_a_hand_computed_case(two_countries):
    core = closed_form(parse(two_countries))
    ln_t = 10.0
    # ID: z = (ln T − μ)/σ = 0, so exactly half the firms benefit.
    assert core.countries["ID"].beneficiaries == pytest.approx(500.0)
    waived_id = 1000 * math.exp(10 + 0.5) * Phi((ln_t - 10 - 1) / 1)
    assert core.countries["ID"].waived_turnover == pytest.approx(waived_id, rel=1e-12)
    assert core.countries["ID"].fees_waived == pytest.approx(0.02 * 0.5 * waived_id)
    induced_id_in = 3.0 * 0.5 * 0.02 * 0.2 * 0.5 * waived_id
    assert core.countries["ID"].induced_sales == {"IN": pytest.approx(induced_id_in)}

    benef_in = 2000 * Phi((ln_t - 11) / 2)
    waived_in = 2000 * math.exp(11 + 2) * Phi((ln_t - 11 - 4) / 2)
    assert core.countries["IN"].beneficiaries == pytest.approx(benef_in, rel=1e-12)
    assert core.countries["IN"].waived_turnover == pytest.approx(waived_in, rel=1e-12)
    induced_in_id = 3.0 * 0.5 * 0.02 * 0.1 * 0.4 * waived_in
    assert core.net_trade_home == pytest.approx(induced_id_in - induced_in_id, rel=1e-12)


def test_a_third_country_counts_only_in_its_trade_with_home(two_countries):
    two_countries["countries"]["ID"]["x"]["SG"] = 0.3
    two_countries["countries"]["IN"]["x"]["SG"] = 0.5
    two_countries["countries"]["SG"] = {
        "N": 10,
        "mu": 9.0,
        "sigma": 1.0,
        "s": 1.0,
        "x": {"ID": 1.0},
    }
    core = closed_form(parse(two_countries))
    rows = core.countries
    expected = (
        rows["ID"].induced_sales["IN"]
        + rows["ID"].induced_sales["SG"]
        - rows["IN"].induced_sales["ID"]
        - rows["SG"].induced_sales["ID"]
    )
    assert core.net_trade_home == pytest.approx(expected)
    sg_waived = 10 * math.exp(9.5) * Phi((10 - 9 - 1) / 1)
    assert rows["SG"].induced_sales["ID"] == pytest.approx(3.0 * 0.5 * 0.02 * 1.0 * 1.0 * sg_waived)


@pytest.mark.parametrize("sigma", [1e-3, 1e-6, 1e-9])
def test_as_sigma_shrinks_all_firms_benefit_or_none(two_countries, sigma):
    country = two_countries["countries"]["ID"]
    country["sigma"] = sigma
    country["mu"] = 10.0
    for T, everyone in ((math.exp(10.01), True), (math.exp(9.99), False)):
        two_countries["T"] = T
        row = closed_form(parse(two_countries)).countries["ID"]
        if everyone:
            assert row.beneficiaries == pytest.approx(1000)
            # every firm has turnover e^μ (the mean → e^μ as σ → 0)
            assert row.waived_turnover == pytest.approx(1000 * math.exp(10), rel=1e-5)
        else:
            assert row.beneficiaries == pytest.approx(0, abs=1e-9)
            assert row.waived_turnover == pytest.approx(0, abs=1e-6)


def test_no_waiver_without_a_fee_and_no_trade_without_shares(two_countries):
    two_countries["f"] = 0.0
    core = closed_form(parse(two_countries))
    assert core.countries["ID"].fees_waived == 0
    assert core.net_trade_home == 0
    assert core.countries["ID"].beneficiaries == pytest.approx(500)


def test_the_defaults_parse_and_each_carries_a_source():
    from niaga.insights.policy.parameters import default_parameter

    scenario = parse(default_input())
    assert scenario.home == "ID" and set(scenario.countries) == {"ID", "IN"}
    for path, value in scenario.values().items():
        parameter = default_parameter(path)
        assert parameter.low <= value <= parameter.high
        assert parameter.source.strip()


def _set(data, path, value):
    keys = path.split(".")
    target = data
    for key in keys[:-1]:
        target = target[key]
    if value is KeyError:
        del target[keys[-1]]
    else:
        target[keys[-1]] = value


BAD = [
    ("T", KeyError, "T"),
    ("countries.ID.sigma", KeyError, "countries.ID.sigma"),
    ("T", "50000", "T"),
    ("T", True, "T"),
    ("f", float("nan"), "f"),
    ("epsilon", float("inf"), "epsilon"),
    ("T", 10**400, "T"),
    ("countries.ID.N", -1, "countries.ID.N"),
    ("countries.ID.sigma", 0, "countries.ID.sigma"),
    ("countries.ID.sigma", -0.5, "countries.ID.sigma"),
    ("countries.ID.s", 1.5, "countries.ID.s"),
    ("countries.ID.x.IN", -0.1, "countries.ID.x.IN"),
    ("countries.ID.x.IN", 1.01, "countries.ID.x.IN"),
    ("countries.ID.x.FR", 0.1, "countries.ID.x.FR"),
    ("countries.ID.x.ID", 0.1, "countries.ID.x.ID"),
    ("countries.ID.x.ZZ", 0.1, "countries.ID.x.ZZ"),
    ("countries.ZZ", {"N": 1, "mu": 1, "sigma": 1, "s": 0, "x": {}}, "countries.ZZ"),
    ("home", "SG", "home"),
    ("home", "XX", "home"),
    ("home", 5, "home"),
    ("T", 0, "T"),
    ("T", -5, "T"),
    ("f", 1.2, "f"),
    ("p", -0.1, "p"),
    ("epsilon", 0, "epsilon"),
    ("epsilon", 51, "epsilon"),
    ("countries", {}, "countries"),
    ("countries", [], "countries"),
    ("countries.ID.x", [0.2], "countries.ID.x"),
    ("colour", "red", "colour"),
]


@pytest.mark.parametrize(("path", "value", "field"), BAD)
def test_bad_input_is_refused_naming_the_field(two_countries, path, value, field):
    _set(two_countries, path, value)
    with pytest.raises(PolicyInputError) as refused:
        parse(two_countries)
    assert refused.value.field == field
    assert field in refused.value.message


def test_export_shares_above_one_in_total_are_refused(two_countries):
    two_countries["countries"]["ID"]["x"] = {"IN": 0.6, "SG": 0.5}
    two_countries["countries"]["SG"] = {"N": 1, "mu": 9.0, "sigma": 1.0, "s": 0.5, "x": {}}
    with pytest.raises(PolicyInputError) as refused:
        parse(two_countries)
    assert refused.value.field == "countries.ID.x"


def test_a_scenario_that_is_not_an_object_is_refused():
    with pytest.raises(PolicyInputError):
        parse([1, 2])
