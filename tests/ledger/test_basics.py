"""The ledger's transfers: posting, pending, idempotency, flags, exchange, balances in time."""

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from niaga.ledger import check, selectors, services
from niaga.ledger.models import Account, Purpose, Transfer
from niaga.ledger.services import Move, PostPending, VoidPending

pytestmark = pytest.mark.django_db


def accounts(currency="USD"):
    bank = services.account(purpose=Purpose.BANK, currency=currency)
    escrow = services.account(purpose=Purpose.ESCROW, currency=currency, reference="O-1")
    payable = services.account(purpose=Purpose.EXPORTER_PAYABLE, currency=currency, reference="X")
    return bank, escrow, payable


def test_a_transfer_moves_money_and_every_currency_sums_to_zero():
    bank, escrow, _payable = accounts()
    services.transfer(id="t1", debit=bank, credit=escrow, amount=10_000, code="fund")
    escrow.refresh_from_db()
    bank.refresh_from_db()
    assert escrow.credit_balance == 10_000 and bank.debits_posted == 10_000
    assert check.violations(check.run()) == []


def test_a_replay_returns_the_first_transfer_and_a_reused_id_is_refused():
    bank, escrow, payable = accounts()
    first = services.transfer(id="t1", debit=bank, credit=escrow, amount=500, code="fund")
    again = services.transfer(id="t1", debit=bank, credit=escrow, amount=500, code="fund")
    assert again.pk == first.pk and Transfer.objects.count() == 1
    with pytest.raises(services.TransferConflict):
        services.transfer(id="t1", debit=bank, credit=escrow, amount=501, code="fund")
    escrow.refresh_from_db()
    assert escrow.credits_posted == 500


def test_an_escrow_cannot_give_more_than_it_holds():
    bank, escrow, payable = accounts()
    services.transfer(id="in", debit=bank, credit=escrow, amount=100, code="fund")
    with pytest.raises(services.InsufficientFunds):
        services.transfer(id="out", debit=escrow, credit=payable, amount=101, code="release")
    escrow.refresh_from_db()
    assert escrow.credit_balance == 100 and not Transfer.objects.filter(transfer_id="out").exists()


def test_linked_transfers_happen_together_or_not_at_all():
    bank, escrow, payable = accounts()
    services.transfer(id="in", debit=bank, credit=escrow, amount=100, code="fund")
    with pytest.raises(services.InsufficientFunds):
        services.create_transfers(
            [
                Move("a", escrow, payable, 60, "release"),
                Move("b", escrow, payable, 60, "release"),
            ]
        )
    assert not Transfer.objects.filter(transfer_id__in=["a", "b"]).exists()
    escrow.refresh_from_db()
    assert escrow.credit_balance == 100


def test_flags_hold_after_every_transfer_of_a_batch_not_only_after_the_last():
    bank, escrow, payable = accounts()
    services.transfer(id="in", debit=bank, credit=escrow, amount=100, code="fund")
    # Giving 150 before receiving 100 breaks the escrow's flag halfway, though it would end
    # holding 50.
    with pytest.raises(services.InsufficientFunds, match="holds 100"):
        services.create_transfers(
            [
                Move("out", escrow, payable, 150, "release"),
                Move("top-up", bank, escrow, 100, "fund"),
            ]
        )
    escrow.refresh_from_db()
    assert escrow.credit_balance == 100 and Transfer.objects.count() == 1
    # The other way round every step holds.
    services.create_transfers(
        [Move("top-up", bank, escrow, 100, "fund"), Move("out", escrow, payable, 150, "release")]
    )
    escrow.refresh_from_db()
    payable.refresh_from_db()
    assert escrow.credit_balance == 50 and payable.credit_balance == 150
    assert check.violations(check.run()) == []


def test_a_transfer_to_an_account_the_ledger_does_not_have_is_refused():
    bank, escrow, _payable = accounts()
    ghost = Account(pk=escrow.pk + 1000, purpose=Purpose.ESCROW, currency="USD")
    with pytest.raises(services.LedgerError, match="does not have"):
        services.transfer(id="x", debit=bank, credit=ghost, amount=1, code="fund")
    bank.refresh_from_db()
    assert bank.debits_posted == 0 and not Transfer.objects.exists()


