"""Trade assurance as a state machine.

Hypothesis plays buyers, exporters, finance and officers against a few orders in any order:
funding (in full, in part, too much, in the wrong currency, with no reference), shipping,
receipt, disputes, decisions, the release timer, replayed webhooks and statement lines, and
currency exchange. After every step the ledger's invariants hold; a step the rules forbid is
refused and leaves the books exactly as they were.
"""

from __future__ import annotations

import csv
import io
import json
import time
from datetime import timedelta
from decimal import ROUND_HALF_EVEN, Decimal
from itertools import count

import pytest
from django.conf import settings as django_settings
from django.db import transaction
from django.db.models import Count, F, Sum
from django.utils import timezone
from hypothesis import HealthCheck
from hypothesis import settings as machine_settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)

from niaga.assurance import rules as assurance_rules
from niaga.assurance import services, tasks, webhooks
from niaga.assurance.models import (
    Dispute,
    DisputeReason,
    DisputeState,
    FeeRule,
    Milestone,
    MilestoneDue,
    Order,
    OrderState,
    Payment,
    PaymentChannel,
    Settlement,
    StatementUpload,
)
from niaga.assurance.services import Incoming, ItemIn, MilestoneIn
from niaga.core.errors import NiagaError
from niaga.core.roles import OrganisationKind, Role
from niaga.ledger import check
from niaga.ledger import services as ledger
from niaga.ledger.models import Account, Purpose, Transfer
from tests.factories import member

pytestmark = pytest.mark.django_db

CLOSED = {OrderState.SETTLED, OrderState.REFUNDED, OrderState.CANCELLED}
SUMS = ("debits_pending", "debits_posted", "credits_pending", "credits_posted")
SPLITS = [
    [MilestoneIn("All before shipment", MilestoneDue.BEFORE_SHIPMENT, 10_000)],
    [
        MilestoneIn("Deposit", MilestoneDue.ON_ORDER, 3_000),
        MilestoneIn("Balance", MilestoneDue.BEFORE_SHIPMENT, 7_000),
    ],
    [
        MilestoneIn("Deposit", MilestoneDue.ON_ORDER, 5_000),
        MilestoneIn("On delivery", MilestoneDue.ON_DELIVERY, 5_000),
    ],
]
MAX_ORDERS = 3
STAGES = ["new", "funded", "shipped", "received", "received", "disputed", "escalated", "escalated"]


class Cast:
    """The people every example shares; made once per test, outside the examples."""

    def __init__(self):
        self.buyer = member(Role.BUYER, OrganisationKind.BUYER, "DE")
        self.stranger = member(Role.BUYER, OrganisationKind.BUYER, "US")
        self.exporters = [
            member(Role.EXPORTER_OWNER, OrganisationKind.EXPORTER, "ID"),
            member(Role.EXPORTER_OWNER, OrganisationKind.EXPORTER, "IN"),
        ]
        # Administrators decide any dispute; programme officers only their programmes' ones.
        self.officer = member(Role.ADMIN, OrganisationKind.OPERATOR)
        self.finance = member(Role.FINANCE_OFFICER, OrganisationKind.OPERATOR)

    @staticmethod
    def organisation(person):
        return person.memberships.get().organisation


def snapshot() -> tuple:
    """Everything a refused step must leave as it was: the ledger and the orders' money."""
    return (
        tuple(Account.objects.order_by("id").values_list("id", *SUMS)),
        tuple(Transfer.objects.order_by("id").values_list("transfer_id", "amount")),
        tuple(
            Order.objects.order_by("id").values_list(
                "id", "state", "shipped_at", "received_at", "goods_accepted_at"
            )
        ),
        tuple(Milestone.objects.order_by("id").values_list("id", "funded_minor")),
        tuple(
            Payment.objects.order_by("id").values_list(
                "id", "milestone", "applied_minor", "held_minor", "status"
            )
        ),
        tuple(Dispute.objects.order_by("id").values_list("id", "state", "refund_minor")),
        tuple(Settlement.objects.order_by("id").values_list("order", "released_minor")),
    )


def balance(account: Account | None) -> int:
    return account.credit_balance if account is not None else 0


