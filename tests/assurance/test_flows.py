"""Trade assurance through its services: orders, funding, shipment, receipt, disputes, fees."""

from datetime import date, timedelta

import pytest
from django.utils import timezone

from niaga.assurance import rules, services, tasks
from niaga.assurance.models import (
    Dispute,
    DisputeState,
    FeeRule,
    MilestoneDue,
    OrderState,
    PaymentChannel,
    PaymentStatus,
    Settlement,
)
from niaga.assurance.services import Incoming, ItemIn, MilestoneIn
from niaga.core.errors import PermissionDenied
from niaga.core.roles import OrganisationKind, Role
from niaga.ledger import check
from niaga.ledger.models import Account, Purpose
from tests.factories import member

pytestmark = pytest.mark.django_db

SPLIT = [
    MilestoneIn("Deposit", MilestoneDue.ON_ORDER, 3_000),
    MilestoneIn("Balance", MilestoneDue.BEFORE_SHIPMENT, 7_000),
]


def parties():
    buyer = member(Role.BUYER, OrganisationKind.BUYER, "DE")
    exporter = member(Role.EXPORTER_OWNER, OrganisationKind.EXPORTER, "ID")
    return buyer, exporter


def organisation(person):
    return person.memberships.get().organisation


def order_for(buyer, exporter, *, milestones=SPLIT, quantity=100, price=2_500, **fields):
    values = {
        "currency": "USD",
        "incoterm": "FOB",
        "named_place": "Tanjung Priok",
        "shipping_deadline": timezone.localdate() + timedelta(days=30),
        **fields,
    }
    return services.create_order(
        actor=buyer,
        buyer=organisation(buyer),
        exporter=organisation(exporter),
        items=[ItemIn("Arabica coffee, roasted", quantity, "kg", price, "090121")],
        milestones=list(milestones),
        **values,
    )


def pay(milestone, amount, *, external_id=None, text=None, currency="USD"):
    return services.receive_payment(
        Incoming(
            channel=PaymentChannel.BANK_STATEMENT,
            external_id=external_id or f"line-{milestone.pk}-{amount}",
            amount_minor=amount,
            currency=currency,
            reference_text=text if text is not None else f"payment {milestone.reference.lower()}",
            payer="Hoffmann Handel GmbH",
            received_on=date.today(),
        )
    )


def fund_fully(order):
    for milestone in order.milestones.all():
        pay(milestone, milestone.amount_minor)
    order.refresh_from_db()
    return order


def shipped(buyer, exporter, **fields):
    order = fund_fully(order_for(buyer, exporter, **fields))
    return services.mark_shipped(
        actor=exporter, order=order, carrier="Maersk", tracking_number="MSKU1234567"
    )


def holds_invariants():
    assert check.violations(check.run()) == []


def balance(purpose, **lookup):
    account = Account.objects.filter(purpose=purpose, **lookup).first()
    return account.credit_balance if account else 0


# --- orders ----------------------------------------------------------------------------------


def test_an_order_splits_its_total_into_milestones_with_payment_references():
    buyer, exporter = parties()
    order = order_for(buyer, exporter, quantity=3, price=3_333)
    amounts = [m.amount_minor for m in order.milestones.all()]
    assert sum(amounts) == order.total_minor == 9_999
    assert amounts == [2_999, 7_000]
    assert all(m.reference.startswith("RF") for m in order.milestones.all())


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"quantity": 0}, "items[0].quantity"),
        ({"quantity": 10**9}, "items[0].quantity"),
        ({"price": -5}, "items[0].unit_price_minor"),
        ({"incoterm": "FOO"}, "incoterm"),
        ({"shipping_deadline": date(2020, 1, 1)}, "shipping_deadline"),
        ({"milestones": [MilestoneIn("All", MilestoneDue.ON_ORDER, 9_000)]}, "milestones"),
        ({"milestones": [MilestoneIn("All", "whenever", 10_000)]}, "milestones[0].due"),
    ],
)
def test_bad_orders_are_refused_and_nothing_is_written(change, field):
    buyer, exporter = parties()
    with pytest.raises(services.AssuranceError) as refused:
        order_for(buyer, exporter, **change)
    assert refused.value.field == field
    from niaga.assurance.models import Order

    assert not Order.objects.exists()


