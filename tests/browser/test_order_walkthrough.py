"""One order walked from the buyer's form to a settled escrow in a real browser."""

from datetime import date, timedelta

import pytest
from django.utils import timezone

from niaga.assurance import services
from niaga.assurance.models import FeeRule, Order, PaymentChannel
from niaga.assurance.services import Incoming
from tests.assurance.page_helpers import buyer_at, exporter_at
from tests.factories import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _files_in_tmp_and_no_timers(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.NIAGA_ASSURANCE_TIMERS = False


def sign_in(page, live_server, email):
    page.goto(f"{live_server.url}/accounts/sign-in/")
    page.get_by_label("E-mail address").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{live_server.url}/accounts/home/")


def state_is(page, label):
    page.get_by_test_id("state").filter(has_text=label).wait_for()


def test_an_order_goes_from_the_buyers_form_to_a_settled_escrow(live_server, page):
    FeeRule.objects.create(basis_points=250, currency="USD")
    buyer_at("Hanse Import GmbH", email="lena@hanse.example", full_name="Lena Hoffmann")
    exporter_at("CV Kopi Sari Jaya", email="sari@kopisari.example", full_name="Sari Wulandari")

    # The buyer places the order: 100 kg at $25.00, 30% deposit and 70% before shipment.
    sign_in(page, live_server, "lena@hanse.example")
    page.get_by_role("link", name="Orders", exact=True).first.click()
    page.get_by_role("link", name="New order").click()
    page.get_by_label("Exporter", exact=True).select_option(label="CV Kopi Sari Jaya")
    page.get_by_label("Currency").fill("USD")
    page.get_by_label("Incoterm (2020)").select_option("FOB")
    page.get_by_label("Named place").fill("Tanjung Priok")
    ship_by = timezone.localdate() + timedelta(days=45)
    page.get_by_label("Ship by").fill(ship_by.isoformat())
    page.get_by_label("Description, line 1").fill("Arabica coffee, roasted")
    page.get_by_label("Quantity, line 1").fill("100")
    page.get_by_label("Unit, line 1", exact=True).fill("kg")
    page.get_by_label("Unit price, line 1").fill("25.00")
    page.get_by_label("30% deposit + 70% before shipment").check()
    page.get_by_role("button", name="Place the order").click()
    order = Order.objects.get()
    page.get_by_role("heading", name=f"Order {order.number}").wait_for()
    state_is(page, "Awaiting funding")
    assert page.get_by_test_id("total").inner_text() == "$2,500.00"
    assert page.get_by_text("How to pay").is_visible()
    order_url = page.url

    # The bank reports both transfers, each quoting its milestone's reference.
    for milestone in order.milestones.all():
        services.receive_payment(
            Incoming(
                channel=PaymentChannel.BANK_STATEMENT,
                external_id=f"TRX-{milestone.sequence}",
                amount_minor=milestone.amount_minor,
                currency="USD",
                reference_text=f"Order {order.number} {milestone.reference}",
                payer="Hanse Import GmbH",
                received_on=date.today(),
            )
        )
    page.reload()
    state_is(page, "Funded")
    assert page.get_by_test_id("escrow-held").inner_text() == "$2,500.00"
    page.get_by_role("button", name="Sign out").click()

    # The exporter ships.
    sign_in(page, live_server, "sari@kopisari.example")
    page.goto(order_url)
    page.get_by_label("Carrier").fill("Maersk")
    page.get_by_label("Tracking number").fill("MSKU1234567")
    page.get_by_role("button", name="Mark shipped").click()
    state_is(page, "Shipped")
    page.get_by_text("Shipped with Maersk, tracking number MSKU1234567").wait_for()
    page.get_by_role("button", name="Sign out").click()

    # The buyer accepts the goods as described: the escrow settles at once.
    sign_in(page, live_server, "lena@hanse.example")
    page.goto(order_url)
    page.get_by_text("releases the payment to the exporter now").wait_for()
    page.get_by_role("button", name="Accept the goods as described").click()
    state_is(page, "Settled")
    assert page.get_by_test_id("released").inner_text() == "$2,500.00"
    assert page.get_by_test_id("refunded").inner_text() == "$0.00"
    assert page.get_by_test_id("fee").inner_text() == "$62.50"
    assert page.get_by_test_id("waived").inner_text() == "$0.00"
    assert page.get_by_test_id("escrow-held").inner_text() == "$0.00"
    order.refresh_from_db()
    assert order.state == "settled"
