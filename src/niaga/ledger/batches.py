"""Writing one batch of transfers: lock its accounts, move their sums, insert the transfers.

A batch is first planned here, in Python: every request becomes a leg that moves its debit
account's debit sums and its credit account's credit sums by a pending and a posted amount.
The legs are then written in one of two ways, which must agree:

- on PostgreSQL, by one call to ``niaga_ledger_write`` (migration 0002), which locks, checks
  and writes in the server: a hot account such as the platform's fees is locked for as
  short a time as the database allows, and a batch costs one round trip;
- on SQLite, by three statements (lock, update, insert) under SQLite's write lock.

Either checks each leg in order against the balance flags, as TigerBeetle does, and raises a
ledger error or IntegrityError (a reused transfer id, a pending transfer resolved twice).
The SQL is put together from the models' own table and column names and from placeholders;
every value travels as a parameter (hence the S608 exemptions).
"""

from __future__ import annotations

import copy
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from django.db import DatabaseError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from niaga.ledger.errors import InsufficientFunds, LedgerError, PendingResolved
from niaga.ledger.models import Account, Purpose, Transfer, TransferKind
from niaga.ledger.requests import Move, PostPending, Request, check_amount, fingerprint

SUMS = ("debits_pending", "debits_posted", "credits_pending", "credits_posted")


@dataclass
class Leg:
    """A transfer to insert, and how far it moves its two accounts' pending and posted sums."""

    transfer: Transfer
    pending_delta: int
    posted_delta: int
    debit_purpose: str
    credit_purpose: str


@dataclass(frozen=True)
class _Pending:
    id: int
    debit_id: int
    credit_id: int
    amount: int
    currency: str
    debit_purpose: str
    credit_purpose: str
    resolved: bool


# Accounts every order shares: the last a batch locks, so it holds them for the shortest time.
SHARED_PURPOSES = frozenset(
    {Purpose.BANK, Purpose.FEES, Purpose.FEE_WAIVERS, Purpose.FX, Purpose.UNMATCHED}
)


def lock_order(account_id: int, purpose: str) -> tuple[bool, int]:
    """Every batch takes its locks in this one order, so no two wait on each other in a circle."""
    return (purpose in SHARED_PURPOSES, account_id)


def write(requests: Sequence[Request], *, batch: str, at: datetime | None) -> list[Transfer]:
    """Write the batch as a whole, or raise and write nothing."""
    legs = plan(requests, batch=batch, timestamp=at or timezone.now())
    if connection.vendor == "postgresql":
        try:
            if connection.in_atomic_block:
                # A savepoint, so that a refusal leaves the caller's transaction usable.
                with transaction.atomic():
                    return _write_on_server(legs)
            return _write_on_server(legs)
        except _Refused as refused:
            # Explained once the failed statement is rolled back and the database answers.
            raise _refusal(refused.reason, refused.detail) from refused
    with transaction.atomic():
        return _write_here(legs)


