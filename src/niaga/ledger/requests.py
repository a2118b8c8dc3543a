"""What a client asks the ledger for: a move, or the posting or voiding of a pending one."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _

from niaga.ledger.errors import LedgerError
from niaga.ledger.models import Account

MAX_AMOUNT = 10**15  # a quadrillion minor units: far beyond any trade, far below 2**63


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


def check_id(transfer_id: object) -> None:
    if not isinstance(transfer_id, str) or not 1 <= len(transfer_id) <= 64:
        raise LedgerError(_("A transfer id is text of 1 to 64 characters."))


def check_amount(amount: object) -> None:
    if type(amount) is not int or amount <= 0:
        raise LedgerError(
            _("An amount is a positive whole number of minor units, not %(amount)s.")
            % {"amount": repr(amount)}
        )
    if amount > MAX_AMOUNT:
        raise LedgerError(_("The amount is beyond what the ledger accepts."))


def fingerprint(request: Request) -> str:
    """A digest of what was asked, so a replay can be told from a conflicting reuse."""
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
