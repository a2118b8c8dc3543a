"""One worker of tests/assurance/test_concurrency.py: works a plan of trade-assurance steps.

    DJANGO_SETTINGS_MODULE=niaga.settings DATABASE_URL=postgres://… python concurrent_worker.py PLAN

The plan (JSON) names the people to act as and the operations: ``pay`` (a provider event
through ``services.receive_payment``), ``ship`` and ``accept`` (confirm receipt, accepting the
goods). The worker waits for the plan's ``go`` file so that every worker starts together, then
goes through the operations ``passes`` times: a step refused the first time (an order not yet
funded) may succeed later, and a payment sent again is a replay.

Each line it prints is flushed at once, and ``ack`` is printed only after the service has
returned, that is after its transaction committed:

    ack <op id> <detail>       done (or replayed: a payment recorded before)
    refused <op id> <code>     the service said no (wrong state…)
    error <op id> <what>       anything else: the test fails on it
"""

from __future__ import annotations

import json
import os
import random
import sys
import time
from datetime import date
from pathlib import Path


def main(plan_path: str) -> int:
    import django

    django.setup()
    from django.db import close_old_connections

    from niaga.accounts.models import User
    from niaga.assurance import services
    from niaga.assurance.models import Order, PaymentChannel
    from niaga.core.errors import NiagaError

    plan = json.loads(Path(plan_path).read_text())
    buyer = User.objects.get(pk=plan["buyer"])
    exporters = {int(k): User.objects.get(pk=v) for k, v in plan["exporters"].items()}
    rng = random.Random(plan["worker"])
    say(f"ready {plan['worker']}")
    go = Path(plan["go"])
    while not go.exists():
        time.sleep(0.01)

    done: set[str] = set()
    for _pass in range(plan["passes"]):
        for op in plan["ops"]:
            if op["id"] in done and op["op"] != "pay":
                continue
            time.sleep(rng.random() * plan["pause"])
            try:
                if op["op"] == "pay":
                    payment, created = services.receive_payment(
                        services.Incoming(
                            channel=PaymentChannel.PROVIDER,
                            external_id=op["external_id"],
                            amount_minor=op["amount"],
                            currency=op["currency"],
                            reference_text=f"order payment {op['reference']}",
                            payer="Concurrent Buyer GmbH",
                            received_on=date.today(),
                        )
                    )
                    detail = f"{payment.pk} {'new' if created else 'replay'}"
                elif op["op"] == "ship":
                    order = Order.objects.get(pk=op["order"])
                    services.mark_shipped(
                        actor=exporters[order.exporter_id],
                        order=order,
                        carrier="Maersk",
                        tracking_number=f"MSKU{op['order']:07d}",
                    )
                    detail = "shipped"
                else:
                    order = Order.objects.get(pk=op["order"])
                    order = services.confirm_receipt(actor=buyer, order=order, accept=True)
                    detail = order.state
            except NiagaError as refused:
                say(f"refused {op['id']} {refused.code}")
                continue
            except Exception as error:  # reported to the test, which fails on it
                say(f"error {op['id']} {type(error).__name__}: {error}".replace("\n", " "))
                close_old_connections()
                continue
            done.add(op["id"])
            say(f"ack {op['id']} {detail}")
    say("finished")
    return 0


def say(line: str) -> None:
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "niaga.settings")
    sys.exit(main(sys.argv[1]))
