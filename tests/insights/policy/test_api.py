"""The API answers a valid scenario with the figures and a bad one with a 4xx naming the field."""

import json

import pytest

from niaga.registry.models import Business

pytestmark = pytest.mark.django_db

SIMULATE = "/api/v1/policy/simulate"


def post(client, url, body):
    return client.post(
        url,
        data=json.dumps(body) if not isinstance(body, str) else body,
        content_type="application/json",
    )


def test_simulate_answers_the_figures(client, two_countries):
    response = post(client, SIMULATE, two_countries)
    assert response.status_code == 200
    body = response.json()
    assert body["countries"]["ID"]["beneficiaries"] == pytest.approx(500)
    assert set(body["countries"]["IN"]) == {
        "beneficiaries",
        "waived_turnover",
        "fees_waived",
        "induced_sales",
    }
    assert {"net_trade_home", "break_even_T", "break_even_statement"} <= set(body)


def test_csrf_is_not_needed_for_the_public_compute_endpoints(two_countries):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    assert post(client, SIMULATE, two_countries).status_code == 200


@pytest.mark.parametrize(
    ("change", "field"),
    [
        (lambda d: d.pop("f"), "f"),
        (lambda d: d.update(T="big"), "T"),
        (lambda d: d["countries"]["ID"].update(N=-3), "countries.ID.N"),
        (lambda d: d["countries"]["ID"].update(sigma=0), "countries.ID.sigma"),
        (lambda d: d["countries"]["ID"].update(s=2), "countries.ID.s"),
        (lambda d: d["countries"]["ID"]["x"].update(IN=0.7, ID=0.1), "countries.ID.x.ID"),
        (lambda d: d["countries"]["ID"]["x"].update(SG=0.1), "countries.ID.x.SG"),
        (lambda d: d.update(home="QQ"), "home"),
        (lambda d: d.update(home="SG"), "home"),
        (lambda d: d.update(epsilon=1000), "epsilon"),
        (lambda d: d.update(p=1.5), "p"),
    ],
)
def test_each_bad_input_is_a_4xx_naming_the_field(client, two_countries, change, field):
    change(two_countries)
    response = post(client, SIMULATE, two_countries)
    assert response.status_code == 422
    body = response.json()
    assert body["field"] == field and body["code"] == "policy_invalid" and field in body["message"]


def test_nan_and_infinity_literals_are_refused(client, two_countries):
    text = json.dumps(two_countries).replace('"f": 0.02', '"f": NaN')
    response = post(client, SIMULATE, text)
    assert response.status_code in {400, 422}
    text = json.dumps(two_countries).replace('"f": 0.02', '"f": Infinity')
    assert post(client, SIMULATE, text).status_code in {400, 422}


@pytest.mark.parametrize("body", ["[1, 2]", "3", "not json", '{"home": "ID"}'])
def test_shapeless_bodies_are_4xx(client, body):
    response = post(client, SIMULATE, body)
    assert 400 <= response.status_code < 500


def test_defaults_show_each_source(client):
    body = client.get("/api/v1/policy/defaults").json()
    assert body["scenario"]["home"] == "ID"
    assert body["parameters"]["epsilon"]["source"]
    assert all(p["source"] for p in body["parameters"].values())


def test_sensitivity_answers_tornado_and_bands(client, two_countries):
    response = post(client, "/api/v1/policy/sensitivity", two_countries)
    assert response.status_code == 200
    body = response.json()
    swings = [bar["swing"] for bar in body["bars"]]
    assert swings == sorted(swings, reverse=True)
    low, median, high = body["bands"]["fees_waived"]
    assert low <= median <= high
    bad = dict(two_countries, T=-1)
    assert post(client, "/api/v1/policy/sensitivity", bad).json()["field"] == "T"


def test_fit_needs_enough_rows(client):
    assert client.get("/api/v1/policy/fit/ID").status_code == 404
    assert client.get("/api/v1/policy/fit/1x").status_code == 422
    for i in range(30):
        Business.objects.create(
            name=f"B{i}",
            country="ID",
            annual_turnover_minor=(i + 1) * 10**8,
            turnover_currency="USD",
        )
    body = client.get("/api/v1/policy/fit/ID").json()
    assert body["rows"] == 30 and body["sigma"] > 0
