"""Reads of trade assurance, scoped to who asks.

A buyer sees the orders its company placed; an exporter the orders it received; finance
officers and administrators see every order and every payment; programme officers see the
orders of the programmes they work (they decide disputes). Nobody else sees an order.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import CharField, Count, F, Q, QuerySet, Sum, Value
from django.db.models.functions import Cast, Concat

from niaga.assurance.models import Dispute, DisputeState, Order, OrderState, Payment, PaymentStatus
from niaga.core import permissions
from niaga.core.roles import Role
from niaga.ledger.models import Account, Purpose

EXPORTER_ROLES = (Role.EXPORTER_OWNER, Role.EXPORTER_STAFF)


def sees_all_money(user) -> bool:
    if not user or not user.is_authenticated or not user.is_active:
        return False
    return user.is_superuser or permissions.has_role(user, Role.FINANCE_OFFICER, Role.ADMIN)


def orders_for(user) -> QuerySet[Order]:
    if not user or not user.is_authenticated or not user.is_active:
        return Order.objects.none()
    orders = Order.objects.select_related("buyer", "exporter", "programme")
    if sees_all_money(user):
        return orders
    visible = Q(buyer__in=permissions.organisation_ids(user, Role.BUYER)) | Q(
        exporter__in=permissions.organisation_ids(user, *EXPORTER_ROLES)
    )
    if permissions.has_role(user, Role.PROGRAMME_OFFICER):
        from niaga.programs.selectors import worked_programmes

        visible |= Q(programme__in=worked_programmes(user).values("pk"))
    return orders.filter(visible)


def order_for(user, order_id: int) -> Order:
    return permissions.one_or_not_found(orders_for(user), pk=order_id)


def is_buyer_of(user, order: Order) -> bool:
    return order.buyer_id in permissions.organisation_ids(user, Role.BUYER)


def is_exporter_of(user, order: Order) -> bool:
    return order.exporter_id in permissions.organisation_ids(user, *EXPORTER_ROLES)


def may_decide_disputes(user) -> bool:
    return permissions.has_role(user, Role.ADMIN, Role.PROGRAMME_OFFICER) or bool(
        user and user.is_authenticated and user.is_superuser
    )


def may_decide(user, order: Order) -> bool:
    """Administrators decide any dispute; programme officers those of their programmes' orders."""
    if not user or not user.is_authenticated or not user.is_active:
        return False
    if user.is_superuser or permissions.has_role(user, Role.ADMIN):
        return True
    if order.programme_id is None or not permissions.has_role(user, Role.PROGRAMME_OFFICER):
        return False
    from niaga.programs.selectors import worked_programmes

    return worked_programmes(user).filter(pk=order.programme_id).exists()


def payments_for(user) -> QuerySet[Payment]:
    """Finance sees every payment; a buyer or exporter sees those of its own orders."""
    payments = Payment.objects.select_related("milestone__order")
    if sees_all_money(user):
        return payments
    return payments.filter(milestone__order__in=orders_for(user).values("pk"))


def payment_for(user, payment_id: int) -> Payment:
    return permissions.one_or_not_found(payments_for(user), pk=payment_id)


def unmatched_payments(user) -> QuerySet[Payment]:
    if not sees_all_money(user):
        return Payment.objects.none()
    return (
        Payment.objects.filter(held_minor__gt=0)
        .select_related("milestone__order")
        .order_by("-created_at", "-id")
    )


def disputes_to_decide(user) -> QuerySet[Dispute]:
    if not may_decide_disputes(user):
        return Dispute.objects.none()
    return (
        Dispute.objects.filter(
            state=DisputeState.ESCALATED, order__in=orders_for(user).values("pk")
        )
        .select_related("order__buyer", "order__exporter")
        .order_by("escalated_at")
    )


@dataclass(frozen=True)
class EscrowPosition:
    currency: str
    held_minor: int
    orders: int


def escrow_position(user) -> list[EscrowPosition]:
    """What escrow holds for the open orders the user sees, per currency."""
    references = (
        orders_for(user)
        .exclude(state__in=[OrderState.SETTLED, OrderState.REFUNDED, OrderState.CANCELLED])
        .annotate(escrow=Concat(Value("order:"), Cast("pk", CharField())))
        .values("escrow")
    )
    rows = (
        Account.objects.filter(purpose=Purpose.ESCROW, reference__in=references)
        .values("currency")
        .annotate(
            credits=Sum("credits_posted"),
            debits=Sum("debits_posted"),
            holding=Count("id", filter=Q(credits_posted__gt=F("debits_posted"))),
        )
        .order_by("currency")
    )
    return [
        EscrowPosition(row["currency"], row["credits"] - row["debits"], row["holding"])
        for row in rows
    ]


def settlements_due(user) -> QuerySet[Order]:
    """Received orders waiting for their dispute window or their last payment."""
    return orders_for(user).filter(state=OrderState.RECEIVED).order_by("received_at")


def payment_counts(user) -> dict[str, int]:
    payments = payments_for(user)
    return {status: payments.filter(status=status).count() for status in PaymentStatus.values}
