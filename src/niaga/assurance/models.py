"""Orders under trade assurance: their milestones, the payments that fund them, shipment,
receipt, disputes, and the one settlement that empties each escrow."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from niaga.accounts.models import Organisation


class Incoterm(models.TextChoices):
    EXW = "EXW", "EXW"
    FCA = "FCA", "FCA"
    CPT = "CPT", "CPT"
    CIP = "CIP", "CIP"
    DAP = "DAP", "DAP"
    DPU = "DPU", "DPU"
    DDP = "DDP", "DDP"
    FAS = "FAS", "FAS"
    FOB = "FOB", "FOB"
    CFR = "CFR", "CFR"
    CIF = "CIF", "CIF"


class OrderState(models.TextChoices):
    AWAITING_FUNDING = "awaiting_funding", _("Awaiting funding")
    FUNDED = "funded", _("Funded")
    SHIPPED = "shipped", _("Shipped")
    RECEIVED = "received", _("Received")
    DISPUTED = "disputed", _("Disputed")
    SETTLED = "settled", _("Settled")
    REFUNDED = "refunded", _("Refunded")
    CANCELLED = "cancelled", _("Cancelled")


class Order(models.Model):
    buyer = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="orders_placed")
    exporter = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="orders_received"
    )
    programme = models.ForeignKey(
        "programs.Programme", null=True, blank=True, on_delete=models.PROTECT, related_name="orders"
    )
    currency = models.CharField(_("currency"), max_length=3)
    total_minor = models.BigIntegerField(_("total"))
    incoterm = models.CharField(_("Incoterm"), max_length=3, choices=Incoterm.choices)
    named_place = models.CharField(_("named place"), max_length=120)
    shipping_deadline = models.DateField(_("ship by"))
    inspection_required = models.BooleanField(_("inspection before shipment"), default=False)
    state = models.CharField(
        _("state"), max_length=20, choices=OrderState.choices, default=OrderState.AWAITING_FUNDING
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    shipped_at = models.DateTimeField(null=True, blank=True)
    received_at = models.DateTimeField(null=True, blank=True)
    # The buyer accepted the goods as described: no dispute window to wait for.
    goods_accepted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("order")
        verbose_name_plural = _("orders")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(total_minor__gt=0), name="order_total_positive"),
            models.CheckConstraint(
                condition=~Q(buyer=models.F("exporter")), name="order_two_parties"
            ),
        ]
        indexes = [
            models.Index(fields=["buyer", "state"], name="order_buyer_idx"),
            models.Index(fields=["exporter", "state"], name="order_exporter_idx"),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def number(self) -> str:
        return f"NGA-{self.pk:07d}" if self.pk else "NGA-new"

    @property
    def escrow_reference(self) -> str:
        return f"order:{self.pk}"


class OrderItem(models.Model):
    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="items")
    description = models.CharField(_("description"), max_length=300)
    hs_code = models.CharField(_("HS code"), max_length=8, blank=True)
    quantity = models.PositiveIntegerField(_("quantity"))
    unit = models.CharField(_("unit"), max_length=20)
    unit_price_minor = models.BigIntegerField(_("unit price"))

    class Meta:
        ordering = ["order", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gt=0), name="item_quantity_positive"),
            models.CheckConstraint(condition=Q(unit_price_minor__gt=0), name="item_price_positive"),
        ]

    def __str__(self) -> str:
        return self.description

    @property
    def amount_minor(self) -> int:
        return self.quantity * self.unit_price_minor


class MilestoneDue(models.TextChoices):
    ON_ORDER = "on_order", _("On order (deposit)")
    BEFORE_SHIPMENT = "before_shipment", _("Before shipment")
    ON_DELIVERY = "on_delivery", _("On delivery")


class Milestone(models.Model):
    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="milestones")
    sequence = models.PositiveSmallIntegerField()
    label = models.CharField(_("label"), max_length=80)
    due = models.CharField(_("due"), max_length=16, choices=MilestoneDue.choices)
    amount_minor = models.BigIntegerField(_("amount"))
    funded_minor = models.BigIntegerField(_("funded"), default=0)
    # The ISO 11649 creditor reference the buyer writes on the bank transfer.
    reference = models.CharField(_("payment reference"), max_length=25, unique=True)

    class Meta:
        ordering = ["order", "sequence"]
        constraints = [
            models.UniqueConstraint(fields=["order", "sequence"], name="milestone_sequence_once"),
            models.CheckConstraint(condition=Q(amount_minor__gt=0), name="milestone_positive"),
            models.CheckConstraint(
                condition=Q(funded_minor__gte=0) & Q(funded_minor__lte=models.F("amount_minor")),
                name="milestone_funded_within_amount",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.order} · {self.label}"

    @property
    def outstanding_minor(self) -> int:
        return self.amount_minor - self.funded_minor

    @property
    def is_funded(self) -> bool:
        return self.funded_minor == self.amount_minor


class PaymentChannel(models.TextChoices):
    BANK_STATEMENT = "bank_statement", _("Bank transfer")
    PROVIDER = "provider", _("Payment provider")


class PaymentStatus(models.TextChoices):
    MATCHED = "matched", _("Matched")
    PARTLY_MATCHED = "partly_matched", _("Partly matched: the rest is held")
    UNMATCHED = "unmatched", _("Unmatched")
    REFUNDED = "refunded", _("Refunded")


class Payment(models.Model):
    """Money that arrived: a statement line or a provider event, recorded once."""

    channel = models.CharField(max_length=16, choices=PaymentChannel.choices)
    external_id = models.CharField(max_length=128)
    amount_minor = models.BigIntegerField(_("amount"))
    currency = models.CharField(_("currency"), max_length=3)
    reference_text = models.TextField(_("remittance information"), blank=True)
    payer = models.CharField(_("payer"), max_length=200, blank=True)
    received_on = models.DateField(_("received on"))
    milestone = models.ForeignKey(
        Milestone, null=True, blank=True, on_delete=models.PROTECT, related_name="payments"
    )
    applied_minor = models.BigIntegerField(_("applied to the milestone"), default=0)
    held_minor = models.BigIntegerField(_("held"), default=0)
    status = models.CharField(max_length=16, choices=PaymentStatus.choices)
    statement = models.ForeignKey(
        "StatementUpload", null=True, blank=True, on_delete=models.PROTECT, related_name="payments"
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("payment")
        verbose_name_plural = _("payments")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["channel", "external_id"], name="payment_once"),
            models.CheckConstraint(condition=Q(amount_minor__gt=0), name="payment_positive"),
            models.CheckConstraint(
                condition=Q(applied_minor__gte=0)
                & Q(held_minor__gte=0)
                & Q(amount_minor__gte=models.F("applied_minor") + models.F("held_minor")),
                name="payment_split_within_amount",
            ),
        ]
        indexes = [models.Index(fields=["status", "-created_at"], name="payment_status_idx")]

    def __str__(self) -> str:
        return f"{self.channel}:{self.external_id}"


class StatementUpload(models.Model):
    file = models.FileField(upload_to="statements/%Y/%m/")
    original_name = models.CharField(max_length=255)
    sha256 = models.CharField(max_length=64, unique=True)
    format = models.CharField(max_length=8, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    lines = models.PositiveIntegerField(default=0)
    matched = models.PositiveIntegerField(default=0)
    unmatched = models.PositiveIntegerField(default=0)
    repeated = models.PositiveIntegerField(default=0)
    # Why the file could not be read; the file is kept so it can be fixed and sent again.
    error_message = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.original_name


class WebhookEvent(models.Model):
    """Provider events already handled: a replay is answered, never applied twice."""

    event_id = models.CharField(max_length=128, unique=True)
    body_sha256 = models.CharField(max_length=64)
    received_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return self.event_id


class Shipment(models.Model):
    order = models.OneToOneField(Order, on_delete=models.PROTECT, related_name="shipment")
    carrier = models.CharField(_("carrier"), max_length=120)
    tracking_number = models.CharField(_("tracking number"), max_length=80)
    shipped_at = models.DateTimeField(default=timezone.now)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    def __str__(self) -> str:
        return f"{self.carrier} {self.tracking_number}"


class DocumentKind(models.TextChoices):
    INVOICE = "invoice", _("Commercial invoice")
    PACKING_LIST = "packing_list", _("Packing list")
    BILL_OF_LADING = "bill_of_lading", _("Bill of lading or air waybill")
    CERTIFICATE_OF_ORIGIN = "certificate_of_origin", _("Certificate of origin")
    INSPECTION_REPORT = "inspection_report", _("Inspection report")


class ShipmentDocument(models.Model):
    shipment = models.ForeignKey(Shipment, on_delete=models.CASCADE, related_name="documents")
    kind = models.CharField(max_length=24, choices=DocumentKind.choices)
    file = models.FileField(upload_to="shipping/%Y/%m/")
    original_name = models.CharField(max_length=255)
    sha256 = models.CharField(max_length=64)

    def __str__(self) -> str:
        return self.original_name


class DisputeReason(models.TextChoices):
    LATE_SHIPMENT = "late_shipment", _("Shipped late")
    NOT_AS_DESCRIBED = "not_as_described", _("Not as described")
    NOT_RECEIVED = "not_received", _("Not received")


class DisputeState(models.TextChoices):
    OPEN = "open", _("Open: waiting for the exporter")
    ANSWERED = "answered", _("Answered by the exporter")
    ESCALATED = "escalated", _("Escalated to an officer")
    DECIDED = "decided", _("Decided")


class Dispute(models.Model):
    order = models.OneToOneField(Order, on_delete=models.PROTECT, related_name="dispute")
    reason = models.CharField(_("reason"), max_length=20, choices=DisputeReason.choices)
    statement = models.TextField(_("what happened"))
    state = models.CharField(max_length=12, choices=DisputeState.choices)
    rules_version = models.PositiveSmallIntegerField()
    opened_at = models.DateTimeField(default=timezone.now)
    answer = models.TextField(_("the exporter's answer"), blank=True)
    answered_at = models.DateTimeField(null=True, blank=True)
    escalated_at = models.DateTimeField(null=True, blank=True)
    escalated_automatically = models.BooleanField(default=False)
    refund_minor = models.BigIntegerField(null=True, blank=True)
    decision = models.TextField(_("decision"), blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("dispute")
        verbose_name_plural = _("disputes")

    def __str__(self) -> str:
        return f"{self.order} · {self.reason}"


class Settlement(models.Model):
    """The one settlement of an order's escrow: what went to the exporter, back to the buyer,
    and to fees. One per order, enforced by the database."""

    order = models.OneToOneField(Order, on_delete=models.PROTECT, related_name="settlement")
    released_minor = models.BigIntegerField()
    refunded_minor = models.BigIntegerField()
    fee_minor = models.BigIntegerField()
    waived_minor = models.BigIntegerField()
    settled_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(released_minor__gte=0)
                & Q(refunded_minor__gte=0)
                & Q(fee_minor__gte=0)
                & Q(waived_minor__gte=0)
                & Q(waived_minor__lte=models.F("fee_minor")),
                name="settlement_amounts_sane",
            )
        ]

    def __str__(self) -> str:
        return f"{self.order} settled"


class FeeRule(models.Model):
    """A programme's platform fee: a share of what is released, with a floor and a cap."""

    programme = models.OneToOneField(
        "programs.Programme",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="fee_rule",
    )
    basis_points = models.PositiveIntegerField(_("fee (1/100 %)"))
    minimum_minor = models.BigIntegerField(_("minimum"), default=0)
    cap_minor = models.BigIntegerField(_("cap"), null=True, blank=True)
    currency = models.CharField(max_length=3)
    # Waivers: small exporters under a turnover, and an exporter's first orders.
    waive_below_turnover_minor = models.BigIntegerField(null=True, blank=True)
    waive_turnover_currency = models.CharField(max_length=3, blank=True)
    waive_first_orders = models.PositiveSmallIntegerField(default=0)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(basis_points__lte=10_000), name="fee_at_most_all"),
            # The default rule (no programme) is one; a OneToOne covers each programme's.
            models.UniqueConstraint(
                fields=["currency"],
                condition=Q(programme__isnull=True),
                name="one_default_fee_rule_per_currency",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.basis_points} bp"
