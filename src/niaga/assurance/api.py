"""The trade-assurance API (/api/v1/assurance/) and the payment provider's webhook
(/api/v1/assurance/webhooks/).

Handlers parse, look objects up through the selectors (so a hidden order looks missing), call
one service and render. Every operation that moves money documents the ``Idempotency-Key``
header; the core middleware replays the first response to a retry and refuses the same key
with another body. Fixed paths ("orders", "payments/unmatched") are declared before the ones
with an id in them.
"""

from datetime import date, datetime, timedelta
from typing import Annotated, Any

from django.core.exceptions import ObjectDoesNotExist
from django.utils.translation import gettext as _
from ninja import Field, File, Form, Router, Schema, Status
from ninja.files import UploadedFile
from ninja.pagination import paginate
from ninja.security import django_auth

from niaga.accounts import selectors as account_selectors
from niaga.accounts.models import Organisation
from niaga.assurance import references, rules, selectors, services, webhooks
from niaga.assurance.models import (
    DisputeReason,
    DisputeState,
    DocumentKind,
    Incoterm,
    MilestoneDue,
    OrderState,
    PaymentChannel,
    PaymentStatus,
)
from niaga.core import permissions
from niaga.core.errors import NiagaError, NotFound, PermissionDenied
from niaga.core.idempotency import HEADER as IDEMPOTENCY_HEADER
from niaga.core.idempotency import MAX_KEY
from niaga.core.pagination import Page
from niaga.core.roles import OrganisationKind, Role
from niaga.core.schemas import Problem, StrictSchema, responses
from niaga.ledger import services as ledger
from niaga.ledger.models import Account, Purpose
from niaga.programs import selectors as programme_selectors

router = Router(tags=["trade assurance"], auth=django_auth)
webhook_router = Router(tags=["trade assurance"])

# Ids are stored in signed 64-bit columns.
MAX_ID = 2**63 - 1
MAX_TEXT = 5000

Id = Annotated[int, Field(ge=1, le=MAX_ID)]

# Operations that move money: a client may retry them safely with the same key.
IDEMPOTENT = {
    "parameters": [
        {
            "in": "header",
            "name": IDEMPOTENCY_HEADER,
            "required": False,
            "schema": {"type": "string", "maxLength": MAX_KEY},
            "description": "Makes a retry safe: a repeat with the same key gets the first "
            "response (with `Idempotent-Replayed: true`); the same key with another request is "
            "a 422 `idempotency_key_reused`, and one whose first request still runs a 409.",
        }
    ]
}


class UnknownReference(NiagaError):
    """An id or reference in a request body that names nothing the caller may use."""

    code = "unknown_reference"
    status = 422


# --- schemas: orders -------------------------------------------------------------------------


class PartyOut(Schema):
    id: int
    name: str


class OrderOut(Schema):
    id: int
    number: str
    buyer: PartyOut
    exporter: PartyOut
    programme: str | None = Field(None, description="The programme's short name, if any.")
    currency: str
    total_minor: int
    state: OrderState
    incoterm: Incoterm
    named_place: str
    shipping_deadline: date
    inspection_required: bool
    created_at: datetime

    @staticmethod
    def resolve_programme(obj) -> str | None:
        return obj.programme.slug if obj.programme_id else None


class ItemOut(Schema):
    description: str
    hs_code: str
    quantity: int
    unit: str
    unit_price_minor: int
    amount_minor: int


class MilestoneOut(Schema):
    sequence: int
    label: str
    due: MilestoneDue
    amount_minor: int
    funded_minor: int
    outstanding_minor: int
    reference: str = Field(..., description="The ISO 11649 reference to quote when paying.")


class DocumentOut(Schema):
    id: int
    kind: DocumentKind
    original_name: str
    sha256: str


class ShipmentOut(Schema):
    carrier: str
    tracking_number: str
    shipped_at: datetime
    documents: list[DocumentOut]

    @staticmethod
    def resolve_documents(obj) -> list:
        return list(obj.documents.order_by("id"))


