"""Accounts and transfers, after TigerBeetle's model.

An account keeps four running sums: debits and credits, each pending and posted. A transfer
debits one account and credits another by the same amount in the same currency, so every
currency sums to zero.
Transfers are never edited; a correction is another transfer. The cached sums are checked by
``niaga ledger check`` against a recomputation from the transfers.
"""

from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from niaga.accounts.models import Organisation


class Purpose(models.TextChoices):
    BANK = "bank", _("Money at the bank")
    ESCROW = "escrow", _("Escrow held for an order")
    EXPORTER_PAYABLE = "exporter_payable", _("Owed to the exporter")
    BUYER_REFUNDABLE = "buyer_refundable", _("Owed back to the buyer")
    UNMATCHED = "unmatched", _("Payments not yet matched")
    FEES = "fees", _("Platform fees earned")
    FEE_WAIVERS = "fee_waivers", _("Platform fees waived")
    FX = "fx", _("Currency exchange")


class Account(models.Model):
    purpose = models.CharField(_("purpose"), max_length=20, choices=Purpose.choices)
    owner = models.ForeignKey(
        Organisation,
        verbose_name=_("owner"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="ledger_accounts",
    )
    # What the account is for beyond its purpose: an order's reference, a programme's slug.
    reference = models.CharField(_("reference"), max_length=64, blank=True)
    currency = models.CharField(_("currency"), max_length=3)
    debits_must_not_exceed_credits = models.BooleanField(default=False)
    credits_must_not_exceed_debits = models.BooleanField(default=False)
    debits_pending = models.BigIntegerField(default=0)
    debits_posted = models.BigIntegerField(default=0)
    credits_pending = models.BigIntegerField(default=0)
    credits_posted = models.BigIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("ledger account")
        verbose_name_plural = _("ledger accounts")
        ordering = ["currency", "purpose", "id"]
        constraints = [
            # Two constraints, not nulls_distinct=False, which only PostgreSQL 15+ enforces.
            models.UniqueConstraint(
                fields=["purpose", "owner", "reference", "currency"],
                condition=Q(owner__isnull=False),
                name="one_owned_account_per_purpose",
            ),
            models.UniqueConstraint(
                fields=["purpose", "reference", "currency"],
                condition=Q(owner__isnull=True),
                name="one_unowned_account_per_purpose",
            ),
            models.CheckConstraint(
                condition=Q(debits_pending__gte=0)
                & Q(debits_posted__gte=0)
                & Q(credits_pending__gte=0)
                & Q(credits_posted__gte=0),
                name="account_sums_not_negative",
            ),
            # The balance row itself cannot go below zero where the account forbids it.
            models.CheckConstraint(
                condition=Q(debits_must_not_exceed_credits=False)
                | Q(credits_posted__gte=F("debits_posted") + F("debits_pending")),
                name="account_debits_within_credits",
            ),
            models.CheckConstraint(
                condition=Q(credits_must_not_exceed_debits=False)
                | Q(debits_posted__gte=F("credits_posted") + F("credits_pending")),
                name="account_credits_within_debits",
            ),
            models.CheckConstraint(
                condition=~Q(
                    debits_must_not_exceed_credits=True, credits_must_not_exceed_debits=True
                ),
                name="account_one_balance_flag",
            ),
        ]

    def __str__(self) -> str:
        label = f"{self.purpose}:{self.reference}" if self.reference else self.purpose
        return f"{label} ({self.currency})"

    @property
    def credit_balance(self) -> int:
        """Posted credits less posted debits: what an escrow or payable account holds."""
        return self.credits_posted - self.debits_posted

    @property
    def available(self) -> int:
        """What may still be debited from a credit-normal account, pending debits reserved."""
        return self.credits_posted - self.debits_posted - self.debits_pending


class TransferKind(models.TextChoices):
    POSTED = "posted", _("Posted")
    PENDING = "pending", _("Pending")
    POST_PENDING = "post_pending", _("Posts a pending transfer")
    VOID_PENDING = "void_pending", _("Voids a pending transfer")


class Transfer(models.Model):
    transfer_id = models.CharField(_("transfer id"), max_length=64, unique=True)
    kind = models.CharField(max_length=12, choices=TransferKind.choices)
    # Found through the (account, timestamp) indexes below; one index fewer to write per transfer.
    debit_account = models.ForeignKey(
        Account, on_delete=models.PROTECT, related_name="debits", db_index=False
    )
    credit_account = models.ForeignKey(
        Account, on_delete=models.PROTECT, related_name="credits", db_index=False
    )
    amount = models.BigIntegerField(_("amount"))
    currency = models.CharField(max_length=3)
    # Only posts and voids have one, found through the pending_resolved_once index.
    pending = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="resolutions",
        db_index=False,
    )
    # Transfers created together with linked=True share it: all of them happened, or none.
    batch = models.CharField(max_length=64, blank=True)
    code = models.CharField(_("what for"), max_length=40)
    metadata = models.JSONField(default=dict, blank=True)
    # A digest of what the client asked for, so a replay can be told from a conflicting reuse.
    fingerprint = models.CharField(max_length=64)
    timestamp = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("transfer")
        verbose_name_plural = _("transfers")
        ordering = ["timestamp", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="transfer_amount_positive"),
            models.CheckConstraint(
                condition=~Q(debit_account=F("credit_account")), name="transfer_two_accounts"
            ),
            # A pending transfer is posted or voided once.
            models.UniqueConstraint(
                fields=["pending"],
                condition=Q(kind__in=["post_pending", "void_pending"]),
                name="pending_resolved_once",
            ),
        ]
        indexes = [
            models.Index(fields=["debit_account", "timestamp"], name="transfer_debit_idx"),
            models.Index(fields=["credit_account", "timestamp"], name="transfer_credit_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.transfer_id}: {self.amount} {self.currency}"
