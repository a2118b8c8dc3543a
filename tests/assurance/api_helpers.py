"""People, orders, signed webhooks and statements for the trade-assurance API tests."""

import json
import time
from datetime import timedelta

from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from niaga.assurance import services, webhooks
from niaga.assurance.models import MilestoneDue
from niaga.assurance.services import ItemIn, MilestoneIn
from niaga.core.roles import OrganisationKind, Role
from niaga.ledger.models import Account, Purpose
from tests.factories import member

API = "/api/v1/assurance"
WEBHOOK = f"{API}/webhooks/payments"


# --- people ----------------------------------------------------------------------------------


def buyer():
    return member(Role.BUYER, OrganisationKind.BUYER, "DE")


def exporter():
    return member(Role.EXPORTER_OWNER, OrganisationKind.EXPORTER, "ID")


def finance():
    return member(Role.FINANCE_OFFICER, OrganisationKind.OPERATOR)


def organisation(person):
    return person.memberships.get().organisation


def signed_in(client, person):
    client.force_login(person)
    return client


# --- requests --------------------------------------------------------------------------------


def post(client, path, payload=None, **headers):
    return client.post(path, json.dumps(payload or {}), content_type="application/json", **headers)


def upload(client, path, name, content, **fields):
    return client.post(path, {"file": SimpleUploadedFile(name, content), **fields})


def named_field(response) -> str:
    """Where a 4xx says the problem is: the service's field, or the schema error's location."""
    body = response.json()
    if body.get("field"):
        return body["field"]
    location = [str(part) for part in body["detail"][0]["loc"] if part not in ("body", "payload")]
    return ".".join(location)


# --- orders ----------------------------------------------------------------------------------


def order_payload(exporter_person, **overrides):
    """An order of 100 kg at 25.00 USD: 2,500.00 in a 30 % deposit and a 70 % balance."""
    return {
        "exporter_id": organisation(exporter_person).pk,
        "currency": "USD",
        "items": [
            {
                "description": "Arabica coffee, roasted",
                "quantity": 100,
                "unit": "kg",
                "unit_price_minor": 2_500,
                "hs_code": "090121",
            }
        ],
        "milestones": [
            {"label": "Deposit", "due": "on_order", "basis_points": 3_000},
            {"label": "Balance", "due": "before_shipment", "basis_points": 7_000},
        ],
        "incoterm": "FOB",
        "named_place": "Tanjung Priok",
        "shipping_deadline": (timezone.localdate() + timedelta(days=30)).isoformat(),
        **overrides,
    }


def placed(buyer_person, exporter_person):
    """An order made through the service, for tests about reading rather than placing."""
    return services.create_order(
        actor=buyer_person,
        buyer=organisation(buyer_person),
        exporter=organisation(exporter_person),
        currency="USD",
        items=[ItemIn("Arabica coffee, roasted", 100, "kg", 2_500, "090121")],
        milestones=[
            MilestoneIn("Deposit", MilestoneDue.ON_ORDER, 3_000),
            MilestoneIn("Balance", MilestoneDue.BEFORE_SHIPMENT, 7_000),
        ],
        incoterm="FOB",
        named_place="Tanjung Priok",
        shipping_deadline=timezone.localdate() + timedelta(days=30),
    )


def escrow_held(order_id: int) -> int:
    account = Account.objects.filter(purpose=Purpose.ESCROW, reference=f"order:{order_id}").first()
    return account.credit_balance if account else 0


# --- money arriving --------------------------------------------------------------------------


def webhook_event(reference, amount_minor, *, event_id, currency="USD", kind="payment.succeeded"):
    return json.dumps(
        {
            "id": event_id,
            "type": kind,
            "created": int(time.time()),
            "data": {
                "amount_minor": amount_minor,
                "currency": currency,
                "reference": reference,
                "payer": "Hanse Import GmbH",
            },
        }
    ).encode()


def signature(body: bytes, *, secret: str | None = None) -> str:
    return webhooks.sign(
        body, secret=secret or settings.NIAGA_PAYMENT_WEBHOOK_SECRET, timestamp=int(time.time())
    )


def send_webhook(client, body: bytes, header: str | None = None, **headers):
    if header is not None:
        headers["HTTP_NIAGA_SIGNATURE"] = header
    return client.post(WEBHOOK, body, content_type="application/json", **headers)


def fund_by_webhook(client, order_json):
    """Pay every milestone of an order (as the API shows it) through the signed webhook."""
    for milestone in order_json["milestones"]:
        body = webhook_event(
            milestone["reference"],
            milestone["amount_minor"],
            event_id=f"evt-{milestone['reference']}",
        )
        response = send_webhook(client, body, signature(body))
        assert response.status_code == 200, response.content


def statement_csv(order_json, *, prefix="TRX") -> bytes:
    """A bank's CSV export with one credit per milestone, quoting its reference."""
    rows = ["Date,Transaction ID,Description,Payer,Amount,Currency"]
    today = timezone.localdate().isoformat()
    for number, milestone in enumerate(order_json["milestones"], 1):
        major, minor = divmod(milestone["amount_minor"], 100)
        rows.append(
            f"{today},{prefix}-{order_json['id']}-{number},"
            f"Payment {milestone['reference']},Hanse Import GmbH,{major}.{minor:02d},USD"
        )
    rows.append(f"{today},{prefix}-fee,Bank charges,,-35.00,USD")
    return ("\n".join(rows) + "\n").encode()