class DisputeOut(Schema):
    state: DisputeState
    reason: DisputeReason
    statement: str
    rules_version: int
    opened_at: datetime
    answer: str
    answered_at: datetime | None
    answer_by: datetime = Field(..., description="The exporter answers until then.")
    buyer_may_escalate_from: datetime
    escalates_automatically_from: datetime
    escalated_at: datetime | None
    escalated_automatically: bool
    refund_minor: int | None
    decision: str
    decided_at: datetime | None

    @staticmethod
    def resolve_answer_by(obj) -> datetime:
        return obj.opened_at + timedelta(days=rules.ANSWER_WITHIN_DAYS)

    @staticmethod
    def resolve_buyer_may_escalate_from(obj) -> datetime:
        # Day 1 is the day the dispute opened.
        return obj.opened_at + timedelta(days=rules.BUYER_MAY_ESCALATE_FROM_DAY - 1)

    @staticmethod
    def resolve_escalates_automatically_from(obj) -> datetime:
        return obj.opened_at + timedelta(days=rules.AUTO_ESCALATE_DAY - 1)


class SettlementOut(Schema):
    released_minor: int
    refunded_minor: int
    fee_minor: int
    waived_minor: int
    settled_at: datetime


def _one_to_one(obj, name: str):
    try:
        return getattr(obj, name)
    except ObjectDoesNotExist:
        return None


class OrderDetailOut(OrderOut):
    items: list[ItemOut]
    milestones: list[MilestoneOut]
    escrow_held_minor: int = Field(..., description="What the order's escrow holds now.")
    shipped_at: datetime | None
    received_at: datetime | None
    goods_accepted_at: datetime | None
    auto_receipt_at: datetime | None = Field(
        None, description="When receipt confirms itself if the buyer says nothing."
    )
    dispute_window_closes_at: datetime | None
    shipment: ShipmentOut | None
    dispute: DisputeOut | None
    settlement: SettlementOut | None

    @staticmethod
    def resolve_items(obj) -> list:
        return list(obj.items.all())

    @staticmethod
    def resolve_milestones(obj) -> list:
        return list(obj.milestones.all())

    @staticmethod
    def resolve_escrow_held_minor(obj) -> int:
        return _escrow_held(obj)

    @staticmethod
    def resolve_auto_receipt_at(obj) -> datetime | None:
        if obj.state != OrderState.SHIPPED or obj.shipped_at is None:
            return None
        return obj.shipped_at + timedelta(days=rules.AUTO_RECEIPT_DAYS)

    @staticmethod
    def resolve_dispute_window_closes_at(obj) -> datetime | None:
        if obj.received_at is None or obj.goods_accepted_at is not None:
            return None
        return obj.received_at + timedelta(days=rules.OPEN_WITHIN_DAYS)

    @staticmethod
    def resolve_shipment(obj):
        return _one_to_one(obj, "shipment")

    @staticmethod
    def resolve_dispute(obj):
        return _one_to_one(obj, "dispute")

    @staticmethod
    def resolve_settlement(obj):
        return _one_to_one(obj, "settlement")


class ItemIn(StrictSchema):
    description: str = Field(..., min_length=1, max_length=300)
    quantity: int = Field(..., ge=1, le=services.MAX_QUANTITY)
    unit: str = Field(..., min_length=1, max_length=20, description="kg, pcs, m² …")
    unit_price_minor: int = Field(..., ge=1, le=services.MAX_UNIT_PRICE)
    hs_code: str = Field(
        "", pattern=r"^([0-9]{6}([0-9]{2})?)?$", description="HS subheading, 6 or 8 digits."
    )


class MilestoneIn(StrictSchema):
    label: str = Field(..., min_length=1, max_length=80)
    due: MilestoneDue
    basis_points: int = Field(
        ..., ge=1, le=10_000, description="Share of the total in hundredths of a percent."
    )


