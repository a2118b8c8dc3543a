"""The order pages, through Django's test client: who sees what, and what each form does."""

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from niaga.assurance.models import (
    Dispute,
    DisputeState,
    FeeRule,
    Order,
    OrderState,
    PaymentStatus,
    Settlement,
    ShipmentDocument,
    StatementUpload,
)
from tests.assurance.page_helpers import (
    admin,
    buyer_at,
    exporter_at,
    finance_officer,
    funded,
    new_order_form,
    order_between,
    pay,
    shipped,
    statement_csv,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _files_in_tmp_and_no_timers(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.NIAGA_ASSURANCE_TIMERS = False


@pytest.fixture
def buyer():
    return buyer_at("Hanse Import GmbH", full_name="Lena Hoffmann")


@pytest.fixture
def other_buyer():
    return buyer_at("Nordlys Import AS", full_name="Ingrid Berg")


@pytest.fixture
def exporter():
    return exporter_at("CV Kopi Sari Jaya", full_name="Sari Wulandari")


@pytest.fixture
def finance():
    return finance_officer(full_name="Dewi Finance")


@pytest.fixture
def order(buyer, exporter):
    return order_between(buyer[0], exporter[0])


def page(client, user, url, **kwargs):
    client.force_login(user)
    return client.get(url, **kwargs)


def text(response) -> str:
    return response.content.decode()


def detail(order) -> str:
    return reverse("assurance:detail", args=[order.pk])


# --- who sees what ---------------------------------------------------------------------------


def test_an_order_shows_to_its_buyer_exporter_and_finance_and_is_404_to_another_buyer(
    client, buyer, other_buyer, exporter, finance, order
):
    for person in (buyer[0], exporter[0], finance):
        response = page(client, person, detail(order))
        assert response.status_code == 200, person
        assert order.number in text(response)
        assert order.number in text(page(client, person, reverse("assurance:list")))
    assert page(client, other_buyer[0], detail(order)).status_code == 404
    assert order.number not in text(page(client, other_buyer[0], reverse("assurance:list")))


def test_writes_on_another_buyers_order_are_404_and_change_nothing(
    client, other_buyer, exporter, order
):
    funded(order)
    client.force_login(other_buyer[0])
    for name, data in (
        ("ship", {"carrier": "DHL", "tracking_number": "1"}),
        ("receipt", {}),
        ("accept", {}),
        ("dispute", {"reason": "not_received", "statement": "?"}),
        ("escalate", {}),
        ("decide", {"refund": "1", "decision": "x"}),
    ):
        assert client.post(reverse(f"assurance:{name}", args=[order.pk]), data).status_code == 404
    order.refresh_from_db()
    assert order.state == OrderState.FUNDED


def test_finance_pages_are_finance_only_and_the_new_order_page_is_for_buyers(
    client, buyer, exporter, finance, order
):
    finance_urls = [reverse("assurance:statements"), reverse("assurance:unmatched")]
    for url in finance_urls:
        assert page(client, finance, url).status_code == 200, url
        assert page(client, buyer[0], url).status_code == 404, url
        assert page(client, exporter[0], url).status_code == 404, url
    assert page(client, buyer[0], reverse("assurance:new")).status_code == 200
    assert page(client, exporter[0], reverse("assurance:new")).status_code == 404
    assert page(client, finance, reverse("assurance:new")).status_code == 404
    payment = pay(order.milestones.first(), text="no reference")
    client.force_login(buyer[0])
    refund = client.post(reverse("assurance:refund", args=[payment.pk]), {"confirmed": "yes"})
    assert refund.status_code == 404
    payment.refresh_from_db()
    assert payment.held_minor == payment.amount_minor


def test_signed_out_people_are_sent_to_sign_in(client, order):
    response = client.get(detail(order))
    assert response.status_code == 302
    assert "sign-in" in response.url


def test_every_post_needs_the_csrf_token(buyer, exporter, order):
    funded(order)
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(exporter[0])
    response = strict.post(
        reverse("assurance:ship", args=[order.pk]), {"carrier": "DHL", "tracking_number": "1"}
    )
    assert response.status_code == 403
    order.refresh_from_db()
    assert order.state == OrderState.FUNDED


def test_the_orders_link_is_in_the_navigation_of_buyers_exporters_and_finance(
    client, buyer, exporter, finance
):
    link = f'href="{reverse("assurance:list")}"'
    for person in (buyer[0], exporter[0], finance):
        assert link in text(page(client, person, reverse("accounts:home")))


# --- the list --------------------------------------------------------------------------------


def test_the_list_shows_escrow_per_currency_settlements_due_and_filters_by_state(
    client, buyer, exporter, finance
):
    first = funded(order_between(buyer[0], exporter[0], quantity=10, price=1_000))
    waiting = order_between(buyer[0], exporter[0])
    rupiah = funded(order_between(buyer[0], exporter[0], currency="IDR", price=5_000_000))
    from niaga.assurance import services

    services.mark_shipped(actor=exporter[0], order=first, carrier="DHL", tracking_number="1")
    services.confirm_receipt(actor=buyer[0], order=first)
    response = text(page(client, finance, reverse("assurance:list")))
    assert "$100.00" in response  # 10 × $10.00 in escrow
    assert "IDR" in response and "5,000,000.00" in response
    assert "Settlements due" in response and first.number in response
    filtered = text(page(client, buyer[0], reverse("assurance:list"), data={"state": "funded"}))
    filtered = filtered.split("<caption", 1)[1]  # the orders table, below the summaries
    assert rupiah.number in filtered
    assert waiting.number not in filtered and first.number not in filtered


def test_the_list_issues_as_many_queries_for_fifty_orders_as_for_one(client, buyer, exporter):
    client.force_login(buyer[0])
    order_between(buyer[0], exporter[0])
    url = reverse("assurance:list")
    client.get(url)
    with CaptureQueriesContext(connection) as one:
        client.get(url)
    for _ in range(49):
        order_between(buyer[0], exporter[0])
    with CaptureQueriesContext(connection) as fifty:
        response = client.get(url)
    assert text(response).count('href="/orders/') >= 50
    assert len(fifty) == len(one)


# --- a new order -----------------------------------------------------------------------------


def test_a_buyer_places_an_order_and_reads_its_payment_references(client, buyer, exporter):
    client.force_login(buyer[0])
    data = new_order_form(
        exporter[1],
        buyer[1],
        item_0_unit_price="19.99",
        item_0_quantity="3",
        item_1_description="Robusta, green",
        item_1_quantity="2",
        item_1_unit="bags",
        item_1_unit_price="1,250.50",
    )
    response = client.post(reverse("assurance:new"), data)
    order = Order.objects.get()
    assert response.status_code == 302 and response.url == detail(order)
    # 3 × 19.99 + 2 × 1,250.50, exactly, in cents.
    assert order.total_minor == 3 * 1_999 + 2 * 125_050
    assert [m.amount_minor for m in order.milestones.all()] == [76_829, 179_268]
    shown = text(client.get(detail(order)))
    assert "$2,560.97" in shown
    deposit = order.milestones.first().reference
    grouped = " ".join(deposit[i : i + 4] for i in range(0, len(deposit), 4))
    assert grouped in shown
    assert "How to pay" in shown


def test_an_exporter_may_be_chosen_by_its_number(client, buyer, exporter):
    client.force_login(buyer[0])
    data = new_order_form(exporter[1], buyer[1], exporter="", exporter_number=str(exporter[1].pk))
    assert client.post(reverse("assurance:new"), data).status_code == 302
    assert Order.objects.get().exporter == exporter[1]
    wrong = new_order_form(exporter[1], buyer[1], exporter="", exporter_number=str(buyer[1].pk))
    refused = client.post(reverse("assurance:new"), wrong)
    assert refused.status_code == 400
    assert 'data-field="exporter_number"' in text(refused)


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"item_0_quantity": "0"}, "item_0_quantity", "A quantity is a whole number"),
        ({"item_0_unit_price": "twelve"}, "item_0_unit_price", "is not a valid amount"),
        ({"item_0_unit_price": "12.345"}, "item_0_unit_price", "thousands or decimals"),
        ({"item_0_unit_price": "12.3456"}, "item_0_unit_price", "never rounded"),
        ({"currency": "XYZ"}, "currency", "is not an ISO 4217 currency code"),
        ({"item_0_description": ""}, "item_0_description", "Describe each item"),
        ({"named_place": ""}, "named_place", "Name the place"),
        ({"shipping_deadline": "2020-01-01"}, "shipping_deadline", "must be in the future"),
        ({"exporter": ""}, "exporter", "Choose the exporter"),
    ],
)
def test_a_bad_order_is_refused_next_to_its_field_and_the_input_is_kept(
    client, buyer, exporter, change, field, message
):
    client.force_login(buyer[0])
    data = new_order_form(exporter[1], buyer[1], item_1_description="Cardamom", **change)
    data |= {"item_1_quantity": "7", "item_1_unit": "cartons", "item_1_unit_price": "9.50"}
    response = client.post(reverse("assurance:new"), data)
    assert response.status_code == 400
    body = text(response)
    assert f'data-field="{field}"' in body
    assert message in body
    assert 'value="Cardamom"' in body and 'value="cartons"' in body and 'value="9.50"' in body
    typed = change.get(field, "")
    if typed and field not in ("exporter", "shipping_deadline"):
        assert f'value="{typed}"' in body
    assert not Order.objects.exists()


