"""The programme dashboard in a real browser: an officer signs in and reads charts and tables."""

import csv
import io
from pathlib import Path

import pytest

from tests.factories import PASSWORD
from tests.insights.dashboard.helpers import settle
from tests.insights.dashboard.helpers import world as make_world

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _small_cells(settings):
    settings.NIAGA_ASSURANCE_TIMERS = False
    settings.NIAGA_OPEN_DATA_MIN_CELL = 3


def test_an_officer_reads_the_dashboard_and_downloads_a_figure(live_server, page):
    world = make_world()
    for index in range(6):
        settle(world, exporter=index, buyer="US" if index % 3 == 0 else "DE")

    page.goto(f"{live_server.url}/accounts/sign-in/")
    page.get_by_label("E-mail address").fill(world.officer_a.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{live_server.url}/accounts/home/")
    page.get_by_role("link", name="Insights").click()
    page.wait_for_url(f"{live_server.url}/insights/")

    # plotly.js came from this server and drew the chart beside its table.
    page.locator("#chart-export-by-month .main-svg").first.wait_for()
    assert page.get_by_test_id("figure-export-by-month").locator("table tbody tr").count() >= 1
    assert page.get_by_test_id("incentive-cost").is_visible()

    with page.expect_download() as download:
        page.locator('a[href*="/insights/data/export-by-destination.csv"]').first.click()
    text = Path(download.value.path()).read_text(encoding="utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert rows, "the downloaded figure has rows"
