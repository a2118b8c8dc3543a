"""The published trade-assurance rules: when a dispute may be opened, answered, escalated.

They are versioned: each dispute records the version it was opened under. A change to any
number here is a new VERSION, and the change goes into the rules page's history.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.utils.translation import gettext as _

from niaga.core.errors import NiagaError

VERSION = 1
OPEN_WITHIN_DAYS = 30  # after receipt
ANSWER_WITHIN_DAYS = 3  # the exporter, after the dispute opens
BUYER_MAY_ESCALATE_FROM_DAY = 4
AUTO_ESCALATE_DAY = 8
AUTO_RECEIPT_DAYS = int(getattr(settings, "NIAGA_AUTO_RECEIPT_DAYS", 45))


class DisputeNotAllowed(NiagaError):
    code = "dispute_not_allowed"
    status = 409


def published() -> list[tuple[str, str]]:
    """The rules in plain words, for the rules page and the API."""
    return [
        (
            "open",
            _(
                "A buyer may open a dispute from shipment until %(days)s days after receipt; "
                "for a late shipment, from the day after the shipping deadline."
            )
            % {"days": OPEN_WITHIN_DAYS},
        ),
        (
            "answer",
            _("The exporter answers within %(days)s days.") % {"days": ANSWER_WITHIN_DAYS},
        ),
        (
            "escalate",
            _(
                "The buyer may escalate to an officer from day %(day)s; on day %(auto)s the "
                "dispute escalates by itself."
            )
            % {"day": BUYER_MAY_ESCALATE_FROM_DAY, "auto": AUTO_ESCALATE_DAY},
        ),
        (
            "decide",
            _(
                "An officer decides on the evidence: a full or partial refund, never more than "
                "escrow holds, and the rest is released to the exporter."
            ),
        ),
        (
            "receipt",
            _("Receipt is confirmed by itself %(days)s days after shipment.")
            % {"days": AUTO_RECEIPT_DAYS},
        ),
    ]


def check_may_open(order, *, reason: str, now: datetime) -> None:
    from niaga.assurance.models import DisputeReason, OrderState

    if order.state == OrderState.RECEIVED:
        if now > order.received_at + timedelta(days=OPEN_WITHIN_DAYS):
            raise DisputeNotAllowed(
                _("Disputes are opened within %(days)s days of receipt.")
                % {"days": OPEN_WITHIN_DAYS}
            )
        if order.goods_accepted_at is not None:
            raise DisputeNotAllowed(_("The goods were accepted as described."))
        return
    if order.state == OrderState.SHIPPED:
        return
    if (
        order.state == OrderState.FUNDED
        and reason == DisputeReason.LATE_SHIPMENT
        and now.date() > order.shipping_deadline
    ):
        return
    raise DisputeNotAllowed(
        _("A dispute cannot be opened on an order that is %(state)s.")
        % {"state": order.get_state_display()}
    )


def check_may_answer(dispute, *, now: datetime) -> None:
    if now > dispute.opened_at + timedelta(days=ANSWER_WITHIN_DAYS):
        raise DisputeNotAllowed(
            _("The exporter had %(days)s days to answer.") % {"days": ANSWER_WITHIN_DAYS}
        )


def check_may_escalate(dispute, *, now: datetime, automatically: bool) -> None:
    day = (now - dispute.opened_at).days + 1
    earliest = AUTO_ESCALATE_DAY if automatically else BUYER_MAY_ESCALATE_FROM_DAY
    if day < earliest:
        raise DisputeNotAllowed(
            _("This dispute may be escalated from day %(day)s.") % {"day": earliest}
        )
