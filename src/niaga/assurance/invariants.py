"""Trade assurance's own ledger invariants, run by `niaga ledger check`."""

from django.db.models import Count, F

from niaga.ledger import check
from niaga.ledger.models import Account, Purpose, Transfer


@check.register
def escrow_settled_once() -> check.Result:
    result = check.Result("escrow_settlement", "")
    twice = (
        Transfer.objects.filter(code__in=["escrow.release", "escrow.refund"])
        .values("debit_account", "code")
        .annotate(n=Count("id"))
        .filter(n__gt=1)
    )
    result.violations += [
        f"escrow account {row['debit_account']} has {row['n']} {row['code']} transfers"
        for row in twice
    ]
    from niaga.assurance.models import Settlement

    settled_refs = {
        f"order:{order_id}" for order_id in Settlement.objects.values_list("order_id", flat=True)
    }
    leftovers = Account.objects.filter(purpose=Purpose.ESCROW, reference__in=settled_refs).exclude(
        credits_posted=F("debits_posted")
    )
    result.violations += [
        f"{account} still holds money after its settlement" for account in leftovers
    ]
    result.checked = f"{len(settled_refs)} settled escrows were settled once and left empty"
    return result
