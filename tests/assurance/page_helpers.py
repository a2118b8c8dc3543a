"""Rows the order page tests need, made through the services as a person would make them."""

from datetime import date, timedelta

from django.utils import timezone

from niaga.assurance import services
from niaga.assurance.models import MilestoneDue, PaymentChannel
from niaga.assurance.services import Incoming, ItemIn, MilestoneIn
from niaga.core.roles import OrganisationKind, Role
from tests.factories import MembershipFactory, OrganisationFactory, UserFactory

SPLIT = [
    MilestoneIn("Deposit (30%)", MilestoneDue.ON_ORDER, 3_000),
    MilestoneIn("Balance before shipment (70%)", MilestoneDue.BEFORE_SHIPMENT, 7_000),
]


def person_at(name: str, kind: str, role: str, country: str, **user_fields):
    """A person holding ``role`` at a new organisation called ``name``; (person, organisation)."""
    organisation = OrganisationFactory(name=name, kind=kind, country=country)
    person = UserFactory(**user_fields)
    MembershipFactory(user=person, organisation=organisation, role=role)
    return person, organisation


def buyer_at(name: str = "Hanse Import GmbH", **user_fields):
    return person_at(name, OrganisationKind.BUYER, Role.BUYER, "DE", **user_fields)


def exporter_at(name: str = "CV Kopi Sari Jaya", **user_fields):
    return person_at(name, OrganisationKind.EXPORTER, Role.EXPORTER_OWNER, "ID", **user_fields)


def finance_officer(**user_fields):
    person, _organisation = person_at(
        "Niaga Operations", OrganisationKind.OPERATOR, Role.FINANCE_OFFICER, "ID", **user_fields
    )
    return person


def admin(**user_fields):
    """An administrator of the operator: sees every order and decides disputes."""
    person, _organisation = person_at(
        "Niaga Admin", OrganisationKind.OPERATOR, Role.ADMIN, "ID", **user_fields
    )
    return person


def order_between(buyer, exporter, *, quantity=100, price=2_500, currency="USD", split=SPLIT):
    """An order placed through the service by ``buyer`` (a person) with ``exporter``'s company."""
    return services.create_order(
        actor=buyer,
        buyer=buyer.memberships.get().organisation,
        exporter=exporter.memberships.get().organisation,
        currency=currency,
        items=[ItemIn("Arabica coffee, roasted", quantity, "kg", price, "090121")],
        milestones=list(split),
        incoterm="FOB",
        named_place="Tanjung Priok",
        shipping_deadline=timezone.localdate() + timedelta(days=30),
    )


def pay(milestone, amount=None, *, text=None, currency=None, external_id=None):
    """Money arriving at the bank for ``milestone``, quoting its reference unless told not to."""
    amount = milestone.amount_minor if amount is None else amount
    payment, _created = services.receive_payment(
        Incoming(
            channel=PaymentChannel.BANK_STATEMENT,
            external_id=external_id or f"line-{milestone.pk}-{amount}",
            amount_minor=amount,
            currency=currency or milestone.order.currency,
            reference_text=text if text is not None else f"PAYMENT {milestone.reference}",
            payer="Hanse Import GmbH",
            received_on=date.today(),
        )
    )
    return payment


def funded(order):
    for milestone in order.milestones.all():
        pay(milestone)
    order.refresh_from_db()
    return order


def shipped(order, exporter):
    return services.mark_shipped(
        actor=exporter, order=funded(order), carrier="Maersk", tracking_number="MSKU1234567"
    )


def new_order_form(exporter_organisation, buyer_organisation, **changes) -> dict:
    """What a buyer types into the new-order form: one item line, the 30/70 split."""
    data = {
        "buyer": buyer_organisation.pk,
        "exporter": exporter_organisation.pk,
        "exporter_number": "",
        "currency": "USD",
        "incoterm": "FOB",
        "named_place": "Tanjung Priok",
        "shipping_deadline": (timezone.localdate() + timedelta(days=45)).isoformat(),
        "split": "deposit_before_shipment",
        "item_0_description": "Arabica coffee, roasted",
        "item_0_quantity": "100",
        "item_0_unit": "kg",
        "item_0_unit_price": "25.00",
    }
    return data | changes


def statement_csv(*lines: tuple[str, str, str]) -> bytes:
    """A bank's CSV export with one credit per (transaction id, remittance text, amount)."""
    rows = ["Date,Transaction ID,Description,Payer,Amount,Currency"]
    today = date.today().isoformat()
    rows += [
        f'{today},{tid},"{text}",Hanse Import GmbH,"{amount}",USD' for tid, text, amount in lines
    ]
    return ("\n".join(rows) + "\n").encode()
