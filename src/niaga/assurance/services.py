"""Every write of trade assurance: orders, funding their milestones, shipment, receipt,
disputes, and the settlement that empties each escrow onto the ledger."""

from __future__ import annotations

import hashlib
import time
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from niaga.assurance import references, rules, statements, webhooks
from niaga.assurance.models import (
    Dispute,
    DisputeReason,
    DisputeState,
    FeeRule,
    Milestone,
    MilestoneDue,
    Order,
    OrderItem,
    OrderState,
    Payment,
    PaymentChannel,
    PaymentStatus,
    Settlement,
    Shipment,
    StatementUpload,
    WebhookEvent,
)
from niaga.core import audit, permissions
from niaga.core.errors import NiagaError, PermissionDenied
from niaga.core.money import Money, currency_exponent
from niaga.core.roles import OrganisationKind, Role
from niaga.insights.services import record_settlement
from niaga.ledger import services as ledger
from niaga.ledger.models import Account, Purpose

MAX_QUANTITY = 10_000_000
MAX_UNIT_PRICE = 10**12


class AssuranceError(NiagaError):
    code = "assurance_invalid"
    status = 422


class WrongState(AssuranceError):
    code = "order_state"
    status = 409


@dataclass(frozen=True)
class ItemIn:
    description: str
    quantity: int
    unit: str
    unit_price_minor: int
    hs_code: str = ""


@dataclass(frozen=True)
class MilestoneIn:
    label: str
    due: str
    basis_points: int  # share of the order total, in hundredths of a percent


# --- orders --------------------------------------------------------------------------------


def create_order(
    *,
    actor,
    buyer,
    exporter,
    currency: str,
    items: list[ItemIn],
    milestones: list[MilestoneIn],
    incoterm: str,
    named_place: str,
    shipping_deadline: date,
    inspection_required: bool = False,
    programme=None,
) -> Order:
    """A buyer and an exporter agree an order; the buyer's people place it."""
    if buyer.pk not in permissions.organisation_ids(actor, Role.BUYER):
        raise PermissionDenied(_("Orders are placed by the buyer's own people."))
    if exporter.kind != OrganisationKind.EXPORTER or buyer.kind != OrganisationKind.BUYER:
        raise AssuranceError(_("An order is between a buyer and an exporter."), field="exporter")
    code = currency.upper()
    currency_exponent(code)
    if incoterm not in dict(Order._meta.get_field("incoterm").choices):
        raise AssuranceError(
            _("%(term)s is not an Incoterm 2020 rule.") % {"term": incoterm}, field="incoterm"
        )
    if shipping_deadline <= timezone.localdate():
        raise AssuranceError(
            _("The shipping deadline must be in the future."), field="shipping_deadline"
        )
    if not named_place.strip():
        raise AssuranceError(_("Name the place the Incoterm refers to."), field="named_place")
    total = _check_items(items)
    amounts = _split(total, milestones)
    with transaction.atomic(durable=True):
        order = Order.objects.create(
            buyer=buyer,
            exporter=exporter,
            programme=programme,
            currency=code,
            total_minor=total,
            incoterm=incoterm,
            named_place=named_place.strip(),
            shipping_deadline=shipping_deadline,
            inspection_required=inspection_required,
            created_by=actor,
        )
        OrderItem.objects.bulk_create(
            OrderItem(
                order=order,
                description=item.description.strip(),
                hs_code=item.hs_code,
                quantity=item.quantity,
                unit=item.unit.strip(),
                unit_price_minor=item.unit_price_minor,
            )
            for item in items
        )
        Milestone.objects.bulk_create(
            Milestone(
                order=order,
                sequence=sequence,
                label=milestone.label.strip()[:80],
                due=milestone.due,
                amount_minor=amount,
                reference=references.milestone_reference(order.pk, sequence),
            )
            for sequence, (milestone, amount) in enumerate(zip(milestones, amounts, strict=True), 1)
        )
        audit.record(
            actor=actor,
            action="assurance.order_created",
            target=order,
            changes={"total_minor": total, "currency": code},
        )
    return order


