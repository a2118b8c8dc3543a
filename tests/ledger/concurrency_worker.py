"""One client of the ledger, run as its own process by ``test_concurrency.py``.

    python tests/ledger/concurrency_worker.py '{"worker": 3, "count": 40, ...}'

It sends its planned requests in order, each with ids of its own, and prints ``id pk`` for each
transfer once the ledger has acknowledged it (flushed at once, so a parent that kills the
process knows what was acknowledged). Run again with the same arguments it sends every request
again from the start: the ones already made must come back as replays.
"""

from __future__ import annotations

import json
import os
import sys
from dataclasses import dataclass


@dataclass(frozen=True)
class Step:
    """One request: fund an escrow from the bank, or release from it to a payable and fees."""

    ids: tuple[str, ...]
    escrow: int  # index into the escrows
    payable: int  # index into the payables, for a release
    amounts: tuple[int, ...]  # (funding,) or (payout, fee)

    @property
    def funding(self) -> bool:
        return len(self.ids) == 1


def plan(worker: int, count: int, *, escrows: int, payables: int) -> list[Step]:
    steps = []
    for i in range(count):
        escrow = (worker + i) % escrows
        if i % 3 == 0:
            steps.append(Step((f"w{worker}-{i}",), escrow, 0, (1_000 + (worker * 7 + i) % 100,)))
        else:
            steps.append(
                Step(
                    (f"w{worker}-{i}-pay", f"w{worker}-{i}-fee"),
                    escrow,
                    (worker + i) % payables,
                    (50 + i % 10, 5 + i % 3),
                )
            )
    return steps


def main(arguments: dict) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "niaga.settings")
    import django

    django.setup()
    from niaga.ledger import services
    from niaga.ledger.models import Account
    from niaga.ledger.services import Move

    def accounts(pks: list[int]) -> list[Account]:
        found = Account.objects.in_bulk(pks)
        return [found[pk] for pk in pks]

    (bank,) = accounts([arguments["bank"]])
    escrows = accounts(arguments["escrows"])
    payables = accounts(arguments["payables"])
    (fees,) = accounts([arguments["fees"]])
    steps = plan(
        arguments["worker"], arguments["count"], escrows=len(escrows), payables=len(payables)
    )
    for step in steps:
        escrow = escrows[step.escrow]
        if step.funding:
            requests = [Move(step.ids[0], bank, escrow, step.amounts[0], "fund")]
        else:
            payout, fee = step.amounts
            requests = [
                Move(step.ids[0], escrow, payables[step.payable], payout, "release"),
                Move(step.ids[1], escrow, fees, fee, "fee"),
            ]
        for made in services.create_transfers(requests):
            print(made.transfer_id, made.pk, flush=True)


if __name__ == "__main__":
    main(json.loads(sys.argv[1]))