def plan(requests: Sequence[Request], *, batch: str, timestamp: datetime) -> list[Leg]:
    pendings = _pending_transfers([r.pending_id for r in requests if not isinstance(r, Move)])
    resolved_here: set[str] = set()
    legs = []
    for request in requests:
        made = Transfer(
            transfer_id=request.id,
            batch=batch,
            code=request.code,
            metadata={},
            fingerprint=fingerprint(request),
            timestamp=timestamp,
        )
        if isinstance(request, Move):
            check_amount(request.amount)
            if request.debit.pk == request.credit.pk:
                raise LedgerError(_("A transfer needs two different accounts."))
            if request.debit.currency != request.credit.currency:
                raise _currency_mismatch(request.debit.currency, request.credit.currency)
            made.kind = TransferKind.PENDING if request.pending else TransferKind.POSTED
            made.debit_account_id, made.credit_account_id = request.debit.pk, request.credit.pk
            made.amount, made.metadata = request.amount, request.metadata
            made.currency = request.debit.currency
            delta = (request.amount, 0) if request.pending else (0, request.amount)
            legs.append(Leg(made, *delta, request.debit.purpose, request.credit.purpose))
            continue
        pending = pendings.get(request.pending_id)
        if pending is None:
            raise LedgerError(
                _("There is no pending transfer %(id)s.") % {"id": request.pending_id}
            )
        if pending.resolved or request.pending_id in resolved_here:
            raise PendingResolved(
                _("Pending transfer %(id)s was posted or voided already.")
                % {"id": request.pending_id}
            )
        resolved_here.add(request.pending_id)
        made.pending_id, made.currency = pending.id, pending.currency
        made.debit_account_id, made.credit_account_id = pending.debit_id, pending.credit_id
        purposes = (pending.debit_purpose, pending.credit_purpose)
        if isinstance(request, PostPending):
            amount = pending.amount if request.amount is None else request.amount
            check_amount(amount)
            if amount > pending.amount:
                raise LedgerError(
                    _("Only %(pending)s is pending; %(amount)s cannot be posted.")
                    % {"pending": pending.amount, "amount": amount}
                )
            made.kind, made.amount = TransferKind.POST_PENDING, amount
            legs.append(Leg(made, -pending.amount, amount, *purposes))
        else:
            made.kind, made.amount = TransferKind.VOID_PENDING, pending.amount
            legs.append(Leg(made, -pending.amount, 0, *purposes))
    return legs


def _pending_transfers(transfer_ids: list[str]) -> dict[str, _Pending]:
    if not transfer_ids:
        return {}
    table, accounts = Transfer._meta.db_table, Account._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT t.id, t.transfer_id, t.debit_account_id, t.credit_account_id, t.amount,"  # noqa: S608
            f" t.currency, d.purpose, c.purpose,"
            f" EXISTS (SELECT 1 FROM {table} r WHERE r.pending_id = t.id"
            f" AND r.kind IN (%s, %s))"
            f" FROM {table} t JOIN {accounts} d ON d.id = t.debit_account_id"
            f" JOIN {accounts} c ON c.id = t.credit_account_id"
            f" WHERE t.kind = %s AND t.transfer_id IN ({', '.join(['%s'] * len(transfer_ids))})",
            [
                TransferKind.POST_PENDING,
                TransferKind.VOID_PENDING,
                TransferKind.PENDING,
                *transfer_ids,
            ],
        )
        return {
            row[1]: _Pending(row[0], *row[2:8], resolved=bool(row[8])) for row in cursor.fetchall()
        }


def _finish(legs: list[Leg], made: dict[str, tuple[int, str]]) -> list[Transfer]:
    """The planned transfers with the ids and currency the database gave them."""
    transfers = []
    for leg in legs:
        transfer = leg.transfer
        transfer.pk, transfer.currency = made[transfer.transfer_id]
        transfer._state.adding = False
        transfer._state.db = connection.alias
        transfers.append(transfer)
    return transfers


# --- PostgreSQL: one call ----------------------------------------------------------------------


# What niaga_ledger_write raises (SQLSTATE P0001), by its message.
_SERVER_REFUSALS = {"unknown_account", "currency_mismatch", "insufficient_funds", "negative_sum"}


