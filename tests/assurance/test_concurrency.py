"""Sixteen processes work the same orders and the same fee account at once (PostgreSQL only).

Each worker (tests/assurance/concurrent_worker.py) funds milestones through provider events,
ships and accepts the goods, printing every operation the services acknowledged. Some event
ids are shared between workers: only one payment may come of each. One worker is killed with
SIGKILL in the middle of its run and started again with the same operations, which it replays.
Afterwards the ledger's invariants hold, every acknowledged payment exists exactly once, no
order is settled twice, and the fees account holds exactly the fees of the settlements.
"""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from collections import Counter
from datetime import timedelta
from pathlib import Path
from urllib.parse import quote

import pytest
from django.db import connection
from django.db.models import Sum
from django.utils import timezone

from niaga.assurance import services
from niaga.assurance.models import (
    FeeRule,
    Milestone,
    MilestoneDue,
    Order,
    OrderState,
    Payment,
    PaymentChannel,
    Settlement,
)
from niaga.assurance.services import ItemIn, MilestoneIn
from niaga.core.roles import OrganisationKind, Role
from niaga.ledger import check
from niaga.ledger.models import Account, Purpose, Transfer
from tests.factories import member

pytestmark = [
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="concurrent writers need PostgreSQL"
    ),
    pytest.mark.django_db(transaction=True),
]

WORKERS = 16
VICTIM = 3
SHARED_BY = 4  # workers that send the same provider event for each milestone
PASSES = 3
TIME_LIMIT = 60
WORKER = Path(__file__).with_name("concurrent_worker.py")

SPLITS = [
    [
        MilestoneIn("Deposit", MilestoneDue.ON_ORDER, 3_000),
        MilestoneIn("Balance", MilestoneDue.BEFORE_SHIPMENT, 7_000),
    ],
    [MilestoneIn("All before shipment", MilestoneDue.BEFORE_SHIPMENT, 10_000)],
    [
        MilestoneIn("Deposit", MilestoneDue.ON_ORDER, 5_000),
        MilestoneIn("On delivery", MilestoneDue.ON_DELIVERY, 5_000),
    ],
    [
        MilestoneIn("Deposit", MilestoneDue.ON_ORDER, 3_000),
        MilestoneIn("Balance", MilestoneDue.BEFORE_SHIPMENT, 7_000),
    ],
]


def organisation(person):
    return person.memberships.get().organisation


def database_url() -> str:
    db = connection.settings_dict
    password = f":{quote(db['PASSWORD'], safe='')}" if db.get("PASSWORD") else ""
    host = db.get("HOST") or "127.0.0.1"
    port = db.get("PORT") or 5432
    return f"postgres://{quote(db['USER'], safe='')}{password}@{host}:{port}/{db['NAME']}"


def make_orders():
    FeeRule.objects.create(
        basis_points=250,
        minimum_minor=1_000,
        cap_minor=50_000,
        currency="USD",
        waive_first_orders=1,
    )
    buyer = member(Role.BUYER, OrganisationKind.BUYER, "DE")
    exporters = [
        member(Role.EXPORTER_OWNER, OrganisationKind.EXPORTER, "ID"),
        member(Role.EXPORTER_OWNER, OrganisationKind.EXPORTER, "IN"),
    ]
    orders = []
    for index, split in enumerate(SPLITS):
        exporter = exporters[1 if index == len(SPLITS) - 1 else 0]  # three orders, one exporter
        orders.append(
            services.create_order(
                actor=buyer,
                buyer=organisation(buyer),
                exporter=organisation(exporter),
                currency="USD",
                items=[ItemIn("Nutmeg, whole", 100 + index, "kg", 1_150, "090811")],
                milestones=split,
                incoterm="FOB",
                named_place="Tanjung Priok",
                shipping_deadline=timezone.localdate() + timedelta(days=30),
            )
        )
    return buyer, exporters, orders