@pytest.mark.parametrize("amount", [0, -5, 1.5, True, "10", 10**16])
def test_amounts_that_are_not_positive_whole_minor_units_are_refused(amount):
    bank, escrow, _payable = accounts()
    with pytest.raises(services.LedgerError):
        services.transfer(id="x", debit=bank, credit=escrow, amount=amount, code="fund")
    assert not Transfer.objects.exists()


def test_accounts_in_different_currencies_do_not_transfer():
    bank, _escrow, _payable = accounts("USD")
    escrow_idr = services.account(purpose=Purpose.ESCROW, currency="IDR", reference="O-1")
    with pytest.raises(services.LedgerError, match="exchange"):
        services.transfer(id="x", debit=bank, credit=escrow_idr, amount=1, code="fund")


def test_a_pending_transfer_posts_in_part_and_releases_the_rest():
    bank, escrow, payable = accounts()
    services.transfer(id="in", debit=bank, credit=escrow, amount=1_000, code="fund")
    services.transfer(
        id="hold", debit=escrow, credit=payable, amount=700, code="hold", pending=True
    )
    escrow.refresh_from_db()
    assert escrow.available == 300
    with pytest.raises(services.InsufficientFunds):
        services.transfer(id="more", debit=escrow, credit=payable, amount=301, code="release")
    services.create_transfers([PostPending("post", "hold", amount=400)])
    escrow.refresh_from_db()
    assert escrow.debits_pending == 0 and escrow.credit_balance == 600
    with pytest.raises(services.PendingResolved):
        services.create_transfers([VoidPending("void", "hold")])
    assert check.violations(check.run()) == []


def test_a_void_returns_the_hold():
    bank, escrow, payable = accounts()
    services.transfer(id="in", debit=bank, credit=escrow, amount=1_000, code="fund")
    services.transfer(
        id="hold", debit=escrow, credit=payable, amount=700, code="hold", pending=True
    )
    services.create_transfers([VoidPending("void", "hold")])
    escrow.refresh_from_db()
    assert escrow.available == 1_000
    with pytest.raises(services.LedgerError):
        services.create_transfers([PostPending("post", "nope")])


def test_exchange_goes_through_the_exchange_accounts_and_records_the_rate():
    bank_usd, _escrow, _payable = accounts("USD")
    escrow_idr = services.account(purpose=Purpose.ESCROW, currency="IDR", reference="O-2")
    # 12.34 USD at 15,500.50 IDR per USD is 191,276.17 IDR.
    out_leg, in_leg = services.exchange(
        id="fx1", source=bank_usd, destination=escrow_idr, amount=1_234, rate="15500.50"
    )
    assert in_leg.amount == 19_127_617 and in_leg.currency == "IDR"
    assert out_leg.metadata["rate"] == in_leg.metadata["rate"] == "15500.50"
    assert out_leg.batch and out_leg.batch == in_leg.batch
    assert check.violations(check.run()) == []
    with pytest.raises(services.LedgerError):
        services.exchange(id="fx2", source=bank_usd, destination=escrow_idr, amount=1, rate="-1")


def test_the_balance_at_a_past_moment():
    bank, escrow, payable = accounts()
    start = timezone.now() - timedelta(days=3)
    services.create_transfers([Move("a", bank, escrow, 100, "fund")], at=start)
    services.create_transfers([Move("b", bank, escrow, 50, "fund")], at=start + timedelta(days=1))
    services.create_transfers(
        [Move("c", escrow, payable, 30, "release")], at=start + timedelta(days=2)
    )
    assert selectors.balance_at(escrow, start - timedelta(seconds=1)).credit_balance == 0
    assert selectors.balance_at(escrow, start + timedelta(hours=1)).credit_balance == 100
    assert selectors.balance_at(escrow, start + timedelta(days=1, hours=1)).credit_balance == 150
    assert selectors.balance_at(escrow, timezone.now()).credit_balance == 120


def test_the_check_finds_a_tampered_balance_and_the_command_fails(capsys):
    bank, escrow, _payable = accounts()
    services.transfer(id="in", debit=bank, credit=escrow, amount=100, code="fund")
    call_command("ledger_check")
    assert "every invariant holds" in capsys.readouterr().out
    Account.objects.filter(pk=escrow.pk).update(credits_posted=90)
    found = check.violations(check.run())
    assert any("credits_posted is 90" in v for v in found)
    assert any(v.startswith("zero_sum") for v in found)
    with pytest.raises(CommandError):
        call_command("ledger_check")