def test_money_is_never_read_as_a_float(client, buyer, exporter):
    """0.1 + 0.2 is 0.30000000000000004 in floating point; three lines of 0.10 are 30 cents."""
    client.force_login(buyer[0])
    data = new_order_form(exporter[1], buyer[1], item_0_quantity="3", item_0_unit_price="0.10")
    assert client.post(reverse("assurance:new"), data).status_code == 302
    assert Order.objects.get().total_minor == 30
    yen = new_order_form(exporter[1], buyer[1], currency="JPY", item_0_unit_price="12.5")
    refused = client.post(reverse("assurance:new"), yen)
    assert refused.status_code == 400 and 'data-field="item_0_unit_price"' in text(refused)


# --- funding through the finance pages ------------------------------------------------------


def test_a_statement_uploaded_through_the_page_funds_the_order(client, finance, order):
    deposit, balance = order.milestones.all()
    lines = [
        ("TRX-1", f"Payment {deposit.reference.lower()}", "750.00"),
        ("TRX-2", f"PO 4471 / {balance.reference}", "1,750.00"),
        ("TRX-3", "invoice 42", "20.00"),
    ]
    client.force_login(finance)
    upload = SimpleUploadedFile("statement.csv", statement_csv(*lines), "text/csv")
    response = client.post(reverse("assurance:statements"), {"file": upload})
    assert response.status_code == 200
    body = text(response)
    assert 'data-testid="matched">2<' in body and 'data-testid="unmatched">1<' in body
    order.refresh_from_db()
    assert order.state == OrderState.FUNDED
    again = SimpleUploadedFile("statement.csv", statement_csv(*lines), "text/csv")
    repeated = text(client.post(reverse("assurance:statements"), {"file": again}))
    assert "This file was received before" in repeated
    assert sum(m.funded_minor for m in order.milestones.all()) == order.total_minor