def _write_on_server(legs: list[Leg]) -> list[Transfer]:
    first = legs[0].transfer
    net: dict[int, dict[str, int]] = {}
    order: dict[int, tuple[bool, int]] = {}
    for leg in legs:
        debit_id, credit_id = leg.transfer.debit_account_id, leg.transfer.credit_account_id
        order[debit_id] = lock_order(debit_id, leg.debit_purpose)
        order[credit_id] = lock_order(credit_id, leg.credit_purpose)
        debit = net.setdefault(debit_id, dict.fromkeys(SUMS, 0))
        credit = net.setdefault(credit_id, dict.fromkeys(SUMS, 0))
        debit["debits_pending"] += leg.pending_delta
        debit["debits_posted"] += leg.posted_delta
        credit["credits_pending"] += leg.pending_delta
        credit["credits_posted"] += leg.posted_delta
    accounts = json.dumps(
        [
            {"id": pk, "position": position, **net[pk]}
            for position, pk in enumerate(sorted(net, key=order.__getitem__))
        ]
    )
    sent = json.dumps(
        [
            {
                "transfer_id": leg.transfer.transfer_id,
                "kind": leg.transfer.kind,
                "debit_id": leg.transfer.debit_account_id,
                "credit_id": leg.transfer.credit_account_id,
                "amount": leg.transfer.amount,
                "currency": leg.transfer.currency,
                "pending_delta": leg.pending_delta,
                "posted_delta": leg.posted_delta,
                "pending_id": leg.transfer.pending_id,
                "code": leg.transfer.code,
                "metadata": leg.transfer.metadata,
                "fingerprint": leg.transfer.fingerprint,
            }
            for leg in legs
        ]
    )
    try:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT made_id, made_transfer_id, made_currency"
                " FROM niaga_ledger_write(%s::jsonb, %s::jsonb, %s, %s)",
                [accounts, sent, first.batch, first.timestamp],
            )
            made = {transfer_id: (pk, currency) for pk, transfer_id, currency in cursor}
    except DatabaseError as error:
        refusal = getattr(error.__cause__, "diag", None)
        if refusal is None or refusal.message_primary not in _SERVER_REFUSALS:
            raise
        raise _Refused(refusal.message_primary, refusal.message_detail) from error
    return _finish(legs, made)


class _Refused(Exception):
    def __init__(self, reason: str, detail: str | None):
        super().__init__(reason)
        self.reason, self.detail = reason, detail


def _refusal(reason: str, detail: str | None) -> LedgerError:
    if reason == "unknown_account":
        return LedgerError(_("A transfer names an account the ledger does not have."))
    if reason == "negative_sum":
        return PendingResolved(_("A pending transfer was posted or voided already."))
    if reason == "currency_mismatch":
        debit, credit = (detail or " ").split(" ", 1)
        return _currency_mismatch(debit, credit)
    refused = Account.objects.get(pk=int(detail or 0))
    return _insufficient(refused, giving=refused.debits_must_not_exceed_credits)


def _currency_mismatch(debit: str, credit: str) -> LedgerError:
    return LedgerError(
        _("%(debit)s and %(credit)s hold different currencies; exchange first.")
        % {"debit": debit, "credit": credit}
    )


def _insufficient(account, *, giving: bool) -> InsufficientFunds:
    """The refusal for an account as it stood before the transfer that broke its flag."""
    if giving:
        return InsufficientFunds(
            _("%(account)s holds %(held)s; it cannot give more.")
            % {"account": str(account), "held": account.available}
        )
    return InsufficientFunds(
        _("%(account)s cannot take more than it gave.") % {"account": str(account)}
    )


# --- SQLite: three statements ------------------------------------------------------------------


@dataclass
class _Locked:
    """A locked account while its batch is worked out: its sums and how far they moved."""

    id: int
    label: str
    currency: str
    debits_within_credits: bool
    credits_within_debits: bool
    debits_pending: int
    debits_posted: int
    credits_pending: int
    credits_posted: int
    moved: dict[str, int] = field(default_factory=lambda: dict.fromkeys(SUMS, 0))

    def __str__(self) -> str:
        return self.label

    @property
    def available(self) -> int:
        return self.credits_posted - self.debits_posted - self.debits_pending

    def move(self, name: str, amount: int) -> None:
        setattr(self, name, getattr(self, name) + amount)
        self.moved[name] += amount

    def check(self, before: _Locked) -> None:
        """Refuse the leg just moved if it broke a rule; ``before`` is the account without it."""
        if min(self.debits_pending, self.debits_posted, self.credits_pending) < 0:
            # Only a pending transfer resolved twice at once can do this.
            raise PendingResolved(_("A pending transfer was posted or voided already."))
        if self.debits_within_credits and (
            self.debits_posted + self.debits_pending > self.credits_posted
        ):
            raise _insufficient(before, giving=True)
        if self.credits_within_debits and (
            self.credits_posted + self.credits_pending > self.debits_posted
        ):
            raise _insufficient(before, giving=False)


