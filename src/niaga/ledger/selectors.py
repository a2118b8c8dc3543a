"""Reads of the ledger: balances now and at any past moment, and an account's transfers."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Q, QuerySet, Sum

from niaga.ledger.models import Account, Transfer, TransferKind

POSTING = (TransferKind.POSTED, TransferKind.POST_PENDING)


@dataclass(frozen=True)
class Balance:
    debits_posted: int
    credits_posted: int
    debits_pending: int
    credits_pending: int

    @property
    def credit_balance(self) -> int:
        return self.credits_posted - self.debits_posted


def balance_at(account: Account, at: datetime) -> Balance:
    """The account as it stood at ``at``, recomputed from the transfers made until then."""
    until = Transfer.objects.filter(timestamp__lte=at)

    def total(queryset) -> int:
        return queryset.aggregate(total=Sum("amount"))["total"] or 0

    def open_pending(side: str) -> int:
        pending = until.filter(**{side: account}, kind=TransferKind.PENDING)
        resolved = until.filter(kind__in=[TransferKind.POST_PENDING, TransferKind.VOID_PENDING])
        return total(pending.exclude(pk__in=resolved.values("pending")))

    return Balance(
        debits_posted=total(until.filter(debit_account=account, kind__in=POSTING)),
        credits_posted=total(until.filter(credit_account=account, kind__in=POSTING)),
        debits_pending=open_pending("debit_account"),
        credits_pending=open_pending("credit_account"),
    )


def transfers_of(account: Account) -> QuerySet[Transfer]:
    return (
        Transfer.objects.filter(Q(debit_account=account) | Q(credit_account=account))
        .select_related("debit_account", "credit_account")
        .order_by("-timestamp", "-id")
    )