def test_an_unreadable_statement_is_explained_and_kept(client, finance, order):
    client.force_login(finance)
    broken = SimpleUploadedFile("statement.csv", b"Date,Amount\nyesterday,lots\n", "text/csv")
    response = client.post(reverse("assurance:statements"), {"file": broken})
    assert response.status_code == 400
    assert 'data-field="file"' in text(response)
    assert "The file is kept" in text(response)
    kept = StatementUpload.objects.get()
    assert kept.error_message and kept.original_name == "statement.csv"
    order.refresh_from_db()
    assert order.state == OrderState.AWAITING_FUNDING


def test_an_unmatched_payment_is_applied_only_after_confirmation(client, finance, order):
    deposit = order.milestones.first()
    payment = pay(deposit, text="invoice 42, thanks")
    assert payment.status == PaymentStatus.UNMATCHED
    client.force_login(finance)
    listing = text(client.get(reverse("assurance:unmatched")))
    assert "invoice 42, thanks" in listing and "$750.00" in listing
    url = reverse("assurance:apply", args=[payment.pk])
    typed = " ".join(deposit.reference[i : i + 4] for i in range(0, len(deposit.reference), 4))
    confirm = client.post(url, {"reference": typed.lower()})
    assert confirm.status_code == 200
    assert "Confirm and apply" in text(confirm) and order.number in text(confirm)
    payment.refresh_from_db()
    deposit.refresh_from_db()
    assert payment.held_minor == payment.amount_minor and deposit.funded_minor == 0

    done = client.post(url, {"reference": typed.lower(), "confirmed": "yes"})
    assert done.status_code == 302
    payment.refresh_from_db()
    deposit.refresh_from_db()
    assert payment.status == PaymentStatus.MATCHED and deposit.is_funded
    assert "invoice 42" not in text(client.get(reverse("assurance:unmatched")))