def plans(orders, rng: random.Random) -> list[list[dict]]:
    """Each worker's operations; a shared event id is sent by SHARED_BY workers."""
    ops: list[list[dict]] = [[] for _ in range(WORKERS)]
    milestones = list(Milestone.objects.filter(order__in=orders).order_by("id"))
    for number, milestone in enumerate(milestones):
        senders = rng.sample(range(WORKERS), SHARED_BY)
        if number == 0 and VICTIM not in senders:
            senders[0] = VICTIM  # the killed worker replays a shared event
        for worker in senders:
            ops[worker].append(
                pay_op(f"evt-shared-{milestone.pk}", milestone, milestone.amount_minor)
            )
    for worker in range(WORKERS):
        for milestone in rng.sample(milestones, 2):
            amount = rng.choice([100, milestone.amount_minor // 3, milestone.amount_minor])
            ops[worker].append(pay_op(f"evt-w{worker}-m{milestone.pk}", milestone, amount))
        for order in orders:
            ops[worker].append(
                {"op": "ship", "id": f"w{worker}-ship-{order.pk}", "order": order.pk}
            )
            ops[worker].append(
                {"op": "accept", "id": f"w{worker}-accept-{order.pk}", "order": order.pk}
            )
        rng.shuffle(ops[worker])
    return ops


def pay_op(external_id: str, milestone: Milestone, amount: int) -> dict:
    return {
        "op": "pay",
        "id": f"pay:{external_id}",
        "external_id": external_id,
        "reference": milestone.reference,
        "amount": amount,
        "currency": "USD",
    }


class Worker:
    def __init__(self, number: int, plan: Path, folder: Path, env: dict, attempt: int = 0):
        self.number = number
        self.output = folder / f"worker-{number}-{attempt}.log"
        self.process = subprocess.Popen(
            [sys.executable, str(WORKER), str(plan)],
            env=env,
            stdout=self.output.open("w"),
            stderr=subprocess.STDOUT,
        )

    def lines(self) -> list[str]:
        return self.output.read_text().splitlines()


def wait_for(condition, *, deadline: float, what: str) -> None:
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.01)


def test_sixteen_workers_fund_ship_and_settle_the_same_orders_once(tmp_path):
    started = time.monotonic()
    deadline = started + TIME_LIMIT
    buyer, exporters, orders = make_orders()
    rng = random.Random(2026)
    go = tmp_path / "go"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "niaga.settings",
        "DATABASE_URL": database_url(),
        "NIAGA_DATA_DIR": str(tmp_path),
    }
    plan_files = []
    for number, ops in enumerate(plans(orders, rng)):
        plan = {
            "worker": number,
            "buyer": buyer.pk,
            "exporters": {organisation(e).pk: e.pk for e in exporters},
            "ops": ops,
            "passes": PASSES,
            "pause": 0.01,
            "go": str(go),
        }
        path = tmp_path / f"plan-{number}.json"
        path.write_text(json.dumps(plan))
        plan_files.append(path)

    workers = [Worker(n, plan_files[n], tmp_path, env) for n in range(WORKERS)]
    try:
        wait_for(
            lambda: all(w.lines()[:1] and w.lines()[0].startswith("ready") for w in workers),
            deadline=deadline,
            what="the workers to start",
        )
        go.touch()
        victim = workers[VICTIM]
        wait_for(
            lambda: any(line.startswith("ack") for line in victim.lines()),
            deadline=deadline,
            what="the victim's first acknowledgement",
        )
        victim.process.send_signal(signal.SIGKILL)
        victim.process.wait(timeout=10)
        killed_log = victim.lines()
        assert "finished" not in killed_log, "the victim finished before it could be killed"
        replacement = Worker(VICTIM, plan_files[VICTIM], tmp_path, env, attempt=1)
        everyone = [*workers, replacement]
        for worker in [*workers[:VICTIM], *workers[VICTIM + 1 :], replacement]:
            worker.process.wait(timeout=max(1, deadline - time.monotonic()))
    finally:
        for worker in workers:
            if worker.process.poll() is None:
                worker.process.kill()

    logs = {worker.output.name: worker.lines() for worker in everyone}
    errors = [
        f"{name}: {line}" for name, lines in logs.items() for line in lines if "error" in line[:5]
    ]
    assert errors == [], errors
    for name, lines in logs.items():
        if name != workers[VICTIM].output.name:
            assert lines[-1] == "finished", (name, lines[-3:])
    acks = [line.split() for lines in logs.values() for line in lines if line.startswith("ack")]

    # The books.
    assert check.violations(check.run()) == []

    # Every acknowledged payment is there exactly once, whoever sent it and however often.
    paid = {ack[1].removeprefix("pay:") for ack in acks if ack[1].startswith("pay:")}
    assert paid >= {f"evt-shared-{m.pk}" for m in Milestone.objects.filter(order__in=orders)}
    found = Counter(
        Payment.objects.filter(channel=PaymentChannel.PROVIDER).values_list(
            "external_id", flat=True
        )
    )
    assert all(found[external_id] == 1 for external_id in paid), found
    # The killed worker's acknowledged payments survived it.
    assert {a.split()[1].removeprefix("pay:") for a in killed_log if a.startswith("ack pay:")} <= (
        set(found)
    )
    # One event acknowledged by several workers (or twice by one) names the same payment.
    by_event: dict[str, set[str]] = {}
    for ack in acks:
        if ack[1].startswith("pay:"):
            by_event.setdefault(ack[1], set()).add(ack[2])
    assert all(len(pks) == 1 for pks in by_event.values()), by_event

    # Milestones got what the payments applied, never more than they ask.
    for milestone in Milestone.objects.filter(order__in=orders):
        applied = Payment.objects.filter(milestone=milestone).aggregate(total=Sum("applied_minor"))
        assert milestone.funded_minor == (applied["total"] or 0) <= milestone.amount_minor

    # Each order shipped once and settled at most once; the escrow holds funded less settled.
    for order in Order.objects.filter(pk__in=[o.pk for o in orders]):
        shipped = [a for a in acks if a[1].endswith(f"-ship-{order.pk}")]
        assert len(shipped) <= 1, shipped
        assert Settlement.objects.filter(order=order).count() <= 1
        assert Transfer.objects.filter(transfer_id=f"order:{order.pk}:release").count() <= 1
        escrow = Account.objects.get(purpose=Purpose.ESCROW, reference=order.escrow_reference)
        funded = order.milestones.aggregate(total=Sum("funded_minor"))["total"]
        settlement = Settlement.objects.filter(order=order).first()
        paid_out = settlement.released_minor + settlement.refunded_minor if settlement else 0
        assert escrow.credit_balance == funded - paid_out
        if order.goods_accepted_at and all(m.is_funded for m in order.milestones.all()):
            assert order.state == OrderState.SETTLED and settlement is not None

    # The fees account holds exactly the settlements' fees. (How many of them were waived is
    # not checked here: see the test below.)
    fees = Account.objects.get(purpose=Purpose.FEES, reference="platform", currency="USD")
    charged = Settlement.objects.aggregate(total=Sum("fee_minor"))["total"] or 0
    assert fees.credit_balance == charged > 0
    assert time.monotonic() - started < TIME_LIMIT