def _check_items(items: list[ItemIn]) -> int:
    if not items:
        raise AssuranceError(_("An order has at least one item."), field="items")
    total = 0
    for index, item in enumerate(items):
        where = f"items[{index}]"
        if not item.description.strip():
            raise AssuranceError(_("Describe each item."), field=f"{where}.description")
        if not item.unit.strip():
            raise AssuranceError(
                _("Give each item's unit (kg, pieces, cartons…)."), field=f"{where}.unit"
            )
        if type(item.quantity) is not int or not 0 < item.quantity <= MAX_QUANTITY:
            raise AssuranceError(
                _("A quantity is a whole number from 1 to %(max)s.") % {"max": f"{MAX_QUANTITY:,}"},
                field=f"{where}.quantity",
            )
        if (
            type(item.unit_price_minor) is not int
            or not 0 < item.unit_price_minor <= MAX_UNIT_PRICE
        ):
            raise AssuranceError(
                _("A unit price is a positive whole number of minor units."),
                field=f"{where}.unit_price_minor",
            )
        total += item.quantity * item.unit_price_minor
    if total > ledger.MAX_AMOUNT:
        raise AssuranceError(_("The order is larger than trade assurance covers."), field="items")
    return total


def _split(total: int, milestones: list[MilestoneIn]) -> list[int]:
    """Milestone amounts from their shares; the last takes the rounding so they sum exactly."""
    if not milestones:
        raise AssuranceError(_("An order has at least one payment milestone."), field="milestones")
    if sum(m.basis_points for m in milestones) != 10_000 or any(
        type(m.basis_points) is not int or m.basis_points <= 0 for m in milestones
    ):
        raise AssuranceError(
            _("Milestone shares must be positive and add up to 100%."), field="milestones"
        )
    for index, milestone in enumerate(milestones):
        if milestone.due not in MilestoneDue.values:
            raise AssuranceError(
                _("%(due)s is not a milestone due point.") % {"due": milestone.due},
                field=f"milestones[{index}].due",
            )
    amounts = [total * m.basis_points // 10_000 for m in milestones[:-1]]
    amounts.append(total - sum(amounts))
    if any(amount <= 0 for amount in amounts):
        raise AssuranceError(_("A milestone would be worth nothing."), field="milestones")
    return amounts


# --- funding ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Incoming:
    channel: str
    external_id: str
    amount_minor: int
    currency: str
    reference_text: str
    payer: str
    received_on: date


def receive_payment(incoming: Incoming, *, statement=None) -> tuple[Payment, bool]:
    """Record money that arrived and put it where it belongs; (payment, created).

    The milestone named by a reference in the remittance text is funded up to what it still
    needs; an excess, another currency or no known reference is held as unmatched for review.
    The same statement line or provider event arriving again changes nothing.
    """
    existing = Payment.objects.filter(
        channel=incoming.channel, external_id=incoming.external_id
    ).first()
    if existing is not None:
        return existing, False
    try:
        with transaction.atomic():
            return _apply_payment(incoming, statement=statement), True
    except IntegrityError:
        return Payment.objects.get(
            channel=incoming.channel, external_id=incoming.external_id
        ), False


def _apply_payment(incoming: Incoming, *, statement) -> Payment:
    milestone = _milestone_for(incoming.reference_text)
    if milestone is not None:
        # Order first, then milestone, then ledger accounts: the one lock order every service
        # follows, so a payment and a settlement of the same order never deadlock.
        Order.objects.select_for_update().get(pk=milestone.order_id)
        milestone = (
            Milestone.objects.select_for_update().select_related("order").get(pk=milestone.pk)
        )
    payment = Payment.objects.create(
        channel=incoming.channel,
        external_id=incoming.external_id,
        amount_minor=incoming.amount_minor,
        currency=incoming.currency,
        reference_text=incoming.reference_text,
        payer=incoming.payer[:200],
        received_on=incoming.received_on,
        milestone=milestone,
        status=PaymentStatus.UNMATCHED,
        statement=statement,
    )
    bank = ledger.account(purpose=Purpose.BANK, currency=incoming.currency)
    usable = (
        milestone is not None
        and milestone.order.currency == incoming.currency
        and milestone.order.state not in _CLOSED
    )
    applied = min(incoming.amount_minor, milestone.outstanding_minor) if usable else 0
    held = incoming.amount_minor - applied
    moves = []
    if applied:
        escrow = _escrow(milestone.order)
        moves.append(
            ledger.Move(f"payment:{payment.pk}:escrow", bank, escrow, applied, "escrow.fund")
        )
    if held:
        unmatched = ledger.account(purpose=Purpose.UNMATCHED, currency=incoming.currency)
        moves.append(
            ledger.Move(f"payment:{payment.pk}:held", bank, unmatched, held, "payment.held")
        )
    ledger.create_transfers(moves)
    payment.applied_minor, payment.held_minor = applied, held
    payment.status = (
        PaymentStatus.MATCHED
        if applied and not held
        else PaymentStatus.PARTLY_MATCHED
        if applied
        else PaymentStatus.UNMATCHED
    )
    payment.save(update_fields=["applied_minor", "held_minor", "status"])
    if applied:
        milestone.funded_minor += applied
        milestone.save(update_fields=["funded_minor"])
        _after_funding(milestone.order)
    audit.record(
        actor=None,
        action="assurance.payment_received",
        target=payment,
        changes={"applied_minor": applied, "held_minor": held, "status": payment.status},
    )
    return payment


def receive_statement(*, actor, fileobj, original_name: str) -> StatementUpload:
    """A finance officer's bank statement: every credit line becomes a payment, once.

    The file is kept whatever happens; one that cannot be read is kept with the reason. Sending
    the same file again, or a statement overlapping an earlier one, pays nothing twice.
    """
    _require_finance(actor)
    limit = settings.NIAGA_STATEMENT_MAX_BYTES
    data = fileobj.read(limit + 1)
    if len(data) > limit:
        raise AssuranceError(
            _("A statement may be at most %(size)s MB.") % {"size": limit // (1024 * 1024)},
            code="statement_too_large",
            field="file",
        )
    digest = hashlib.sha256(data).hexdigest()
    # The same file again is read again: every line already paid is skipped, and any line an
    # interrupted first run did not reach is paid now.
    existing = StatementUpload.objects.filter(sha256=digest).first()
    upload = existing or StatementUpload(
        original_name=original_name[:255], sha256=digest, uploaded_by=actor
    )
    if upload.pk is None:
        upload.file.save(f"{digest[:16]}{_suffix(original_name)}", ContentFile(data), save=False)
    try:
        parsed = statements.parse_statement(data, filename=original_name)
    except statements.StatementInvalid as error:
        upload.error_message = str(error.message)
        upload.save()
        raise
    upload.format = parsed.format
    upload.error_message = ""
    upload.lines = len(parsed.lines)
    upload.save()
    repeated = 0
    for line in parsed.lines:
        payment, _created = receive_payment(
            Incoming(
                channel=PaymentChannel.BANK_STATEMENT,
                external_id=line.external_id,
                amount_minor=line.amount.amount,
                currency=line.amount.currency,
                reference_text=line.reference_text,
                payer=line.payer,
                received_on=line.booked_on,
            ),
            statement=upload,
        )
        if payment.statement_id != upload.pk:
            repeated += 1  # paid from an earlier statement or by the provider
    mine = upload.payments.all()
    StatementUpload.objects.filter(pk=upload.pk).update(
        matched=mine.exclude(status=PaymentStatus.UNMATCHED).count(),
        unmatched=mine.filter(status=PaymentStatus.UNMATCHED).count(),
        repeated=repeated,
    )
    upload.refresh_from_db()
    audit.record(
        actor=actor,
        action="assurance.statement_received",
        target=upload,
        changes={"lines": upload.lines, "matched": upload.matched, "unmatched": upload.unmatched},
    )
    return upload


def _suffix(name: str) -> str:
    lowered = name.lower()
    return ".xml" if lowered.endswith(".xml") else ".csv"


class WebhookConflict(AssuranceError):
    code = "webhook_conflict"
    status = 409


def receive_webhook(*, body: bytes, signature: str | None) -> Payment | None:
    """A payment provider's signed event; a replayed event gets the first answer."""
    event = webhooks.verify(
        body,
        signature,
        secret=settings.NIAGA_PAYMENT_WEBHOOK_SECRET,
        now=int(time.time()),
    )
    digest = hashlib.sha256(body).hexdigest()
    seen = WebhookEvent.objects.filter(event_id=event.event_id).first()
    if seen is not None and seen.body_sha256 != digest:
        raise WebhookConflict(
            _("Event %(id)s was received before with other content.") % {"id": event.event_id}
        )
    payment = None
    if event.type == "payment.succeeded":
        payment, _created = receive_payment(
            Incoming(
                channel=PaymentChannel.PROVIDER,
                external_id=event.event_id,
                amount_minor=event.amount.amount,
                currency=event.amount.currency,
                reference_text=event.reference,
                payer=event.payer,
                received_on=event.occurred_at.date(),
            )
        )
    if seen is None:
        try:
            with transaction.atomic():
                WebhookEvent.objects.create(event_id=event.event_id, body_sha256=digest)
        except IntegrityError:
            pass  # the same event, handled at the same moment by another worker
    return payment


def _milestone_for(text: str) -> Milestone | None:
    for reference in references.find_references(text):
        found = Milestone.objects.filter(reference=reference).first()
        if found is not None:
            return found
    return None


def apply_held_payment(*, actor, payment: Payment, milestone: Milestone) -> Payment:
    """A finance officer matches money held as unmatched to the milestone it was for."""
    _require_finance(actor)
    with transaction.atomic(durable=True):
        Order.objects.select_for_update().get(pk=milestone.order_id)
        payment = Payment.objects.select_for_update().get(pk=payment.pk)
        milestone = (
            Milestone.objects.select_for_update().select_related("order").get(pk=milestone.pk)
        )
        if payment.currency != milestone.order.currency:
            raise AssuranceError(
                _("The payment is in %(paid)s; the order is in %(order)s.")
                % {"paid": payment.currency, "order": milestone.order.currency}
            )
        if milestone.order.state in _CLOSED:
            raise WrongState(_("The order is closed; refund the payment instead."))
        amount = min(payment.held_minor, milestone.outstanding_minor)
        if amount <= 0:
            raise AssuranceError(_("Nothing held here, or nothing left to fund."))
        unmatched = ledger.account(purpose=Purpose.UNMATCHED, currency=payment.currency)
        ledger.transfer(
            id=f"payment:{payment.pk}:apply:{milestone.pk}:{payment.held_minor}",
            debit=unmatched,
            credit=_escrow(milestone.order),
            amount=amount,
            code="escrow.fund",
        )
        payment.held_minor -= amount
        payment.applied_minor += amount
        if payment.milestone_id is None:
            payment.milestone = milestone  # the first it paid; the ledger has every split
        payment.status = (
            PaymentStatus.PARTLY_MATCHED if payment.held_minor else PaymentStatus.MATCHED
        )
        payment.save()
        milestone.funded_minor += amount
        milestone.save(update_fields=["funded_minor"])
        _after_funding(milestone.order)
        audit.record(
            actor=actor,
            action="assurance.payment_applied",
            target=payment,
            changes={"amount": amount},
        )
    return payment


def refund_held_payment(*, actor, payment: Payment) -> Payment:
    """Give back what is held of a payment (an over-payment, or one nobody can match)."""
    _require_finance(actor)
    with transaction.atomic(durable=True):
        payment = (
            Payment.objects.select_for_update(of=("self",))
            .select_related("milestone__order")
            .get(pk=payment.pk)
        )
        if payment.held_minor <= 0:
            raise AssuranceError(_("Nothing of this payment is held."))
        ledger.transfer(
            id=f"payment:{payment.pk}:refund-held",
            debit=ledger.account(purpose=Purpose.UNMATCHED, currency=payment.currency),
            credit=ledger.account(
                purpose=Purpose.BUYER_REFUNDABLE,
                # Known when part of it paid an order; otherwise it goes back to the payer named.
                owner=payment.milestone.order.buyer if payment.milestone_id else None,
                currency=payment.currency,
            ),
            amount=payment.held_minor,
            code="payment.refund_held",
        )
        refunded = payment.held_minor
        payment.held_minor = 0
        payment.status = PaymentStatus.MATCHED if payment.applied_minor else PaymentStatus.REFUNDED
        payment.save(update_fields=["held_minor", "status"])
        audit.record(
            actor=actor,
            action="assurance.payment_refunded",
            target=payment,
            changes={"amount": refunded},
        )
    return payment


def _after_funding(order: Order) -> None:
    order = Order.objects.select_for_update().get(pk=order.pk)
    before_shipment = order.milestones.exclude(due=MilestoneDue.ON_DELIVERY)
    if order.state == OrderState.AWAITING_FUNDING and all(m.is_funded for m in before_shipment):
        order.state = OrderState.FUNDED
        order.save(update_fields=["state"])
        audit.record(actor=None, action="assurance.order_funded", target=order)
    if order.state == OrderState.RECEIVED:
        settle_if_due(order, now=timezone.now(), actor=None)


# --- fulfilment ------------------------------------------------------------------------------


def mark_shipped(*, actor, order: Order, carrier: str, tracking_number: str) -> Order:
    if order.exporter_id not in permissions.organisation_ids(
        actor, Role.EXPORTER_OWNER, Role.EXPORTER_STAFF
    ):
        raise PermissionDenied(_("Only the exporter marks its order shipped."))
    if not carrier.strip() or not tracking_number.strip():
        raise AssuranceError(_("Give the carrier and the tracking number."), field="carrier")
    with transaction.atomic(durable=True):
        order = Order.objects.select_for_update().get(pk=order.pk)
        if order.state != OrderState.FUNDED:
            raise WrongState(
                _(
                    "An order ships once every payment due before shipment is in escrow; "
                    "this one is %(state)s."
                )
                % {"state": order.get_state_display()}
            )
        Shipment.objects.create(
            order=order,
            carrier=carrier.strip()[:120],
            tracking_number=tracking_number.strip()[:80],
            recorded_by=actor,
        )
        order.state = OrderState.SHIPPED
        order.shipped_at = timezone.now()
        order.save(update_fields=["state", "shipped_at"])
        audit.record(actor=actor, action="assurance.order_shipped", target=order)
        _schedule(order, "auto_confirm", order.shipped_at + timedelta(days=rules.AUTO_RECEIPT_DAYS))
    return order


DOCUMENT_MAX_BYTES = 10 * 1024 * 1024
DOCUMENT_SIGNATURES = {b"%PDF-": ".pdf", b"\x89PNG\r\n\x1a\n": ".png", b"\xff\xd8\xff": ".jpg"}


def attach_document(*, actor, order: Order, kind: str, fileobj, original_name: str):
    """The exporter attaches a shipping document (PDF, PNG or JPEG) to a shipped order."""
    from niaga.assurance.models import DocumentKind, ShipmentDocument

    if not _is_exporter(actor, order) and not (
        kind == DocumentKind.INSPECTION_REPORT and permissions.is_officer(actor)
    ):
        raise PermissionDenied(_("Only the exporter attaches shipping documents."))
    if kind not in DocumentKind.values:
        raise AssuranceError(_("Choose what kind of document this is."), field="kind")
    data = fileobj.read(DOCUMENT_MAX_BYTES + 1)
    if len(data) > DOCUMENT_MAX_BYTES:
        raise AssuranceError(
            _("A document may be at most 10 MB."), code="document_too_large", field="file"
        )
    suffix = next(
        (ext for magic, ext in DOCUMENT_SIGNATURES.items() if data.startswith(magic)), None
    )
    if suffix is None:
        raise AssuranceError(
            _("Documents are PDF, PNG or JPEG files; this one is none of them."), field="file"
        )
    with transaction.atomic(durable=True):
        shipment = Shipment.objects.filter(order=order).first()
        if shipment is None:
            raise WrongState(_("Documents are attached once the order is marked shipped."))
        digest = hashlib.sha256(data).hexdigest()
        document = ShipmentDocument(
            shipment=shipment, kind=kind, original_name=original_name[:255], sha256=digest
        )
        document.file.save(f"{digest[:16]}{suffix}", ContentFile(data), save=False)
        document.save()
        audit.record(
            actor=actor,
            action="assurance.document_attached",
            target=order,
            changes={"kind": kind, "sha256": digest},
        )
    return document


def _is_exporter(actor, order: Order) -> bool:
    return order.exporter_id in permissions.organisation_ids(
        actor, Role.EXPORTER_OWNER, Role.EXPORTER_STAFF
    )


def confirm_receipt(
    *, actor, order: Order, accept: bool = False, automatically: bool = False
) -> Order:
    """The buyer has the goods, or the period ran out.

    Accepting the goods as described settles the escrow now; otherwise it settles when the
    dispute window closes with no dispute.
    """
    if not automatically and order.buyer_id not in permissions.organisation_ids(actor, Role.BUYER):
        raise PermissionDenied(_("Only the buyer confirms receipt."))
    now = timezone.now()
    with transaction.atomic(durable=True):
        order = Order.objects.select_for_update().get(pk=order.pk)
        if order.state == OrderState.RECEIVED and accept and not automatically:
            pass  # accepting after an earlier plain confirmation
        elif order.state != OrderState.SHIPPED:
            raise WrongState(
                _("Receipt is confirmed for a shipped order; this one is %(state)s.")
                % {"state": order.get_state_display()}
            )
        else:
            order.state = OrderState.RECEIVED
            order.received_at = now
        if accept and not automatically:
            order.goods_accepted_at = now
        order.save(update_fields=["state", "received_at", "goods_accepted_at"])
        audit.record(
            actor=actor,
            action="assurance.receipt_automatic"
            if automatically
            else "assurance.receipt_confirmed",
            target=order,
            changes={"accepted": bool(order.goods_accepted_at)},
        )
        if order.goods_accepted_at is None:
            _schedule(order, "release", order.received_at + timedelta(days=rules.OPEN_WITHIN_DAYS))
        settle_if_due(order, now=now, actor=actor)
    return order


def cancel_order(*, actor, order: Order, reason: str) -> Order:
    """Before shipment either party may cancel; whatever escrow holds goes back to the buyer."""
    if not (
        _is_exporter(actor, order)
        or order.buyer_id in permissions.organisation_ids(actor, Role.BUYER)
    ):
        raise PermissionDenied(_("Only the buyer or the exporter cancels an order."))
    if not reason.strip():
        raise AssuranceError(_("Say why the order is cancelled."), field="reason")
    with transaction.atomic(durable=True):
        order = Order.objects.select_for_update().get(pk=order.pk)
        if order.state not in (OrderState.AWAITING_FUNDING, OrderState.FUNDED):
            raise WrongState(
                _("An order is cancelled before it ships; this one is %(state)s.")
                % {"state": order.get_state_display()}
            )
        held = _escrow(order).credit_balance
        _settle(order, refund=held, actor=actor, charge_fee=False)
        order.state = OrderState.CANCELLED
        order.save(update_fields=["state"])
        audit.record(
            actor=actor,
            action="assurance.order_cancelled",
            target=order,
            changes={"reason": reason.strip()[:500]},
        )
    return order


# --- disputes --------------------------------------------------------------------------------


def open_dispute(*, actor, order: Order, reason: str, statement: str) -> Dispute:
    if order.buyer_id not in permissions.organisation_ids(actor, Role.BUYER):
        raise PermissionDenied(_("Only the buyer opens a dispute."))
    if reason not in DisputeReason.values:
        raise AssuranceError(_("Choose a reason for the dispute."), field="reason")
    if not statement.strip():
        raise AssuranceError(_("Say what happened."), field="statement")
    now = timezone.now()
    with transaction.atomic(durable=True):
        order = Order.objects.select_for_update().get(pk=order.pk)
        rules.check_may_open(order, reason=reason, now=now)
        if Dispute.objects.filter(order=order).exists():
            raise WrongState(_("This order has a dispute already."))
        dispute = Dispute.objects.create(
            order=order,
            reason=reason,
            statement=statement.strip()[:5000],
            state=DisputeState.OPEN,
            rules_version=rules.VERSION,
            opened_at=now,
        )
        order.state = OrderState.DISPUTED
        order.save(update_fields=["state"])
        audit.record(
            actor=actor, action="assurance.dispute_opened", target=order, changes={"reason": reason}
        )
        # Day 1 is the day it opens, so day N begins N - 1 days later.
        _schedule(order, "auto_escalate", now + timedelta(days=rules.AUTO_ESCALATE_DAY - 1))
    return dispute


def answer_dispute(*, actor, dispute: Dispute, answer: str) -> Dispute:
    if dispute.order.exporter_id not in permissions.organisation_ids(
        actor, Role.EXPORTER_OWNER, Role.EXPORTER_STAFF
    ):
        raise PermissionDenied(_("Only the exporter answers the dispute."))
    if not answer.strip():
        raise AssuranceError(_("Write the answer."), field="answer")
    with transaction.atomic(durable=True):
        dispute = Dispute.objects.select_for_update().get(pk=dispute.pk)
        if dispute.state != DisputeState.OPEN:
            raise WrongState(_("The dispute is past the exporter's answer."))
        rules.check_may_answer(dispute, now=timezone.now())
        dispute.answer = answer.strip()[:5000]
        dispute.answered_at = timezone.now()
        dispute.state = DisputeState.ANSWERED
        dispute.save()
        audit.record(actor=actor, action="assurance.dispute_answered", target=dispute.order)
    return dispute


def escalate_dispute(*, actor, dispute: Dispute, automatically: bool = False) -> Dispute:
    if not automatically and dispute.order.buyer_id not in permissions.organisation_ids(
        actor, Role.BUYER
    ):
        raise PermissionDenied(_("Only the buyer escalates a dispute."))
    with transaction.atomic(durable=True):
        dispute = Dispute.objects.select_for_update().get(pk=dispute.pk)
        if dispute.state not in (DisputeState.OPEN, DisputeState.ANSWERED):
            raise WrongState(_("The dispute is escalated or decided already."))
        rules.check_may_escalate(dispute, now=timezone.now(), automatically=automatically)
        dispute.state = DisputeState.ESCALATED
        dispute.escalated_at = timezone.now()
        dispute.escalated_automatically = automatically
        dispute.save()
        audit.record(
            actor=actor,
            action="assurance.dispute_escalated",
            target=dispute.order,
            changes={"automatically": automatically},
        )
    return dispute


def decide_dispute(*, actor, dispute: Dispute, refund_minor: int, decision: str) -> Settlement:
    """An officer decides: refund up to what escrow covers, release the rest, settle."""
    from niaga.assurance.selectors import may_decide

    if not may_decide(actor, dispute.order):
        raise PermissionDenied(
            _("Disputes are decided by the officers of the order's programme or administrators.")
        )
    if not decision.strip():
        raise AssuranceError(
            _("Write the decision and the evidence it rests on."), field="decision"
        )
    with transaction.atomic(durable=True):
        dispute = Dispute.objects.select_for_update().get(pk=dispute.pk)
        order = Order.objects.select_for_update().get(pk=dispute.order_id)
        if dispute.state != DisputeState.ESCALATED:
            raise WrongState(_("An officer decides an escalated dispute."))
        covered = _escrow(order).credit_balance
        if type(refund_minor) is not int or not 0 <= refund_minor <= covered:
            raise AssuranceError(
                _("The refund must be between nothing and the %(covered)s held in escrow.")
                % {"covered": Money(covered, order.currency).format(get_language() or "en")},
                field="refund_minor",
            )
        dispute.refund_minor = refund_minor
        dispute.decision = decision.strip()[:5000]
        dispute.decided_by = actor
        dispute.decided_at = timezone.now()
        dispute.state = DisputeState.DECIDED
        dispute.save()
        audit.record(
            actor=actor,
            action="assurance.dispute_decided",
            target=order,
            changes={"refund_minor": refund_minor},
        )
        return _settle(order, refund=refund_minor, actor=actor)


# --- settlement ------------------------------------------------------------------------------

_CLOSED = frozenset({OrderState.SETTLED, OrderState.REFUNDED, OrderState.CANCELLED})


def settle_if_due(order: Order, *, now: datetime, actor=None) -> Settlement | None:
    """Settle a received order once it is fully paid and accepted or past its dispute window.

    The caller holds the order's row lock inside its transaction.
    """
    if order.state != OrderState.RECEIVED or any(not m.is_funded for m in order.milestones.all()):
        return None
    window_closed = now >= order.received_at + timedelta(days=rules.OPEN_WITHIN_DAYS)
    if order.goods_accepted_at is None and not window_closed:
        return None
    return _settle(order, refund=0, actor=actor)


def _settle(order: Order, *, refund: int, actor, charge_fee: bool = True) -> Settlement:
    """Empty the escrow: the refund to the buyer, the fee, the rest to the exporter, at once."""
    escrow = _escrow(order)
    held = escrow.credit_balance
    release = held - refund
    payable = ledger.account(
        purpose=Purpose.EXPORTER_PAYABLE, owner=order.exporter, currency=order.currency
    )
    # The exporter's payable row serialises its settlements, so "first orders" are counted once.
    Account.objects.select_for_update().filter(pk=payable.pk).exists()
    fee, waived = fee_for(order, release) if charge_fee else (0, 0)
    moves = []
    if refund:
        moves.append(
            ledger.Move(
                f"order:{order.pk}:refund",
                escrow,
                ledger.account(
                    purpose=Purpose.BUYER_REFUNDABLE, owner=order.buyer, currency=order.currency
                ),
                refund,
                "escrow.refund",
            )
        )
    if release - fee:
        moves.append(
            ledger.Move(
                f"order:{order.pk}:release", escrow, payable, release - fee, "escrow.release"
            )
        )
    if fee:
        fees = _fees_account(order)
        moves.append(ledger.Move(f"order:{order.pk}:fee", escrow, fees, fee, "fee.charged"))
        if waived:
            moves.append(
                ledger.Move(
                    f"order:{order.pk}:fee-waiver",
                    ledger.account(
                        purpose=Purpose.FEE_WAIVERS,
                        reference=fees.reference,
                        currency=order.currency,
                    ),
                    payable,
                    waived,
                    "fee.waived",
                )
            )
    ledger.create_transfers(moves)
    settlement = Settlement.objects.create(
        order=order,
        released_minor=release,
        refunded_minor=refund,
        fee_minor=fee,
        waived_minor=waived,
    )
    # In the same transaction, so the programme's figures and the ledger move together.
    record_settlement(settlement)
    order.state = OrderState.REFUNDED if release == 0 and refund else OrderState.SETTLED
    order.save(update_fields=["state"])
    audit.record(
        actor=actor,
        action="assurance.settled",
        target=order,
        changes={"released": release, "refunded": refund, "fee": fee, "waived": waived},
    )
    return settlement


def fee_for(order: Order, released: int) -> tuple[int, int]:
    """(fee, waived part) on what is released, by the programme's rule or the default one."""
    rule = FeeRule.objects.filter(programme=order.programme).first() if order.programme_id else None
    if rule is None:
        defaults = FeeRule.objects.filter(programme=None)
        rule = defaults.filter(currency=order.currency).first() or defaults.order_by("id").first()
    if rule is None or released <= 0:
        return 0, 0
    fee = released * rule.basis_points // 10_000
    if rule.currency == order.currency:
        fee = max(fee, rule.minimum_minor)
        if rule.cap_minor is not None:
            fee = min(fee, rule.cap_minor)
    fee = min(fee, released)
    waived = fee if fee and _waived(order, rule) else 0
    return fee, waived


def _waived(order: Order, rule: FeeRule) -> bool:
    if rule.waive_first_orders:
        earlier = Settlement.objects.filter(order__exporter=order.exporter).count()
        if earlier < rule.waive_first_orders:
            return True
    if rule.waive_below_turnover_minor is not None:
        from niaga.registry.models import Business

        record = Business.objects.filter(organisation=order.exporter, merged_into=None).first()
        if (
            record is not None
            and record.annual_turnover_minor is not None
            and record.turnover_currency == rule.waive_turnover_currency
            and record.annual_turnover_minor < rule.waive_below_turnover_minor
        ):
            return True
    return False


def _escrow(order: Order):
    return ledger.account(
        purpose=Purpose.ESCROW, reference=order.escrow_reference, currency=order.currency
    )


def _fees_account(order: Order):
    reference = f"programme:{order.programme.slug}" if order.programme_id else "platform"
    return ledger.account(purpose=Purpose.FEES, reference=reference, currency=order.currency)


def _require_finance(actor) -> None:
    from niaga.assurance.selectors import sees_all_money

    if not sees_all_money(actor):
        raise PermissionDenied(_("Only finance officers handle payments."))


def _schedule(order: Order, timer: str, when: datetime) -> None:
    from niaga.assurance import tasks

    def enqueue() -> None:
        task = {
            "auto_confirm": tasks.auto_confirm,
            "auto_escalate": tasks.auto_escalate,
            "release": tasks.release_after_window,
        }[timer]
        task.using(run_after=when).enqueue(order.pk)

    if getattr(settings, "NIAGA_ASSURANCE_TIMERS", True):
        transaction.on_commit(enqueue)