def test_a_bad_reference_is_refused_and_moves_nothing(client, finance, order):
    payment = pay(order.milestones.first(), text="no reference")
    client.force_login(finance)
    url = reverse("assurance:apply", args=[payment.pk])
    response = client.post(
        url, {"reference": "RF00 NGA0 0000 01M1", "confirmed": "yes"}, follow=True
    )
    assert response.status_code == 200
    assert "check digits do not match" in text(response)
    payment.refresh_from_db()
    assert payment.held_minor == payment.amount_minor


def test_a_held_payment_is_refunded_only_after_confirmation(client, finance, order):
    payment = pay(order.milestones.first(), text="no reference")
    client.force_login(finance)
    url = reverse("assurance:refund", args=[payment.pk])
    assert "Confirm and refund" in text(client.post(url))
    payment.refresh_from_db()
    assert payment.held_minor == payment.amount_minor
    assert client.post(url, {"confirmed": "yes"}).status_code == 302
    payment.refresh_from_db()
    assert payment.held_minor == 0 and payment.status == PaymentStatus.REFUNDED


# --- shipment and receipt --------------------------------------------------------------------


def test_a_refused_action_is_a_message_on_the_page_not_an_error(client, exporter, order):
    client.force_login(exporter[0])
    response = client.post(
        reverse("assurance:ship", args=[order.pk]),
        {"carrier": "DHL", "tracking_number": "1"},
        follow=True,
    )
    assert response.status_code == 400
    assert "An order ships once every payment due before shipment is in escrow" in text(response)
    order.refresh_from_db()
    assert order.state == OrderState.AWAITING_FUNDING
    funded(order)
    missing = client.post(
        reverse("assurance:ship", args=[order.pk]), {"carrier": "DHL", "tracking_number": " "}
    )
    assert missing.status_code == 400
    assert 'data-field="tracking_number"' in text(missing) and 'value="DHL"' in text(missing)