def test_a_fee_waiver_for_the_first_order_is_given_once_when_two_orders_settle_together():
    from django.db import connections

    from niaga.ledger import services as ledger

    buyer, exporters, orders = make_orders()
    same_exporter = [o for o in orders if o.exporter_id == organisation(exporters[0]).pk][:2]
    for order in same_exporter:
        for milestone in order.milestones.all():
            services.receive_payment(
                services.Incoming(
                    channel=PaymentChannel.PROVIDER,
                    external_id=f"evt-{milestone.pk}",
                    amount_minor=milestone.amount_minor,
                    currency="USD",
                    reference_text=milestone.reference,
                    payer="Buyer",
                    received_on=timezone.localdate(),
                )
            )
        services.mark_shipped(actor=exporters[0], order=order, carrier="MSC", tracking_number="1")
    fees = ledger.account(purpose=Purpose.FEES, reference="platform", currency="USD")

    # Another session holds the fees account, so both settlements stop just before charging
    # their fee: after each has decided whether its fee is waived.
    import threading

    from django.db import transaction

    failures: list[BaseException] = []

    def accept(order):
        try:
            services.confirm_receipt(actor=buyer, order=order, accept=True)
        except BaseException as error:  # the main thread reports it
            failures.append(error)
        finally:
            connections.close_all()

    with transaction.atomic():
        Account.objects.select_for_update().get(pk=fees.pk)
        threads = [threading.Thread(target=accept, args=(o,)) for o in same_exporter]
        for thread in threads:
            thread.start()
        deadline = time.monotonic() + 20
        with connection.cursor() as cursor:
            while True:
                cursor.execute("SELECT pg_stat_clear_snapshot()")  # a fresh view each time
                cursor.execute(
                    "SELECT count(*) FROM pg_stat_activity "
                    "WHERE datname = current_database() AND wait_event_type = 'Lock'"
                )
                if cursor.fetchone()[0] >= 2 or time.monotonic() > deadline:
                    break
                time.sleep(0.02)
    for thread in threads:
        thread.join(timeout=20)
    assert failures == []
    settlements = Settlement.objects.filter(order__in=same_exporter)
    assert settlements.count() == 2
    assert settlements.filter(waived_minor__gt=0).count() == 1  # waive_first_orders=1