def _write_here(legs: list[Leg]) -> list[Transfer]:
    locked = _lock(
        {leg.transfer.debit_account_id for leg in legs}
        | {leg.transfer.credit_account_id for leg in legs}
    )
    for leg in legs:
        transfer = leg.transfer
        debit = locked.get(transfer.debit_account_id)
        credit = locked.get(transfer.credit_account_id)
        if debit is None or credit is None:
            raise LedgerError(_("A transfer names an account the ledger does not have."))
        if debit.currency != credit.currency:
            raise _currency_mismatch(debit.currency, credit.currency)
        debit_before, credit_before = copy.copy(debit), copy.copy(credit)
        debit.move("debits_pending", leg.pending_delta)
        debit.move("debits_posted", leg.posted_delta)
        credit.move("credits_pending", leg.pending_delta)
        credit.move("credits_posted", leg.posted_delta)
        debit.check(debit_before)
        credit.check(credit_before)
        transfer.currency = debit.currency
    _update_sums([account for account in locked.values() if any(account.moved.values())])
    return _finish(legs, _insert([leg.transfer for leg in legs]))


def _lock(account_ids: set[int]) -> dict[int, _Locked]:
    """Read the batch's accounts in id order (SQLite's write lock is already held)."""
    ordered = sorted(account_ids)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT id, purpose, reference, currency, debits_must_not_exceed_credits,"  # noqa: S608
            f" credits_must_not_exceed_debits, {', '.join(SUMS)} FROM {Account._meta.db_table}"
            f" WHERE id IN ({', '.join(['%s'] * len(ordered))}) ORDER BY id",
            ordered,
        )
        found = {}
        for pk, purpose, reference, currency, debits_rule, credits_rule, *sums in cursor:
            label = f"{purpose}:{reference}" if reference else purpose
            found[pk] = _Locked(
                pk, f"{label} ({currency})", currency, bool(debits_rule), bool(credits_rule), *sums
            )
        return found


def _placeholders(count: int, width: int) -> str:
    row = "(" + ", ".join(["%s"] * width) + ")"
    return ", ".join([row] * count)


def _update_sums(accounts: list[_Locked]) -> None:
    """One statement moves every account's sums by what the batch moved them."""
    table = Account._meta.db_table
    assignments = ", ".join(f"{name} = {table}.{name} + moved.{name}" for name in SUMS)
    with connection.cursor() as cursor:
        cursor.execute(
            f"WITH moved (id, {', '.join(SUMS)}) AS (VALUES {_placeholders(len(accounts), 5)})"  # noqa: S608
            f" UPDATE {table} SET {assignments} FROM moved WHERE {table}.id = moved.id",
            [value for account in accounts for value in (account.id, *account.moved.values())],
        )


INSERTED = (
    "transfer_id",
    "kind",
    "debit_account_id",
    "credit_account_id",
    "amount",
    "currency",
    "pending_id",
    "batch",
    "code",
    "metadata",
    "fingerprint",
    "timestamp",
)


def _insert(transfers: list[Transfer]) -> dict[str, tuple[int, str]]:
    """One statement inserts the batch; a reused id or a twice-resolved pending stops it."""
    metadata_field = Transfer._meta.get_field("metadata")
    timestamp_field = Transfer._meta.get_field("timestamp")
    values = []
    for made in transfers:
        for name in INSERTED:
            value = getattr(made, name)
            if name == "metadata":
                value = metadata_field.get_db_prep_save(value, connection)
            elif name == "timestamp":
                value = timestamp_field.get_db_prep_save(value, connection)
            values.append(value)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {Transfer._meta.db_table} ({', '.join(INSERTED)})"  # noqa: S608
            f" VALUES {_placeholders(len(transfers), len(INSERTED))}"
            f" RETURNING id, transfer_id, currency",
            values,
        )
        return {transfer_id: (pk, currency) for pk, transfer_id, currency in cursor.fetchall()}
