"""The demo world's trade-assurance orders: one in every state, with the money on the ledger.

Every step goes through the services a buyer, an exporter, a finance officer or an officer
would use: orders are placed, funded by a bank statement and by provider events, shipped,
received, disputed, decided and settled. The only thing moved by hand is time: a dispute has
to be a few days old before it may be escalated, so its opening is set back.
"""

from __future__ import annotations

import csv
import io
import random
from dataclasses import dataclass
from datetime import timedelta

from django.utils import timezone

from niaga.accounts import services as accounts
from niaga.accounts.models import Organisation, User
from niaga.assurance import services
from niaga.assurance.models import (
    Dispute,
    DisputeReason,
    FeeRule,
    MilestoneDue,
    Order,
    PaymentChannel,
)
from niaga.assurance.services import Incoming, ItemIn, MilestoneIn
from niaga.core.money import Money
from niaga.core.roles import OrganisationKind as Kind
from niaga.core.roles import Role
from niaga.programs.models import Programme

# The platform's default fee: 2.5% of what is released, at least USD 10, at most USD 500,
# and nothing on an exporter's first two orders.
FEE_BASIS_POINTS = 250
FEE_MINIMUM = Money.from_decimal("10", "USD")
FEE_CAP = Money.from_decimal("500", "USD")
FEE_WAIVED_ORDERS = 2

PROGRAMME_BY_COUNTRY = {"ID": "kemendag-ikm-2026", "IN": "startup-india-alibaba-2026"}

# (description, HS code, unit, unit price in USD cents) by exporter country
PRODUCTS = {
    "ID": [
        ("Arabica coffee, green, Gayo grade 1", "090111", "kg", 640),
        ("Cashew kernels W320", "080132", "kg", 810),
        ("Nutmeg, whole, ABCD grade", "090811", "kg", 1_150),
        ("Batik tulis, cotton, 2.5 m", "520852", "pcs", 2_400),
        ("Teak garden chairs, oiled", "940360", "pcs", 9_500),
    ],
    "IN": [
        ("Darjeeling black tea, FTGFOP1", "090240", "kg", 2_800),
        ("Cotton bedsheets, 300 thread count", "630221", "pcs", 1_350),
        ("Turmeric powder, 3% curcumin", "091030", "kg", 420),
        ("Handloom silk stoles", "500720", "pcs", 1_900),
        ("Leather wallets, vegetable tanned", "420231", "pcs", 1_100),
    ],
}

DEPOSIT = [
    MilestoneIn("Deposit", MilestoneDue.ON_ORDER, 3_000),
    MilestoneIn("Balance before shipment", MilestoneDue.BEFORE_SHIPMENT, 7_000),
]
IN_FULL = [MilestoneIn("Full payment before shipment", MilestoneDue.BEFORE_SHIPMENT, 10_000)]
ON_DELIVERY = [
    MilestoneIn("Deposit", MilestoneDue.ON_ORDER, 4_000),
    MilestoneIn("Before shipment", MilestoneDue.BEFORE_SHIPMENT, 4_000),
    MilestoneIn("On delivery", MilestoneDue.ON_DELIVERY, 2_000),
]


@dataclass(frozen=True)
class Plan:
    goal: str
    buyer: str  # "demo" or "other1", "other2"
    exporter: str  # "id", "in", "id2", "in2"
    currency: str
    milestones: list[MilestoneIn]
    value: int  # roughly, in whole units of the currency


# In this order: an exporter's settlements come in sequence, so the fee waiver for its first
# two orders shows (exporter.id: a full refund, a waived partial refund, then a fee).
PLANS = [
    Plan("awaiting", "demo", "id2", "EUR", DEPOSIT, 9_000),
    Plan("part_funded", "demo", "in", "USD", DEPOSIT, 22_000),
    Plan("funded_over_paid", "demo", "id", "USD", DEPOSIT, 31_000),
    Plan("funded_on_delivery", "other1", "in2", "EUR", ON_DELIVERY, 18_000),
    Plan("shipped", "other2", "in", "EUR", IN_FULL, 12_500),
    Plan("received", "demo", "in2", "USD", DEPOSIT, 27_000),
    Plan("disputed", "demo", "id", "USD", IN_FULL, 6_400),
    Plan("escalated", "other1", "in", "EUR", DEPOSIT, 8_800),
    Plan("settled_waived", "demo", "in", "USD", DEPOSIT, 15_000),
    Plan("refunded", "demo", "id", "USD", IN_FULL, 4_800),
    Plan("part_refunded", "other2", "id", "EUR", DEPOSIT, 11_000),
    Plan("settled", "demo", "id", "USD", DEPOSIT, 16_500),
]


@dataclass
class _Cast:
    buyers: dict[str, tuple[Organisation, User]]
    exporters: dict[str, tuple[Organisation, User]]
    officers: dict[str, User]  # by exporter country
    finance: User
    programmes: dict[str, Programme | None]  # by exporter country


