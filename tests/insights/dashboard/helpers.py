"""A small trading world for the dashboard tests: two programmes worked by two ministries,
exporters in two provinces, buyers in two countries, orders settled through the services."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from django.utils import timezone

from niaga.accounts.models import Organisation, User
from niaga.assurance import services
from niaga.assurance.models import FeeRule, MilestoneDue, Order, PaymentChannel, Settlement
from niaga.assurance.services import Incoming, ItemIn, MilestoneIn
from niaga.core.roles import OrganisationKind, Role
from niaga.insights.services import record_settlement
from niaga.programs.models import Programme
from tests.factories import MembershipFactory, OrganisationFactory, UserFactory
from tests.programs.factories import ministry, officer_of, programme

IN_FULL = [MilestoneIn("Full payment", MilestoneDue.BEFORE_SHIPMENT, 10_000)]


@dataclass
class World:
    programme_a: Programme
    programme_b: Programme
    officer_a: User
    officer_b: User
    buyers: dict[str, tuple[User, Organisation]]
    exporters: list[tuple[User, Organisation]]
    settled: list[Order] = field(default_factory=list)


def person_at(kind: str, role: str, country: str, **org_fields) -> tuple[User, Organisation]:
    organisation = OrganisationFactory(kind=kind, country=country, **org_fields)
    person = UserFactory()
    MembershipFactory(user=person, organisation=organisation, role=role)
    return person, organisation


def world() -> World:
    FeeRule.objects.create(basis_points=250, minimum_minor=1_000, currency="USD")
    ministry_a, ministry_b = ministry("Kemendag"), ministry("Kemenperin")
    exporters = [
        person_at(
            OrganisationKind.EXPORTER,
            Role.EXPORTER_OWNER,
            "ID",
            region=region,
            sector=sector,
            name=f"Exporter {index}",
        )
        for index, (region, sector) in enumerate(
            [("ID-JB", "food")] * 3 + [("ID-JI", "textiles")] * 3 + [("ID-BA", "handicrafts")]
        )
    ]
    return World(
        programme_a=programme(ministry_a, slug="ekspor-a"),
        programme_b=programme(ministry_b, slug="ekspor-b"),
        officer_a=officer_of(ministry_a),
        officer_b=officer_of(ministry_b),
        buyers={
            country: person_at(OrganisationKind.BUYER, Role.BUYER, country)
            for country in ("DE", "US")
        },
        exporters=exporters,
    )


def settle(
    world: World,
    *,
    exporter: int,
    buyer: str = "DE",
    programme: Programme | None = None,
    currency: str = "USD",
    items: list[tuple[str, int, int]] | None = None,
    settled_on: date | None = None,
) -> Settlement:
    """One order placed, funded, shipped, accepted and so settled, and folded into the tables
    (where assurance has not done so itself)."""
    buyer_person, buyer_org = world.buyers[buyer]
    exporter_person, exporter_org = world.exporters[exporter]
    order = services.create_order(
        actor=buyer_person,
        buyer=buyer_org,
        exporter=exporter_org,
        currency=currency,
        items=[
            ItemIn(f"Goods {code}", quantity, "pcs", price, code)
            for code, quantity, price in (items or [("090111", 100, 2_500)])
        ],
        milestones=list(IN_FULL),
        incoterm="FOB",
        named_place="Tanjung Priok",
        shipping_deadline=timezone.localdate() + timedelta(days=30),
        programme=programme or world.programme_a,
    )
    for milestone in order.milestones.all():
        services.receive_payment(
            Incoming(
                channel=PaymentChannel.BANK_STATEMENT,
                external_id=f"line-{milestone.pk}",
                amount_minor=milestone.amount_minor,
                currency=currency,
                reference_text=f"payment {milestone.reference}",
                payer="Buyer",
                received_on=date.today(),
            )
        )
    order.refresh_from_db()
    services.mark_shipped(actor=exporter_person, order=order, carrier="Maersk", tracking_number="1")
    services.confirm_receipt(actor=buyer_person, order=order, accept=True)
    settlement = Settlement.objects.get(order=order)
    if settled_on is not None:
        moment = timezone.make_aware(timezone.datetime(settled_on.year, settled_on.month, 15))
        Settlement.objects.filter(pk=settlement.pk).update(settled_at=moment)
        settlement.refresh_from_db()
    record_settlement(settlement)
    world.settled.append(order)
    return settlement
