"""A year of settled orders for the programme dashboard, so its figures show past suppression.

Every order goes through the assurance services (placed, paid by provider events, shipped,
accepted and settled), so the ledger stays consistent. Only time is moved by hand afterwards:
each order's dates and its settlement are set back into the past twelve months, and the
dashboard's tables are then rebuilt from the settlements.
"""

from __future__ import annotations

import random
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from niaga.accounts import services as accounts
from niaga.accounts.models import Organisation, User
from niaga.assurance import services
from niaga.assurance.models import MilestoneDue, Order, PaymentChannel, Settlement
from niaga.assurance.services import Incoming, ItemIn, MilestoneIn
from niaga.core.roles import OrganisationKind as Kind
from niaga.core.roles import Role
from niaga.demo.orders import PRODUCTS, PROGRAMME_BY_COUNTRY
from niaga.insights import services as insights
from niaga.insights.models import NationalExportFigure
from niaga.programs.models import Programme

EXPORTERS_PER_COUNTRY = 8
BUYER_COMPANIES = 8
MONTHS = 12
IN_FULL = [MilestoneIn("Full payment before shipment", MilestoneDue.BEFORE_SHIPMENT, 10_000)]
# Illustrative national totals for the MSME share, in whole US dollars: an assumption.
NATIONAL_EXPORTS_USD = {"ID": 258_000_000_000, "IN": 437_000_000_000}


def seed_history(*, rng: random.Random, domain: str, orders_per_programme: int = 48) -> int:
    """Settle ``orders_per_programme`` past orders in each demo programme; returns how many."""
    admin = User.objects.get(email=f"admin@{domain}")
    buyer_desk = _desk(admin, f"history.buyer@{domain}", Kind.BUYER, Role.BUYER, None)
    buyers = list(buyer_desk.memberships.values_list("organisation", flat=True))
    made = 0
    for country, slug in PROGRAMME_BY_COUNTRY.items():
        programme = Programme.objects.filter(slug=slug).first()
        if programme is None:
            continue
        desk = _desk(
            admin,
            f"history.{country.lower()}@{domain}",
            Kind.EXPORTER,
            Role.EXPORTER_OWNER,
            country,
        )
        exporters = list(desk.memberships.values_list("organisation", flat=True))
        for number in range(orders_per_programme):
            _settled_order(
                rng,
                number=made + number,
                programme=programme,
                buyer=(buyer_desk, Organisation.objects.get(pk=rng.choice(buyers))),
                exporter=(desk, Organisation.objects.get(pk=rng.choice(exporters))),
            )
        made += orders_per_programme
    _national_figures(admin)
    insights.rebuild()
    return made


def _desk(admin: User, email: str, kind: str, role: str, country: str | None) -> User:
    """One demo person acting for several companies of a kind, to place or fulfil the orders."""
    user = User(email=email, full_name="History desk", password=admin.password)
    user.save()
    companies = Organisation.objects.filter(kind=kind)
    if country:
        companies = companies.filter(country=country).exclude(region="")
    limit = EXPORTERS_PER_COUNTRY if country else BUYER_COMPANIES
    for organisation in companies.order_by("id")[:limit]:
        accounts.add_member(actor=admin, organisation=organisation, user=user, role=role)
    return user


def _settled_order(rng: random.Random, *, number: int, programme, buyer, exporter) -> None:
    buyer_person, buyer_org = buyer
    exporter_person, exporter_org = exporter
    lines = rng.sample(PRODUCTS[exporter_org.country], k=rng.choice([1, 1, 2]))
    order = services.create_order(
        actor=buyer_person,
        buyer=buyer_org,
        exporter=exporter_org,
        currency="USD",
        items=[
            ItemIn(description, rng.randrange(200, 2_000), unit, cents, hs_code)
            for description, hs_code, unit, cents in lines
        ],
        milestones=list(IN_FULL),
        incoterm=rng.choice(["FOB", "CIF", "FCA"]),
        named_place="Tanjung Priok, Jakarta" if exporter_org.country == "ID" else "Nhava Sheva",
        shipping_deadline=timezone.localdate() + timedelta(days=30),
        programme=programme,
    )
    for milestone in order.milestones.all():
        services.receive_payment(
            Incoming(
                channel=PaymentChannel.PROVIDER,
                external_id=f"evt_history_{number:05d}_{milestone.sequence}",
                amount_minor=milestone.amount_minor,
                currency=order.currency,
                reference_text=f"{order.number} /{milestone.reference}",
                payer=buyer_org.name,
                received_on=timezone.localdate(),
            )
        )
    services.mark_shipped(
        actor=exporter_person, order=order, carrier="Maersk", tracking_number=f"HIST{number:06d}"
    )
    services.confirm_receipt(actor=buyer_person, order=order, accept=True)
    _set_back(order, days=rng.randrange(15, MONTHS * 30))


def _set_back(order: Order, *, days: int) -> None:
    """Move a settled order's life into the past; the money on the ledger is untouched."""
    settled = timezone.now() - timedelta(days=days)
    with transaction.atomic():
        Order.objects.filter(pk=order.pk).update(
            created_at=settled - timedelta(days=40),
            shipped_at=settled - timedelta(days=25),
            received_at=settled - timedelta(days=1),
            goods_accepted_at=settled,
        )
        Settlement.objects.filter(order=order).update(settled_at=settled)


def _national_figures(admin: User) -> None:
    year = timezone.localdate().year
    for country, dollars in NATIONAL_EXPORTS_USD.items():
        NationalExportFigure.objects.update_or_create(
            country=country,
            year=year,
            month=None,
            defaults={
                "usd_minor": dollars * 100,
                "source": "assumption: an illustrative national total for the demo",
                "entered_by": admin,
            },
        )
