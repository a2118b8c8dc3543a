"""The trade-assurance API and the payment webhook, through the Django test client."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from niaga.assurance import rules
from niaga.assurance.models import Dispute, Order, Payment, Settlement, StatementUpload
from niaga.core.models import AuditEntry
from niaga.ledger import check
from tests.assurance.api_helpers import (
    API,
    buyer,
    escrow_held,
    exporter,
    finance,
    fund_by_webhook,
    named_field,
    order_payload,
    organisation,
    placed,
    post,
    send_webhook,
    signature,
    signed_in,
    statement_csv,
    upload,
    webhook_event,
)
from tests.factories import MembershipFactory, OrganisationFactory, UserFactory
from tests.programs.factories import ministry, officer_of, programme

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.7\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


def place(client, buyer_person, exporter_person, **overrides):
    response = post(
        signed_in(client, buyer_person),
        f"{API}/orders",
        order_payload(exporter_person, **overrides),
    )
    assert response.status_code == 201, response.content
    return response.json()


def funded(client, buyer_person, exporter_person, **overrides):
    order = place(client, buyer_person, exporter_person, **overrides)
    fund_by_webhook(client, order)
    return client.get(f"{API}/orders/{order['id']}").json()


def shipped(client, buyer_person, exporter_person, **overrides):
    order = funded(client, buyer_person, exporter_person, **overrides)
    response = post(
        signed_in(client, exporter_person),
        f"{API}/orders/{order['id']}/shipment",
        {"carrier": "Maersk", "tracking_number": "MSKU1234567"},
    )
    assert response.status_code == 200, response.content
    return response.json()


def holds_invariants():
    assert check.violations(check.run()) == []


# --- placing and seeing orders -------------------------------------------------------------------


def test_a_buyer_places_an_order_that_its_exporter_sees(client):
    alice, kopi = buyer(), exporter()
    order = place(client, alice, kopi)
    assert order["state"] == "awaiting_funding"
    assert order["buyer"]["id"] == organisation(alice).pk
    assert order["total_minor"] == 250_000
    assert [m["amount_minor"] for m in order["milestones"]] == [75_000, 175_000]
    assert all(m["reference"].startswith("RF") for m in order["milestones"])
    assert order["escrow_held_minor"] == 0
    assert order["shipment"] is None and order["dispute"] is None and order["settlement"] is None

    signed_in(client, kopi)
    assert client.get(f"{API}/orders/{order['id']}").json()["number"] == order["number"]
    assert [item["id"] for item in client.get(f"{API}/orders").json()["items"]] == [order["id"]]
    assert client.get(f"{API}/orders?state=funded").json()["count"] == 0


@pytest.mark.parametrize("stranger", [buyer, exporter], ids=["another-buyer", "another-exporter"])
def test_another_buyer_or_exporter_gets_404(client, stranger):
    order = place(client, buyer(), exporter())
    for person in (stranger(), stranger()):
        signed_in(client, person)
        assert client.get(f"{API}/orders/{order['id']}").status_code == 404
        assert client.get(f"{API}/orders").json()["count"] == 0
        refused = post(client, f"{API}/orders/{order['id']}/receipt", {"accept": True})
        assert refused.status_code == 404


def test_the_exporter_cannot_confirm_receipt(client):
    alice, kopi = buyer(), exporter()
    order = shipped(client, alice, kopi)
    response = post(
        signed_in(client, kopi), f"{API}/orders/{order['id']}/receipt", {"accept": True}
    )
    assert response.status_code == 403
    assert response.json()["code"] == "permission_denied"
    assert Order.objects.get(pk=order["id"]).state == "shipped"


def test_a_buyer_of_several_companies_says_which_one_places_the_order(client):
    alice, kopi = buyer(), exporter()
    second = OrganisationFactory(kind="buyer")
    MembershipFactory(user=alice, organisation=second, role="buyer")
    signed_in(client, alice)
    unnamed = post(client, f"{API}/orders", order_payload(kopi))
    assert unnamed.status_code == 422 and unnamed.json()["field"] == "buyer_id"
    chosen = post(client, f"{API}/orders", order_payload(kopi, buyer_id=second.pk))
    assert chosen.status_code == 201
    assert chosen.json()["buyer"]["id"] == second.pk
    foreign = organisation(buyer()).pk
    refused = post(client, f"{API}/orders", order_payload(kopi, buyer_id=foreign))
    assert refused.status_code == 422 and refused.json()["field"] == "buyer_id"


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"exporter_id": 987_654_321}, "exporter_id"),
        ({"programme": "no-such-programme"}, "programme"),
    ],
)
def test_an_unknown_organisation_or_programme_is_a_422_naming_the_field(client, change, field):
    alice, kopi = buyer(), exporter()
    response = post(signed_in(client, alice), f"{API}/orders", order_payload(kopi, **change))
    assert response.status_code == 422
    assert response.json()["code"] == "unknown_reference"
    assert response.json()["field"] == field
    assert not Order.objects.exists()


def test_a_buyer_company_is_not_an_exporter(client):
    alice = buyer()
    other = organisation(buyer())
    payload = {**order_payload(exporter()), "exporter_id": other.pk}
    response = post(signed_in(client, alice), f"{API}/orders", payload)
    assert response.status_code == 422 and response.json()["field"] == "exporter_id"


def test_only_buyers_place_orders(client):
    kopi = exporter()
    response = post(signed_in(client, kopi), f"{API}/orders", order_payload(exporter()))
    assert response.status_code == 403


@pytest.mark.parametrize(
    ("change", "status", "field"),
    [
        (
            {
                "items": [
                    {"description": "Tea", "quantity": 0, "unit": "kg", "unit_price_minor": 100}
                ]
            },
            422,
            "items.0.quantity",
        ),
        ({"incoterm": "FOO"}, 422, "incoterm"),
        ({"currency": "XYZ"}, 400, "currency"),
        ({"shipping_deadline": "2020-01-01"}, 422, "shipping_deadline"),
        ({"named_place": "   "}, 422, "named_place"),
        (
            {"milestones": [{"label": "All", "due": "on_order", "basis_points": 9_000}]},
            422,
            "milestones",
        ),
        ({"colour": "green"}, 422, "colour"),
    ],
    ids=["zero-quantity", "incoterm", "currency", "past-deadline", "place", "shares", "unknown"],
)
def test_bad_order_input_is_a_4xx_that_names_the_field(client, change, status, field):
    alice, kopi = buyer(), exporter()
    response = post(signed_in(client, alice), f"{API}/orders", order_payload(kopi, **change))
    assert response.status_code == status, response.content
    assert named_field(response) == field
    assert response.json()["message"]
    assert not Order.objects.exists()


def test_the_order_list_costs_the_same_queries_for_1_and_10_orders(client):
    alice, kopi = buyer(), exporter()
    placed(alice, kopi)
    signed_in(client, alice)
    with CaptureQueriesContext(connection) as one:
        assert client.get(f"{API}/orders?limit=50").json()["count"] == 1
    for _ in range(9):
        placed(alice, kopi)
    with CaptureQueriesContext(connection) as ten:
        assert client.get(f"{API}/orders?limit=50").json()["count"] == 10
    assert len(ten.captured_queries) == len(one.captured_queries)


# --- idempotency -------------------------------------------------------------------------------


def test_an_idempotency_key_replays_the_first_order_and_refuses_another_body(client):
    alice, kopi = buyer(), exporter()
    signed_in(client, alice)
    payload = order_payload(kopi)
    first = post(client, f"{API}/orders", payload, HTTP_IDEMPOTENCY_KEY="order-2026-001")
    again = post(client, f"{API}/orders", payload, HTTP_IDEMPOTENCY_KEY="order-2026-001")
    assert first.status_code == again.status_code == 201
    assert again.json()["id"] == first.json()["id"]
    assert again["Idempotent-Replayed"] == "true"
    assert Order.objects.count() == 1

    other = post(
        client,
        f"{API}/orders",
        order_payload(kopi, named_place="Belawan"),
        HTTP_IDEMPOTENCY_KEY="order-2026-001",
    )
    assert other.status_code == 422
    assert other.json()["code"] == "idempotency_key_reused"
    assert Order.objects.count() == 1


def test_money_moving_operations_document_the_idempotency_key(client):
    document = client.get("/api/v1/openapi.json").json()["paths"]
    moving = [
        ("post", f"{API}/orders"),
        ("post", f"{API}/orders/{{order_id}}/receipt"),
        ("post", f"{API}/orders/{{order_id}}/dispute/decision"),
        ("post", f"{API}/payments/{{payment_id}}/application"),
        ("post", f"{API}/payments/{{payment_id}}/refund"),
        ("post", f"{API}/statements"),
        ("post", f"{API}/webhooks/payments"),
    ]
    for method, path in moving:
        operation = document[path][method]
        names = [parameter["name"] for parameter in operation.get("parameters", [])]
        assert "Idempotency-Key" in names, path
        assert {"409", "422"} <= set(operation["responses"]), path


# --- funding through the webhook -----------------------------------------------------------------


def test_a_signed_webhook_funds_the_order_and_a_replay_funds_nothing_twice(client):
    alice, kopi = buyer(), exporter()
    order = place(client, alice, kopi)
    deposit = order["milestones"][0]
    body = webhook_event(deposit["reference"], deposit["amount_minor"], event_id="evt_0001")
    client.logout()  # the provider has no session

    first = send_webhook(client, body, signature(body))
    assert first.status_code == 200, first.content
    assert first.json()["status"] == "matched" and first.json()["ignored"] is False
    replay = send_webhook(client, body, signature(body))
    assert replay.status_code == 200
    assert replay.json() == first.json()
    assert Payment.objects.count() == 1
    assert escrow_held(order["id"]) == deposit["amount_minor"]

    balance = order["milestones"][1]
    rest = webhook_event(balance["reference"], balance["amount_minor"], event_id="evt_0002")
    assert send_webhook(client, rest, signature(rest)).status_code == 200
    shown = signed_in(client, alice).get(f"{API}/orders/{order['id']}").json()
    assert shown["state"] == "funded"
    assert shown["escrow_held_minor"] == order["total_minor"]
    assert [m["outstanding_minor"] for m in shown["milestones"]] == [0, 0]
    holds_invariants()


def test_a_forged_signature_is_a_400_and_changes_nothing(client):
    order = place(client, buyer(), exporter())
    deposit = order["milestones"][0]
    body = webhook_event(deposit["reference"], deposit["amount_minor"], event_id="evt_forged")
    client.logout()
    for header in (signature(body, secret="not-the-secret"), None, "t=1,v1=zz"):
        response = send_webhook(client, body, header)
        assert response.status_code == 400
        assert response.json()["code"] == "webhook_rejected"
    assert not Payment.objects.exists()
    assert escrow_held(order["id"]) == 0


def test_the_same_event_with_other_content_is_a_409(client):
    order = place(client, buyer(), exporter())
    deposit = order["milestones"][0]
    client.logout()
    body = webhook_event(deposit["reference"], 100, event_id="evt_twice")
    assert send_webhook(client, body, signature(body)).status_code == 200
    altered = webhook_event(deposit["reference"], 999_999, event_id="evt_twice")
    response = send_webhook(client, altered, signature(altered))
    assert response.status_code == 409
    assert response.json()["code"] == "webhook_conflict"
    assert Payment.objects.get().amount_minor == 100


def test_an_event_that_moves_no_money_is_acknowledged_and_ignored(client):
    body = webhook_event("RF00", 100, event_id="evt_refund", kind="payment.refunded")
    response = send_webhook(client, body, signature(body))
    assert response.status_code == 200
    assert response.json()["ignored"] is True
    assert not Payment.objects.exists()


# --- statements and held money -------------------------------------------------------------------


def test_a_statement_funds_the_order_and_the_same_file_again_pays_nothing_twice(client):
    alice, kopi = buyer(), exporter()
    order = place(client, alice, kopi)
    content = statement_csv(order)
    officer = finance()
    signed_in(client, officer)

    first = upload(client, f"{API}/statements", "november.csv", content)
    assert first.status_code == 200, first.content
    summary = first.json()
    assert (summary["format"], summary["lines"], summary["matched"]) == ("csv", 2, 2)
    assert summary["unmatched"] == 0
    assert escrow_held(order["id"]) == order["total_minor"]

    again = upload(client, f"{API}/statements", "november-again.csv", content)
    assert again.status_code == 200
    assert again.json()["id"] == summary["id"]
    assert Payment.objects.count() == 2
    assert escrow_held(order["id"]) == order["total_minor"]
    assert client.get(f"{API}/orders/{order['id']}").json()["state"] == "funded"
    assert client.get(f"{API}/payments?status=matched").json()["count"] == 2
    holds_invariants()


def test_statements_are_for_finance_and_an_unreadable_one_is_a_422_that_is_kept(client):
    order = place(client, buyer(), exporter())
    signed_in(client, buyer())
    refused = upload(client, f"{API}/statements", "s.csv", statement_csv(order))
    assert refused.status_code == 403
    signed_in(client, finance())
    bad = upload(client, f"{API}/statements", "s.csv", b"Date,Amount\n2025-11-17,oops\n")
    assert bad.status_code == 422
    assert bad.json()["code"] == "statement_invalid" and bad.json()["field"] == "file"
    assert StatementUpload.objects.get().error_message
    assert not Payment.objects.exists()


def test_finance_applies_held_money_by_reference_and_refunds_an_excess(client):
    alice, kopi = buyer(), exporter()
    order = place(client, alice, kopi)
    deposit = order["milestones"][0]
    body = webhook_event("invoice 42", deposit["amount_minor"] + 500, event_id="evt_loose")
    held = send_webhook(client, body, signature(body)).json()
    assert held["status"] == "unmatched"

    signed_in(client, finance())
    unmatched = client.get(f"{API}/payments/unmatched").json()
    assert [item["id"] for item in unmatched["items"]] == [held["payment_id"]]
    unknown = post(
        client,
        f"{API}/payments/{held['payment_id']}/application",
        {"milestone_reference": "RF00 NGA0 0000 00M1"},
    )
    assert unknown.status_code == 422 and unknown.json()["field"] == "milestone_reference"
    spaced = " ".join(deposit["reference"][i : i + 4] for i in range(0, 16, 4)).lower()
    applied = post(
        client,
        f"{API}/payments/{held['payment_id']}/application",
        {"milestone_reference": spaced},
        HTTP_IDEMPOTENCY_KEY="apply-1",
    )
    assert applied.status_code == 200, applied.content
    assert applied.json()["status"] == "partly_matched"
    assert applied.json()["held_minor"] == 500
    assert applied.json()["milestone_reference"] == deposit["reference"]
    refunded = post(client, f"{API}/payments/{held['payment_id']}/refund")
    assert refunded.status_code == 200
    assert refunded.json()["held_minor"] == 0 and refunded.json()["status"] == "matched"
    assert post(client, f"{API}/payments/{held['payment_id']}/refund").status_code == 422
    holds_invariants()

    signed_in(client, alice)
    assert client.get(f"{API}/payments").json()["count"] == 1
    assert client.get(f"{API}/payments/unmatched").json()["count"] == 0
    refused = post(client, f"{API}/payments/{held['payment_id']}/refund")
    assert refused.status_code == 403
    signed_in(client, buyer())
    assert client.get(f"{API}/payments/{held['payment_id']}").status_code == 404


# --- shipping, receipt, settlement ---------------------------------------------------------------


def test_ship_then_accept_settles_and_the_settlement_shows_on_the_order(client):
    alice, kopi = buyer(), exporter()
    early = place(client, alice, kopi)
    too_early = post(
        signed_in(client, kopi),
        f"{API}/orders/{early['id']}/shipment",
        {"carrier": "Maersk", "tracking_number": "1"},
    )
    assert too_early.status_code == 409 and too_early.json()["code"] == "order_state"

    order = shipped(client, alice, kopi)
    assert order["state"] == "shipped"
    assert order["shipment"]["carrier"] == "Maersk"
    assert order["auto_receipt_at"]
    document = client.post(
        f"{API}/orders/{order['id']}/documents",
        {"kind": "bill_of_lading", "file": _file("bl.pdf", PDF)},
    )
    assert document.status_code == 201, document.content
    not_a_pdf = client.post(
        f"{API}/orders/{order['id']}/documents",
        {"kind": "invoice", "file": _file("x.pdf", b"MZ\x90\x00")},
    )
    assert not_a_pdf.status_code == 422 and not_a_pdf.json()["field"] == "file"

    received = post(
        signed_in(client, alice), f"{API}/orders/{order['id']}/receipt", {"accept": True}
    )
    assert received.status_code == 200, received.content
    shown = received.json()
    assert shown["state"] == "settled"
    assert shown["escrow_held_minor"] == 0
    assert shown["settlement"]["released_minor"] == order["total_minor"]
    assert shown["settlement"]["refunded_minor"] == 0
    assert [d["kind"] for d in shown["shipment"]["documents"]] == ["bill_of_lading"]
    again = post(client, f"{API}/orders/{order['id']}/receipt", {"accept": True})
    assert again.status_code == 409
    assert Settlement.objects.count() == 1
    holds_invariants()


def _file(name, content):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, content)


# --- disputes ----------------------------------------------------------------------------------


def test_a_dispute_runs_to_a_decision_and_an_excessive_refund_changes_nothing(client):
    agency = ministry()
    scheme = programme(agency)
    officer = officer_of(agency)
    alice, kopi = buyer(), exporter()
    order = shipped(client, alice, kopi, programme=scheme.slug)
    path = f"{API}/orders/{order['id']}/dispute"

    opened = post(
        signed_in(client, alice),
        path,
        {"reason": "not_as_described", "statement": "Green beans, not roasted"},
    )
    assert opened.status_code == 201, opened.content
    assert opened.json()["rules_version"] == rules.VERSION
    assert opened.json()["state"] == "open"
    assert post(client, f"{path}/answer", {"answer": "me"}).status_code == 403
    early = post(client, f"{path}/escalation")
    assert early.status_code == 409 and early.json()["code"] == "dispute_not_allowed"

    answered = post(signed_in(client, kopi), f"{path}/answer", {"answer": "Photos attached"})
    assert answered.status_code == 200 and answered.json()["state"] == "answered"
    Dispute.objects.filter(order_id=order["id"]).update(
        opened_at=timezone.now() - timedelta(days=rules.BUYER_MAY_ESCALATE_FROM_DAY - 1)
    )
    escalated = post(signed_in(client, alice), f"{path}/escalation")
    assert escalated.status_code == 200 and escalated.json()["state"] == "escalated"

    signed_in(client, officer)
    audit_before = AuditEntry.objects.count()
    held = order["total_minor"]
    excessive = post(client, f"{path}/decision", {"refund_minor": held + 1, "decision": "All"})
    assert excessive.status_code == 422
    assert excessive.json()["field"] == "refund_minor"
    assert Dispute.objects.get(order_id=order["id"]).state == "escalated"
    assert escrow_held(order["id"]) == held
    assert not Settlement.objects.exists()
    assert AuditEntry.objects.count() == audit_before

    decided = post(
        client, f"{path}/decision", {"refund_minor": held // 2, "decision": "Half was green"}
    )
    assert decided.status_code == 200, decided.content
    shown = decided.json()
    assert shown["dispute"]["state"] == "decided"
    assert shown["settlement"]["refunded_minor"] == held // 2
    assert shown["escrow_held_minor"] == 0
    holds_invariants()


def test_a_buyer_cannot_decide_and_an_order_without_a_dispute_has_none_to_answer(client):
    alice, kopi = buyer(), exporter()
    order = shipped(client, alice, kopi)
    path = f"{API}/orders/{order['id']}/dispute"
    assert post(signed_in(client, kopi), f"{path}/answer", {"answer": "?"}).status_code == 404
    response = post(
        signed_in(client, alice), f"{path}/decision", {"refund_minor": 0, "decision": "mine"}
    )
    assert response.status_code == 404  # no dispute yet
    post(client, path, {"reason": "not_received", "statement": "Nothing arrived"})
    refused = post(client, f"{path}/decision", {"refund_minor": 0, "decision": "mine"})
    assert refused.status_code == 403


# --- overview --------------------------------------------------------------------------------


def test_escrow_settlements_due_and_rules(client):
    alice, kopi = buyer(), exporter()
    order = shipped(client, alice, kopi)
    post(signed_in(client, alice), f"{API}/orders/{order['id']}/receipt", {"accept": False})
    position = client.get(f"{API}/escrow").json()
    assert position == [{"currency": "USD", "held_minor": order["total_minor"], "orders": 1}]
    due = client.get(f"{API}/settlements-due").json()
    assert [item["id"] for item in due["items"]] == [order["id"]]
    detail = client.get(f"{API}/orders/{order['id']}").json()
    assert detail["dispute_window_closes_at"]
    published = client.get(f"{API}/rules").json()
    assert published["version"] == rules.VERSION
    assert [rule["code"] for rule in published["rules"]][:2] == ["open", "answer"]
    client.logout()
    assert client.get(f"{API}/rules").status_code == 401


def test_a_stranger_without_a_session_is_asked_to_sign_in(client):
    assert client.get(f"{API}/orders").status_code == 401
    person = UserFactory()
    signed_in(client, person)
    assert client.get(f"{API}/orders").json()["count"] == 0
    assert client.get(f"{API}/escrow").json() == []