def escrow_of(order: Order) -> Account | None:
    return Account.objects.filter(
        purpose=Purpose.ESCROW, reference=order.escrow_reference, currency=order.currency
    ).first()


class TradeAssurance(RuleBasedStateMachine):
    cast: Cast  # set by the test before the machine runs

    def __init__(self):
        super().__init__()
        # Each example runs in its own transaction, rolled back at teardown. It is marked as a
        # test case's so that the services' durable blocks may nest inside it, as they do in a
        # django.test.TestCase.
        self.atomic = transaction.atomic()
        self.atomic._from_testcase = True
        self.atomic.__enter__()
        self.orders: list[int] = []
        self.ids = count(1)

    def teardown(self):
        transaction.set_rollback(True)
        self.atomic.__exit__(None, None, None)

    # --- helpers -----------------------------------------------------------------------------

    def next_id(self, prefix: str) -> str:
        return f"{prefix}-{next(self.ids)}-{time.monotonic_ns()}"

    def order(self, data, prefer=None) -> Order:
        """An order; half the time one for which ``prefer`` holds, so lifecycles get far."""
        orders = list(Order.objects.filter(pk__in=self.orders).order_by("id"))
        preferred = [o for o in orders if prefer(o)] if prefer else []
        if preferred and data.draw(st.booleans(), label="preferred"):
            orders = preferred
        return data.draw(st.sampled_from(orders), label="order")

    def milestone(self, data, *, unfunded_first: bool = True) -> Milestone:
        milestones = list(
            Milestone.objects.filter(order__in=self.orders).select_related("order").order_by("id")
        )
        open_ones = [m for m in milestones if not m.is_funded and m.order.state not in CLOSED]
        if unfunded_first and open_ones and data.draw(st.booleans(), label="unfunded"):
            milestones = open_ones
        return data.draw(st.sampled_from(milestones), label="milestone")

    def dispute(self, data, *states) -> Dispute:
        disputes = list(Dispute.objects.select_related("order").order_by("id"))
        preferred = [d for d in disputes if d.state in states]
        if preferred and data.draw(st.booleans(), label="preferred"):
            disputes = preferred
        return data.draw(st.sampled_from(disputes), label="dispute")

    def attempt(self, allowed: bool, step):
        """Run a step; it succeeds exactly when the rules allow it, and a refusal changes
        nothing."""
        before = snapshot()
        try:
            result = step()
        except NiagaError as refused:
            assert not allowed, f"a legal step was refused: {refused.code}: {refused}"
            assert snapshot() == before, f"a refused step ({refused.code}) changed the books"
            return None
        assert allowed, "an illegal step was carried out"
        return result

    def actor(self, data, right, wrong):
        return right if data.draw(st.integers(0, 4), label="actor") else wrong

    def expect_applied(
        self, milestone: Milestone, amount: int, currency: str, *, referenced: bool = True
    ) -> int:
        order = milestone.order
        if not referenced or currency != order.currency or order.state in CLOSED:
            return 0
        return min(amount, milestone.outstanding_minor)

    def check_funded(self, milestone: Milestone, before: int, applied: int, state_before):
        milestone.refresh_from_db()
        assert milestone.funded_minor == before + applied
        order = Order.objects.get(pk=milestone.order_id)
        pre_shipment = order.milestones.exclude(due=MilestoneDue.ON_DELIVERY)
        if state_before == OrderState.AWAITING_FUNDING and all(m.is_funded for m in pre_shipment):
            assert order.state == OrderState.FUNDED
        if state_before == OrderState.RECEIVED and self.due_for_release(order):
            assert order.state == OrderState.SETTLED

    @staticmethod
    def due_for_release(order: Order) -> bool:
        funded = all(m.is_funded for m in order.milestones.all())
        window_closed = timezone.now() >= order.received_at + timedelta(
            days=assurance_rules.OPEN_WITHIN_DAYS
        )
        return funded and (order.goods_accepted_at is not None or window_closed)

    def pay(self, milestone: Milestone, amount: int, *, currency=None, text=None, channel=None):
        currency = currency or milestone.order.currency
        applied = self.expect_applied(milestone, amount, currency, referenced=text is None)
        before, state_before = milestone.funded_minor, milestone.order.state
        payment, created = services.receive_payment(
            Incoming(
                channel=channel or PaymentChannel.BANK_STATEMENT,
                external_id=self.next_id("line"),
                amount_minor=amount,
                currency=currency,
                reference_text=text if text is not None else f"PO {milestone.reference}",
                payer="Hoffmann Handel GmbH",
                received_on=timezone.localdate(),
            )
        )
        assert created
        assert (payment.applied_minor, payment.held_minor) == (applied, amount - applied)
        self.check_funded(milestone, before, applied, state_before)
        return payment

    # --- orders ------------------------------------------------------------------------------

    @initialize(
        currency=st.sampled_from(["USD", "EUR"]),
        split=st.integers(0, len(SPLITS) - 1),
        quantity=st.integers(1, 300),
        price=st.integers(100, 2_000_000),  # every milestone is worth something
        stage=st.sampled_from(STAGES),
    )
    def first_order(self, currency, split, quantity, price, stage):
        """The first order starts somewhere along its life, reached through the services, so
        that every example gets to disputes, decisions and settlement."""
        self.place_order(currency, split, quantity, price, second_exporter=False)
        order = Order.objects.get(pk=self.orders[0])
        if stage == "new":
            return
        for milestone in order.milestones.exclude(due=MilestoneDue.ON_DELIVERY):
            self.pay(milestone, milestone.amount_minor)
        if stage == "funded":
            return
        services.mark_shipped(
            actor=self.cast.exporters[0], order=order, carrier="MSC", tracking_number="MSCU1"
        )
        if stage == "shipped":
            return
        services.confirm_receipt(actor=self.cast.buyer, order=order)
        if stage == "received":
            return
        dispute = services.open_dispute(
            actor=self.cast.buyer, order=order, reason="not_as_described", statement="Wet bags"
        )
        if stage == "escalated":
            Dispute.objects.filter(pk=dispute.pk).update(
                opened_at=timezone.now() - timedelta(days=4)
            )
            services.escalate_dispute(
                actor=self.cast.buyer, dispute=Dispute.objects.get(pk=dispute.pk)
            )

    @precondition(lambda self: len(self.orders) < MAX_ORDERS)
    @rule(
        currency=st.sampled_from(["USD", "EUR"]),
        split=st.integers(0, len(SPLITS) - 1),
        quantity=st.integers(1, 300),
        price=st.integers(1, 2_000_000),
        second_exporter=st.booleans(),
    )
    def place_order(self, currency, split, quantity, price, second_exporter):
        milestones = SPLITS[split]
        total = quantity * price
        shares = [total * m.basis_points // 10_000 for m in milestones[:-1]]
        allowed = all(shares) and total - sum(shares) > 0
        exporter = self.cast.exporters[int(second_exporter)]
        order = self.attempt(
            allowed,
            lambda: services.create_order(
                actor=self.cast.buyer,
                buyer=Cast.organisation(self.cast.buyer),
                exporter=Cast.organisation(exporter),
                currency=currency,
                items=[ItemIn("Cashew kernels W320", quantity, "kg", price, "080132")],
                milestones=milestones,
                incoterm="FOB",
                named_place="Tanjung Priok",
                shipping_deadline=timezone.localdate() + timedelta(days=30),
            ),
        )
        if order is not None:
            self.orders.append(order.pk)

    # --- funding -----------------------------------------------------------------------------

    @rule(data=st.data())
    def fund(self, data):
        """A milestone paid in full (all of it held when it was paid already)."""
        milestone = self.milestone(data)
        self.pay(milestone, milestone.outstanding_minor or milestone.amount_minor)

    @rule(
        data=st.data(),
        kind=st.sampled_from(["partly", "too much", "other currency", "no reference"]),
        amount=st.integers(1, 10**8),
    )
    def pay_oddly(self, data, kind, amount):
        """An under-payment waiting for a top-up, an over-payment, money in the wrong currency
        or with no reference: whatever is not applied is held."""
        milestone = self.milestone(data)
        outstanding = milestone.outstanding_minor
        if kind == "partly":
            self.pay(milestone, 1 + amount % (outstanding - 1) if outstanding > 1 else 1)
        elif kind == "too much":
            self.pay(milestone, outstanding + amount)
        elif kind == "other currency":
            other = "EUR" if milestone.order.currency == "USD" else "USD"
            self.pay(milestone, amount, currency=other)
        else:
            assert self.pay(milestone, amount, text="invoice 42, thank you").milestone_id is None

    @precondition(lambda self: Payment.objects.filter(held_minor__gt=0).exists())
    @rule(data=st.data(), refund=st.booleans())
    def held_money(self, data, refund):
        """Finance applies money held to a milestone, or gives it back."""
        payment = data.draw(
            st.sampled_from(list(Payment.objects.filter(held_minor__gt=0).order_by("id")))
        )
        if refund:
            actor = self.actor(data, self.cast.finance, self.cast.exporters[0])
            refunded = self.attempt(
                actor == self.cast.finance,
                lambda: services.refund_held_payment(actor=actor, payment=payment),
            )
            if refunded is not None:
                assert refunded.held_minor == 0
            return
        milestone = self.milestone(data)
        order = milestone.order
        actor = self.actor(data, self.cast.finance, self.cast.buyer)
        amount = min(payment.held_minor, milestone.outstanding_minor)
        allowed = (
            actor == self.cast.finance
            and payment.currency == order.currency
            and order.state not in CLOSED
            and amount > 0
        )
        before, state_before = milestone.funded_minor, order.state
        applied = self.attempt(
            allowed,
            lambda: services.apply_held_payment(actor=actor, payment=payment, milestone=milestone),
        )
        if applied is not None:
            self.check_funded(milestone, before, amount, state_before)

    # --- fulfilment --------------------------------------------------------------------------

    @rule(data=st.data())
    def ship(self, data):
        order = self.order(data, prefer=lambda o: o.state == OrderState.FUNDED)
        owner = self.cast.exporters[0]
        if order.exporter_id == Cast.organisation(owner).pk:
            owner, other = owner, self.cast.exporters[1]
        else:
            owner, other = self.cast.exporters[1], owner
        actor = self.actor(data, owner, other)
        shipped = self.attempt(
            actor == owner and order.state == OrderState.FUNDED,
            lambda: services.mark_shipped(
                actor=actor, order=order, carrier="Maersk", tracking_number="MSKU1234567"
            ),
        )
        if shipped is not None:
            assert shipped.state == OrderState.SHIPPED

    @rule(data=st.data(), accept=st.booleans())
    def confirm_receipt(self, data, accept):
        order = self.order(data, prefer=lambda o: o.state == OrderState.SHIPPED)
        actor = self.actor(data, self.cast.buyer, self.cast.stranger)
        allowed = actor == self.cast.buyer and (
            order.state == OrderState.SHIPPED or (order.state == OrderState.RECEIVED and accept)
        )
        received = self.attempt(
            allowed, lambda: services.confirm_receipt(actor=actor, order=order, accept=accept)
        )
        if received is not None:
            received.refresh_from_db()
            expected = OrderState.SETTLED if self.due_for_release(received) else OrderState.RECEIVED
            assert received.state == expected

    # --- disputes ----------------------------------------------------------------------------

    @rule(data=st.data(), reason=st.sampled_from(DisputeReason.values))
    def open_dispute(self, data, reason):
        order = self.order(
            data, prefer=lambda o: o.state in (OrderState.SHIPPED, OrderState.RECEIVED)
        )
        actor = self.actor(data, self.cast.buyer, self.cast.stranger)
        in_window = order.state == OrderState.RECEIVED and (
            order.goods_accepted_at is None
            and timezone.now()
            <= order.received_at + timedelta(days=assurance_rules.OPEN_WITHIN_DAYS)
        )
        allowed = actor == self.cast.buyer and (order.state == OrderState.SHIPPED or in_window)
        opened = self.attempt(
            allowed,
            lambda: services.open_dispute(
                actor=actor, order=order, reason=reason, statement="Not what we ordered"
            ),
        )
        if opened is not None:
            assert Order.objects.get(pk=order.pk).state == OrderState.DISPUTED

    @precondition(lambda self: Dispute.objects.exists())
    @rule(data=st.data(), days_ago=st.integers(0, 5))
    def answer_dispute(self, data, days_ago):
        dispute = self.dispute(data, DisputeState.OPEN)
        exporter = next(
            e for e in self.cast.exporters if Cast.organisation(e).pk == dispute.order.exporter_id
        )
        actor = self.actor(data, exporter, self.cast.buyer)
        Dispute.objects.filter(pk=dispute.pk).update(
            opened_at=timezone.now() - timedelta(days=days_ago)
        )
        dispute.refresh_from_db()
        allowed = (
            actor == exporter
            and dispute.state == DisputeState.OPEN
            and days_ago < assurance_rules.ANSWER_WITHIN_DAYS
        )
        self.attempt(
            allowed,
            lambda: services.answer_dispute(actor=actor, dispute=dispute, answer="We shipped it"),
        )

    @precondition(lambda self: Dispute.objects.exists())
    @rule(data=st.data(), days_ago=st.integers(0, 10), automatically=st.booleans())
    def escalate(self, data, days_ago, automatically):
        dispute = self.dispute(data, DisputeState.OPEN, DisputeState.ANSWERED)
        # Time passes: the dispute was opened days_ago days ago.
        Dispute.objects.filter(pk=dispute.pk).update(
            opened_at=timezone.now() - timedelta(days=days_ago)
        )
        dispute.refresh_from_db()
        waiting = dispute.state in (DisputeState.OPEN, DisputeState.ANSWERED)
        if automatically:
            earliest = assurance_rules.AUTO_ESCALATE_DAY
            result = self.attempt(
                not waiting or days_ago + 1 >= earliest,
                lambda: tasks.auto_escalate.call(dispute.order_id),
            )
            if result is not None:
                assert result == ("escalated" if waiting else "overtaken")
            return
        actor = self.actor(data, self.cast.buyer, self.cast.stranger)
        allowed = (
            actor == self.cast.buyer
            and waiting
            and days_ago + 1 >= assurance_rules.BUYER_MAY_ESCALATE_FROM_DAY
        )
        escalated = self.attempt(
            allowed, lambda: services.escalate_dispute(actor=actor, dispute=dispute)
        )
        if escalated is not None:
            assert escalated.state == DisputeState.ESCALATED

    @precondition(lambda self: Dispute.objects.exists())
    @rule(data=st.data(), kind=st.sampled_from(["full", "partial", "none", "too much"]))
    def decide(self, data, kind):
        dispute = self.dispute(data, DisputeState.ESCALATED)
        order = dispute.order
        held = balance(escrow_of(order))
        refund = {
            "full": held,
            "none": 0,
            "partial": data.draw(st.integers(1, held - 1)) if held > 1 else held,
            "too much": held + 1,
        }[kind]
        actor = self.actor(data, self.cast.officer, self.cast.buyer)
        allowed = (
            actor == self.cast.officer
            and dispute.state == DisputeState.ESCALATED
            and 0 <= refund <= held
        )
        settlement = self.attempt(
            allowed,
            lambda: services.decide_dispute(
                actor=actor, dispute=dispute, refund_minor=refund, decision="On the evidence"
            ),
        )
        if settlement is not None:
            order.refresh_from_db()
            assert (settlement.refunded_minor, settlement.released_minor) == (refund, held - refund)
            assert balance(escrow_of(order)) == 0
            refunded_all = refund and refund == held
            assert order.state == (OrderState.REFUNDED if refunded_all else OrderState.SETTLED)

    # --- timers ------------------------------------------------------------------------------

    @rule(data=st.data(), window_over=st.booleans())
    def release_after_window(self, data, window_over):
        order = self.order(data, prefer=lambda o: o.state == OrderState.RECEIVED)
        if window_over and order.state == OrderState.RECEIVED:
            Order.objects.filter(pk=order.pk).update(
                received_at=timezone.now()
                - timedelta(days=assurance_rules.OPEN_WITHIN_DAYS, minutes=1)
            )
            order.refresh_from_db()
        due = order.state == OrderState.RECEIVED and self.due_for_release(order)
        before = snapshot()
        outcome = tasks.release_after_window.call(order.pk)
        assert outcome == ("settled" if due else "overtaken")
        if due:
            assert Order.objects.get(pk=order.pk).state == OrderState.SETTLED
            assert balance(escrow_of(order)) == 0
        else:
            assert snapshot() == before

    # --- replays -----------------------------------------------------------------------------

    @rule(data=st.data(), partly=st.booleans())
    def duplicate_webhook(self, data, partly):
        milestone = self.milestone(data)
        outstanding = milestone.outstanding_minor
        amount = max(1, outstanding // 2) if partly else outstanding or milestone.amount_minor
        event_id = self.next_id("evt")
        now = int(time.time())

        def event(paid: int) -> tuple[bytes, str]:
            body = json.dumps(
                {
                    "id": event_id,
                    "type": "payment.succeeded",
                    "created": now,
                    "data": {
                        "amount_minor": paid,
                        "currency": milestone.order.currency,
                        "reference": milestone.reference,
                        "payer": "Hoffmann Handel GmbH",
                    },
                }
            ).encode()
            secret = django_settings.NIAGA_PAYMENT_WEBHOOK_SECRET
            return body, webhooks.sign(body, secret=secret, timestamp=now)

        body, signature = event(amount)
        applied = self.expect_applied(milestone, amount, milestone.order.currency)
        before, state_before = milestone.funded_minor, milestone.order.state
        first = services.receive_webhook(body=body, signature=signature)
        assert (first.applied_minor, first.held_minor) == (applied, amount - applied)
        self.check_funded(milestone, before, applied, state_before)
        after_first = snapshot()
        again = services.receive_webhook(body=body, signature=signature)
        assert again.pk == first.pk
        assert snapshot() == after_first
        altered, altered_signature = event(amount + 1)
        self.attempt(
            False, lambda: services.receive_webhook(body=altered, signature=altered_signature)
        )
        assert Payment.objects.filter(external_id=event_id).count() == 1

    @rule(data=st.data())
    def replayed_statement_line(self, data):
        milestone = self.milestone(data)
        amount = milestone.outstanding_minor or milestone.amount_minor
        line_id = self.next_id("TRX")
        line = [line_id, f"Payment {milestone.reference}", amount, milestone.order.currency]

        def statement(*rows) -> io.BytesIO:
            text = io.StringIO()
            writer = csv.writer(text, lineterminator="\n")
            writer.writerow(
                ["Date", "Transaction ID", "Description", "Payer", "Amount", "Currency"]
            )
            for external_id, description, minor, currency in rows:
                shown = Decimal(minor).scaleb(-2)
                writer.writerow(
                    [timezone.localdate(), external_id, description, "Buyer", shown, currency]
                )
            return io.BytesIO(text.getvalue().encode())

        applied = self.expect_applied(milestone, amount, milestone.order.currency)
        before, state_before = milestone.funded_minor, milestone.order.state
        refused = self.attempt(
            False,
            lambda: services.receive_statement(
                actor=self.cast.buyer, fileobj=statement(line), original_name="s.csv"
            ),
        )
        assert refused is None
        first = services.receive_statement(
            actor=self.cast.finance, fileobj=statement(line), original_name="first.csv"
        )
        assert (first.lines, first.repeated, first.matched + first.unmatched) == (1, 0, 1)
        payment = Payment.objects.get(external_id=line_id)
        assert (payment.applied_minor, payment.held_minor) == (applied, amount - applied)
        self.check_funded(milestone, before, applied, state_before)
        after_first = snapshot()
        # The next day's statement overlaps: the same line again, and a bank charge.
        charge = [self.next_id("FEE"), "Bank charges", -350, milestone.order.currency]
        second = services.receive_statement(
            actor=self.cast.finance, fileobj=statement(line, charge), original_name="second.csv"
        )
        assert second.pk != first.pk
        assert (second.lines, second.repeated, second.matched, second.unmatched) == (1, 1, 0, 0)
        same_again = services.receive_statement(
            actor=self.cast.finance, fileobj=statement(line), original_name="first-again.csv"
        )
        assert same_again.pk == first.pk
        assert snapshot() == after_first
        assert Payment.objects.filter(external_id=line_id).count() == 1
        assert StatementUpload.objects.filter(pk__in=[first.pk, second.pk]).count() == 2

    # --- exchange ----------------------------------------------------------------------------

    @rule(
        usd_to_eur=st.booleans(),
        amount=st.integers(1, 10**9),
        rate=st.decimals(min_value=Decimal("0.0001"), max_value=Decimal("500"), places=4),
    )
    def exchange(self, usd_to_eur, amount, rate):
        source, destination = ("USD", "EUR") if usd_to_eur else ("EUR", "USD")
        converted = int((Decimal(amount) * rate).to_integral_value(ROUND_HALF_EVEN))
        treasury = {
            code: ledger.account(purpose=Purpose.BANK, reference="treasury", currency=code)
            for code in ("USD", "EUR")
        }
        legs = self.attempt(
            converted > 0,
            lambda: ledger.exchange(
                id=self.next_id("fx"),
                source=treasury[source],
                destination=treasury[destination],
                amount=amount,
                rate=str(rate),
            ),
        )
        if legs is not None:
            out_leg, in_leg = legs
            assert (out_leg.amount, out_leg.currency) == (amount, source)
            assert (in_leg.amount, in_leg.currency) == (converted, destination)

    # --- invariants --------------------------------------------------------------------------

    @invariant()
    def books_balance(self):
        assert check.violations(check.run()) == []
        for row in Account.objects.values("currency").annotate(
            debits=Sum("debits_posted"), credits=Sum("credits_posted")
        ):
            assert row["debits"] == row["credits"], row
        assert not Account.objects.filter(
            debits_must_not_exceed_credits=True, debits_posted__gt=F("credits_posted")
        ).exists()
        assert not Account.objects.filter(
            purpose__in=ledger.CREDIT_NORMAL, debits_must_not_exceed_credits=False
        ).exists()
        recomputed = check.recomputed_sums()
        for account in Account.objects.all():
            expected = recomputed.get(account.pk, dict.fromkeys(SUMS, 0))
            assert {name: getattr(account, name) for name in SUMS} == expected, account

    @invariant()
    def escrow_holds_funded_less_settled(self):
        assert not (
            Settlement.objects.values("order").annotate(n=Count("id")).filter(n__gt=1).exists()
        )
        for order in Order.objects.filter(pk__in=self.orders):
            funded = order.milestones.aggregate(total=Sum("funded_minor"))["total"] or 0
            settled = Settlement.objects.filter(order=order).first()
            paid_out = settled.released_minor + settled.refunded_minor if settled else 0
            assert balance(escrow_of(order)) == funded - paid_out, order
            if order.state in CLOSED:
                assert settled is not None and balance(escrow_of(order)) == 0

    @invariant()
    def payments_are_where_they_belong(self):
        for code in ("USD", "EUR"):
            received = Payment.objects.filter(currency=code).aggregate(
                total=Sum("amount_minor"), held=Sum("held_minor")
            )
            bank = Account.objects.filter(purpose=Purpose.BANK, reference="", currency=code)
            held = Account.objects.filter(purpose=Purpose.UNMATCHED, currency=code).first()
            assert sum(-a.credit_balance for a in bank) == (received["total"] or 0)
            assert balance(held) == (received["held"] or 0)
        applied = Payment.objects.aggregate(total=Sum("applied_minor"))["total"] or 0
        funded = Milestone.objects.aggregate(total=Sum("funded_minor"))["total"] or 0
        assert applied == funded


def test_trade_assurance_keeps_its_books_whatever_happens(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    FeeRule.objects.create(
        basis_points=250,
        minimum_minor=1_000,
        cap_minor=50_000,
        currency="USD",
        waive_first_orders=1,
    )
    TradeAssurance.cast = Cast()
    run_state_machine_as_test(
        TradeAssurance,
        settings=settings_for_machine(),
    )


def settings_for_machine() -> machine_settings:
    return machine_settings(
        max_examples=25,
        stateful_step_count=20,
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
    )