def test_an_unknown_currency_is_refused():
    buyer, exporter = parties()
    with pytest.raises(Exception) as refused:
        order_for(buyer, exporter, currency="XYZ")
    assert getattr(refused.value, "code", "") == "currency_unknown"


def test_only_the_buyers_people_place_an_order():
    buyer, exporter = parties()
    with pytest.raises(PermissionDenied):
        services.create_order(
            actor=exporter,
            buyer=organisation(buyer),
            exporter=organisation(exporter),
            currency="USD",
            items=[ItemIn("Tea", 1, "kg", 100)],
            milestones=SPLIT,
            incoterm="FOB",
            named_place="Kolkata",
            shipping_deadline=timezone.localdate() + timedelta(days=3),
        )


# --- funding ---------------------------------------------------------------------------------


def test_paying_each_milestone_funds_the_escrow_and_a_repeated_line_changes_nothing():
    buyer, exporter = parties()
    order = order_for(buyer, exporter)
    deposit, rest = order.milestones.all()
    payment, created = pay(deposit, deposit.amount_minor)
    again, created_again = pay(deposit, deposit.amount_minor)
    assert created and not created_again and again.pk == payment.pk
    assert payment.status == PaymentStatus.MATCHED
    order.refresh_from_db()
    assert order.state == OrderState.AWAITING_FUNDING
    pay(rest, rest.amount_minor)
    order.refresh_from_db()
    assert order.state == OrderState.FUNDED
    assert balance(Purpose.ESCROW, reference=order.escrow_reference) == order.total_minor
    holds_invariants()


def test_an_over_payment_is_held_and_can_be_refunded_an_under_payment_waits_for_a_top_up():
    buyer, exporter = parties()
    finance = member(Role.FINANCE_OFFICER, OrganisationKind.OPERATOR)
    order = order_for(buyer, exporter)
    deposit, rest = order.milestones.all()
    over, _ = pay(deposit, deposit.amount_minor + 500)
    assert over.status == PaymentStatus.PARTLY_MATCHED and over.held_minor == 500
    under, _ = pay(rest, rest.amount_minor - 1_000)
    rest.refresh_from_db()
    assert rest.outstanding_minor == 1_000
    order.refresh_from_db()
    assert order.state == OrderState.AWAITING_FUNDING  # waiting for the top-up
    services.refund_held_payment(actor=finance, payment=over)
    over.refresh_from_db()
    assert over.held_minor == 0
    assert balance(Purpose.UNMATCHED) == 0
    assert balance(Purpose.BUYER_REFUNDABLE) == 500
    pay(rest, 1_000, external_id="top-up")
    order.refresh_from_db()
    assert order.state == OrderState.FUNDED
    holds_invariants()


def test_money_with_no_known_reference_is_held_until_finance_matches_it():
    buyer, exporter = parties()
    finance = member(Role.FINANCE_OFFICER, OrganisationKind.OPERATOR)
    order = order_for(buyer, exporter)
    deposit = order.milestones.first()
    payment, _ = pay(deposit, deposit.amount_minor, text="invoice 42, thanks")
    assert payment.status == PaymentStatus.UNMATCHED and payment.milestone is None
    with pytest.raises(PermissionDenied):
        services.apply_held_payment(actor=buyer, payment=payment, milestone=deposit)
    services.apply_held_payment(actor=finance, payment=payment, milestone=deposit)
    deposit.refresh_from_db()
    assert deposit.is_funded
    holds_invariants()


def test_a_payment_in_another_currency_is_held_not_applied():
    buyer, exporter = parties()
    order = order_for(buyer, exporter)
    deposit = order.milestones.first()
    payment, _ = pay(deposit, 100_000, currency="EUR")
    assert payment.status == PaymentStatus.UNMATCHED
    deposit.refresh_from_db()
    assert deposit.funded_minor == 0
    holds_invariants()


# --- fulfilment and settlement ---------------------------------------------------------------


def test_shipping_needs_funding_and_only_the_exporter_ships():
    buyer, exporter = parties()
    order = order_for(buyer, exporter)
    with pytest.raises(services.WrongState):
        services.mark_shipped(actor=exporter, order=order, carrier="DHL", tracking_number="1")
    fund_fully(order)
    other = member(Role.EXPORTER_OWNER, OrganisationKind.EXPORTER)
    with pytest.raises(PermissionDenied):
        services.mark_shipped(actor=other, order=order, carrier="DHL", tracking_number="1")
    services.mark_shipped(actor=exporter, order=order, carrier="DHL", tracking_number="1")