def seed_orders(*, rng: random.Random, domain: str) -> int:
    """Returns how many orders it made."""
    cast = _cast(domain)
    FeeRule.objects.create(
        basis_points=FEE_BASIS_POINTS,
        minimum_minor=FEE_MINIMUM.amount,
        cap_minor=FEE_CAP.amount,
        currency="USD",
        waive_first_orders=FEE_WAIVED_ORDERS,
    )
    orders = [(plan, _place(plan, cast, rng)) for plan in PLANS]
    _fund(orders, cast, rng)
    for plan, order in orders:
        _walk(plan, order, cast, rng)
    return len(orders)


# --- who takes part --------------------------------------------------------------------------


def _cast(domain: str) -> _Cast:
    admin = User.objects.get(email=f"admin@{domain}")
    demo_buyer = User.objects.get(email=f"buyer@{domain}")
    buyer_org = demo_buyer.memberships.get().organisation
    others = list(
        Organisation.objects.filter(kind=Kind.BUYER).exclude(pk=buyer_org.pk).order_by("id")[:2]
    )
    buyers = {"demo": (buyer_org, demo_buyer)}
    for index, organisation in enumerate(others, 1):
        buyers[f"other{index}"] = (
            organisation,
            _person(admin, organisation, f"buyer{index + 1}@{domain}", Role.BUYER),
        )
    exporters = {}
    for country in ("ID", "IN"):
        key = country.lower()
        owner = User.objects.get(email=f"exporter.{key}@{domain}")
        first = owner.memberships.get().organisation
        exporters[key] = (first, owner)
        second = (
            Organisation.objects.filter(kind=Kind.EXPORTER, country=country)
            .exclude(pk=first.pk)
            .order_by("id")
            .first()
        )
        exporters[f"{key}2"] = (
            (second, _person(admin, second, f"exporter.{key}2@{domain}", Role.EXPORTER_OWNER))
            if second is not None
            else exporters[key]
        )
    for key in ("other1", "other2"):
        buyers.setdefault(key, buyers["demo"])
    programmes = {
        country: Programme.objects.filter(slug=slug).first()
        for country, slug in PROGRAMME_BY_COUNTRY.items()
    }
    return _Cast(
        buyers=buyers,
        exporters=exporters,
        officers={
            "ID": User.objects.get(email=f"officer.kemendag@{domain}"),
            "IN": User.objects.get(email=f"officer.msme@{domain}"),
        },
        finance=User.objects.get(email=f"finance@{domain}"),
        programmes=programmes,
    )


def _person(admin: User, organisation: Organisation, email: str, role: str) -> User:
    """A second buyer or exporter to sign in as; the same password as every demo person."""
    user = User(
        email=email,
        full_name=f"{organisation.name} desk",
        password=admin.password,
        preferred_language="id" if organisation.country == "ID" else "en",
    )
    user.save()
    accounts.add_member(actor=admin, organisation=organisation, user=user, role=role)
    return user


# --- placing and funding ---------------------------------------------------------------------