class OrderIn(StrictSchema):
    buyer_id: Id | None = Field(
        None, description="Your buyer company; needed only if you belong to several."
    )
    exporter_id: Id
    currency: str = Field(..., pattern=r"^[A-Za-z]{3}$", description="ISO 4217")
    items: list[ItemIn] = Field(..., min_length=1, max_length=100)
    milestones: list[MilestoneIn] = Field(..., min_length=1, max_length=20)
    incoterm: Incoterm
    named_place: str = Field(..., min_length=1, max_length=120)
    shipping_deadline: date
    inspection_required: bool = False
    programme: str | None = Field(
        None, min_length=2, max_length=80, pattern=r"^[a-z0-9][a-z0-9-]{1,79}$"
    )


class ShipmentIn(StrictSchema):
    carrier: str = Field(..., min_length=1, max_length=120)
    tracking_number: str = Field(..., min_length=1, max_length=80)


class ReceiptIn(StrictSchema):
    accept: bool = Field(
        False, description="The goods are as described: settle now, no dispute window."
    )


class DisputeIn(StrictSchema):
    reason: DisputeReason
    statement: str = Field(..., min_length=1, max_length=MAX_TEXT)


class AnswerIn(StrictSchema):
    answer: str = Field(..., min_length=1, max_length=MAX_TEXT)


class DecisionIn(StrictSchema):
    refund_minor: int = Field(
        ..., ge=0, le=ledger.MAX_AMOUNT, description="At most what escrow holds."
    )
    decision: str = Field(..., min_length=1, max_length=MAX_TEXT)


# --- schemas: money --------------------------------------------------------------------------


class PaymentOut(Schema):
    id: int
    channel: PaymentChannel
    external_id: str
    amount_minor: int
    currency: str
    reference_text: str
    payer: str
    received_on: date
    status: PaymentStatus
    applied_minor: int
    held_minor: int
    order_id: int | None
    milestone_reference: str | None
    statement_id: int | None
    created_at: datetime

    @staticmethod
    def resolve_order_id(obj) -> int | None:
        return obj.milestone.order_id if obj.milestone_id else None

    @staticmethod
    def resolve_milestone_reference(obj) -> str | None:
        return obj.milestone.reference if obj.milestone_id else None


class ApplicationIn(StrictSchema):
    milestone_reference: str = Field(
        ..., min_length=1, max_length=40, description="e.g. RF35 NGA0 0012 34M2"
    )


class StatementOut(Schema):
    id: int
    original_name: str
    format: str
    lines: int
    matched: int
    unmatched: int
    repeated: int
    created_at: datetime


class EscrowPositionOut(Schema):
    currency: str
    held_minor: int
    orders: int = Field(..., description="Open orders whose escrow holds money.")


class RuleOut(Schema):
    code: str
    text: str


class RulesOut(Schema):
    version: int
    open_within_days: int
    answer_within_days: int
    buyer_may_escalate_from_day: int
    auto_escalate_day: int
    auto_receipt_days: int
    rules: list[RuleOut]


class WebhookOut(Schema):
    payment_id: int | None = None
    status: PaymentStatus | None = None
    ignored: bool = Field(False, description="True for events that move no money here.")


# --- small edge helpers ------------------------------------------------------------------------


def _escrow_held(order) -> int:
    # No assurance selector reads one order's escrow; the account is read, never opened, here.
    account = Account.objects.filter(
        purpose=Purpose.ESCROW, reference=order.escrow_reference, currency=order.currency
    ).first()
    return account.credit_balance if account else 0


def _buyer(request, buyer_id: int | None) -> Organisation:
    """The caller's own buyer company: the only one, or the one ``buyer_id`` picks."""
    mine = sorted(permissions.organisation_ids(request.auth, Role.BUYER))
    if not mine:
        raise PermissionDenied(_("Orders are placed by the buyer's own people."))
    if buyer_id is None:
        if len(mine) > 1:
            raise UnknownReference(
                _("You belong to several buyer companies; say which one places the order."),
                field="buyer_id",
            )
        buyer_id = mine[0]
    if buyer_id not in mine:
        raise UnknownReference(
            _("You are not a buyer of the organisation with the id %(id)s.") % {"id": buyer_id},
            field="buyer_id",
        )
    return account_selectors.organisation_for(request.auth, buyer_id)


