"""`niaga ledger check`: recompute everything from the transfers and prove the invariants.

Other apps add their own invariants (trade assurance: no escrow settled twice) with
:func:`register`; each check returns what it looked at and the violations it found.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.db.models import Count, F, Sum

from niaga.ledger.models import Account, Transfer, TransferKind

SUMS = ("debits_pending", "debits_posted", "credits_pending", "credits_posted")


@dataclass
class Result:
    name: str
    checked: str
    violations: list[str] = field(default_factory=list)


Check = Callable[[], Result]
_EXTRA: list[Check] = []


def register(check: Check) -> Check:
    if check not in _EXTRA:
        _EXTRA.append(check)
    return check


def run() -> list[Result]:
    return [
        recomputed_balances(),
        currencies_sum_to_zero(),
        balance_flags(),
        transfer_currencies(),
        pending_resolutions(),
        *(check() for check in _EXTRA),
    ]


def recomputed_sums() -> dict[int, dict[str, int]]:
    sums: dict[int, dict[str, int]] = defaultdict(lambda: dict.fromkeys(SUMS, 0))
    posting = [TransferKind.POSTED, TransferKind.POST_PENDING]
    resolved = Transfer.objects.filter(
        kind__in=[TransferKind.POST_PENDING, TransferKind.VOID_PENDING]
    ).values("pending")
    groups = [
        ("debit_account", "debits_posted", Transfer.objects.filter(kind__in=posting)),
        ("credit_account", "credits_posted", Transfer.objects.filter(kind__in=posting)),
        (
            "debit_account",
            "debits_pending",
            Transfer.objects.filter(kind=TransferKind.PENDING).exclude(pk__in=resolved),
        ),
        (
            "credit_account",
            "credits_pending",
            Transfer.objects.filter(kind=TransferKind.PENDING).exclude(pk__in=resolved),
        ),
    ]
    for side, name, transfers in groups:
        for account_id, total in transfers.values_list(side).annotate(total=Sum("amount")):
            sums[account_id][name] = total
    return sums


def recomputed_balances() -> Result:
    sums = recomputed_sums()
    result = Result("balances", "")
    accounts = 0
    for account in Account.objects.only("id", "purpose", "reference", "currency", *SUMS).iterator():
        accounts += 1
        expected = sums.get(account.pk, dict.fromkeys(SUMS, 0))
        for name in SUMS:
            if getattr(account, name) != expected[name]:
                result.violations.append(
                    f"account {account.pk} ({account}): {name} is {getattr(account, name)}, "
                    f"the transfers make it {expected[name]}"
                )
    result.checked = f"{accounts} accounts' stored sums against their transfers"
    return result


def currencies_sum_to_zero() -> Result:
    result = Result("zero_sum", "")
    totals = Account.objects.values("currency").annotate(
        debits=Sum("debits_posted"),
        credits=Sum("credits_posted"),
        debits_pending=Sum("debits_pending"),
        credits_pending=Sum("credits_pending"),
    )
    currencies = 0
    for row in totals:
        currencies += 1
        if row["debits"] != row["credits"] or row["debits_pending"] != row["credits_pending"]:
            result.violations.append(
                f"{row['currency']}: debits {row['debits']} (pending {row['debits_pending']}) "
                f"against credits {row['credits']} (pending {row['credits_pending']})"
            )
    result.checked = f"{currencies} currencies sum to zero, posted and pending"
    return result


def balance_flags() -> Result:
    result = Result("flags", "")
    sums = recomputed_sums()
    flagged = Account.objects.filter(debits_must_not_exceed_credits=True) | Account.objects.filter(
        credits_must_not_exceed_debits=True
    )
    count = 0
    for account in flagged.iterator():
        count += 1
        s = sums.get(account.pk, dict.fromkeys(SUMS, 0))
        if account.debits_must_not_exceed_credits and (
            s["debits_posted"] + s["debits_pending"] > s["credits_posted"]
        ):
            result.violations.append(f"account {account.pk} ({account}) gave more than it holds")
        if account.credits_must_not_exceed_debits and (
            s["credits_posted"] + s["credits_pending"] > s["debits_posted"]
        ):
            result.violations.append(f"account {account.pk} ({account}) took more than it gave")
    result.checked = f"{count} accounts with a balance flag stay within it"
    return result


def transfer_currencies() -> Result:
    wrong = Transfer.objects.exclude(
        currency=F("debit_account__currency")
    ) | Transfer.objects.exclude(currency=F("credit_account__currency"))
    result = Result("currencies", f"{Transfer.objects.count()} transfers stay in one currency")
    result.violations = [f"transfer {t.transfer_id} crosses currencies" for t in wrong[:50]]
    return result


def pending_resolutions() -> Result:
    result = Result("pending", "")
    twice = (
        Transfer.objects.exclude(pending=None)
        .values("pending__transfer_id")
        .annotate(n=Count("id"))
        .filter(n__gt=1)
    )
    result.violations += [
        f"pending {row['pending__transfer_id']} resolved {row['n']} times" for row in twice
    ]
    over = Transfer.objects.filter(kind=TransferKind.POST_PENDING, amount__gt=F("pending__amount"))
    result.violations += [f"{t.transfer_id} posts more than was pending" for t in over[:50]]
    voids = Transfer.objects.filter(kind=TransferKind.VOID_PENDING).exclude(
        amount=F("pending__amount")
    )
    result.violations += [
        f"{t.transfer_id} voids another amount than was pending" for t in voids[:50]
    ]
    resolutions = Transfer.objects.exclude(pending=None).count()
    result.checked = (
        f"{resolutions} posts and voids each resolve one pending transfer once, within it"
    )
    return result


def violations(results: Iterable[Result]) -> list[str]:
    return [f"{r.name}: {v}" for r in results for v in r.violations]
