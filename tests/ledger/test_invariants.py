"""The ledger's invariants hold after any sequence of requests: a hypothesis state machine.

The machine keeps its own model of every account's four sums and predicts each request's
outcome (created, refused for insufficient funds, replayed, refused as a conflicting reuse);
after every step the stored ledger must equal the model, pass ``niaga ledger check``, and agree
with a recomputation from the transfers done here in Python, independently of ``check``.

Each example runs inside a savepoint that is rolled back at its end, so every example starts
from an empty ledger.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from decimal import ROUND_HALF_EVEN, Decimal

import pytest
from django.db import transaction
from django.db.models import Sum
from hypothesis import HealthCheck, event, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)

from niaga.ledger import check, services
from niaga.ledger.models import Account, Purpose, Transfer, TransferKind
from niaga.ledger.services import (
    InsufficientFunds,
    Move,
    PendingResolved,
    PostPending,
    TransferConflict,
    VoidPending,
)

pytestmark = pytest.mark.django_db

SUMS = ("debits_pending", "debits_posted", "credits_pending", "credits_posted")
CURRENCIES = ("USD", "IDR")
# name: (purpose, reference)
ACCOUNTS = {
    "bank": (Purpose.BANK, ""),
    "escrow_a": (Purpose.ESCROW, "O-1"),
    "escrow_b": (Purpose.ESCROW, "O-2"),
    "payable": (Purpose.EXPORTER_PAYABLE, "X-1"),
    "refundable": (Purpose.BUYER_REFUNDABLE, "B-1"),
    "fees": (Purpose.FEES, ""),
    "fx": (Purpose.FX, ""),
}
FLAGGED = {name for name, (purpose, _ref) in ACCOUNTS.items() if purpose in services.CREDIT_NORMAL}
amounts = st.one_of(st.integers(1, 1_000), st.integers(1, 100_000_000))

Key = tuple[str, str]  # (currency, account name)
Leg = tuple[Key, dict[str, int]]


class InsufficientInModel(Exception):
    pass


class LedgerMachine(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self._savepoint = transaction.atomic()
        self._savepoint.__enter__()
        assert not Account.objects.exists() and not Transfer.objects.exists()
        self.accounts: dict[Key, Account] = {}
        for currency in CURRENCIES:
            for name, (purpose, reference) in ACCOUNTS.items():
                self.accounts[currency, name] = services.account(
                    purpose=purpose, currency=currency, reference=reference
                )
        self.model: dict[Key, dict[str, int]] = {
            key: dict.fromkeys(SUMS, 0) for key in self.accounts
        }
        self.counter = 0
        # pending id -> (debit key, credit key, amount), while neither posted nor voided
        self.open_pending: dict[str, tuple[Key, Key, int]] = {}
        self.resolved_pending: list[str] = []
        # what was created: a way to send the same request again, and the pks it returned
        self.done: list[tuple[Callable[[], list[Transfer]], list[int]]] = []

    def teardown(self) -> None:
        transaction.set_rollback(True)
        self._savepoint.__exit__(None, None, None)

    # --- helpers ---------------------------------------------------------------------------

    def new_id(self) -> str:
        self.counter += 1
        return f"t{self.counter}"

    def predict(self, legs: list[Leg]) -> dict[Key, dict[str, int]]:
        """The model after the legs, leg by leg as the service checks them; raises if refused."""
        after = {key: dict(sums) for key, sums in self.model.items()}
        for key, deltas in legs:
            for name, delta in deltas.items():
                after[key][name] += delta
            sums = after[key]
            if key[1] in FLAGGED and (
                sums["debits_posted"] + sums["debits_pending"] > sums["credits_posted"]
            ):
                raise InsufficientInModel
        return after

    def move_legs(self, debit: Key, credit: Key, amount: int, *, pending: bool) -> list[Leg]:
        side = "pending" if pending else "posted"
        return [(debit, {f"debits_{side}": amount}), (credit, {f"credits_{side}": amount})]

    def send(
        self, what: str, legs: list[Leg], call: Callable[[], list[Transfer]]
    ) -> list[Transfer] | None:
        """Send a request whose effect on the model is ``legs``; check the predicted outcome."""
        count = Transfer.objects.count()
        try:
            expected = self.predict(legs)
        except InsufficientInModel:
            event(f"{what}: refused for funds")
            with pytest.raises(InsufficientFunds):
                call()
            assert Transfer.objects.count() == count
            return None
        event(f"{what}: created")
        created = call()
        assert Transfer.objects.count() == count + len(created)
        self.model = expected
        self.done.append((call, [t.pk for t in created]))
        return created

    def pair(self, data: st.DataObject, currency: str) -> tuple[Key, Key]:
        names = sorted(ACCOUNTS)
        debit = data.draw(st.sampled_from(names), label="debit")
        credit = data.draw(st.sampled_from([n for n in names if n != debit]), label="credit")
        return (currency, debit), (currency, credit)

    def amount(self, data: st.DataObject, debit: Key) -> int:
        """Mostly within what a flagged debit account holds, sometimes anything."""
        sums = self.model[debit]
        available = sums["credits_posted"] - sums["debits_posted"] - sums["debits_pending"]
        if debit[1] in FLAGGED and available > 0:
            within = st.integers(1, available)
            return data.draw(st.one_of(within, within, amounts), label="amount")
        return data.draw(amounts, label="amount")

    # --- rules -----------------------------------------------------------------------------

    @initialize(funding=st.lists(amounts, min_size=4, max_size=4))
    def fund_the_escrows(self, funding: list[int]) -> None:
        for (currency, escrow), amount in zip(
            [(c, e) for c in CURRENCIES for e in ("escrow_a", "escrow_b")], funding, strict=True
        ):
            bank = (currency, "bank")
            move = Move(
                self.new_id(), self.accounts[bank], self.accounts[currency, escrow], amount, "fund"
            )
            self.send(
                "fund",
                self.move_legs(bank, (currency, escrow), amount, pending=False),
                lambda move=move: services.create_transfers([move]),
            )

    @rule(data=st.data(), currency=st.sampled_from(CURRENCIES))
    def posted_transfer(self, data: st.DataObject, currency: str) -> None:
        debit, credit = self.pair(data, currency)
        amount = self.amount(data, debit)
        move = Move(self.new_id(), self.accounts[debit], self.accounts[credit], amount, "move")
        self.send(
            "posted",
            self.move_legs(debit, credit, amount, pending=False),
            lambda: services.create_transfers([move]),
        )

    @rule(data=st.data(), currency=st.sampled_from(CURRENCIES))
    def pending_transfer(self, data: st.DataObject, currency: str) -> None:
        debit, credit = self.pair(data, currency)
        amount = self.amount(data, debit)
        move = Move(
            self.new_id(), self.accounts[debit], self.accounts[credit], amount, "hold", True
        )
        created = self.send(
            "pending",
            self.move_legs(debit, credit, amount, pending=True),
            lambda: services.create_transfers([move]),
        )
        if created is not None:
            assert created[0].kind == TransferKind.PENDING
            self.open_pending[move.id] = (debit, credit, amount)

    @precondition(lambda self: self.open_pending)
    @rule(data=st.data())
    def resolve_pending(self, data: st.DataObject) -> None:
        """Post a pending transfer in full or in part (the rest is released), or void it."""
        how = data.draw(st.sampled_from(["post in full", "post in part", "void"]), label="how")
        pending_id = data.draw(st.sampled_from(sorted(self.open_pending)), label="pending")
        debit, credit, held = self.open_pending.pop(pending_id)
        request: PostPending | VoidPending
        if how == "void":
            request, posted = VoidPending(self.new_id(), pending_id), 0
        elif how == "post in full":
            request, posted = PostPending(self.new_id(), pending_id), held
        else:
            posted = data.draw(st.integers(1, held), label="part")
            request = PostPending(self.new_id(), pending_id, posted)
        legs: list[Leg] = [
            (debit, {"debits_pending": -held, "debits_posted": posted}),
            (credit, {"credits_pending": -held, "credits_posted": posted}),
        ]
        created = self.send(how, legs, lambda: services.create_transfers([request]))
        assert created is not None
        if how == "void":
            assert created[0].kind == TransferKind.VOID_PENDING and created[0].amount == held
        else:
            assert created[0].kind == TransferKind.POST_PENDING and created[0].amount == posted
        self.resolved_pending.append(pending_id)

    # Rules are drawn evenly; a second name doubles how often pending transfers are resolved.
    resolve_another_pending = resolve_pending

    @precondition(lambda self: self.resolved_pending)
    @rule(data=st.data())
    def resolve_again(self, data: st.DataObject) -> None:
        post = data.draw(st.booleans(), label="post")
        pending_id = data.draw(st.sampled_from(self.resolved_pending), label="pending")
        request = (
            PostPending(self.new_id(), pending_id)
            if post
            else VoidPending(self.new_id(), pending_id)
        )
        event("resolve again")
        count = Transfer.objects.count()
        with pytest.raises(PendingResolved):
            services.create_transfers([request])
        assert Transfer.objects.count() == count

    @precondition(lambda self: self.done)
    @rule(data=st.data())
    def replay(self, data: st.DataObject) -> None:
        call, pks = data.draw(st.sampled_from(self.done), label="earlier request")
        event("replay")
        count = Transfer.objects.count()
        assert [t.pk for t in call()] == pks
        assert Transfer.objects.count() == count

    @precondition(lambda self: self.done)
    @rule(data=st.data(), amount=amounts)
    def conflicting_reuse(self, data: st.DataObject, amount: int) -> None:
        _call, pks = data.draw(st.sampled_from(self.done), label="earlier request")
        reused = Transfer.objects.get(pk=data.draw(st.sampled_from(pks), label="pk")).transfer_id
        event("conflicting reuse")
        count = Transfer.objects.count()
        bank, escrow = self.accounts["USD", "bank"], self.accounts["USD", "escrow_a"]
        with pytest.raises(TransferConflict):
            services.create_transfers([Move(reused, bank, escrow, amount, "reused")])
        assert Transfer.objects.count() == count

    @rule(
        data=st.data(),
        currency=st.sampled_from(CURRENCIES),
        fee=st.integers(1, 1_000),
        payout=st.integers(1, 1_000_000),
    )
    def escrow_release(self, data: st.DataObject, currency: str, fee: int, payout: int) -> None:
        """A linked release: escrow to the exporter and the platform's fee, both or neither."""
        escrow = (currency, data.draw(st.sampled_from(["escrow_a", "escrow_b"]), label="escrow"))
        payable, fees = (currency, "payable"), (currency, "fees")
        requests = [
            Move(self.new_id(), self.accounts[escrow], self.accounts[payable], payout, "release"),
            Move(self.new_id(), self.accounts[escrow], self.accounts[fees], fee, "fee"),
        ]
        legs = self.move_legs(escrow, payable, payout, pending=False) + self.move_legs(
            escrow, fees, fee, pending=False
        )
        created = self.send("release", legs, lambda: services.create_transfers(requests))
        if created is None:
            assert not Transfer.objects.filter(transfer_id__in=[r.id for r in requests]).exists()
        else:
            assert created[0].batch and created[0].batch == created[1].batch

    @rule(
        data=st.data(),
        currency=st.sampled_from(CURRENCIES),
        funding=amounts,
        shortfall=st.integers(1, 1_000),
    )
    def linked_batch_whose_last_leg_fails(
        self, data: st.DataObject, currency: str, funding: int, shortfall: int
    ) -> None:
        escrow = (currency, data.draw(st.sampled_from(["escrow_a", "escrow_b"]), label="escrow"))
        bank, payable = (currency, "bank"), (currency, "payable")
        sums = self.model[escrow]
        available = sums["credits_posted"] - sums["debits_posted"] - sums["debits_pending"]
        too_much = available + funding + shortfall
        requests = [
            Move(self.new_id(), self.accounts[bank], self.accounts[escrow], funding, "fund"),
            Move(self.new_id(), self.accounts[escrow], self.accounts[payable], 1, "release"),
            Move(self.new_id(), self.accounts[escrow], self.accounts[payable], too_much, "more"),
        ]
        event("linked batch whose last leg fails")
        count = Transfer.objects.count()
        with pytest.raises(InsufficientFunds):
            services.create_transfers(requests)
        assert Transfer.objects.count() == count
        assert not Transfer.objects.filter(transfer_id__in=[r.id for r in requests]).exists()

    @rule(data=st.data(), whole=st.integers(0, 20_000), fraction=st.integers(0, 9_999))
    def exchange(self, data: st.DataObject, whole: int, fraction: int) -> None:
        names = sorted(set(ACCOUNTS) - {"fx"})
        source = ("USD", data.draw(st.sampled_from(names), label="source"))
        destination = ("IDR", data.draw(st.sampled_from(names), label="destination"))
        amount = self.amount(data, source)
        rate = f"{whole}.{fraction:04d}"
        converted = int((Decimal(amount) * Decimal(rate)).to_integral_value(ROUND_HALF_EVEN))
        exchange_id = self.new_id()

        def call() -> list[Transfer]:
            return list(
                services.exchange(
                    id=exchange_id,
                    source=self.accounts[source],
                    destination=self.accounts[destination],
                    amount=amount,
                    rate=rate,
                )
            )

        if converted <= 0:
            event("exchange: too small")
            with pytest.raises(services.LedgerError):
                call()
            return
        legs = self.move_legs(source, ("USD", "fx"), amount, pending=False) + self.move_legs(
            ("IDR", "fx"), destination, converted, pending=False
        )
        created = self.send("exchange", legs, call)
        if created is not None:
            out_leg, in_leg = created
            assert (out_leg.currency, in_leg.currency) == ("USD", "IDR")
            assert in_leg.amount == converted
            assert out_leg.metadata["rate"] == in_leg.metadata["rate"]

    # --- invariants ------------------------------------------------------------------------

    @invariant()
    def the_check_finds_nothing(self) -> None:
        assert check.violations(check.run()) == []

    @invariant()
    def each_currency_posts_as_many_debits_as_credits(self) -> None:
        rows = Account.objects.values("currency").annotate(
            debits=Sum("debits_posted"),
            credits=Sum("credits_posted"),
            debits_pending=Sum("debits_pending"),
            credits_pending=Sum("credits_pending"),
        )
        for row in rows:
            assert row["debits"] == row["credits"], row
            assert row["debits_pending"] == row["credits_pending"], row

    @invariant()
    def no_flagged_account_is_below_zero(self) -> None:
        for held in Account.objects.filter(debits_must_not_exceed_credits=True):
            assert held.available >= 0, held
            assert held.credit_balance >= 0, held

    @invariant()
    def stored_sums_equal_the_transfers(self) -> None:
        sums: dict[int, dict[str, int]] = defaultdict(lambda: dict.fromkeys(SUMS, 0))
        transfers = list(Transfer.objects.all())
        resolved = {t.pending_id for t in transfers if t.pending_id is not None}
        for t in transfers:
            if t.kind in (TransferKind.POSTED, TransferKind.POST_PENDING):
                sums[t.debit_account_id]["debits_posted"] += t.amount
                sums[t.credit_account_id]["credits_posted"] += t.amount
            elif t.kind == TransferKind.PENDING and t.pk not in resolved:
                sums[t.debit_account_id]["debits_pending"] += t.amount
                sums[t.credit_account_id]["credits_pending"] += t.amount
        for stored in Account.objects.all():
            assert {name: getattr(stored, name) for name in SUMS} == sums[stored.pk], stored

    @invariant()
    def stored_sums_equal_the_model(self) -> None:
        stored = {a.pk: {name: getattr(a, name) for name in SUMS} for a in Account.objects.all()}
        assert len(stored) == len(self.accounts)
        for key, held in self.accounts.items():
            assert stored[held.pk] == self.model[key], key