def _exporter(exporter_id: int) -> Organisation:
    # Any active exporter may be ordered from; accounts has no selector for that directory yet.
    exporters = Organisation.objects.filter(kind=OrganisationKind.EXPORTER, is_active=True)
    try:
        return permissions.one_or_not_found(exporters, pk=exporter_id)
    except NotFound:
        raise UnknownReference(
            _("No exporter has the id %(id)s.") % {"id": exporter_id}, field="exporter_id"
        ) from None


def _programme(slug: str | None):
    if slug is None:
        return None
    try:
        return programme_selectors.public_programme(slug)
    except NotFound:
        raise UnknownReference(
            _("No programme has the short name “%(slug)s”.") % {"slug": slug}, field="programme"
        ) from None


def _dispute_of(order):
    dispute = _one_to_one(order, "dispute")
    if dispute is None:
        raise NotFound(_("This order has no dispute."))
    return dispute


def _milestone(request, reference: str):
    """The milestone a payment reference names, among the orders the caller may see."""
    try:
        order_number, sequence = references.parse_reference(reference)
    except references.ReferenceInvalid as error:
        raise UnknownReference(error.message, field="milestone_reference") from None
    unknown = UnknownReference(
        _("No order you may see has a milestone with the reference %(reference)s.")
        % {"reference": reference},
        field="milestone_reference",
    )
    try:
        order = selectors.order_for(request.auth, order_number)
    except NotFound:
        raise unknown from None
    milestone = order.milestones.filter(sequence=sequence).first()
    if milestone is None:
        raise unknown
    return milestone


# --- orders ----------------------------------------------------------------------------------


@router.get("orders", response=responses({200: list[OrderOut]}, signed_in=True))
@paginate(Page)
def list_orders(request, state: OrderState | None = None):
    """Orders you may see, newest first: your company's as buyer or exporter, or all for finance."""
    orders = selectors.orders_for(request.auth)
    return orders.filter(state=state.value) if state else orders


@router.post(
    "orders",
    response=responses({201: OrderDetailOut, 409: Problem}, signed_in=True),
    openapi_extra=IDEMPOTENT,
)
def create_order(request, payload: OrderIn):
    """Place an order with an exporter; its milestones get the references to pay them with."""
    order = services.create_order(
        actor=request.auth,
        buyer=_buyer(request, payload.buyer_id),
        exporter=_exporter(payload.exporter_id),
        currency=payload.currency,
        items=[
            services.ItemIn(
                description=item.description,
                quantity=item.quantity,
                unit=item.unit,
                unit_price_minor=item.unit_price_minor,
                hs_code=item.hs_code,
            )
            for item in payload.items
        ],
        milestones=[
            services.MilestoneIn(
                label=milestone.label, due=milestone.due.value, basis_points=milestone.basis_points
            )
            for milestone in payload.milestones
        ],
        incoterm=payload.incoterm.value,
        named_place=payload.named_place,
        shipping_deadline=payload.shipping_deadline,
        inspection_required=payload.inspection_required,
        programme=_programme(payload.programme),
    )
    return Status(201, selectors.order_for(request.auth, order.pk))


@router.get(
    "orders/{order_id}", response=responses({200: OrderDetailOut, 404: Problem}, signed_in=True)
)
def get_order(request, order_id: int):
    """Items, milestones and their funding, escrow, shipment, dispute and settlement."""
    return selectors.order_for(request.auth, order_id)


@router.post(
    "orders/{order_id}/shipment",
    response=responses({200: OrderDetailOut, 404: Problem, 409: Problem}, signed_in=True),
)
def mark_shipped(request, order_id: int, payload: ShipmentIn):
    """The exporter ships a funded order; 409 while a payment due before shipment is missing."""
    return services.mark_shipped(
        actor=request.auth,
        order=selectors.order_for(request.auth, order_id),
        carrier=payload.carrier,
        tracking_number=payload.tracking_number,
    )


