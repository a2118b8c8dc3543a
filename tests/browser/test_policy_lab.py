"""The policy lab in a real browser: a slider moves the scenario, and its URL brings it back."""

import re

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_moving_the_threshold_updates_the_figures_and_the_shareable_url(live_server, page):
    page.goto(f"{live_server.url}/policy/")
    net_trade = page.get_by_test_id("net-trade")
    before = net_trade.inner_text()
    # plotly.js came from this server, not a CDN, and drew the tornado.
    page.locator("#policy-tornado .main-svg").first.wait_for()

    page.locator('[data-slider-for="policy-T"]').fill("5.5")  # 10^5.5 ≈ USD 316,200
    page.wait_for_url(re.compile(r"T=316200"))
    page.wait_for_function(
        "before => document.querySelector('[data-testid=net-trade]').innerText !== before",
        arg=before,
    )
    assert page.locator("#policy-T").input_value() == "316200"
    after = net_trade.inner_text()
    shared = page.url

    page.goto(f"{live_server.url}/policy/")
    assert page.get_by_test_id("net-trade").inner_text() == before
    page.goto(shared)
    assert page.get_by_test_id("net-trade").inner_text() == after
    assert page.locator("#policy-T").input_value() == "316200"