def test_accepting_the_goods_settles_once_with_the_fee_and_the_escrow_empties():
    FeeRule.objects.create(basis_points=250, minimum_minor=1_000, cap_minor=50_000, currency="USD")
    buyer, exporter = parties()
    order = shipped(buyer, exporter)
    services.confirm_receipt(actor=buyer, order=order, accept=True)
    order.refresh_from_db()
    settlement = Settlement.objects.get(order=order)
    assert order.state == OrderState.SETTLED
    assert settlement.fee_minor == order.total_minor * 250 // 10_000
    assert balance(Purpose.ESCROW, reference=order.escrow_reference) == 0
    assert balance(Purpose.EXPORTER_PAYABLE) == order.total_minor - settlement.fee_minor
    assert balance(Purpose.FEES) == settlement.fee_minor
    holds_invariants()
    with pytest.raises(services.WrongState):
        services.confirm_receipt(actor=buyer, order=order, accept=True)


def test_a_waived_fee_reaches_the_exporter_and_is_measured():
    FeeRule.objects.create(basis_points=300, currency="USD", waive_first_orders=1)
    buyer, exporter = parties()
    order = shipped(buyer, exporter)
    services.confirm_receipt(actor=buyer, order=order, accept=True)
    settlement = Settlement.objects.get(order=order)
    assert settlement.waived_minor == settlement.fee_minor > 0
    assert balance(Purpose.EXPORTER_PAYABLE) == order.total_minor
    waivers = Account.objects.get(purpose=Purpose.FEE_WAIVERS)
    assert waivers.debits_posted == settlement.fee_minor
    holds_invariants()


def test_without_acceptance_the_escrow_waits_for_the_dispute_window(
    django_capture_on_commit_callbacks,
):
    buyer, exporter = parties()
    order = shipped(buyer, exporter)
    with django_capture_on_commit_callbacks(execute=True):
        services.confirm_receipt(actor=buyer, order=order)
    order.refresh_from_db()
    assert order.state == OrderState.RECEIVED and not Settlement.objects.exists()
    assert tasks.release_after_window.call(order.pk) == "overtaken"  # too early: nothing
    order.received_at -= timedelta(days=rules.OPEN_WITHIN_DAYS + 1)
    order.save(update_fields=["received_at"])
    assert tasks.release_after_window.call(order.pk) == "settled"
    assert tasks.release_after_window.call(order.pk) == "overtaken"
    assert Settlement.objects.filter(order=order).count() == 1
    holds_invariants()


def test_receipt_is_confirmed_by_itself_when_its_time_comes():
    buyer, exporter = parties()
    order = shipped(buyer, exporter)
    assert tasks.auto_confirm.call(order.pk) == "confirmed"
    order.refresh_from_db()
    assert order.state == OrderState.RECEIVED and order.goods_accepted_at is None
    assert tasks.auto_confirm.call(order.pk) == "overtaken"


# --- disputes ----------------------------------------------------------------------------------


def test_a_dispute_runs_to_a_partial_refund_under_the_published_timings():
    buyer, exporter = parties()
    officer = member(Role.ADMIN, OrganisationKind.OPERATOR)
    order = shipped(buyer, exporter)
    services.confirm_receipt(actor=buyer, order=order)
    dispute = services.open_dispute(
        actor=buyer,
        order=order,
        reason="not_as_described",
        statement="Beans are green, not roasted",
    )
    assert dispute.rules_version == rules.VERSION
    services.answer_dispute(actor=exporter, dispute=dispute, answer="Our photos show roasted beans")
    with pytest.raises(rules.DisputeNotAllowed):
        services.escalate_dispute(actor=buyer, dispute=dispute)  # day 1: too early
    Dispute.objects.filter(pk=dispute.pk).update(opened_at=timezone.now() - timedelta(days=3))
    services.escalate_dispute(actor=buyer, dispute=Dispute.objects.get(pk=dispute.pk))
    dispute.refresh_from_db()
    held = balance(Purpose.ESCROW, reference=order.escrow_reference)
    with pytest.raises(services.AssuranceError):
        services.decide_dispute(actor=officer, dispute=dispute, refund_minor=held + 1, decision="x")
    settlement = services.decide_dispute(
        actor=officer, dispute=dispute, refund_minor=held // 2, decision="Inspection: half green"
    )
    assert settlement.refunded_minor == held // 2
    assert settlement.released_minor == held - held // 2
    assert balance(Purpose.ESCROW, reference=order.escrow_reference) == 0
    holds_invariants()