@router.post(
    "orders/{order_id}/documents",
    response=responses({201: DocumentOut, 404: Problem, 409: Problem}, signed_in=True),
)
def attach_document(request, order_id: int, kind: Form[DocumentKind], file: File[UploadedFile]):
    """A shipping document (PDF, PNG or JPEG, at most 10 MB) for a shipped order."""
    document = services.attach_document(
        actor=request.auth,
        order=selectors.order_for(request.auth, order_id),
        kind=kind.value,
        fileobj=file,
        original_name=file.name or "",
    )
    return Status(201, document)


@router.post(
    "orders/{order_id}/receipt",
    response=responses({200: OrderDetailOut, 404: Problem, 409: Problem}, signed_in=True),
    openapi_extra=IDEMPOTENT,
)
def confirm_receipt(request, order_id: int, payload: ReceiptIn):
    """The buyer has the goods; accepting them as described settles the escrow now."""
    return services.confirm_receipt(
        actor=request.auth,
        order=selectors.order_for(request.auth, order_id),
        accept=payload.accept,
    )


@router.post(
    "orders/{order_id}/dispute",
    response=responses({201: DisputeOut, 404: Problem, 409: Problem}, signed_in=True),
)
def open_dispute(request, order_id: int, payload: DisputeIn):
    """The buyer opens a dispute, within the published rules' windows."""
    dispute = services.open_dispute(
        actor=request.auth,
        order=selectors.order_for(request.auth, order_id),
        reason=payload.reason.value,
        statement=payload.statement,
    )
    return Status(201, dispute)


@router.post(
    "orders/{order_id}/dispute/answer",
    response=responses({200: DisputeOut, 404: Problem, 409: Problem}, signed_in=True),
)
def answer_dispute(request, order_id: int, payload: AnswerIn):
    """The exporter answers, within the days the rules give."""
    return services.answer_dispute(
        actor=request.auth,
        dispute=_dispute_of(selectors.order_for(request.auth, order_id)),
        answer=payload.answer,
    )


@router.post(
    "orders/{order_id}/dispute/escalation",
    response=responses({200: DisputeOut, 404: Problem, 409: Problem}, signed_in=True),
)
def escalate_dispute(request, order_id: int):
    """The buyer takes the dispute to an officer, from the day the rules allow."""
    return services.escalate_dispute(
        actor=request.auth, dispute=_dispute_of(selectors.order_for(request.auth, order_id))
    )


@router.post(
    "orders/{order_id}/dispute/decision",
    response=responses({200: OrderDetailOut, 404: Problem, 409: Problem}, signed_in=True),
    openapi_extra=IDEMPOTENT,
)
def decide_dispute(request, order_id: int, payload: DecisionIn):
    """An officer decides an escalated dispute: the refund, the rest released; the order settles."""
    services.decide_dispute(
        actor=request.auth,
        dispute=_dispute_of(selectors.order_for(request.auth, order_id)),
        refund_minor=payload.refund_minor,
        decision=payload.decision,
    )
    return selectors.order_for(request.auth, order_id)


# --- payments and statements -------------------------------------------------------------------


@router.get("payments", response=responses({200: list[PaymentOut]}, signed_in=True))
@paginate(Page)
def list_payments(request, status: PaymentStatus | None = None):
    """Money received: every payment for finance, those of your orders for buyers and exporters."""
    payments = selectors.payments_for(request.auth)
    return payments.filter(status=status.value) if status else payments


@router.get("payments/unmatched", response=responses({200: list[PaymentOut]}, signed_in=True))
@paginate(Page)
def list_unmatched_payments(request):
    """Payments with money held for review; finance officers only (empty for anyone else)."""
    # The selector does not join the milestone the response names.
    return selectors.unmatched_payments(request.auth).select_related("milestone")


