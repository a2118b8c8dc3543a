import re

import pytest
from django.http import QueryDict

from niaga.insights.policy import scenario_url
from niaga.insights.policy.model import parse
from niaga.insights.policy.parameters import default_input
from niaga.registry.models import Business

pytestmark = pytest.mark.django_db

URL = "/policy/"


def _figures(html: str) -> list[str]:
    return re.findall(r'data-testid="(?:net-trade|break-even)">([^<]*)<', html)


def test_the_page_with_defaults(client):
    response = client.get(URL)
    assert response.status_code == 200
    html = response.content.decode()
    assert 'type="range"' in html and 'hx-push-url="true"' in html and 'name="ID.sigma"' in html
    assert "insights/plotly.js" in html or "plotly.js" in html
    assert 'id="policy-tornado"' in html and 'id="policy-fan"' in html
    assert 'data-testid="tornado-table"' in html and 'data-testid="bands-table"' in html
    assert "Assumption" in html  # each parameter shows its source
    assert "surplus to a deficit" in html
    assert '<button type="submit"' in html  # works without JavaScript


def test_a_shared_url_reproduces_the_same_figures(client):
    data = default_input()
    data["T"] = 123_456.789
    data["countries"]["IN"]["sigma"] = 1.234567
    query = scenario_url.to_query(parse(data))
    first = client.get(f"{URL}?{query}").content.decode()
    share = re.search(r'data-testid="share-url">', first)
    assert share
    shared = (
        re.search(r'href="([^"]*)" data-testid="share-url"', first).group(1).replace("&amp;", "&")
    )
    again = client.get(shared).content.decode()
    assert _figures(first) == _figures(again) and len(_figures(first)) == 2
    assert _figures(first) != _figures(client.get(URL).content.decode())


def test_the_query_round_trips_exactly():
    data = default_input()
    data["T"] = 0.1 + 0.2
    scenario = parse(data)
    again = parse(scenario_url.from_query(QueryDict(scenario_url.to_query(scenario))))
    assert again == scenario


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("T=abc", "T"),
        ("ID.sigma=0", "countries.ID.sigma"),
        ("f=nan", "f"),
        ("home=SG", "home"),
        ("countries=ID,ZZ", "countries.ZZ"),
        ("ID.x.IN=1.5", "countries.ID.x.IN"),
        ("ID.x.FR=0.1", "countries.ID.x.FR"),
    ],
)
def test_bad_query_values_show_a_message(client, query, field):
    response = client.get(f"{URL}?{query}")
    assert response.status_code == 400
    html = response.content.decode()
    assert 'data-testid="policy-error"' in html and field in html
    htmx = client.get(f"{URL}?{query}", HTTP_HX_REQUEST="true")
    assert htmx.status_code == 200 and field in htmx.content.decode()


def test_an_htmx_request_gets_the_partial(client):
    response = client.get(f"{URL}?T=20000", HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert response.status_code == 200
    assert "<form" not in html.split('id="policy-results"')[0] and "<html" not in html
    assert 'data-testid="net-trade"' in html


def test_an_added_country_starts_from_generic_assumptions(client):
    response = client.get(f"{URL}?countries=ID,IN,SG&ID.x.SG=0.1")
    assert response.status_code == 200
    html = response.content.decode()
    assert 'name="SG.mu"' in html and "Singapore" in html


def test_the_page_offers_a_registry_fit_with_enough_rows(client):
    for i in range(30):
        Business.objects.create(
            name=f"U{i}",
            country="IN",
            annual_turnover_minor=(i + 1) * 10**9,
            turnover_currency="INR",
        )
    html = client.get(URL).content.decode()
    assert "Use this fit" in html and "from 30 businesses" in html


def test_a_long_country_list_is_refused_quickly(client):
    codes = ",".join(c.alpha_2 for c in __import__("pycountry").countries)
    response = client.get(f"{URL}?countries={codes}")
    assert response.status_code == 400
    assert "at most" in response.content.decode()