def test_the_exporter_ships_attaches_documents_and_the_buyer_accepts(
    client, buyer, exporter, order
):
    FeeRule.objects.create(basis_points=250, currency="USD")
    funded(order)
    client.force_login(exporter[0])
    shipping = client.post(
        reverse("assurance:ship", args=[order.pk]),
        {"carrier": "Maersk", "tracking_number": "MSKU1234567"},
    )
    assert shipping.status_code == 302
    attach = reverse("assurance:attach", args=[order.pk])
    not_a_pdf = SimpleUploadedFile("invoice.pdf", b"hello", "application/pdf")
    refused = client.post(attach, {"kind": "invoice", "file": not_a_pdf})
    assert refused.status_code == 400
    assert 'data-field="file"' in text(refused) and "PDF, PNG or JPEG" in text(refused)
    pdf = SimpleUploadedFile("invoice.pdf", b"%PDF-1.7\n...", "application/pdf")
    assert client.post(attach, {"kind": "invoice", "file": pdf}).status_code == 302
    assert ShipmentDocument.objects.get().original_name == "invoice.pdf"
    assert "Maersk" in text(client.get(detail(order)))

    client.force_login(buyer[0])
    shown = text(client.get(detail(order)))
    assert "Accept the goods as described" in shown
    assert "releases the payment to the exporter now" in shown
    client.post(reverse("assurance:accept", args=[order.pk]))
    order.refresh_from_db()
    assert order.state == OrderState.SETTLED
    settled = text(client.get(detail(order)))
    assert 'data-testid="state">Settled<' in settled
    assert 'data-testid="released">$2,500.00<' in settled
    assert 'data-testid="fee">$62.50<' in settled


# --- disputes --------------------------------------------------------------------------------


def test_a_dispute_runs_through_the_pages_to_an_officers_decision(client, buyer, exporter, order):
    officer = admin(full_name="Rina Officer")
    shipped(order, exporter[0])
    client.force_login(buyer[0])
    opened = client.post(
        reverse("assurance:dispute", args=[order.pk]),
        {"reason": "not_as_described", "statement": "Beans are green, not roasted"},
    )
    assert opened.status_code == 302
    dispute = Dispute.objects.get(order=order)

    client.force_login(exporter[0])
    assert "Answer the dispute" in text(client.get(detail(order)))
    client.post(
        reverse("assurance:answer", args=[order.pk]), {"answer": "Our photos show roasted beans"}
    )
    dispute.refresh_from_db()
    assert dispute.state == DisputeState.ANSWERED

    client.force_login(buyer[0])
    too_early = client.post(reverse("assurance:escalate", args=[order.pk]), follow=True)
    assert "may be escalated from day 4" in text(too_early)
    Dispute.objects.filter(pk=dispute.pk).update(opened_at=timezone.now() - timedelta(days=3))
    client.post(reverse("assurance:escalate", args=[order.pk]))
    dispute.refresh_from_db()
    assert dispute.state == DisputeState.ESCALATED

    # The buyer cannot decide; the officer sees the order among the disputes to decide.
    refused = client.post(
        reverse("assurance:decide", args=[order.pk]), {"refund": "100", "decision": "mine"}
    )
    assert "Disputes are decided by the officers" in text(refused)
    client.force_login(officer)
    assert order.number in text(client.get(reverse("assurance:list")))
    decide = reverse("assurance:decide", args=[order.pk])
    ambiguous = client.post(decide, {"refund": "1.250", "decision": "Half green"})
    assert ambiguous.status_code == 400 and 'data-field="refund"' in text(ambiguous)
    too_much = client.post(decide, {"refund": "2,500.01", "decision": "Half green"})
    assert too_much.status_code == 400 and 'data-field="refund"' in text(too_much)
    assert 'value="2,500.01"' in text(too_much)
    decided = client.post(decide, {"refund": "1,250.00", "decision": "Inspection: half green"})
    assert decided.status_code == 302
    settlement = Settlement.objects.get(order=order)
    assert settlement.refunded_minor == 125_000 and settlement.released_minor == 125_000
    final = text(client.get(detail(order)))
    assert "Inspection: half green" in final and 'data-testid="refunded">$1,250.00<' in final
