"""Every write to the ledger: opening accounts and creating transfers.

Transfers are requested in batches. With ``linked=True`` (the default) a batch succeeds or fails
as a whole. Each transfer carries an id its client chose: sending the same request again returns
what was created the first time, and reusing an id for a different request is refused. Accounts
are locked in id order, so two batches touching the same accounts never deadlock.

These functions join the caller's transaction (a trade-assurance service, usually) rather than
opening a durable one of their own: moving money is always part of a larger business action.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime
from decimal import ROUND_HALF_EVEN, Decimal, InvalidOperation
from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from niaga.core.money import currency_exponent
from niaga.ledger import batches
from niaga.ledger.errors import InsufficientFunds, LedgerError, PendingResolved, TransferConflict
from niaga.ledger.models import Account, Purpose, Transfer
from niaga.ledger.requests import (
    MAX_AMOUNT,
    Move,
    PostPending,
    Request,
    VoidPending,
    check_amount,
    check_id,
    fingerprint,
)

__all__ = [
    "MAX_AMOUNT",
    "MAX_BATCH",
    "InsufficientFunds",
    "LedgerError",
    "Move",
    "PendingResolved",
    "PostPending",
    "TransferConflict",
    "VoidPending",
    "account",
    "create_transfers",
    "exchange",
    "transfer",
]

MAX_BATCH = 100


# --- accounts ------------------------------------------------------------------------------


# Accounts that hold money for someone may never give out more than they received.
CREDIT_NORMAL = frozenset(
    {
        Purpose.ESCROW,
        Purpose.EXPORTER_PAYABLE,
        Purpose.BUYER_REFUNDABLE,
        Purpose.UNMATCHED,
        Purpose.FEES,
    }
)


def account(*, purpose: str, currency: str, owner=None, reference: str = "") -> Account:
    """The account for (purpose, owner, reference, currency), opened on first use."""
    code = currency.upper() if isinstance(currency, str) else currency
    currency_exponent(code)
    if purpose not in Purpose.values:
        raise LedgerError(_("%(purpose)s is not a ledger purpose.") % {"purpose": purpose})
    lookup = {"purpose": purpose, "owner": owner, "reference": reference, "currency": code}
    found = Account.objects.filter(**lookup).first()
    if found is not None:
        return found
    try:
        with transaction.atomic():
            return Account.objects.create(
                **lookup, debits_must_not_exceed_credits=purpose in CREDIT_NORMAL
            )
    except IntegrityError:
        # Opened by someone else a moment ago.
        return Account.objects.get(**lookup)


# --- transfers -------------------------------------------------------------------------------


def create_transfers(
    requests: Sequence[Request], *, linked: bool = True, at: datetime | None = None
) -> list[Transfer]:
    """Create the transfers in order; returns them, whether new or replayed."""
    if not requests:
        return []
    if len(requests) > MAX_BATCH:
        raise LedgerError(_("At most %(count)s transfers go in one batch.") % {"count": MAX_BATCH})
    ids = [request.id for request in requests]
    if len(set(ids)) != len(ids):
        raise LedgerError(_("A batch names the same transfer id twice."))
    for request in requests:
        check_id(request.id)
    if not linked:
        # Each stands alone: a retry of a batch that partly failed creates only what is missing.
        return [_create([request], batch="", at=at)[0] for request in requests]
    return _create(requests, batch=uuid.uuid4().hex if len(requests) > 1 else "", at=at)


def _create(requests: Sequence[Request], *, batch: str, at: datetime | None) -> list[Transfer]:
    """Write the batch, betting that it is new; a replay is recognised when the bet fails.

    A request sent again fails on the unique transfer id, or on a balance its first run
    already spent: only then are the earlier transfers looked up, so a new batch is written
    without reading anything first.
    """
    try:
        return batches.write(requests, batch=batch, at=at)
    except LedgerError:
        replayed = _replayed(requests)
        if replayed is not None:
            return replayed
        raise
    except IntegrityError as error:
        # Either a twin with the same ids committed first, or a pending transfer of this
        # batch was posted or voided by someone else since it was read.
        replayed = _replayed(requests)
        if replayed is not None:
            return replayed
        raise PendingResolved(
            _("A pending transfer of this batch was posted or voided already.")
        ) from error


def transfer(
    *,
    id: str,
    debit: Account,
    credit: Account,
    amount: int,
    code: str,
    pending: bool = False,
    metadata: dict[str, Any] | None = None,
) -> Transfer:
    """One transfer: a shorthand for a batch of one."""
    move = Move(id, debit, credit, amount, code, pending, metadata or {})
    return create_transfers([move])[0]


def exchange(
    *,
    id: str,
    source: Account,
    destination: Account,
    amount: int,
    rate: str,
    code: str = "fx.exchange",
) -> tuple[Transfer, Transfer]:
    """Move ``amount`` of source's currency out, and its value at ``rate`` into destination.

    Two linked transfers through the per-currency exchange accounts; both record the rate,
    given as a decimal string (units of destination currency per unit of source currency).
    """
    try:
        rate_value = Decimal(rate)
    except (InvalidOperation, TypeError, ValueError) as error:
        raise LedgerError(_("%(rate)s is not an exchange rate.") % {"rate": rate}) from error
    if not rate_value.is_finite() or rate_value <= 0:
        raise LedgerError(_("An exchange rate is a positive number."))
    if source.currency == destination.currency:
        raise LedgerError(_("An exchange is between two different currencies."))
    check_amount(amount)
    scale = Decimal(10) ** (
        currency_exponent(destination.currency) - currency_exponent(source.currency)
    )
    converted = int((Decimal(amount) * rate_value * scale).to_integral_value(ROUND_HALF_EVEN))
    if converted <= 0:
        raise LedgerError(_("The amount is too small to exchange at this rate."))
    detail = {"rate": str(rate_value), "from": source.currency, "to": destination.currency}
    out_leg, in_leg = create_transfers(
        [
            Move(
                f"{id}:out",
                source,
                account(purpose=Purpose.FX, currency=source.currency),
                amount,
                code,
                metadata={**detail, "converted": converted},
            ),
            Move(
                f"{id}:in",
                account(purpose=Purpose.FX, currency=destination.currency),
                destination,
                converted,
                code,
                metadata={**detail, "source_amount": amount},
            ),
        ]
    )
    return out_leg, in_leg


# --- inside ----------------------------------------------------------------------------------


def _replayed(requests: Sequence[Request]) -> list[Transfer] | None:
    """The earlier transfers when every request was made before in the same form, else None."""
    existing = {
        t.transfer_id: t for t in Transfer.objects.filter(transfer_id__in=[r.id for r in requests])
    }
    if not existing:
        return None
    for request in requests:
        found = existing.get(request.id)
        if found is None or found.fingerprint != fingerprint(request):
            raise TransferConflict(
                _("Transfer id %(id)s was used before for a different transfer.")
                % {"id": request.id}
            )
    return [existing[request.id] for request in requests]