def _place(plan: Plan, cast: _Cast, rng: random.Random) -> Order:
    buyer, buyer_person = cast.buyers[plan.buyer]
    exporter, _owner = cast.exporters[plan.exporter]
    description, hs_code, unit, cents = rng.choice(PRODUCTS[exporter.country])
    price = cents if plan.currency == "USD" else cents * 92 // 100  # a round EUR price list
    quantity = max(1, plan.value * rng.randrange(90, 111) // price)  # value * 100 cents / 100 %
    return services.create_order(
        actor=buyer_person,
        buyer=buyer,
        exporter=exporter,
        currency=plan.currency,
        items=[ItemIn(description, quantity, unit, price, hs_code)],
        milestones=list(plan.milestones),
        incoterm=rng.choice(["FOB", "CIF", "CFR", "FCA"]),
        named_place="Tanjung Priok, Jakarta" if exporter.country == "ID" else "Nhava Sheva",
        shipping_deadline=timezone.localdate() + timedelta(days=rng.randrange(21, 60)),
        programme=cast.programmes.get(exporter.country),
    )


def _fund(orders: list[tuple[Plan, Order]], cast: _Cast, rng: random.Random) -> None:
    """A bank statement pays most milestones; a payment provider's events pay the rest."""
    statement: list[tuple[str, int, str, str]] = []  # (text, amount, currency, payer)
    events: list[tuple[str, int, str, str]] = []
    for index, (plan, order) in enumerate(orders):
        if plan.goal == "awaiting":
            continue
        payer = order.buyer.name
        lines = statement if index % 2 == 0 else events
        for milestone in order.milestones.all():
            if milestone.due == MilestoneDue.ON_DELIVERY:
                continue  # paid when the goods arrive
            amount = milestone.amount_minor
            if plan.goal == "part_funded" and milestone.due == MilestoneDue.BEFORE_SHIPMENT:
                amount -= amount * 15 // 100  # short: the buyer is asked for a top-up
            elif plan.goal == "funded_over_paid" and milestone.due == MilestoneDue.BEFORE_SHIPMENT:
                amount += Money.from_decimal("250", order.currency).amount  # the rest is held
            text = f"{order.number} {milestone.label} /{milestone.reference}"
            lines.append((text, amount, order.currency, payer))
    # Money nobody can match yet: no reference at all.
    unmatched = Money.from_decimal("1875.40", "USD")
    statement.append(("Invoice 2291 thanks", unmatched.amount, "USD", "Marlow Provisions Ltd"))
    _receive_statement(statement, cast.finance)
    for number, (text, amount, currency, payer) in enumerate(events, 1):
        services.receive_payment(
            Incoming(
                channel=PaymentChannel.PROVIDER,
                external_id=f"evt_demo_{number:04d}",
                amount_minor=amount,
                currency=currency,
                reference_text=text,
                payer=payer,
                received_on=timezone.localdate() - timedelta(days=rng.randrange(1, 10)),
            )
        )


def _receive_statement(lines: list[tuple[str, int, str, str]], finance: User) -> None:
    today = timezone.localdate()
    text = io.StringIO()
    rows = csv.writer(text, lineterminator="\n")
    rows.writerow(["Date", "Transaction ID", "Description", "Payer", "Amount", "Currency"])
    for number, (remittance, amount, currency, payer) in enumerate(lines, 1):
        booked = today - timedelta(days=2)
        shown = Money(amount, currency).to_decimal()
        rows.writerow([booked, f"DEMO-{number:05d}", remittance, payer, shown, currency])
    rows.writerow([today - timedelta(days=1), "DEMO-CHG-0001", "Account fee", "", "-12.00", "USD"])
    services.receive_statement(
        actor=finance,
        fileobj=io.BytesIO(text.getvalue().encode()),
        original_name=f"statement-{today:%Y-%m-%d}.csv",
    )


# --- the rest of each order's life -----------------------------------------------------------

SHIPPED_FROM = {
    "shipped",
    "received",
    "disputed",
    "escalated",
    "settled_waived",
    "refunded",
    "part_refunded",
    "settled",
}
RECEIVED_FROM = {"received", "escalated", "settled_waived", "part_refunded", "settled"}


def _walk(plan: Plan, order: Order, cast: _Cast, rng: random.Random) -> None:
    if plan.goal not in SHIPPED_FROM:
        return
    buyer = cast.buyers[plan.buyer][1]
    exporter = cast.exporters[plan.exporter][1]
    officer = cast.officers[order.exporter.country]
    carrier = rng.choice(["Maersk", "MSC", "CMA CGM", "Evergreen"])
    order = services.mark_shipped(
        actor=exporter,
        order=order,
        carrier=carrier,
        tracking_number=f"{carrier[:3].upper()}U{rng.randrange(10**6, 10**7)}",
    )
    if plan.goal in RECEIVED_FROM:
        accept = plan.goal in {"settled", "settled_waived"}
        order = services.confirm_receipt(actor=buyer, order=order, accept=accept)
    if plan.goal == "disputed":
        services.open_dispute(
            actor=buyer,
            order=order,
            reason=DisputeReason.NOT_RECEIVED,
            statement="Tracking has shown no movement since loading; nothing has arrived.",
        )
    elif plan.goal in {"escalated", "refunded", "part_refunded"}:
        dispute = _escalated(plan, order, buyer=buyer, exporter=exporter)
        if plan.goal != "escalated":
            held = order.total_minor
            refund = held if plan.goal == "refunded" else held // 5
            services.decide_dispute(
                actor=officer,
                dispute=dispute,
                refund_minor=refund,
                decision="Full refund: the carrier confirms the container was lost at sea."
                if plan.goal == "refunded"
                else "A fifth refunded: the inspection found 20% of the lot below grade.",
            )


def _escalated(plan: Plan, order: Order, *, buyer: User, exporter: User) -> Dispute:
    not_received = plan.goal == "refunded"
    dispute = services.open_dispute(
        actor=buyer,
        order=order,
        reason=DisputeReason.NOT_RECEIVED if not_received else DisputeReason.NOT_AS_DESCRIBED,
        statement="The container never arrived at the port of discharge."
        if not_received
        else "About a fifth of the lot is below the agreed grade; photos attached.",
    )
    services.answer_dispute(
        actor=exporter,
        dispute=dispute,
        answer="We shipped the agreed grade; the pre-shipment photos show it.",
    )
    # The buyer may escalate from day four: the dispute was opened five days ago.
    Dispute.objects.filter(pk=dispute.pk).update(opened_at=timezone.now() - timedelta(days=5))
    return services.escalate_dispute(actor=buyer, dispute=Dispute.objects.get(pk=dispute.pk))
