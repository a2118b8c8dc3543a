"""Many clients at once on PostgreSQL: no lost update, no duplicate, no money made or lost.

Sixteen worker processes (``concurrency_worker.py``) move money between the same few accounts:
funding escrows from the bank, releasing each escrow to payables with the platform's fee into
one fee account. One worker is killed with SIGKILL mid-run and started again, sending all its
requests again from the first: what it was told before must come back as the same transfers.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections import defaultdict
from pathlib import Path
from urllib.parse import quote

import psycopg
import pytest
from django.db import connection, connections
from django.db.models import Count, Sum

from niaga.ledger import check, services
from niaga.ledger.models import Account, Purpose, Transfer
from tests.ledger.concurrency_worker import plan

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="concurrency is tested on PostgreSQL"
    ),
]

WORKER = Path(__file__).with_name("concurrency_worker.py")
WORKERS = 16
STEPS = 60  # requests per worker: a third fund, two thirds release (two transfers each)
KILLED = 5  # the worker killed mid-run
KILL_AFTER = 15  # acknowledged transfers before the kill
PREFUND = 10**9  # each escrow starts with this, so no release is refused for funds
TIMEOUT = 90


def database_url() -> str:
    s = connection.settings_dict
    password = f":{quote(s['PASSWORD'])}" if s.get("PASSWORD") else ""
    host = s.get("HOST") or "127.0.0.1"
    port = s.get("PORT") or 5432
    return f"postgres://{quote(s['USER'])}{password}@{host}:{port}/{s['NAME']}"


def open_accounts(currency: str) -> dict:
    """Opened in this order so ids rise bank < escrows < payables < fees."""
    bank = services.account(purpose=Purpose.BANK, currency=currency)
    escrows = [
        services.account(purpose=Purpose.ESCROW, currency=currency, reference=f"O-{n}")
        for n in range(3)
    ]
    payables = [
        services.account(purpose=Purpose.EXPORTER_PAYABLE, currency=currency, reference=f"X-{n}")
        for n in range(2)
    ]
    fees = services.account(purpose=Purpose.FEES, currency=currency)
    for n, escrow in enumerate(escrows):
        services.transfer(
            id=f"prefund-{currency}-{n}", debit=bank, credit=escrow, amount=PREFUND, code="fund"
        )
    return {
        "bank": bank.pk,
        "escrows": [e.pk for e in escrows],
        "payables": [p.pk for p in payables],
        "fees": fees.pk,
    }


class Worker:
    """A worker process and what it has acknowledged, read from its output as it comes."""

    def __init__(self, arguments: dict, env: dict[str, str], *, kill_after: int | None = None):
        self.acknowledged: dict[str, int] = {}
        self.process = subprocess.Popen(
            [sys.executable, str(WORKER), json.dumps(arguments)],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        self.killed = False
        self.reader = threading.Thread(target=self._read, args=(kill_after,), daemon=True)
        self.reader.start()

    def _read(self, kill_after: int | None) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            transfer_id, pk = line.split()
            self.acknowledged[transfer_id] = int(pk)
            if kill_after is not None and len(self.acknowledged) == kill_after:
                os.kill(self.process.pid, signal.SIGKILL)
                self.killed = True

    def wait(self) -> int:
        try:
            returncode = self.process.wait(timeout=TIMEOUT)
        finally:
            self.process.kill()
        self.reader.join(timeout=10)
        if returncode and not self.killed:
            assert self.process.stderr is not None
            pytest.fail(f"worker exited with {returncode}:\n{self.process.stderr.read()[-3000:]}")
        return returncode


def expected_balances(setups: dict[str, dict]) -> dict[int, int]:
    """Each account's credit balance once every worker's plan has run exactly once."""
    balance: dict[int, int] = defaultdict(int)
    for setup in setups.values():
        for escrow in setup["escrows"]:
            balance[escrow] += PREFUND
            balance[setup["bank"]] -= PREFUND
    for worker in range(WORKERS):
        setup = setups[currency_of(worker)]
        for step in plan(
            worker, STEPS, escrows=len(setup["escrows"]), payables=len(setup["payables"])
        ):
            escrow = setup["escrows"][step.escrow]
            if step.funding:
                balance[setup["bank"]] -= step.amounts[0]
                balance[escrow] += step.amounts[0]
            else:
                payout, fee = step.amounts
                balance[escrow] -= payout + fee
                balance[setup["payables"][step.payable]] += payout
                balance[setup["fees"]] += fee
    return balance


def currency_of(worker: int) -> str:
    return "IDR" if worker % 4 == 3 else "USD"


def test_sixteen_clients_and_a_killed_one_lose_nothing_and_duplicate_nothing():
    setups = {currency: open_accounts(currency) for currency in ("USD", "IDR")}
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "niaga.settings",
        "DATABASE_URL": database_url(),
    }
    # The test's own connection must not hold anything the workers wait for.
    connections.close_all()

    def arguments(worker: int) -> dict:
        return {"worker": worker, "count": STEPS, **setups[currency_of(worker)]}

    workers = {
        w: Worker(arguments(w), env, kill_after=KILL_AFTER if w == KILLED else None)
        for w in range(WORKERS)
    }
    killed = workers[KILLED]
    assert killed.wait() == -signal.SIGKILL and killed.killed
    first_run = dict(killed.acknowledged)
    again = Worker(arguments(KILLED), env)
    results = {w: worker.wait() for w, worker in workers.items() if w != KILLED}
    assert again.wait() == 0
    assert all(code == 0 for code in results.values()), results

    # It was killed mid-run (lines already in the pipe when it died were acknowledged too),
    # and what it was told came back unchanged when it asked again.
    its_plan = plan(KILLED, STEPS, escrows=3, payables=2)
    assert KILL_AFTER <= len(first_run) < sum(len(step.ids) for step in its_plan)
    assert {i: again.acknowledged[i] for i in first_run} == first_run

    acknowledged: dict[str, int] = {}
    for w, worker in workers.items():
        acknowledged.update(again.acknowledged if w == KILLED else worker.acknowledged)
    planned = {
        transfer_id
        for w in range(WORKERS)
        for step in plan(w, STEPS, escrows=3, payables=2)
        for transfer_id in step.ids
    }
    assert set(acknowledged) == planned

    assert check.violations(check.run()) == []
    made = Transfer.objects.exclude(transfer_id__startswith="prefund-")
    stored = dict(made.values_list("transfer_id", "pk"))
    assert stored == acknowledged  # every acknowledged id once, with the pk it was told
    duplicates = Transfer.objects.values("transfer_id").annotate(n=Count("id")).filter(n__gt=1)
    assert not duplicates.exists()

    for row in Account.objects.values("currency").annotate(
        debits=Sum("debits_posted"), credits=Sum("credits_posted")
    ):
        assert row["debits"] == row["credits"], row
    balances = {a.pk: a.credit_balance for a in Account.objects.all()}
    assert balances == expected_balances(setups)
    for account in Account.objects.all():
        assert account.debits_pending == account.credits_pending == 0


# --- found while writing these tests -------------------------------------------------------


def run_in_threads(*calls):
    """Run each call in its own thread (so its own connection); return results or errors."""
    outcomes: list[object] = [None] * len(calls)

    def run(index, call):
        try:
            outcomes[index] = call()
        except Exception as error:  # noqa: BLE001 - handed back to the test
            outcomes[index] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for thread in threads:
        thread.start()
    return threads, outcomes


def raise_any(outcomes):
    for outcome in outcomes:
        if isinstance(outcome, BaseException):
            raise outcome


def test_exchanges_in_opposite_directions_do_not_deadlock():
    usd = services.account(purpose=Purpose.BANK, currency="USD")
    idr = services.account(purpose=Purpose.BANK, currency="IDR")
    services.account(purpose=Purpose.FX, currency="USD")
    last = services.account(purpose=Purpose.FX, currency="IDR")
    # Both exchanges touch all four accounts, in opposite directions. A third connection holds
    # the last account, so both are in the middle of taking their locks when it lets go: were a
    # batch's accounts locked leg by leg rather than all at once in id order, they would
    # deadlock here.
    with psycopg.connect(database_url(), autocommit=False) as gate:
        gate.execute("SELECT 1 FROM ledger_account WHERE id = %s FOR UPDATE", [last.pk])
        threads, outcomes = run_in_threads(
            lambda: services.exchange(
                id="a", source=usd, destination=idr, amount=100, rate="16000"
            ),
            lambda: services.exchange(
                id="b", source=idr, destination=usd, amount=160, rate="0.0625"
            ),
        )
        time.sleep(0.5)
        gate.rollback()
    for thread in threads:
        thread.join(timeout=30)
    raise_any(outcomes)
    assert check.violations(check.run()) == []


def test_the_same_request_sent_twice_at_once_returns_one_transfer():
    bank = services.account(purpose=Purpose.BANK, currency="USD")
    escrow = services.account(purpose=Purpose.ESCROW, currency="USD", reference="O-1")
    name = connection.settings_dict["NAME"]
    with psycopg.connect(database_url()) as blocker:
        # Hold the bank's row so both requests pass the replay look-up before either commits.
        blocker.execute("SELECT id FROM ledger_account WHERE id = %s FOR UPDATE", [bank.pk])
        threads, outcomes = run_in_threads(
            lambda: services.transfer(id="t", debit=bank, credit=escrow, amount=5, code="fund"),
            lambda: services.transfer(id="t", debit=bank, credit=escrow, amount=5, code="fund"),
        )
        deadline = time.monotonic() + 20
        with psycopg.connect(database_url(), autocommit=True) as watcher:
            while time.monotonic() < deadline:
                (waiting,) = watcher.execute(
                    "SELECT count(*) FROM pg_stat_activity "
                    "WHERE datname = %s AND wait_event_type = 'Lock'",
                    [name],
                ).fetchone()
                if waiting >= 2:
                    break
                time.sleep(0.05)
        blocker.commit()
    for thread in threads:
        thread.join(timeout=30)
    raise_any(outcomes)
    first, second = outcomes
    assert first.pk == second.pk
    escrow.refresh_from_db()
    assert escrow.credits_posted == 5
