"""Recompute the ledger and prove its invariants; exits 1 on any violation."""

from django.core.management.base import BaseCommand, CommandError

from niaga.ledger import check


class Command(BaseCommand):
    help = "Recompute every balance from the transfers and check the ledger's invariants."

    def handle(self, *args, **options):
        results = check.run()
        for result in results:
            mark = "ok  " if not result.violations else "FAIL"
            self.stdout.write(f"{mark} {result.name}: {result.checked}")
            for violation in result.violations[:50]:
                self.stdout.write(f"     - {violation}")
        found = check.violations(results)
        if found:
            raise CommandError(f"{len(found)} ledger invariant violation(s)")
        self.stdout.write("ledger: every invariant holds")