@router.get(
    "payments/{payment_id}", response=responses({200: PaymentOut, 404: Problem}, signed_in=True)
)
def get_payment(request, payment_id: int):
    return selectors.payment_for(request.auth, payment_id)


@router.post(
    "payments/{payment_id}/application",
    response=responses({200: PaymentOut, 404: Problem, 409: Problem}, signed_in=True),
    openapi_extra=IDEMPOTENT,
)
def apply_payment(request, payment_id: int, payload: ApplicationIn):
    """Finance applies money held to the milestone its reference names."""
    payment = selectors.payment_for(request.auth, payment_id)
    return services.apply_held_payment(
        actor=request.auth,
        payment=payment,
        milestone=_milestone(request, payload.milestone_reference),
    )


@router.post(
    "payments/{payment_id}/refund",
    response=responses({200: PaymentOut, 404: Problem, 409: Problem}, signed_in=True),
    openapi_extra=IDEMPOTENT,
)
def refund_payment(request, payment_id: int):
    """Finance gives back what is held of a payment."""
    return services.refund_held_payment(
        actor=request.auth, payment=selectors.payment_for(request.auth, payment_id)
    )


@router.post(
    "statements",
    response=responses({200: StatementOut, 409: Problem}, signed_in=True),
    openapi_extra=IDEMPOTENT,
)
def upload_statement(request, file: File[UploadedFile]):
    """A bank statement (CSV or camt.053); each credit becomes a payment once, however often the
    file or an overlapping one is sent. 422 says where a file cannot be read."""
    return services.receive_statement(
        actor=request.auth, fileobj=file, original_name=file.name or ""
    )


@router.get("escrow", response=responses({200: list[EscrowPositionOut]}, signed_in=True))
def escrow(request):
    """What escrow holds for the open orders you may see, per currency."""
    return selectors.escrow_position(request.auth)


@router.get("settlements-due", response=responses({200: list[OrderOut]}, signed_in=True))
@paginate(Page)
def settlements_due(request):
    """Received orders waiting for their dispute window or their last payment."""
    return selectors.settlements_due(request.auth)


@router.get("rules", response=responses({200: RulesOut}, signed_in=True))
def published_rules(request):
    """The dispute rules in force, in the request's language, with their version."""
    return {
        "version": rules.VERSION,
        "open_within_days": rules.OPEN_WITHIN_DAYS,
        "answer_within_days": rules.ANSWER_WITHIN_DAYS,
        "buyer_may_escalate_from_day": rules.BUYER_MAY_ESCALATE_FROM_DAY,
        "auto_escalate_day": rules.AUTO_ESCALATE_DAY,
        "auto_receipt_days": rules.AUTO_RECEIPT_DAYS,
        "rules": [{"code": code, "text": text} for code, text in rules.published()],
    }


# --- the payment provider's webhook ------------------------------------------------------------

_WEBHOOK_DOCS: dict[str, Any] = {
    "parameters": [
        {
            "in": "header",
            "name": webhooks.HEADER,
            "required": True,
            "schema": {"type": "string", "maxLength": 2048},
            "description": "t=<unix time>,v1=<hex HMAC-SHA256 of '<t>.<raw body>'>",
        },
        *IDEMPOTENT["parameters"],
    ],
    "requestBody": {
        "required": True,
        "content": {
            "application/json": {
                "schema": {
                    "type": "object",
                    "description": "A provider event: id, type (payment.succeeded or "
                    "payment.refunded), created, data {amount_minor, currency, reference, payer}.",
                }
            }
        },
    },
}


@webhook_router.post(
    "payments",
    response=responses({200: WebhookOut, 409: Problem}),
    openapi_extra=_WEBHOOK_DOCS,
)
def payment_webhook(request):
    """A signed provider event. A replay gets the first answer; the same event id with other
    content is a 409; a bad or stale signature a 400."""
    payment = services.receive_webhook(
        body=request.body, signature=request.headers.get(webhooks.HEADER)
    )
    if payment is None:
        return {"ignored": True}
    return {"payment_id": payment.pk, "status": payment.status}
