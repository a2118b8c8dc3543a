"""The page, the API and the open data files: scoped, suppressed, and saying the same."""

import csv
import io
from decimal import Decimal

import pyarrow.parquet as pq
import pytest
from django.test import Client

from niaga.core.roles import OrganisationKind, Role
from niaga.insights.models import NationalExportFigure, OpenProgramme
from tests.factories import member
from tests.insights.dashboard.helpers import settle

pytestmark = pytest.mark.django_db

API = "/api/v1/insights/figures"


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def trade(world):
    for index in range(6):
        settle(world, exporter=index, buyer="US" if index % 3 == 0 else "DE")
    settle(world, exporter=6, programme=world.programme_b)


def test_the_page_renders_for_an_officer_with_charts_tables_and_downloads(world):
    trade(world)
    response = signed_in(world.officer_a).get("/insights/")
    assert response.status_code == 200
    html = response.content.decode()
    for slug in ("funnel", "export-by-province", "top-products", "first-orders", "msme-share"):
        assert f'data-testid="figure-{slug}"' in html
    assert "/insights/plotly.js" in html
    assert 'id="chart-export-by-month"' in html
    assert "/insights/data/export-by-sector.csv" in html
    assert 'data-testid="incentive-cost"' in html


def test_an_officer_sees_only_the_programmes_they_work(world):
    trade(world)
    officer_a = signed_in(world.officer_a)
    assert officer_a.get("/insights/?programme=ekspor-b").status_code == 404
    assert officer_a.get(f"{API}/export-total?programme=ekspor-b").status_code == 404
    assert officer_a.get("/insights/data/export-total.csv?programme=ekspor-b").status_code == 404
    mine = officer_a.get(f"{API}/export-total").json()["rows"][0]
    theirs = signed_in(world.officer_b).get(f"{API}/export-total").json()["rows"][0]
    assert mine["orders"] == 6
    assert theirs == {"usd_minor": None, "orders": None, "suppressed": True}  # one order


def test_buyers_and_exporters_have_no_dashboard_and_no_closed_data(world):
    trade(world)
    buyer, _organisation = world.buyers["DE"]
    exporter, _organisation = world.exporters[0]
    for person in (buyer, exporter):
        client = signed_in(person)
        assert client.get("/insights/").status_code == 403
        assert client.get(f"{API}/export-total").status_code == 404
        assert client.get("/insights/data/export-total.parquet").status_code == 404
    assert Client().get("/insights/").status_code == 302  # to the sign-in page


def test_a_programme_published_as_open_data_is_readable_by_anyone(world):
    trade(world)
    OpenProgramme.objects.create(programme=world.programme_a)
    anyone = Client()
    assert anyone.get(f"{API}/export-total").json()["rows"][0]["orders"] == 6
    assert anyone.get(f"{API}/export-total?programme=ekspor-b").status_code == 404


@pytest.mark.parametrize(
    "slug",
    [
        "export-by-province",
        "export-by-currency",
        "funnel",
        "top-markets",
        "first-orders",
        "exchange-rates",
    ],
)
def test_csv_and_parquet_parse_and_match_the_api(world, slug):
    trade(world)
    client = signed_in(world.officer_a)
    figure = client.get(f"{API}/{slug}").json()
    names = [column["name"] for column in figure["columns"]]

    response = client.get(f"/insights/data/{slug}.csv")
    assert response.status_code == 200
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert list(rows[0].keys()) if rows else names == names

    response = client.get(f"/insights/data/{slug}.parquet")
    table = pq.read_table(io.BytesIO(response.content))
    assert table.column_names == names
    assert table.schema.metadata[b"figure"] == slug.encode()
    from_parquet = table.to_pylist()
    assert len(from_parquet) == len(rows) == len(figure["rows"])

    for api_row, csv_row, parquet_row in zip(figure["rows"], rows, from_parquet, strict=True):
        for name in names:
            api_value, parquet_value = api_row.get(name), parquet_row[name]
            if isinstance(parquet_value, Decimal):
                assert Decimal(api_value) == parquet_value
            else:
                assert api_value == parquet_value
            expected = "" if api_value is None else str(api_value)
            if isinstance(api_value, bool):
                expected = "true" if api_value else "false"
            assert csv_row[name] == expected


def test_suppressed_cells_are_blank_in_every_format(world, settings):
    settings.NIAGA_OPEN_DATA_MIN_CELL = 3
    trade(world)  # ID-BA has no orders in programme A, ID-JB and ID-JI three each
    settle(world, exporter=6)  # one order from ID-BA: suppressed, and one more with it
    client = signed_in(world.officer_a)
    rows = client.get(f"{API}/export-by-province").json()["rows"]
    blanked = [row for row in rows if row["suppressed"]]
    assert len(blanked) == 2 and all(row["usd_minor"] is None for row in blanked)
    table = pq.read_table(
        io.BytesIO(client.get("/insights/data/export-by-province.parquet").content)
    ).to_pylist()
    assert [row["suppressed"] for row in table] == [row["suppressed"] for row in rows]
    assert all(row["usd_minor"] is None for row in table if row["suppressed"])
    html = client.get("/insights/").content.decode()
    assert "insights-suppressed" in html


def test_nothing_personal_goes_out(world):
    trade(world)
    client = signed_in(world.officer_a)
    names = [organisation.name for _person, organisation in world.exporters]
    for link in client.get(API).json():
        text = client.get(f"{API}/{link['slug']}").content.decode()
        assert not any(name in text for name in names)
        assert "email" not in text


def test_bad_filters_are_refused(world):
    client = signed_in(world.officer_a)
    assert client.get(f"{API}/export-total?month_from=2026-13").status_code == 422
    assert client.get(f"{API}/export-total?region=jakarta").status_code == 422
    assert client.get(f"{API}/no-such-figure").status_code == 404
    assert client.get("/insights/?month_from=2026-05&month_to=2026-01").status_code == 200


def test_an_analyst_enters_a_national_figure_and_sees_the_share(world, settings):
    settings.NIAGA_OPEN_DATA_MIN_CELL = 1
    trade(world)
    analyst = member(Role.POLICY_ANALYST, OrganisationKind.MINISTRY)
    world.programme_a.ministries.add(analyst.memberships.get().organisation)
    client = signed_in(analyst)
    from django.utils import timezone

    year = timezone.localdate().year
    response = client.post(
        "/insights/national-figures/",
        {"country": "ID", "year": year, "usd": "1000000.00", "source": "BPS 2026"},
    )
    assert response.status_code == 302
    assert NationalExportFigure.objects.get().usd_minor == 100_000_000
    share = client.get(f"{API}/msme-share").json()["rows"][0]
    total = client.get(f"{API}/export-total").json()["rows"][0]["usd_minor"]
    assert share["programme_usd_minor"] == total
    assert Decimal(share["share_percent"]) == (Decimal(100) * total / 100_000_000).quantize(
        Decimal("0.0001")
    )
    # A programme officer may read the share but not enter a figure.
    refused = signed_in(world.officer_a).post(
        "/insights/national-figures/",
        {"country": "ID", "year": year, "usd": "5", "source": "x"},
    )
    assert refused.status_code == 403


def test_a_bad_national_figure_is_shown_back_with_its_error(world):
    analyst = member(Role.POLICY_ANALYST, OrganisationKind.MINISTRY)
    response = signed_in(analyst).post(
        "/insights/national-figures/",
        {"country": "ID", "year": 2026, "usd": "12.345", "source": "BPS"},
    )
    assert response.status_code == 422
    assert 'data-field="usd"' in response.content.decode()
    assert not NationalExportFigure.objects.exists()
