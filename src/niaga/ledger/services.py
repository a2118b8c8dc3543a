"""Every write to the ledger: opening accounts and creating transfers.

Transfers are requested in batches. With ``linked=True`` (the default) a batch succeeds or fails
as a whole. Each transfer carries an id its client chose: sending the same request again returns
what was created the first time, and reusing an id for a different request is refused. Accounts
are locked in id order, so two batches touching the same accounts never deadlock.

These functions join the caller's transaction (a trade-assurance service, usually) rather than
opening a durable one of their own: moving money is always part of a larger business action.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import ROUND_HALF_EVEN, Decimal, InvalidOperation
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from niaga.core.errors import NiagaError
from niaga.core.money import currency_exponent
from niaga.ledger.models import Account, Purpose, Transfer, TransferKind

MAX_AMOUNT = 10**15  # a quadrillion minor units: far beyond any trade, far below 2**63
MAX_BATCH = 100


class LedgerError(NiagaError):
    code = "ledger_invalid"
    status = 422


class InsufficientFunds(LedgerError):
    code = "insufficient_funds"
    status = 409


class TransferConflict(LedgerError):
    """The id was used before for a different request."""

    code = "transfer_id_reused"
    status = 409


class PendingResolved(LedgerError):
    code = "pending_resolved"
    status = 409


@dataclass(frozen=True)
class Move:
    """A posted or pending transfer between two accounts."""

    id: str
    debit: Account
    credit: Account
    amount: int
    code: str
    pending: bool = False
    metadata: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class PostPending:
    """Post a pending transfer, all of it (amount None) or part; the rest is released."""

    id: str
    pending_id: str
    amount: int | None = None
    code: str = "post"


@dataclass(frozen=True)
class VoidPending:
    id: str
    pending_id: str
    code: str = "void"


Request = Move | PostPending | VoidPending


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
        _check_id(request.id)
    if not linked:
        # Each stands alone: a retry of a batch that partly failed creates only what is missing.
        return [_one_unlinked(request, at=at) for request in requests]
    replayed = _replayed(requests)
    if replayed is not None:
        return replayed
    batch = uuid.uuid4().hex if len(requests) > 1 else ""
    try:
        with transaction.atomic():
            _lock_batch(requests)
            return [_apply(request, batch=batch, at=at) for request in requests]
    except _SameIdAtOnce:
        return _replayed_after_race(requests)


def _one_unlinked(request: Request, *, at: datetime | None) -> Transfer:
    replayed = _replayed([request])
    if replayed is not None:
        return replayed[0]
    try:
        with transaction.atomic():
            _lock_batch([request])
            return _apply(request, batch="", at=at)
    except _SameIdAtOnce:
        return _replayed_after_race([request])[0]


class _SameIdAtOnce(Exception):
    """Another request created a transfer with this id between our look-up and our insert."""


def _replayed_after_race(requests: Sequence[Request]) -> list[Transfer]:
    # The twin committed first: if it asked for the same thing, its transfers are ours.
    replayed = _replayed(requests)
    if replayed is None:
        raise TransferConflict(_("A transfer id of this batch was used at the same moment."))
    return replayed


def _lock_batch(requests: Sequence[Request]) -> None:
    """Lock every account the batch touches, once, in id order: no two batches deadlock."""
    ids = set()
    pending_ids = []
    for request in requests:
        if isinstance(request, Move):
            ids.update({request.debit.pk, request.credit.pk})
        else:
            pending_ids.append(request.pending_id)
    if pending_ids:
        for debit_id, credit_id in Transfer.objects.filter(transfer_id__in=pending_ids).values_list(
            "debit_account_id", "credit_account_id"
        ):
            ids.update({debit_id, credit_id})
    list(Account.objects.select_for_update().filter(pk__in=ids).order_by("pk").values_list("pk"))


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
    _check_amount(amount)
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


def _check_id(transfer_id: object) -> None:
    if not isinstance(transfer_id, str) or not 1 <= len(transfer_id) <= 64:
        raise LedgerError(_("A transfer id is text of 1 to 64 characters."))


def _check_amount(amount: object) -> None:
    if type(amount) is not int or amount <= 0:
        raise LedgerError(
            _("An amount is a positive whole number of minor units, not %(amount)s.")
            % {"amount": repr(amount)}
        )
    if amount > MAX_AMOUNT:
        raise LedgerError(_("The amount is beyond what the ledger accepts."))


def _fingerprint(request: Request) -> str:
    if isinstance(request, Move):
        body = {
            "kind": "pending" if request.pending else "posted",
            "debit": request.debit.pk,
            "credit": request.credit.pk,
            "amount": request.amount,
            "code": request.code,
        }
    elif isinstance(request, PostPending):
        body = {"kind": "post", "pending": request.pending_id, "amount": request.amount}
    else:
        body = {"kind": "void", "pending": request.pending_id}
    return hashlib.sha256(json.dumps(body, sort_keys=True).encode()).hexdigest()


def _replayed(requests: Sequence[Request]) -> list[Transfer] | None:
    """The earlier transfers when every request was made before in the same form, else None."""
    existing = {
        t.transfer_id: t for t in Transfer.objects.filter(transfer_id__in=[r.id for r in requests])
    }
    if not existing:
        return None
    for request in requests:
        found = existing.get(request.id)
        if found is None or found.fingerprint != _fingerprint(request):
            raise TransferConflict(
                _("Transfer id %(id)s was used before for a different transfer.")
                % {"id": request.id}
            )
    return [existing[request.id] for request in requests]


def _locked(*accounts: Account) -> dict[int, Account]:
    ids = sorted({a.pk for a in accounts})
    return {a.pk: a for a in Account.objects.select_for_update().filter(pk__in=ids).order_by("pk")}


def _apply(request: Request, *, batch: str, at: datetime | None) -> Transfer:
    if isinstance(request, Move):
        return _move(request, batch=batch, at=at)
    return _resolve(request, batch=batch, at=at)


def _move(request: Move, *, batch: str, at) -> Transfer:
    _check_amount(request.amount)
    if request.debit.pk == request.credit.pk:
        raise LedgerError(_("A transfer needs two different accounts."))
    if request.debit.currency != request.credit.currency:
        raise LedgerError(
            _("%(debit)s and %(credit)s hold different currencies; exchange first.")
            % {"debit": request.debit.currency, "credit": request.credit.currency}
        )
    accounts = _locked(request.debit, request.credit)
    debit, credit = accounts[request.debit.pk], accounts[request.credit.pk]
    side = "pending" if request.pending else "posted"
    _commit(
        (debit, {f"debits_{side}": request.amount}),
        (credit, {f"credits_{side}": request.amount}),
    )
    return _record(
        request,
        kind=TransferKind.PENDING if request.pending else TransferKind.POSTED,
        debit=debit,
        credit=credit,
        amount=request.amount,
        pending=None,
        batch=batch,
        at=at,
        metadata=request.metadata,
    )


def _resolve(request: PostPending | VoidPending, *, batch: str, at) -> Transfer:
    pending = (
        Transfer.objects.select_related("debit_account", "credit_account")
        .filter(transfer_id=request.pending_id, kind=TransferKind.PENDING)
        .first()
    )
    if pending is None:
        raise LedgerError(_("There is no pending transfer %(id)s.") % {"id": request.pending_id})
    accounts = _locked(pending.debit_account, pending.credit_account)
    if pending.resolutions.exists():
        raise PendingResolved(
            _("Pending transfer %(id)s was posted or voided already.") % {"id": request.pending_id}
        )
    debit, credit = accounts[pending.debit_account_id], accounts[pending.credit_account_id]
    debit_changes: dict[str, int] = {"debits_pending": -pending.amount}
    credit_changes: dict[str, int] = {"credits_pending": -pending.amount}
    if isinstance(request, PostPending):
        amount = pending.amount if request.amount is None else request.amount
        _check_amount(amount)
        if amount > pending.amount:
            raise LedgerError(
                _("Only %(pending)s is pending; %(amount)s cannot be posted.")
                % {"pending": pending.amount, "amount": amount}
            )
        debit_changes["debits_posted"] = amount
        credit_changes["credits_posted"] = amount
        kind = TransferKind.POST_PENDING
    else:
        amount = pending.amount
        kind = TransferKind.VOID_PENDING
    _commit((debit, debit_changes), (credit, credit_changes))
    return _record(
        request,
        kind=kind,
        debit=debit,
        credit=credit,
        amount=amount,
        pending=pending,
        batch=batch,
        at=at,
        metadata={},
    )


def _commit(*changes: tuple[Account, dict[str, int]]) -> None:
    """Apply the changes in memory, refuse any that breaks a flag, then write them."""
    for account_row, deltas in changes:
        for name, delta in deltas.items():
            setattr(account_row, name, getattr(account_row, name) + delta)
    _check_flags(*(account_row for account_row, _deltas in changes))
    for account_row, deltas in changes:
        Account.objects.filter(pk=account_row.pk).update(
            **{name: F(name) + delta for name, delta in deltas.items()}
        )


def _check_flags(*accounts: Account) -> None:
    for held in accounts:
        if held.debits_must_not_exceed_credits and (
            held.debits_posted + held.debits_pending > held.credits_posted
        ):
            raise InsufficientFunds(
                _("%(account)s holds %(held)s; it cannot give more.")
                % {"account": str(held), "held": held.credits_posted - held.debits_posted}
            )
        if held.credits_must_not_exceed_debits and (
            held.credits_posted + held.credits_pending > held.debits_posted
        ):
            raise InsufficientFunds(
                _("%(account)s cannot take more than it gave.") % {"account": str(held)}
            )


def _record(request, *, kind, debit, credit, amount, pending, batch, at, metadata) -> Transfer:
    try:
        with transaction.atomic():
            return Transfer.objects.create(
                transfer_id=request.id,
                kind=kind,
                debit_account=debit,
                credit_account=credit,
                amount=amount,
                currency=debit.currency,
                pending=pending,
                batch=batch,
                code=request.code,
                metadata=metadata,
                fingerprint=_fingerprint(request),
                timestamp=at or timezone.now(),
            )
    except IntegrityError as error:
        if Transfer.objects.filter(transfer_id=request.id).exists():
            raise _SameIdAtOnce(request.id) from error
        raise PendingResolved(
            _("Pending transfer %(id)s was posted or voided already.")
            % {"id": getattr(request, "pending_id", request.id)}
        ) from error