def test_the_ledger_keeps_its_invariants_through_any_sequence_of_requests():
    run_state_machine_as_test(
        LedgerMachine,
        settings=settings(
            max_examples=30,
            stateful_step_count=25,
            deadline=None,
            suppress_health_check=[HealthCheck.too_slow],
        ),
    )


# --- found while writing the machine ---------------------------------------------------------


def test_an_unlinked_batch_that_partly_failed_can_be_sent_again():
    bank = services.account(purpose=Purpose.BANK, currency="USD")
    escrow = services.account(purpose=Purpose.ESCROW, currency="USD", reference="O-1")
    payable = services.account(purpose=Purpose.EXPORTER_PAYABLE, currency="USD", reference="X")
    batch = [Move("fund", bank, escrow, 100, "fund"), Move("pay", escrow, payable, 150, "pay")]
    with pytest.raises(InsufficientFunds):
        services.create_transfers(batch, linked=False)
    assert Transfer.objects.filter(transfer_id="fund").exists()  # the first one happened
    services.transfer(id="top-up", debit=bank, credit=escrow, amount=100, code="fund")
    # The client retries the same batch: "fund" is a replay, "pay" was never created.
    fund, pay = services.create_transfers(batch, linked=False)
    assert fund.transfer_id == "fund" and pay.transfer_id == "pay"