def test_a_dispute_escalates_by_itself_on_day_eight_and_not_before():
    buyer, exporter = parties()
    order = shipped(buyer, exporter)
    dispute = services.open_dispute(
        actor=buyer, order=order, reason="not_received", statement="Nothing arrived"
    )
    with pytest.raises(rules.DisputeNotAllowed):
        services.escalate_dispute(actor=None, dispute=dispute, automatically=True)
    Dispute.objects.filter(pk=dispute.pk).update(opened_at=timezone.now() - timedelta(days=7))
    assert tasks.auto_escalate.call(order.pk) == "escalated"
    dispute.refresh_from_db()
    assert dispute.state == DisputeState.ESCALATED and dispute.escalated_automatically


def test_a_full_refund_returns_everything_to_the_buyer():
    buyer, exporter = parties()
    officer = member(Role.ADMIN, OrganisationKind.OPERATOR)
    order = shipped(buyer, exporter)
    dispute = services.open_dispute(
        actor=buyer, order=order, reason="not_received", statement="Nothing arrived"
    )
    Dispute.objects.filter(pk=dispute.pk).update(opened_at=timezone.now() - timedelta(days=5))
    dispute = services.escalate_dispute(actor=buyer, dispute=Dispute.objects.get(pk=dispute.pk))
    services.decide_dispute(
        actor=officer, dispute=dispute, refund_minor=order.total_minor, decision="Lost at sea"
    )
    order.refresh_from_db()
    assert order.state == OrderState.REFUNDED
    assert balance(Purpose.BUYER_REFUNDABLE) == order.total_minor
    holds_invariants()


def test_disputes_are_the_buyers_and_answers_the_exporters():
    buyer, exporter = parties()
    stranger = member(Role.BUYER, OrganisationKind.BUYER)
    order = shipped(buyer, exporter)
    with pytest.raises(PermissionDenied):
        services.open_dispute(actor=stranger, order=order, reason="not_received", statement="?")
    dispute = services.open_dispute(
        actor=buyer, order=order, reason="not_received", statement="Nothing arrived"
    )
    with pytest.raises(PermissionDenied):
        services.answer_dispute(actor=buyer, dispute=dispute, answer="me")


def test_cancelling_before_shipment_returns_the_escrow_to_the_buyer():
    buyer, exporter = parties()
    order = order_for(buyer, exporter)
    deposit = order.milestones.first()
    pay(deposit, deposit.amount_minor)
    with pytest.raises(services.AssuranceError):
        services.cancel_order(actor=buyer, order=order, reason=" ")
    services.cancel_order(actor=exporter, order=order, reason="Out of stock")
    order.refresh_from_db()
    assert order.state == OrderState.CANCELLED
    assert balance(Purpose.BUYER_REFUNDABLE) == deposit.amount_minor
    assert balance(Purpose.ESCROW, reference=order.escrow_reference) == 0
    later, _ = pay(order.milestones.last(), 10, external_id="late")
    assert later.status == PaymentStatus.UNMATCHED  # a closed order takes no more money
    holds_invariants()


def test_only_administrators_or_the_programmes_officers_decide_a_dispute():
    buyer, exporter = parties()
    analyst = member(Role.POLICY_ANALYST, OrganisationKind.OPERATOR)
    outsider = member(Role.PROGRAMME_OFFICER, OrganisationKind.MINISTRY)
    order = shipped(buyer, exporter)
    dispute = services.open_dispute(
        actor=buyer, order=order, reason="not_received", statement="Nothing arrived"
    )
    Dispute.objects.filter(pk=dispute.pk).update(opened_at=timezone.now() - timedelta(days=5))
    dispute = services.escalate_dispute(actor=buyer, dispute=Dispute.objects.get(pk=dispute.pk))
    for person in (analyst, outsider):
        with pytest.raises(PermissionDenied):
            services.decide_dispute(actor=person, dispute=dispute, refund_minor=0, decision="no")
    dispute.refresh_from_db()
    assert dispute.state == DisputeState.ESCALATED
